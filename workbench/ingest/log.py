"""Reading the load log and the rejects back."""

from __future__ import annotations

from typing import Any

import duckdb

from workbench.errors import NotFoundError
from workbench.store.sql import rows, scalar


def load_log(conn: duckdb.DuckDBPyConnection, source: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    where, params = ("WHERE source = ?", [source]) if source else ("", [])
    return rows(conn, f"SELECT * FROM loads {where} ORDER BY load_id DESC LIMIT {int(limit)}", params)


def load_rejects(conn: duckdb.DuckDBPyConnection, load_id: int, limit: int = 100,
                 offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    if not scalar(conn, "SELECT count(*) FROM loads WHERE load_id = ?", [load_id]):
        raise NotFoundError(f"No load {load_id}.", "List the loads with `workbench loads`.")
    total = scalar(conn, "SELECT count(*) FROM rejects WHERE load_id = ?", [load_id])
    found = rows(conn, "SELECT line, reason, raw FROM rejects WHERE load_id = ? ORDER BY line NULLS LAST "
                       f"LIMIT {int(limit)} OFFSET {int(offset)}", [load_id])
    return found, total


def reject_reasons(conn: duckdb.DuckDBPyConnection, load_id: int) -> list[dict[str, Any]]:
    return rows(conn, "SELECT regexp_replace(reason, ':.*$', '') AS reason, count(*) AS n FROM rejects "
                      "WHERE load_id = ? GROUP BY 1 ORDER BY n DESC", [load_id])
