"""Values a selection compares with that never occur in the data: ``city = 'Bostn'`` counts nobody, so the
checker warns and names the nearest values that do occur ("no person has city 'Bostn'; nearest: 'BOSTON'").

One query per attribute, set-based in DuckDB: the values written out that no person has (compared without
regard to case, as the where language compares text), then each of them scored against the attribute's
most frequent distinct values (Jaro-Winkler similarity, then Levenshtein distance). The cost is bounded:
at most :data:`MAX_VALUES` values are checked per selection, each against at most :data:`MAX_DISTINCT`
distinct values. Every value is bound; the attribute SQL is ours (:mod:`workbench.select.attributes`).
"""

from __future__ import annotations

import duckdb

from workbench.select.attributes import ATTRIBUTES, has_relation
from workbench.store.sql import rows

MAX_VALUES = 20  # values written out that are checked, per selection
MAX_DISTINCT = 50_000  # distinct values of an attribute a missing value is compared with (the most frequent)
NEAREST = 3  # values named in a warning


def unseen_values(conn: duckdb.DuckDBPyConnection, compared: list[tuple[str, str]]) -> list[str]:
    """A warning for each (attribute, value) in ``compared`` whose value no person has, naming the nearest
    values that do occur. Nothing when there are no persons yet (every value would be missing)."""
    if not compared or not has_relation(conn, "person_attributes"):
        return []
    if not rows(conn, "SELECT 1 FROM person_attributes LIMIT 1"):
        return []
    by_attribute: dict[str, list[str]] = {}
    for name, value in compared[:MAX_VALUES]:
        by_attribute.setdefault(name, []).append(value)
    warnings = []
    for name, values in by_attribute.items():
        attr = ATTRIBUTES[name]
        if "{today}" in attr.sql:
            continue
        for found in _missing(conn, attr.sql, values):
            nearest = ", ".join(repr(v) for v in found["nearest"] or [])
            warnings.append(
                f"no person has {name} {found['w']!r}" + (f"; nearest: {nearest}" if nearest else "")
            )
    return warnings


def _missing(conn: duckdb.DuckDBPyConnection, value_sql: str, values: list[str]) -> list[dict]:
    """[{w: the value as written, nearest: [values that occur, nearest first]}] for the values no person has."""
    missing = [
        r["w"]
        for r in rows(
            conn,
            f"""
        SELECT w FROM (SELECT DISTINCT unnest(?::VARCHAR[]) AS w)
        WHERE lower(w) NOT IN (SELECT lower({value_sql}) FROM person_attributes a WHERE {value_sql} IS NOT NULL)
        ORDER BY w""",
            [values],
        )
    ]
    if not missing:  # the usual case: one scan, no scoring
        return []
    return rows(
        conn,
        f"""
        WITH missing AS (SELECT unnest(?::VARCHAR[]) AS w),
        occurring AS (
            SELECT {value_sql} AS v FROM person_attributes a WHERE {value_sql} IS NOT NULL
            GROUP BY ALL ORDER BY count(*) DESC, v LIMIT {MAX_DISTINCT:d}),
        scored AS (
            SELECT m.w, o.v, row_number() OVER (PARTITION BY m.w ORDER BY
                       jaro_winkler_similarity(lower(o.v), lower(m.w)) DESC,
                       levenshtein(lower(o.v), lower(m.w)), o.v) AS rank
            FROM missing m, occurring o)
        SELECT m.w, list(s.v ORDER BY s.rank) FILTER (WHERE s.v IS NOT NULL) AS nearest
        FROM missing m LEFT JOIN scored s ON s.w = m.w AND s.rank <= {NEAREST:d}
        GROUP BY m.w ORDER BY m.w""",
        [missing],
    )
