"""Shared data for the identity tests: a small synthetic database (bench/synth.py) with a hand-written
family and a person who moved, built once per session and copied for each test."""

from __future__ import annotations

import csv
import shutil
import sys
from pathlib import Path

from workbench import clock

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["source_key", "first_name", "last_name", "address_line1", "address_line2", "city", "state",
          "postal_code", "country", "email", "phone", "birth_date", "updated_at"]

# The household trap: four people at one door, sharing surname and landline, each in two sources.
FAMILY = [
    ["F1", "John", "Carter", "12 Oak Street", "", "Springfield", "MA", "01103", "US", "", "413-555-0100", "1970-03-02", "2025-01-10"],
    ["F2", "Mary", "Carter", "12 Oak Street", "", "Springfield", "MA", "01103", "US", "", "413-555-0100", "1972-07-15", "2025-01-10"],
    ["F3", "Emily", "Carter", "12 Oak Street", "", "Springfield", "MA", "01103", "US", "", "413-555-0100", "2001-01-20", "2025-01-10"],
    ["F4", "Jack", "Carter", "12 Oak Street", "", "Springfield", "MA", "01103", "US", "", "413-555-0100", "2004-05-05", "2025-01-10"],
    ["F5", "John", "Carter", "12 Oak St", "", "Springfield", "MA", "01103", "US", "", "(413) 555-0100", "1970-03-02", "2024-06-01"],
    ["F6", "Mary", "Carter", "12 Oak St.", "", "Springfield", "MA", "01103", "US", "", "4135550100", "1972-07-15", "2024-06-01"],
    ["F7", "Emily", "Carter", "12 OAK ST", "", "Springfield", "MA", "01103", "US", "", "413 555 0100", "2001-01-20", "2024-06-01"],
    ["F8", "Jack", "Carter", "12 Oak Street", "", "Springfield", "MA", "01103", "US", "", "413.555.0100", "2004-05-05", "2024-06-01"],
]
# The same person: a nickname and a new address (moved), same birth date and mobile.
MOVER = [
    ["M1", "Robert", "Kowalczyk", "5 Elm Road", "", "Worcester", "MA", "01602", "US", "", "508-555-0199", "1980-02-02", "2023-03-01"],
    ["M2", "Bob", "Kowalczyk", "77 Pine Avenue", "Apt 3", "Cambridge", "MA", "02139", "US", "", "508 555 0199", "1980-02-02", "2025-09-01"],
]
CRM_TOML = """
[sources.crm]
kind = "people"
cadence = "daily"
priority = 0
mode = "incremental"
as_of = "updated_at"
"""


def _synth():
    sys.path.insert(0, str(ROOT / "bench"))
    import synth

    return synth


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(rows)
    return path


def build_template(folder: Path, rows: int = 2500) -> Path:
    """A database with synthetic web/ecom/loyalty records plus the crm family and mover, not matched."""
    from workbench.ingest.derived import ensure_derived
    from workbench.ingest.load import load_file
    from workbench.ingest.sources import parse_sources_toml, save_sources
    from workbench.store import Store

    data = folder / "synth"
    _synth().generate(data, rows, seed=11)
    (data / "sources.toml").write_text((data / "sources.toml").read_text() + CRM_TOML)
    write_csv(data / "crm.csv", FAMILY[:4] + MOVER[:1])
    # the second copies of the family and the mover arrive in the web extract
    web = list(csv.reader((data / "web.csv").open(encoding="utf-8")))[1:]
    write_csv(data / "web.csv", web + [["X" + r[0]] + r[1:] for r in FAMILY[4:] + MOVER[1:]])
    clock.set_now("2026-01-15T10:00:00")
    store = Store(folder / "template.duckdb")
    with store.transaction() as conn:
        save_sources(conn, parse_sources_toml(data / "sources.toml"))
    for source in ("web", "ecom", "loyalty", "crm"):
        load_file(store, source, data / f"{source}.csv")
    with store.transaction() as conn:
        ensure_derived(conn)
    clock.set_now(None)
    return store.path


def copy_store(template: Path, target: Path):
    from workbench.store import Store

    shutil.copy(template, target)
    return Store(target, busy_timeout=0.5)


def person_of(conn, source: str, key: str) -> int:
    from workbench.store.sql import scalar

    return scalar(conn, """SELECT pr.person_id FROM person_records pr JOIN records r USING (record_id)
        WHERE r.source = ? AND r.source_key = ?""", [source, key])


def record_id(conn, source: str, key: str) -> int:
    from workbench.store.sql import scalar

    return scalar(conn, "SELECT record_id FROM records WHERE source = ? AND source_key = ?", [source, key])
