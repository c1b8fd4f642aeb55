"""Helpers (no tests here) for the suppression tests: small databases built through the real loader."""

from __future__ import annotations

import csv
from pathlib import Path

from workbench import clock
from workbench.ingest.load import load_file
from workbench.ingest.sources import parse_sources_toml, save_sources
from workbench.store import Store
from workbench.store.sql import rows

PEOPLE_COLUMNS = ["source_key", "first_name", "last_name", "address_line1", "address_line2", "postal_code",
                  "email", "phone"]

SOURCES_TOML = """
[sources.crm]
kind = "people"
cadence = "daily"
priority = 1
mode = "full"

[sources.web]
kind = "people"
cadence = "daily"
priority = 2
mode = "full"

[sources.unsubscribes]
kind = "suppression"
cadence = "daily"
mode = "full"
channel = "email"
match_on = "email"
reason = "unsubscribe"

[sources.dnc]
kind = "suppression"
cadence = "monthly"
mode = "full"
channel = "phone"
match_on = "phone"
header = false
column_names = ["area_code", "phone"]
reason = "Do Not Call"

[sources.mps]
kind = "suppression"
cadence = "monthly"
mode = "full"
channel = "mail"
match_on = "name_address"
reason = "Mail Preference Service"

[sources.deceased]
kind = "suppression"
cadence = "monthly"
mode = "full"
channel = "all"
match_on = "name_address"
reason = "deceased"

[sources.bad_addresses]
kind = "suppression"
cadence = "monthly"
mode = "full"
channel = "mail"
match_on = "address"
reason = "returned mail"

[sources.optouts]
kind = "suppression"
cadence = "daily"
mode = "full"
channel = "all"
match_on = "email"
reason = "brand opt-out"
"""


def write_csv(path: Path, header: list[str] | None, data: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        if header:
            w.writerow(header)
        w.writerows(data)
    return path


def make_store(tmp_path: Path, now: str = "2026-11-20T10:00:00") -> Store:
    clock.set_now(now)
    toml = tmp_path / "sources.toml"
    toml.write_text(SOURCES_TOML, encoding="utf-8")
    store = Store(tmp_path / "sup.duckdb", busy_timeout=0.5)
    with store.transaction() as conn:
        save_sources(conn, parse_sources_toml(toml))
    return store


def load_rows(store: Store, tmp_path: Path, source: str, header: list[str] | None, data: list[list[str]]):
    path = write_csv(tmp_path / f"{source}_{len(list(tmp_path.iterdir()))}.csv", header, data)
    result = load_file(store, source, path)
    assert result.rows_rejected == 0, rows_of(store, "SELECT * FROM rejects")
    return result


def load_people(store: Store, tmp_path: Path, people: list[list[str]], source: str = "crm"):
    return load_rows(store, tmp_path, source, PEOPLE_COLUMNS, people)


def rows_of(store: Store, sql: str, params=None) -> list[dict]:
    with store.connect() as conn:
        return rows(conn, sql, params)


def person_of(store: Store, source_key: str, source: str = "crm") -> int:
    return rows_of(store, "SELECT person_id FROM person_records JOIN records USING (record_id) "
                          "WHERE source = ? AND source_key = ?", [source, source_key])[0]["person_id"]


def suppressed(store: Store, channel: str, brand: str | None = None, names=None) -> set[str]:
    """The source_keys (source:key) of the records whose person a selection of channel/brand removes."""
    from workbench.suppress import ensure_person_suppressions, suppressed_persons_sql

    with store.connect() as conn:
        ensure_person_suppressions(conn)
        sql, params = suppressed_persons_sql(channel, brand, names)
        found = rows(conn, f"SELECT r.source, r.source_key FROM records r JOIN person_records pr USING (record_id) "
                           f"WHERE pr.person_id IN ({sql})", params)
    return {f"{r['source']}:{r['source_key']}" for r in found}
