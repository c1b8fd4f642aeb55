"""Small helpers to run SQL on a DuckDB 2.x connection and always finish the result."""

from __future__ import annotations

from typing import Any

import duckdb


def quote_ident(name: str) -> str:
    """Quote an identifier that comes from configuration (a column name in an extract)."""
    return '"' + str(name).replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """Quote a string literal for the few places DuckDB takes no parameter (COPY TO paths, options)."""
    return "'" + str(value).replace("'", "''") + "'"


def rows(conn: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> list[dict[str, Any]]:
    """Run ``sql`` and return every row as a dict (the result is fetched to the end)."""
    result = conn.execute(sql, params) if params is not None else conn.execute(sql)
    names = [d[0] for d in result.description] if result.description else []
    return [dict(zip(names, r, strict=True)) for r in result.fetchall()]


def scalar(conn: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> Any:
    """Run ``sql`` and return the first column of the first row (or None)."""
    result = conn.execute(sql, params) if params is not None else conn.execute(sql)
    fetched = result.fetchall()
    return fetched[0][0] if fetched else None


def run(conn: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> None:
    """Run a statement whose result is not needed, finishing it so the connection stays usable."""
    result = conn.execute(sql, params) if params is not None else conn.execute(sql)
    result.fetchall()


def has_relation(conn: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether a table or view of that name exists in the main schema (another capability's, maybe not
    built yet)."""
    return bool(scalar(conn, "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main' "
                             "AND NOT temporary", [name])
                or scalar(conn, "SELECT count(*) FROM duckdb_views() WHERE view_name = ? AND schema_name = 'main' "
                                "AND NOT temporary", [name]))
