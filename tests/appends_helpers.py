"""Helpers (no tests here) for the appends and plan tests: small databases built through the real loader."""

from __future__ import annotations

import csv
from pathlib import Path

from workbench import clock
from workbench.ingest.load import load_file
from workbench.ingest.sources import parse_sources_toml, save_sources
from workbench.store import Store

SOURCES_TOML = """
[sources.crm]
kind = "people"
cadence = "daily"
priority = 1
mode = "full"

[sources.acme_household]
kind = "appends"
cadence = "monthly"
match_on = "household"

[sources.acme_address]
kind = "appends"
cadence = "monthly"
match_on = "address"

[sources.acme_person]
kind = "appends"
cadence = "monthly"
match_on = "person"
"""

PEOPLE = [
    # source_key, first, last, line1, zip, children (what the customer told us), income_band
    ("C1", "Robert", "Smith", "12 N Oak St", "02134", "", ""),
    ("C2", "Mary", "Smith", "12 North Oak Street", "02134", "", ""),
    ("C3", "Ann", "Jones", "40 Elm Ave", "02135", "N", ""),
    ("C4", "Paul", "Brown", "7 Pine Rd", "02136", "", ""),
    ("C5", "Lisa", "Green", "99 Birch Ln", "02137", "", "c"),
]


def write_csv(path: Path, header: list[str], data: list[tuple]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(data)
    return path


def make_store(tmp_path: Path, people=PEOPLE) -> Store:
    clock.set_now("2026-11-20T10:00:00")
    store = Store(tmp_path / "wb.duckdb", busy_timeout=0.5)
    (tmp_path / "sources.toml").write_text(SOURCES_TOML, encoding="utf-8")
    with store.transaction() as conn:
        save_sources(conn, parse_sources_toml(tmp_path / "sources.toml"))
    f = write_csv(
        tmp_path / "crm.csv",
        [
            "source_key",
            "first_name",
            "last_name",
            "address_line1",
            "postal_code",
            "presence_of_children",
            "income_band",
        ],
        list(people),
    )
    load_file(store, "crm", f)
    return store
