"""CSV exports of the identity results, written by DuckDB itself (``COPY ... TO``).

- merge candidates: ``source_a,key_a,source_b,key_b,probability`` (every pair at or above the review
  threshold, keys are the records' source_key values);
- persons: ``person_id,source,key`` for every people record.

Written like selection exports (``workbench.export.writer``): private temporary file (0600), text cells
that a spreadsheet would run as a formula prefixed with ``'``, renamed into place. ``path`` must have
passed :func:`workbench.export.writer.check_target`.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from workbench.export.writer import check_target, neutralised, write_query

PAIRS_HEADER = ("source_a", "key_a", "source_b", "key_b", "probability")
PERSONS_HEADER = ("person_id", "source", "key")


def export_pairs(conn: duckdb.DuckDBPyConnection, path: str | Path, overwrite: bool = False,
                 database: str | Path | None = None) -> int:
    """Write the merge candidates to ``path``; returns the rows written."""
    return write_query(conn, f"""SELECT {neutralised("a.source")} AS source_a, {neutralised("a.source_key")} AS key_a,
            {neutralised("b.source")} AS source_b, {neutralised("b.source_key")} AS key_b,
            round(p.probability, 6) AS probability
        FROM match_pairs p JOIN records a ON a.record_id = p.record_id_l JOIN records b ON b.record_id = p.record_id_r
        ORDER BY p.probability DESC, a.source, a.source_key, b.source, b.source_key""",
                       check_target(path, force=overwrite, database=database, option="--export"),
                       overwrite=overwrite, database=database)


def export_persons(conn: duckdb.DuckDBPyConnection, path: str | Path, overwrite: bool = False,
                   database: str | Path | None = None) -> int:
    """Write every people record with its person to ``path``; returns the rows written."""
    return write_query(conn, f"""SELECT pr.person_id, {neutralised("r.source")} AS source,
            {neutralised("r.source_key")} AS key
        FROM person_records pr JOIN records r USING (record_id) ORDER BY pr.person_id, r.source, r.source_key""",
                       check_target(path, force=overwrite, database=database, option="--export"), overwrite=overwrite, database=database)
