"""Call-centre contacts (monthly, stale on purpose) and another division's contact history (monthly)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from synth import variants as v
from synth.people_accounts import Accounts
from synth.writer import Output

CALL_COLUMNS = ["contact_id", "customer_id", "event_type", "event_time", "agent", "duration_s"]
CALL_CUTS = [
    datetime(2026, 6, 16, 9),
    datetime(2026, 7, 16, 9),
    datetime(2026, 8, 16, 9),
]  # last: 100 days ago
EVENT_TYPES = ("order_enquiry", "support_call", "complaint", "return_request")
PARTNER_COLUMNS = ["email", "campaign", "brand", "channel", "contact_date", "keycode"]
PARTNER_MONTHS = [
    (
        datetime(2026, 9, 1),
        datetime(2026, 10, 2, 3),
        [
            ("SEP26-HOMEFALL", "northwind", "mail", 8, ("HF26A", "HF26B")),
            ("SEP26-EMBERTIPS", "ember", "email", 22, ("ET26A",)),
        ],
    ),
    (
        datetime(2026, 10, 1),
        datetime(2026, 11, 2, 3),
        [
            ("OCT26-HOLIDAYPREVIEW", "northwind", "mail", 6, ("HP26A", "HP26B")),
            ("OCT26-FABLEGIFT", "fable", "email", 15, ("FG26A",)),
            ("OCT26-TIDECLEAR", "tidewater", "email", 27, ("TC26A", "TC26B")),
        ],
    ),
]


def write_callcentre(
    rng: random.Random, out: Output, acc: Accounts, history: list[tuple[datetime, str, str]] = ()
) -> list[str]:
    """Write the monthly files (the first also carries ``history``: earlier calls, such as the planted
    lapsers' trouble); returns the customer ids with 3+ support calls inside 14 days."""
    first = CALL_CUTS[0] - timedelta(days=30)
    known = [a for a in acc.ecom if a.key and a.created < first]
    events = []
    for a in rng.sample(known, 230):
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            kind = rng.choices(EVENT_TYPES, weights=(45, 30, 12, 13))[0]
            events.append((_when(rng, first, CALL_CUTS[-1] - timedelta(hours=14)), a.key, kind))
    frustrated = [a.key for a in rng.sample(known, 7)]
    for key in frustrated:  # three or four support calls within two weeks: a trigger
        start = _when(rng, datetime(2026, 7, 1), datetime(2026, 7, 30))
        for _ in range(rng.choice((3, 3, 4))):
            events.append(
                (start + timedelta(days=rng.randint(0, 12), minutes=rng.randint(0, 600)), key, "support_call")
            )
    for key in ("C0999871", "C0999872"):  # callers whose account the e-commerce system never sent us
        events.append((_when(rng, first, CALL_CUTS[-1] - timedelta(hours=14)), key, "order_enquiry"))
    events.sort()
    staff = {e: (rng.randint(1, 24), rng.randint(45, 1900)) for e in events}  # the main stream, as before
    history_rng = random.Random(len(history))
    for e in sorted(h for h in history if h[0] < CALL_CUTS[-1]):
        events.append(e)
        staff.setdefault(e, (history_rng.randint(1, 24), history_rng.randint(45, 1900)))
    events.sort()
    rows = [
        [
            f"CC{700_001 + i}",
            key,
            kind,
            f"{when:%Y-%m-%d %H:%M:%S}",
            f"agent{staff[(when, key, kind)][0]:02d}",
            str(staff[(when, key, kind)][1]),
        ]
        for i, (when, key, kind) in enumerate(events)
    ]
    for n, cut in enumerate(CALL_CUTS):
        lo = datetime.min if n == 0 else CALL_CUTS[n - 1]
        batch = [r for r, e in zip(rows, events, strict=True) if lo <= e[0] < cut]
        out.table(
            f"extracts/callcentre_contacts_{cut:%Y%m}.csv",
            CALL_COLUMNS,
            batch,
            source="callcentre_contacts",
            loaded_at=cut,
        )
    return sorted(frustrated)


def write_partner(rng: random.Random, out: Output, acc: Accounts) -> None:
    emails = sorted({a.values["email"].lower() for a in acc.ecom + acc.web if a.key and a.values["email"]})
    for month, loaded_at, campaigns in PARTNER_MONTHS:
        rows = []
        for campaign, brand, channel, day_of_month, keycodes in campaigns:
            day = month.replace(day=day_of_month)
            for address in rng.sample(emails, rng.randint(160, 260)):
                rows.append(
                    [
                        v.email(rng, address, 0.1),
                        campaign,
                        brand,
                        channel,
                        f"{day:%Y-%m-%d}",
                        rng.choice(keycodes),
                    ]
                )
            for i in range(rng.randint(20, 40)):  # people the other division knows and we don't
                rows.append(
                    [
                        f"prospect{rng.randint(1000, 9999)}.{i}@example.net",
                        campaign,
                        brand,
                        channel,
                        f"{day:%Y-%m-%d}",
                        rng.choice(keycodes),
                    ]
                )
        rows.sort(key=lambda r: (r[4], r[1], r[0]))
        out.table(
            f"extracts/partner_contacts_{month:%Y%m}.csv",
            PARTNER_COLUMNS,
            rows,
            source="partner_contacts",
            loaded_at=loaded_at,
        )


def _when(rng: random.Random, lo: datetime, hi: datetime) -> datetime:
    when = lo + timedelta(seconds=rng.randint(0, int((hi - lo).total_seconds())))
    return when.replace(hour=rng.randint(8, 19))
