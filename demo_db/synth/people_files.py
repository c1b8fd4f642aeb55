"""The people extracts (web_signups hourly, ecom_customers daily, pos_loyalty weekly) and truth.csv."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from synth.people_accounts import FIRST_DAILY, Account, Accounts
from synth.population import Population
from synth.writer import Output, RawLine

ECOM_COLUMNS = [
    "source_key",
    "first_name",
    "last_name",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
    "email",
    "phone",
    "birth_date",
    "updated_at",
]
WEB_COLUMNS = [
    "visitor_id",
    "fname",
    "lname",
    "street",
    "apt",
    "town",
    "st",
    "zip",
    "email_address",
    "mobile",
    "dob",
    "signup_time",
    "utm_source",
]
WEB_FIELDS = [
    "source_key",
    "first_name",
    "last_name",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "email",
    "phone",
    "birth_date",
    "signup_time",
    "utm_source",
]
POS_COLUMNS = [
    "CARD_NO",
    "FIRST",
    "LAST",
    "ADDRESS",
    "ADDRESS2",
    "CITY",
    "ST",
    "ZIP",
    "EMAIL",
    "PHONE",
    "BIRTHDAY",
    "ENROLLED",
    "LAST_VISIT",
    "HOME_STORE",
]
POS_FIELDS = [
    "source_key",
    "first_name",
    "last_name",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "email",
    "phone",
    "birth_date",
    "enrolled",
    "last_visit",
    "home_store",
]

WEB_HOURS = [datetime(2026, 11, 24, h) for h in range(2, 8)]  # each loaded at hh+1:05
WEB_SHORT_HOUR = 2  # index of the hour whose extract is nearly empty (a site outage): a volume anomaly
POS_CUTS = [datetime(2026, 10, 29, 4), datetime(2026, 11, 5, 4), datetime(2026, 11, 12, 4)]
ECOM_CUTS = [FIRST_DAILY + timedelta(days=d) for d in range(5)]  # 05:30 on Nov 20..24, loaded at 06:00


def mark_bad_rows(rng: random.Random, acc: Accounts) -> None:
    """The rows a loader must reject: no key, impossible dates, a wrong number of fields."""
    old = [a for a in acc.ecom if a.created < FIRST_DAILY - timedelta(days=100)]
    nokey = _copy(rng.choice(old), bad="missing source_key")
    acc.ecom.insert(acc.ecom.index(old[len(old) // 2]) + 1, nokey)
    bad_birth = old[len(old) // 3]
    bad_birth.values["birth_date"], bad_birth.bad = "0000-00-00", "unparseable birth_date"

    acc.web.append(_copy(acc.web[7], bad="missing source_key"))
    acc.web[11].values["birth_date"], acc.web[11].bad = "31/02/2025", "unparseable birth_date"
    wide = next(a for a in acc.web[20:] if a.values["address_line2"] and not a.bad and _plain(a, ","))
    wide.bad = "wrong number of fields"

    acc.pos[40].values["birth_date"], acc.pos[40].bad = "02/30/1984", "unparseable birth_date"
    short = next(a for a in acc.pos[60:] if not a.bad and _plain(a, ";"))
    short.bad = "wrong number of fields"


def write_web(rng: random.Random, out: Output, acc: Accounts) -> None:
    per_hour = _split(rng, acc.web, len(WEB_HOURS))
    for hour, accounts in zip(WEB_HOURS, per_hour, strict=True):
        for a in accounts:
            a.created = hour + timedelta(seconds=rng.randint(0, 3599))
        accounts.sort(key=lambda a: (a.created, a.key))
        rows, bad = [], {}
        for n, a in enumerate(accounts):
            values = {**a.values, "source_key": a.key, "signup_time": a.created.isoformat()}
            row = [values[f] for f in WEB_FIELDS]
            if a.bad == "wrong number of fields":  # "12 Elm St, Apt 3" typed into the street box, unquoted
                row[3], row[4] = f"{row[3]}, {row[4]}", ""
                row = RawLine(",".join(row))
            if a.bad:
                bad[n] = a.bad
            rows.append(row)
        path = f"extracts/web_signups_{hour:%Y%m%d_%H}00.csv"
        out.table(
            path,
            WEB_COLUMNS,
            rows,
            source="web_signups",
            loaded_at=hour + timedelta(hours=1, minutes=5),
            bad=bad,
        )


def write_ecom(out: Output, acc: Accounts) -> None:
    for cut in ECOM_CUTS:
        rows, bad = [], {}
        for a in acc.ecom:
            if a.created >= cut:
                continue
            values, updated = a.values_at(cut)
            values = {**values, "source_key": a.key, "updated_at": f"{updated:%Y-%m-%d %H:%M:%S}"}
            if a.bad:
                bad[len(rows)] = a.bad
            rows.append([values[c] for c in ECOM_COLUMNS])
        out.table(
            f"extracts/ecom_customers_{cut:%Y%m%d}.csv",
            ECOM_COLUMNS,
            rows,
            source="ecom_customers",
            loaded_at=cut + timedelta(minutes=30),
            bad=bad,
        )


def write_pos(out: Output, acc: Accounts, visits: dict[str, list[datetime]]) -> None:
    """Weekly full loyalty files: semicolon-delimited, Latin-1, US dates; LAST_VISIT is the as-of date."""
    for cut in POS_CUTS:
        rows, bad = [], {}
        for a in acc.pos:
            if a.created >= cut:
                continue
            seen = [d for d in visits.get(a.key, []) if d < cut.replace(hour=0)]
            last = max(seen) if seen else a.created
            values = {
                **a.values,
                "source_key": a.key,
                "enrolled": f"{a.created:%m/%d/%Y}",
                "last_visit": f"{last:%m/%d/%Y}",
            }
            row = [values[f] for f in POS_FIELDS]
            if a.bad == "wrong number of fields":  # the till dropped the empty ADDRESS2 field
                row = RawLine(";".join(row[:4] + row[5:]))
            if a.bad:
                bad[len(rows)] = a.bad
            rows.append(row)
        out.table(
            f"extracts/pos_loyalty_{cut:%Y%m%d}.csv",
            POS_COLUMNS,
            rows,
            delimiter=";",
            encoding="latin-1",
            source="pos_loyalty",
            loaded_at=cut,
            bad=bad,
        )


def write_truth(out: Output, acc: Accounts, pop: Population) -> None:
    rows = sorted((a.source, a.key, a.pid, pop.by_pid[a.pid].hid) for a in acc.all() if a.key)
    out.table("truth.csv", ["source", "source_key", "person_id", "household_id"], [list(r) for r in rows])


def _copy(a: Account, bad: str) -> Account:
    return Account(a.source, "", a.pid, a.created, dict(a.values), None, bad)


def _plain(a: Account, delimiter: str) -> bool:
    return all(delimiter not in value and '"' not in value for value in a.values.values())


def _split(rng: random.Random, accounts: list[Account], parts: int) -> list[list[Account]]:
    """Hourly batches of roughly equal size, except one nearly empty hour."""
    sizes = [0] * parts
    sizes[WEB_SHORT_HOUR] = 5
    rest = len(accounts) - 5
    for i in range(parts):
        if i != WEB_SHORT_HOUR:
            sizes[i] = rest // (parts - 1)
    sizes[-1] += len(accounts) - sum(sizes)
    shuffled = list(accounts)
    rng.shuffle(shuffled)
    batches, start = [], 0
    for size in sizes:
        batches.append(shuffled[start : start + size])
        start += size
    return batches
