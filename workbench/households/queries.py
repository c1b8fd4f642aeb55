"""Reading households for the screens and the CLI (paged), and the CSV export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from workbench.households.review import REASONS
from workbench.store.sql import rows, scalar

EXPORT_HEADER = "household_id,source,key"

_LIST = """
    SELECT h.household_id, h.surname, hp.first_name AS head_first_name, hp.last_name AS head_last_name,
           h.address_line1, h.address_line2, h.city, h.state, h.zip5, h.addr_key, h.size, h.surname_groups,
           h.address_people, h.address_households, h.spend_12m, h.orders_12m, h.brands, h.needs_review,
           coalesce(h.review_reasons, []) AS review_reasons
    FROM households h LEFT JOIN persons hp ON hp.person_id = h.head_person_id
"""


def _where(needs_review: bool, search: str | None) -> tuple[str, list[Any]]:
    clauses, params = [], []
    if needs_review:
        clauses.append("h.needs_review")
    if search and search.strip():
        clauses.append("(h.surname ILIKE ? OR h.address_line1 ILIKE ? OR h.city ILIKE ? OR h.zip5 = ? "
                       "OR CAST(h.household_id AS VARCHAR) = ?)")
        text = search.strip()
        params += [f"%{text}%", f"%{text}%", f"%{text}%", text, text]
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def list_households(conn: duckdb.DuckDBPyConnection, *, needs_review: bool = False, search: str | None = None,
                    limit: int = 200, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """One page of households (review first by size when filtering on review) and the total that match."""
    where, params = _where(needs_review, search)
    total = scalar(conn, f"SELECT count(*) FROM households h {where}", params or None)
    order = "h.size DESC, h.household_id" if needs_review else "h.household_id"
    found = rows(conn, f"{_LIST} {where} ORDER BY {order} LIMIT ? OFFSET ?", [*params, int(limit), int(offset)])
    return found, int(total or 0)


def household(conn: duckdb.DuckDBPyConnection, household_id: int) -> dict[str, Any] | None:
    """A household with its members (head first), each member's records, and its review items."""
    found = rows(conn, f"{_LIST} WHERE h.household_id = ?", [household_id])
    if not found:
        return None
    result = found[0]
    result["members"] = rows(conn, """
        SELECT m.person_id, m.is_head, m.head_rank, m.joined_by, m.spend_12m, m.orders_12m, m.first_seen,
               p.first_name, p.last_name, p.address_line1, p.address_line2, p.city, p.state, p.zip5, p.email,
               p.phone, p.birth_date, coalesce(d.mail_deliverable, true) AS mail_deliverable, d.reason AS mail_reason
        FROM household_members m JOIN persons p USING (person_id)
        LEFT JOIN person_deliverability d USING (person_id)
        WHERE m.household_id = ? ORDER BY m.head_rank""", [household_id])
    records = rows(conn, """
        SELECT pr.person_id, r.record_id, r.source, r.source_key, r.first_name, r.last_name, r.address_line1,
               r.address_line2, r.city, r.postal_code, r.email, r.phone, r.addr_key
        FROM household_members m JOIN person_records pr USING (person_id) JOIN records r USING (record_id)
        WHERE m.household_id = ? ORDER BY pr.person_id, r.source, r.source_key""", [household_id])
    for member in result["members"]:
        member["records"] = [r for r in records if r["person_id"] == member["person_id"]]
    result["review_items"] = rows(conn, """SELECT reason, detail, person_id, status FROM household_review_items
        WHERE household_id = ? ORDER BY status DESC, reason""", [household_id])
    for item in result["review_items"]:
        item["reason_text"] = REASONS.get(item["reason"], item["reason"])
    result["at_address"] = rows(conn, """SELECT h.household_id, h.surname, h.size FROM households h
        WHERE h.addr_key = ? AND h.household_id <> ? ORDER BY h.household_id LIMIT 50""",
                                [result["addr_key"], household_id]) if result["addr_key"] else []
    return result


def summary(conn: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Counts for a header line: households, persons in them, by size, review, the last run."""
    got = rows(conn, """SELECT count(*) AS households, coalesce(sum(size), 0) AS persons,
            count(*) FILTER (WHERE size = 1) AS single, count(*) FILTER (WHERE size > 1) AS multi,
            count(*) FILTER (WHERE needs_review) AS needs_review,
            count(DISTINCT addr_key) AS addresses FROM households""")[0]
    last = rows(conn, "SELECT run_id, finished_at, duration_s FROM household_runs ORDER BY run_id DESC LIMIT 1")
    got["last_run"] = last[0] if last else None
    return got


def export_households(conn: duckdb.DuckDBPyConnection, path: str | Path, overwrite: bool = False,
                      database: str | Path | None = None) -> int:
    """Write ``household_id,source,key`` for every people record (by DuckDB itself, through the shared
    safe writer: 0600, formula cells neutralised, renamed into place). Returns the rows."""
    from workbench.export.writer import check_target, neutralised, write_query

    target = check_target(path, force=overwrite, database=database, option="--export")
    return write_query(conn, f"""SELECT hr.household_id, {neutralised("r.source")} AS source,
            {neutralised("r.source_key")} AS key
            FROM records r LEFT JOIN household_records hr USING (record_id)
            ORDER BY hr.household_id NULLS LAST, r.source, r.source_key""", target, overwrite=overwrite,
                       database=database)
