"""Forcing DuckDB to write chosen column segments anew (so the blocks they shared with an erased value's
old copy are left to nobody and can be overwritten).

A column of a row group is rewritten at the next checkpoint when one of its values changed. Setting a
value to itself is ignored, so :func:`touch_columns` changes one value of each column and changes it
back, in one transaction: the data stays the same, the segments move. A list, struct or map column is
updated by DuckDB by moving the row, so for those the whole row group is moved instead
(its rows re-inserted at the end of the table, the old ones deleted).
"""

from __future__ import annotations

import re

import duckdb

from workbench.store.sql import quote_ident, rows, run

NESTED = re.compile(r"[\[\]]|^(STRUCT|MAP|UNION)\b")
# a different value of the same type, for a column that cannot be NULL
_OTHER = (
    (re.compile(r"^JSON"), "CASE WHEN {c}::VARCHAR = '[]' THEN '{{}}'::JSON ELSE '[]'::JSON END"),
    (re.compile(r"^VARCHAR"), "{c} || 'x'"),
    (re.compile(r"^BOOLEAN"), "NOT {c}"),
    (re.compile(r"^(DATE)"), "{c} + 1"),
    (re.compile(r"^(TIMESTAMP)"), "{c} + INTERVAL 1 SECOND"),
    (re.compile(r"^(U?BIGINT|U?INTEGER|U?SMALLINT|U?TINYINT|HUGEINT|DOUBLE|FLOAT|DECIMAL)"),
     "CASE WHEN {c} > 0 THEN {c} - 1 ELSE {c} + 1 END"),
)


def _other_value(column: str, data_type: str, nullable: bool) -> str | None:
    c = quote_ident(column)
    if nullable:
        if not any(pattern.search(data_type) for pattern, _expr in _OTHER):
            return None
        return f"CASE WHEN {c} IS NULL THEN {_literal(data_type)} ELSE NULL END"
    for pattern, expr in _OTHER:
        if pattern.search(data_type):
            return expr.format(c=c)
    return None


def _literal(data_type: str) -> str:
    """A non-NULL value of ``data_type`` (to give a NULL cell for a moment)."""
    if data_type.startswith("JSON"):
        return "'[]'::JSON"
    if data_type.startswith("VARCHAR"):
        return "'x'"
    if data_type.startswith("BOOLEAN"):
        return "true"
    if data_type.startswith("DATE"):
        return "DATE '2000-01-01'"
    if data_type.startswith("TIMESTAMP"):
        return "TIMESTAMP '2000-01-01'"
    return f"CAST(0 AS {data_type})"


def row_group_bounds(conn: duckdb.DuckDBPyConnection, table: str) -> dict[int, tuple[int, int]]:
    """row group id -> (first rowid, last rowid + 1): row groups hold up to 122,880 rows, fewer after some
    appends, so the bounds come from the storage itself."""
    found = rows(conn, f"""SELECT row_group_id AS rg, sum(count) AS n FROM pragma_storage_info({_literal_name(table)})
        WHERE column_path = '[0]' GROUP BY 1 ORDER BY 1""")
    out, start = {}, 0
    for r in found:
        out[r["rg"]] = (start, start + int(r["n"]))
        start += int(r["n"])
    return out


def _literal_name(table: str) -> str:
    return "'" + quote_ident(table).replace("'", "''") + "'"


def touch_columns(conn: duckdb.DuckDBPyConnection, targets: set[tuple[str, int, str]]) -> int:
    """Have the next checkpoint rewrite each (table, row group, column); returns how many were touched
    (row groups of nested columns are moved instead). One transaction."""
    types = {(r["table_name"], r["column_name"]): r for r in rows(
        conn, "SELECT table_name, column_name, data_type, is_nullable FROM duckdb_columns() "
              "WHERE schema_name = 'main' AND database_name = current_database()")}
    moves: set[tuple[str, int]] = set()
    touched = 0
    bounds = {table: row_group_bounds(conn, table) for table in {t for t, _rg, _c in targets}}
    run(conn, "BEGIN TRANSACTION")
    try:
        for table, rg, column in sorted(targets):
            info = types.get((table, column))
            other = None if info is None or NESTED.search(info["data_type"]) else \
                _other_value(column, info["data_type"], info["is_nullable"])
            if other is None:
                moves.add((table, rg))
                continue
            if rg not in bounds[table]:
                continue
            t, c = quote_ident(table), quote_ident(column)
            lo, hi = bounds[table][rg]
            run(conn, f"CREATE OR REPLACE TEMP TABLE _wb_touch AS SELECT rowid AS rid, {c} AS v FROM {t} "
                      f"WHERE rowid >= {lo} AND rowid < {hi} LIMIT 1")
            run(conn, f"UPDATE {t} SET {c} = {other} WHERE rowid = (SELECT rid FROM _wb_touch)")
            run(conn, f"UPDATE {t} SET {c} = (SELECT v FROM _wb_touch) WHERE rowid = (SELECT rid FROM _wb_touch)")
            touched += 1
        run(conn, "DROP TABLE IF EXISTS _wb_touch")
        _move(conn, sorted(moves))
        run(conn, "COMMIT")
    except BaseException:
        run(conn, "ROLLBACK")
        raise
    return touched + len(moves)


def _move(conn: duckdb.DuckDBPyConnection, groups: list[tuple[str, int]]) -> None:
    """Rewrite whole row groups by moving their rows to the end of their table (inside the caller's
    transaction). Done from the last row group to the first, so the bounds of the next stay right."""
    bounds = {table: row_group_bounds(conn, table) for table in {t for t, _rg in groups}}
    for table, rg in sorted(groups, key=lambda g: (g[0], -g[1])):
        if rg not in bounds[table]:
            continue
        t = quote_ident(table)
        lo, hi = bounds[table][rg]
        run(conn, f"CREATE OR REPLACE TEMP TABLE _wb_moving AS SELECT * FROM {t} WHERE rowid >= {lo} AND rowid < {hi}")
        run(conn, f"DELETE FROM {t} WHERE rowid >= {lo} AND rowid < {hi}")
        run(conn, f"INSERT INTO {t} SELECT * FROM _wb_moving")
    run(conn, "DROP TABLE IF EXISTS _wb_moving")
