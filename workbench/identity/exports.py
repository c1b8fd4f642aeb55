"""CSV exports of the identity results, written by DuckDB itself (``COPY ... TO``).

- merge candidates: ``source_a,key_a,source_b,key_b,probability`` (every pair at or above the review
  threshold, keys are the records' source_key values);
- persons: ``person_id,source,key`` for every people record.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from workbench.store.sql import quote_literal, run, scalar

PAIRS_HEADER = ("source_a", "key_a", "source_b", "key_b", "probability")
PERSONS_HEADER = ("person_id", "source", "key")


def export_pairs(conn: duckdb.DuckDBPyConnection, path: str | Path) -> int:
    """Write the merge candidates to ``path``; returns the rows written."""
    run(conn, f"""COPY (SELECT a.source AS source_a, a.source_key AS key_a, b.source AS source_b,
            b.source_key AS key_b, round(p.probability, 6) AS probability
        FROM match_pairs p JOIN records a ON a.record_id = p.record_id_l JOIN records b ON b.record_id = p.record_id_r
        ORDER BY p.probability DESC, a.source, a.source_key, b.source, b.source_key)
        TO {quote_literal(str(path))} (HEADER, DELIMITER ',')""")
    return scalar(conn, "SELECT count(*) FROM match_pairs p JOIN records a ON a.record_id = p.record_id_l "
                        "JOIN records b ON b.record_id = p.record_id_r") or 0


def export_persons(conn: duckdb.DuckDBPyConnection, path: str | Path) -> int:
    """Write every people record with its person to ``path``; returns the rows written."""
    run(conn, f"""COPY (SELECT pr.person_id, r.source, r.source_key AS key
        FROM person_records pr JOIN records r USING (record_id) ORDER BY pr.person_id, r.source, r.source_key)
        TO {quote_literal(str(path))} (HEADER, DELIMITER ',')""")
    return scalar(conn, "SELECT count(*) FROM person_records pr JOIN records r USING (record_id)") or 0
