"""Response files carrying keycodes: ``workbench responses import FILE`` (CSV with a header).

Columns (case-insensitive): ``keycode`` and ``response_date`` (required), the respondent by
``person_id``, ``source_key`` (a people source's key; ``--people-source`` names the source, else the
best-priority source holding the key) or ``email``, and optionally ``amount`` and ``order_id`` (an order
already in the transactions is not counted twice). Rows without a keycode or a readable date are
rejected (counted, with their line); rows whose respondent is not found are kept (a response from
someone not on file still counts apart in the results).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from workbench import clock
from workbench.errors import InputFileError
from workbench.store.sql import quote_literal, rows, run, scalar

COLUMNS = ("keycode", "response_date", "person_id", "source_key", "email", "amount", "order_id")


def import_responses(store: Any, path: str | Path, people_source: str | None = None) -> dict[str, Any]:
    """Load one response file in one transaction; returns counts (read, loaded, rejected, matched)."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: no such file.")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with store.transaction() as conn:
        if scalar(conn, "SELECT count(*) FROM response_imports WHERE file_hash = ?", [digest]):
            raise InputFileError(f"{path.name} was already imported (same content).",
                                 "Each response file is imported once.")
        try:
            run(conn, f"""CREATE OR REPLACE TEMP TABLE _resp_raw AS
                SELECT row_number() OVER () + 1 AS line, * FROM read_csv({quote_literal(str(path))},
                    header = true, all_varchar = true)""")
        except Exception as exc:  # duckdb's reader errors are plain enough, but not an operator's words
            raise InputFileError(f"{path.name} cannot be read as CSV: {str(exc).splitlines()[0]}") from None
        cols = {r["column_name"].lower(): r["column_name"] for r in rows(
            conn, "SELECT column_name FROM (DESCRIBE _resp_raw)")}
        for need in ("keycode", "response_date"):
            if need not in cols:
                raise InputFileError(f"{path.name}: a response file needs a {need!r} column.",
                                     "Columns: " + ", ".join(c for c in cols if c != "line"))
        if not {"person_id", "source_key", "email"} & set(cols):
            raise InputFileError(f"{path.name}: a response file names the respondent by person_id, source_key "
                                 "or email; it has none of them.")

        def col(name: str) -> str:
            return f'r."{cols[name]}"' if name in cols else "CAST(NULL AS VARCHAR)"

        import_id = (scalar(conn, "SELECT coalesce(max(import_id), 0) FROM response_imports") or 0) + 1
        run(conn, f"""CREATE OR REPLACE TEMP TABLE _resp AS SELECT r.line,
                nullif(trim({col('keycode')}), '') AS keycode,
                CAST(wb_timestamp({col('response_date')}) AS DATE) AS response_date,
                TRY_CAST(nullif(trim({col('person_id')}), '') AS BIGINT) AS person_id,
                nullif(trim({col('source_key')}), '') AS source_key, wb_email({col('email')}) AS email_std,
                nullif(trim({col('order_id')}), '') AS order_id,
                TRY_CAST(replace(replace(trim({col('amount')}), '$', ''), ',', '') AS DECIMAL(18, 2)) AS amount
            FROM _resp_raw r""")
        read = scalar(conn, "SELECT count(*) FROM _resp")
        run(conn, """INSERT INTO campaign_responses SELECT ?, line, keycode, response_date, person_id, source_key,
                email_std, NULL, order_id, amount FROM _resp WHERE keycode IS NOT NULL AND response_date IS NOT NULL""",
            [import_id])
        loaded = scalar(conn, "SELECT count(*) FROM campaign_responses WHERE import_id = ?", [import_id])
        _link(conn, import_id, people_source)
        matched = scalar(conn, "SELECT count(*) FROM campaign_responses WHERE import_id = ? AND (record_id IS NOT "
                               "NULL OR person_id IN (SELECT person_id FROM persons))", [import_id])
        run(conn, "INSERT INTO response_imports VALUES (?, ?, ?, ?, ?, ?, ?)",
            [import_id, str(path), digest, read, loaded, read - loaded, clock.now()])
        for t in ("_resp_raw", "_resp"):
            run(conn, f"DROP TABLE IF EXISTS {t}")
    return {"import_id": import_id, "file": str(path), "rows_read": read, "rows_loaded": loaded,
            "rows_rejected": read - loaded, "respondents_found": matched}


def _link(conn, import_id: int, people_source: str | None) -> None:
    """record_id of each response: by source_key in the people source (or the best-priority one holding
    it), else by email (the best-priority record with that email)."""
    by_key = "r.source = ?" if people_source else "true"
    run(conn, f"""UPDATE campaign_responses c SET record_id = best.record_id FROM (
            SELECT r.source_key, arg_min(r.record_id, (coalesce(s.priority, 999), r.record_id)) AS record_id
            FROM records r LEFT JOIN sources s ON s.name = r.source
            WHERE {by_key} AND r.source_key IN (SELECT source_key FROM campaign_responses WHERE import_id = ?)
            GROUP BY r.source_key) best
        WHERE c.import_id = ? AND c.person_id IS NULL AND c.source_key = best.source_key""",
        [*([people_source] if people_source else []), import_id, import_id])
    run(conn, """UPDATE campaign_responses c SET record_id = best.record_id FROM (
            SELECT r.email_std, arg_min(r.record_id, (coalesce(s.priority, 999), r.record_id)) AS record_id
            FROM records r LEFT JOIN sources s ON s.name = r.source
            WHERE r.email_std IN (SELECT email_std FROM campaign_responses WHERE import_id = ?)
            GROUP BY r.email_std) best
        WHERE c.import_id = ? AND c.person_id IS NULL AND c.record_id IS NULL AND c.email_std = best.email_std""",
        [import_id, import_id])
