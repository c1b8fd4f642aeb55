"""Suppression extracts keyed on email or phone: unsubscribes, bounces, brand opt-outs, DNC, staff."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from synth import reference as ref
from synth import variants as v
from synth.lookup import Known
from synth.writer import Output

DAILY = [datetime(2026, 11, d, 7) for d in range(20, 25)]  # each daily file cut (and loaded) at 07:00
HISTORY_FROM = datetime(2024, 6, 1)
Truth = list[tuple[str, str, str, str]]  # (person_id, channel, brand, reason)


def write_unsubscribes(rng: random.Random, out: Output, known: Known, truth: Truth) -> None:
    rows, stamps = [], _stamps(rng, 107)
    for pid in rng.sample(known.with_email, 95):
        email = rng.choice(known.emails_of[pid])
        brand = rng.choice(ref.BRANDS) if rng.random() < 0.45 else ""
        rows.append((stamps.pop(), v.email(rng, email, 0.15), brand))
        truth.extend((p, "email", brand, "unsubscribe") for p in known.pids_by_email[email])
    rows += [(stamps.pop(), f"old.address{i}@example.org", "") for i in range(12)]
    _daily(
        out,
        "email_unsubscribes",
        ["email", "unsubscribed_at", "brand"],
        [(when, [email, f"{when:%Y-%m-%d %H:%M:%S}", brand]) for when, email, brand in rows],
    )


def write_bounces(rng: random.Random, out: Output, known: Known, truth: Truth) -> None:
    rows, stamps = [], _stamps(rng, 93)
    for n, pid in enumerate(rng.sample(known.with_email, 85)):
        email = rng.choice(known.emails_of[pid])
        kind = "hard" if n % 5 < 3 else "soft"
        rows.append((stamps.pop(), email, kind))
        if kind == "hard":  # soft bounces are retried, not suppressed
            truth.extend((p, "email", "", "hard bounce") for p in known.pids_by_email[email])
    rows += [(stamps.pop(), f"no.such.user{i}@example.com", "hard") for i in range(8)]
    _daily(
        out,
        "email_bounces",
        ["email", "bounce_type", "bounced_at"],
        [(when, [email, kind, f"{when:%Y-%m-%d %H:%M:%S}"]) for when, email, kind in rows],
    )


def write_brand_optouts(rng: random.Random, out: Output, known: Known, truth: Truth) -> None:
    rows, stamps = [], _stamps(rng, 45)
    for pid in rng.sample(known.with_email, 45):
        email = rng.choice(known.emails_of[pid])
        phones = known.phones_of.get(pid, [])
        phone = v.phone(rng, phones[0], ("dash", "paren")) if phones and rng.random() < 0.6 else ""
        brand = rng.choices(ref.BRANDS, weights=ref.BRAND_WEIGHTS)[0]
        channel = rng.choices(("email", "mail", "phone"), weights=(40, 35, 25))[0]
        rows.append((stamps.pop(), [v.email(rng, email, 0.1), phone, brand, channel]))
        truth.extend((p, channel, brand, "brand opt-out") for p in known.pids_by_email[email])
    _daily(
        out,
        "brand_optouts",
        ["email", "phone", "brand", "channel", "opted_out_at"],
        [(when, [*row, f"{when:%Y-%m-%d %H:%M:%S}"]) for when, row in rows],
    )


def write_do_not_call(rng: random.Random, out: Output, known: Known, truth: Truth) -> None:
    """The FTC shape: no header, `area_code,number`, sorted; a full file each month (the second grows)."""
    numbers = [rng.choice(known.phones_of[pid]) for pid in rng.sample(known.with_phone, 110)]
    numbers += [
        f"{rng.choice(('617', '508', '401', '212', '312'))}555{rng.randint(0, 9999):04d}" for _ in range(70)
    ]
    numbers = sorted(set(numbers))
    late = set(rng.sample(numbers, 12))  # registered during October: only in the November file
    for loaded_at, chosen in (
        (datetime(2026, 10, 1, 4, 10), [n for n in numbers if n not in late]),
        (datetime(2026, 11, 1, 4, 10), numbers),
    ):
        out.table(
            f"extracts/do_not_call_{loaded_at:%Y%m}.csv",
            None,
            [[n[:3], n[3:]] for n in chosen],
            source="do_not_call",
            loaded_at=loaded_at,
        )
    for number in numbers:
        truth.extend((p, "phone", "", "Do Not Call") for p in known.pids_by_phone.get(number, []))


def write_staff(rng: random.Random, out: Output, known: Known, truth: Truth) -> None:
    departments = ("Merchandising", "Stores", "Marketing", "IT", "Finance", "Customer Care", "Logistics")
    rows = []
    for p in known.pop.people:
        if p.staff:
            rows.append([p.email, p.first, p.last, rng.choice(departments), _start(rng)])
            truth.extend((q, "all", "", "staff") for q in known.pids_by_email.get(p.email.lower(), []))
    for i in range(14):
        g = rng.choice((ref.MALE_FIRST, ref.FEMALE_FIRST))
        first, last = rng.choice(g), rng.choice(ref.LAST_NAMES)
        local = f"{_ascii(first)}.{_ascii(last)}{i}"
        rows.append([f"{local}@{ref.STAFF_DOMAIN}", first, last, rng.choice(departments), _start(rng)])
    rows.sort(key=lambda r: r[0])
    out.table(
        "extracts/staff_list_202611.csv",
        ["email", "first_name", "last_name", "department", "start_date"],
        rows,
        source="staff_list",
        loaded_at=datetime(2026, 11, 1, 4, 20),
    )


def _daily(out: Output, source: str, header: list[str], dated: list) -> None:
    """Split dated rows into daily files: everything before the first cut goes into the first file."""
    dated.sort(key=lambda r: (r[0], r[1]))
    for n, cut in enumerate(DAILY):
        lo = datetime.min if n == 0 else DAILY[n - 1]
        batch = [row for when, row in dated if lo <= when < cut]
        out.table(
            f"extracts/{source}_{cut:%Y%m%d}.csv",
            header,
            batch,
            source=source,
            loaded_at=cut + timedelta(minutes={"email_unsubscribes": 0, "email_bounces": 5}.get(source, 10)),
        )


def _stamps(rng: random.Random, n: int) -> list[datetime]:
    """n times: 70% in the history, the rest spread over the five daily windows (none left empty)."""
    windows = [(HISTORY_FROM, DAILY[0] - timedelta(days=1)), (DAILY[0] - timedelta(days=1), DAILY[0])]
    windows += list(zip(DAILY, DAILY[1:], strict=False))
    history = round(n * 0.7)
    out = []
    for i in range(n):
        lo, hi = windows[0] if i < history else windows[1 + (i - history) % 5]
        out.append(lo + timedelta(seconds=rng.randint(0, int((hi - lo).total_seconds()) - 1)))
    return out


def _start(rng: random.Random) -> str:
    return (datetime(2012, 1, 1) + timedelta(days=rng.randint(0, 5000))).strftime("%Y-%m-%d")


def _ascii(text: str) -> str:
    from synth.population import ascii_fold

    return "".join(c for c in ascii_fold(text).lower() if c.isalpha())
