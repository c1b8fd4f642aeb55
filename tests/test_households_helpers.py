"""Helpers (no tests here) for the households tests: small databases built through the real loader."""

from __future__ import annotations

import csv
from pathlib import Path

from workbench import clock
from workbench.ingest.load import load_file
from workbench.ingest.sources import parse_sources_toml, save_sources
from workbench.store import Store
from workbench.store.sql import rows

NOW = "2026-11-20T10:00:00"
PEOPLE = ["source_key", "first_name", "last_name", "address_line1", "address_line2", "postal_code", "email",
          "phone", "updated_at"]
MOVES = ["first_name", "last_name", "address_line1", "address_line2", "city", "state", "postal_code",
         "new_address_line1", "new_address_line2", "new_city", "new_state", "new_postal_code", "return_code",
         "move_type", "move_effective_date"]
ORDERS = ["order_id", "source_key", "order_date", "amount", "brand", "returned"]

SOURCES_TOML = """
[sources.crm]
kind = "people"
cadence = "daily"
priority = 1
mode = "full"
as_of = "updated_at"

[sources.web]
kind = "people"
cadence = "daily"
priority = 2
mode = "full"
as_of = "updated_at"

[sources.orders]
kind = "transactions"
cadence = "daily"
mode = "full"
people_source = "crm"

[sources.ncoa]
kind = "moves"
cadence = "monthly"
mode = "full"
"""


def make_store(tmp_path: Path) -> Store:
    clock.set_now(NOW)
    (tmp_path / "sources.toml").write_text(SOURCES_TOML, encoding="utf-8")
    store = Store(tmp_path / "hh.duckdb", busy_timeout=0.5)
    with store.transaction() as conn:
        save_sources(conn, parse_sources_toml(tmp_path / "sources.toml"))
    return store


def write_csv(path: Path, header: list[str], data: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(data)
    return path


def load(store: Store, tmp_path: Path, source: str, data: list[list[str]], header: list[str] | None = None,
         name: str | None = None) -> None:
    header = header or {"orders": ORDERS, "ncoa": MOVES}.get(source, PEOPLE)
    if header is PEOPLE:
        data = [row + [""] * (len(PEOPLE) - len(row)) for row in data]
    path = write_csv(tmp_path / (name or f"{source}.csv"), header, data)
    result = load_file(store, source, path, force=True)
    assert result.rows_rejected == 0, result.top_reasons


def person_of(conn, source_key: str, source: str = "crm") -> int:
    return rows(conn, "SELECT pr.person_id FROM records r JOIN person_records pr USING (record_id) "
                      "WHERE r.source = ? AND r.source_key = ?", [source, source_key])[0]["person_id"]


def household_of(store: Store, source_key: str, source: str = "crm") -> int:
    with store.connect(read_only=True) as conn:
        return rows(conn, "SELECT hr.household_id FROM records r JOIN household_records hr USING (record_id) "
                          "WHERE r.source = ? AND r.source_key = ?", [source, source_key])[0]["household_id"]


def groups(store: Store) -> set[frozenset[str]]:
    """The households as sets of crm/web source keys (households of one included)."""
    with store.connect(read_only=True) as conn:
        found = rows(conn, """SELECT list(r.source_key ORDER BY r.source_key) AS keys FROM records r
            JOIN household_records hr USING (record_id) GROUP BY hr.household_id""")
    return {frozenset(r["keys"]) for r in found}


def golden_address(store: Store, source_key: str, source: str = "crm") -> str | None:
    with store.connect(read_only=True) as conn:
        return rows(conn, "SELECT p.addr_key FROM records r JOIN person_records pr USING (record_id) "
                          "JOIN persons p ON p.person_id = pr.person_id WHERE r.source = ? AND r.source_key = ?",
                    [source, source_key])[0]["addr_key"]


def deliverable(store: Store, source_key: str) -> tuple[bool, str | None]:
    with store.connect(read_only=True) as conn:
        got = rows(conn, "SELECT d.mail_deliverable, d.reason FROM records r JOIN person_records pr USING "
                         "(record_id) JOIN person_deliverability d ON d.person_id = pr.person_id "
                         "WHERE r.source = 'crm' AND r.source_key = ?", [source_key])[0]
    return got["mail_deliverable"], got["reason"]


def merge_persons(store: Store, keys: list[tuple[str, str]]) -> None:
    """Put the records (source, key) into one person, as a match run would, and refresh golden records."""
    from workbench.identity.golden import refresh_golden

    with store.transaction() as conn:
        ids = [rows(conn, "SELECT record_id FROM records WHERE source = ? AND source_key = ?", list(k))[0]["record_id"]
               for k in keys]
        target = rows(conn, "SELECT min(person_id) AS p FROM person_records WHERE record_id IN "
                            f"({', '.join(map(str, ids))})")[0]["p"]
        conn.execute(f"UPDATE person_records SET person_id = ? WHERE record_id IN ({', '.join(map(str, ids))})",
                     [target]).fetchall()
        refresh_golden(conn)


def renumber_persons(store: Store, by: int = 1000) -> None:
    """Give every person a new id, as a full match run may; golden records follow."""
    from workbench.identity.golden import refresh_golden

    with store.transaction() as conn:
        conn.execute("UPDATE person_records SET person_id = person_id + ?", [by]).fetchall()
        refresh_golden(conn)
