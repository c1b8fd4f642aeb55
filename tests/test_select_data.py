"""A small marketing database for the selection and export tests, loaded through the real loaders.

40 people of the source ``crm`` (pairs share an address and a surname), orders of brands ember and
fable in ``shop``, and three suppression files: email unsubscribes (another case), do-not-call
phones (another format) and the Mail Preference Service (name + address, other abbreviations).
Other test modules import :func:`build_db`; the one test here checks the data is what they assume.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from workbench import clock

NOW = "2026-11-20T10:00:00"
SOURCES = """
[sources.crm]
kind = "people"
cadence = "daily"
priority = 1
as_of = "updated_at"

[sources.shop]
kind = "transactions"
cadence = "daily"
as_of = "order_date"
people_source = "crm"

[sources.unsubs]
kind = "suppression"
cadence = "daily"
channel = "email"
match_on = "email"
reason = "unsubscribe"

[sources.dnc]
kind = "suppression"
cadence = "monthly"
channel = "phone"
match_on = "phone"
reason = "do not call"

[sources.mps]
kind = "suppression"
cadence = "monthly"
channel = "mail"
match_on = "name_address"
reason = "Mail Preference Service"
"""
FIRST = ["Robert", "Mary", "James", "Linda", "John", "Susan", "David", "Karen", "Paul", "Nancy"]
LAST = ["Smith", "Jones", "Garcia", "Nguyen", "Brown", "Miller", "Davis", "Lopez", "Wilson", "Moore"]
UNSUBSCRIBED = (3, 5)  # persons whose email is unsubscribed
DO_NOT_CALL = (4, 6)  # persons whose phone is on the do-not-call file
MAIL_PREFERENCE = (11,)  # person on the Mail Preference Service file
NO_ADDRESS = (39,)


def person_row(i: int) -> dict[str, str]:
    now = datetime.fromisoformat(NOW)
    return {
        "source_key": f"C{i}",
        "first_name": FIRST[i % len(FIRST)],
        "last_name": LAST[(i + 1) // 2 % len(LAST)],
        "address_line1": "" if i in NO_ADDRESS else f"{(i + 1) // 2} Main Street",
        "address_line2": "",
        "city": "Boston" if i % 3 else "New York",
        "state": "MA" if i % 3 else "NY",
        "postal_code": "" if i in NO_ADDRESS else ("02134" if i % 3 else "10001"),
        "email": "" if i % 10 == 0 else f"person{i}@example.com",
        "phone": f"617555{i:04d}" if i % 2 == 0 else "",
        "birth_date": f"{1950 + i}-06-15",
        "updated_at": (now - timedelta(hours=2)).isoformat(sep=" "),
    }


def order_rows() -> list[dict[str, str]]:
    now = datetime.fromisoformat(NOW)
    out = []
    for i in range(1, 41):
        for k in range(i % 4):  # 0 to 3 ember orders, the latest (i - 1) * 5 days ago
            day = now - timedelta(days=(i - 1) * 5 + k * 30, hours=3)
            out.append({"order_id": f"E{i}-{k}", "source_key": f"C{i}", "order_date": day.isoformat(sep=" "),
                        "amount": f"{20 + i * 3 + k}.50", "brand": "ember", "channel": "web", "category": "kitchen",
                        "returned": "true" if (i, k) == (8, 0) else "false"})
        if i % 3 == 0:
            day = now - timedelta(days=400 + i, hours=3)
            out.append({"order_id": f"F{i}", "source_key": f"C{i}", "order_date": day.isoformat(sep=" "),
                        "amount": "15.00", "brand": "fable", "channel": "store", "category": "toys", "returned": "false"})
    out.sort(key=lambda r: r["order_date"])
    return out


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    import csv

    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def build_db(folder: Path, people: list[dict[str, str]] | None = None):
    """A Store in ``folder`` with everything loaded; the clock is left at NOW."""
    from workbench.ingest.load import load_file
    from workbench.ingest.sources import parse_sources_toml, save_sources
    from workbench.store import Store

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sources.toml").write_text(SOURCES, encoding="utf-8")
    people = people or [person_row(i) for i in range(1, 41)]
    files = {
        "crm": write_csv(folder / "crm.csv", people),
        "shop": write_csv(folder / "shop.csv", order_rows()),
        "unsubs": write_csv(folder / "unsubs.csv", [{"email": f"  PERSON{i}@Example.COM "} for i in UNSUBSCRIBED]),
        "dnc": write_csv(folder / "dnc.csv", [{"phone": f"(617) 555-{i:04d}"} for i in DO_NOT_CALL]),
        "mps": write_csv(folder / "mps.csv", [{"first_name": FIRST[i % len(FIRST)].upper(),
                                               "last_name": LAST[(i + 1) // 2 % len(LAST)].upper(),
                                               "address_line1": f"{(i + 1) // 2} MAIN ST.", "postal_code": "02134"}
                                              for i in MAIL_PREFERENCE]),
    }
    store = Store(folder / "wb.duckdb", busy_timeout=1)
    clock.set_now((datetime.fromisoformat(NOW) - timedelta(hours=1)).isoformat())
    with store.transaction() as conn:
        save_sources(conn, parse_sources_toml(folder / "sources.toml"))
    for source, path in files.items():
        result = load_file(store, source, path)
        assert result.status == "loaded", result.message
    clock.set_now(NOW)
    return store


def test_the_test_database(tmp_path):
    from workbench.store.sql import rows

    store = build_db(tmp_path / "db")
    with store.connect() as conn:
        n = rows(conn, "SELECT (SELECT count(DISTINCT person_id) FROM person_records) AS persons, (SELECT count(*) FROM transactions) AS orders, "
                       "(SELECT count(*) FROM suppression_entries) AS entries")[0]
    assert n == {"persons": 40, "orders": len(order_rows()), "entries": 5}
