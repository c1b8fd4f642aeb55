"""Files matched on name + address: Mail Preference Service, deceased, and the NCOA moves file."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from synth import reference as ref
from synth import variants as v
from synth.lookup import Known
from synth.population import Address, Person
from synth.suppression_files import Truth
from synth.writer import Output

LIST_COLUMNS = ["first_name", "last_name", "address", "city", "state", "zip"]
NCOA_COLUMNS = [
    "first_name",
    "last_name",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "new_address_line1",
    "new_address_line2",
    "new_city",
    "new_state",
    "new_postal_code",
    "return_code",
    "move_type",
    "move_effective_date",
]


def write_mail_preference(rng: random.Random, out: Output, known: Known, truth: Truth) -> None:
    rows = []
    for pid in rng.sample(_settled(known), 45):
        p = known.pop.by_pid[pid]
        rows.append(_list_row(rng, p, known.pop.household_of(p).address))
        truth.append((pid, "mail", "", "Mail Preference Service"))
    rows += [_stranger(rng) for _ in range(20)]
    rows.sort(key=lambda r: (r[5].zfill(5), r[1].upper(), r[0].upper()))
    out.table(
        "extracts/mail_preference_202611.csv",
        LIST_COLUMNS,
        rows,
        source="mail_preference",
        loaded_at=datetime(2026, 11, 1, 4, 30),
    )


def write_deceased(rng: random.Random, out: Output, known: Known, truth: Truth) -> None:
    rows = []
    settled = set(_settled(known, keep_deceased=True))
    for p in known.pop.people:
        if p.deceased and p.pid in settled:
            rows.append([*_list_row(rng, p, known.pop.household_of(p).address), f"{p.death_date:%Y-%m-%d}"])
            truth.append((p.pid, "all", "", "deceased"))
    for n in range(6):  # the newest death is recent, so the file's as-of date is too
        died = datetime(2026, 10, 31) - timedelta(days=rng.randint(5, 15) if n == 0 else rng.randint(10, 300))
        rows.append([*_stranger(rng), f"{died:%Y-%m-%d}"])
    rows.sort(key=lambda r: (r[1].upper(), r[0].upper()))
    out.table(
        "extracts/deceased_202611.csv",
        [*LIST_COLUMNS, "date_of_death"],
        rows,
        source="deceased",
        loaded_at=datetime(2026, 11, 1, 4, 40),
    )


def write_ncoa(rng: random.Random, out: Output, known: Known, truth: Truth) -> None:
    """One NCOA result file: A (new address), 01 (foreign), 02 (left no address), 00 (no match)."""
    pop, rows, on_file = known.pop, [], set(known.with_address)
    for hh in pop.households:
        if not hh.move_code:
            continue
        people = [pop.by_pid[m] for m in hh.members]
        family = len(people) > 1
        head = people[0]
        first = "" if family and rng.random() < 0.4 else head.first.upper()
        old = hh.old_address if hh.move_code == "A" else hh.address
        new = ["", "", "", "", ""]
        if hh.move_code == "A":
            new = [
                v.street(hh.address, "upper"),
                v.unit(hh.address, "upper"),
                hh.address.city.upper(),
                hh.address.state,
                hh.address.zip5,
            ]
        else:
            reason = "NCOA 01 foreign move" if hh.move_code == "01" else "NCOA 02 moved, left no address"
            truth.extend((p.pid, "mail", "", reason) for p in people if p.pid in on_file)
        rows.append(
            [
                first,
                head.last.upper(),
                v.street(old, "upper"),
                v.unit(old, "upper"),
                old.city.upper(),
                old.state,
                old.zip5,
                *new,
                hh.move_code,
                "F" if family else "I",
                f"{hh.move_date:%Y-%m-%d}",
            ]
        )
    for pid in rng.sample(_settled(known), 15):
        p = pop.by_pid[pid]
        a = pop.household_of(p).address
        rows.append(
            [
                p.first.upper(),
                p.last.upper(),
                v.street(a, "upper"),
                v.unit(a, "upper"),
                a.city.upper(),
                a.state,
                a.zip5,
                "",
                "",
                "",
                "",
                "",
                "00",
                "",
                "",
            ]
        )
    for business in ("HARBOR DENTAL GROUP", "BLUE FERN DESIGN LLC"):  # business moves (B): nobody of ours
        old, new = _stranger(rng), _stranger(rng)
        when = datetime(2026, 11, 24) - timedelta(days=rng.randint(40, 200))
        rows.append(
            ["", business, old[2], "", *old[3:], new[2], "SUITE 200", *new[3:], "A", "B", f"{when:%Y-%m-%d}"]
        )
    rows.sort(key=lambda r: (r[6], r[1], r[0]))
    out.table(
        "extracts/ncoa_202611.csv", NCOA_COLUMNS, rows, source="ncoa", loaded_at=datetime(2026, 11, 10, 5)
    )


def _settled(known: Known, keep_deceased: bool = False) -> list[str]:
    """People on file with an address who did not move and share no first name with a housemate."""
    pop, out = known.pop, []
    for pid in known.with_address:
        p = pop.by_pid[pid]
        hh = pop.household_of(p)
        namesake = any(pop.by_pid[m].first == p.first for m in hh.members if m != pid)  # Jr. and Sr.
        if not hh.move_code and not namesake and (keep_deceased or not p.deceased):
            out.append(pid)
    return out


def _list_row(rng: random.Random, p: Person, a: Address) -> list[str]:
    """Name and address the way a consumer typed it into a preference form, then a bureau upper-cased it."""
    first = v.first_name(rng, p.first, p_nick=0.2, p_typo=0.02, p_fold=0.6)
    line = v.street(a, rng.choice(("upper", "upper", "dot", "abbr")))
    if a.unit:
        line += " " + v.unit(a, rng.choice(("upper", "hash", "dot")))
    upper = rng.random() < 0.7
    zip_code = v.postal_code(rng, a, p_lost_zero=0.1, p_plus4=0.3)
    fields = [first, p.last, line, a.city, a.state, zip_code]
    return [f.upper() for f in fields] if upper else fields


def _stranger(rng: random.Random) -> list[str]:
    city = rng.choice(ref.CITIES)
    g = rng.choice((ref.MALE_FIRST, ref.FEMALE_FIRST))
    line = f"{rng.randint(10, 9899)} {rng.choice(ref.STREET_NAMES)} {rng.choice(list(ref.SUFFIXES.values()))}"
    return [
        rng.choice(g).upper(),
        rng.choice(ref.LAST_NAMES).upper(),
        line.upper(),
        city[0].upper(),
        city[1],
        rng.choice(city[2]),
    ]
