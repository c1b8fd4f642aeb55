"""Names from a list that later respond become customers with that origin.

A responder comes back like any customer: their order's people extract is loaded into a people source
and matched into a person. :func:`mark_responders` then gives a person the origin of the list that
mailed them when the person's first record appeared after a run mailed a net name from that list (a
seed never) that is the same person: the same email, or the same surname, first name (or its root) and
standard address. The earliest such run wins; a person keeps the first origin marked. Every
merge/purge run and ``workbench mergepurge origins`` call it; the result is ``customer_origins``.
"""

from __future__ import annotations

from typing import Any

import duckdb

from workbench import clock
from workbench.store.sql import rows, run, scalar


def mark_responders(conn: duckdb.DuckDBPyConnection) -> int:
    """Insert the new ``customer_origins`` rows; returns how many persons were marked."""
    if not scalar(conn, "SELECT count(*) FROM mergepurge_names WHERE outcome = 'net' AND NOT is_seed"):
        return 0
    before = scalar(conn, "SELECT count(*) FROM customer_origins")
    run(
        conn,
        """INSERT INTO customer_origins
        WITH mailed AS (
            SELECT n.*, r.run_at FROM mergepurge_names n JOIN mergepurge_runs r USING (run_id)
            WHERE n.outcome = 'net' AND NOT n.is_seed),
        first AS (
            SELECT pr.person_id, min(r.first_seen) AS first_seen FROM records r JOIN person_records pr USING (record_id)
            WHERE pr.person_id NOT IN (SELECT person_id FROM customer_origins) GROUP BY pr.person_id),
        recs AS (
            SELECT pr.person_id, f.first_seen, r.email_std, r.last_name_key, r.addr_key,
                   coalesce(r.first_name_root, r.first_name_key) AS fn_root
            FROM records r JOIN person_records pr USING (record_id) JOIN first f USING (person_id)),
        hits AS (
            SELECT c.person_id, c.first_seen, m.source, m.run_id, m.source_key, m.run_at, 'email' AS matched_by
            FROM recs c JOIN mailed m ON m.email_std = c.email_std
            UNION ALL
            SELECT c.person_id, c.first_seen, m.source, m.run_id, m.source_key, m.run_at, 'name and address'
            FROM recs c JOIN mailed m ON m.last_name_key = c.last_name_key AND m.addr_key = c.addr_key
                 AND m.first_name_root = c.fn_root)
        SELECT person_id, arg_min(source, struct_pack(t := run_at, r := run_id, k := source_key)),
               arg_min(run_id, struct_pack(t := run_at, r := run_id, k := source_key)),
               arg_min(source_key, struct_pack(t := run_at, r := run_id, k := source_key)),
               arg_min(matched_by, struct_pack(t := run_at, r := run_id, k := source_key)), min(first_seen), ?
        FROM hits WHERE first_seen > run_at GROUP BY person_id""",
        [clock.now()],
    )
    return scalar(conn, "SELECT count(*) FROM customer_origins") - before


def origins_by_list(conn: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Customers per list of origin (and per run)."""
    return rows(
        conn,
        """SELECT o.source, o.run_id, r.name AS run, count(*) AS customers FROM customer_origins o
        LEFT JOIN mergepurge_runs r USING (run_id) GROUP BY ALL ORDER BY o.source, o.run_id""",
    )


def person_origin(conn: duckdb.DuckDBPyConnection, person_id: int) -> dict[str, Any] | None:
    found = rows(conn, "SELECT * FROM customer_origins WHERE person_id = ?", [person_id])
    return found[0] if found else None
