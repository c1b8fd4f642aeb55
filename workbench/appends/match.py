"""Which persons an agency's append row reaches, by the suppressions' door and name rules.

A row keyed by ``address`` reaches everyone whose current (golden) address is at that door; ``household``
(surname + address) the persons of that surname there ("the Smiths at this door"); ``person`` (first name
+ surname + address) the person of that name there (nicknames and one typing slip as for suppressions).
The comparisons are those of :mod:`workbench.suppress.rules` (ZIP5 or city + state, street parts, unit);
only the golden address counts: a trait of a door a person has left is not theirs.
"""

from __future__ import annotations

import duckdb

from workbench.store.sql import run
from workbench.suppress import rules

HITS = "_app_hits"  # TEMP (entry_id, person_id, matched_by)
ROWS = "_app_rows"  # TEMP: append_entries numbered (entry_id)


def build_hits(conn: duckdb.DuckDBPyConnection, source: str | None = None) -> None:
    """TEMP ``_app_rows`` (the append rows, of ``source`` or every source, numbered ``entry_id``) and
    ``_app_hits(entry_id, person_id, matched_by)``. Call :func:`drop_temp` afterwards."""
    where, params = ("WHERE e.source = ?", [source]) if source else ("", [])
    run(
        conn,
        f"""CREATE OR REPLACE TEMP TABLE {ROWS} AS
        SELECT row_number() OVER (ORDER BY e.load_id, e.source) AS entry_id, e.*,
               coalesce(e.file_date, CAST(l.started_at AS DATE)) AS effective_file_date
        FROM append_entries e LEFT JOIN loads l USING (load_id) {where}""",
        params,
    )
    rules.install_rule_macros(conn)
    rules.build_nickname_table(conn)
    run(
        conn,
        f"""CREATE OR REPLACE TEMP TABLE _sup_entries AS
        SELECT x.*, coalesce(n.roots, [x.fn]) AS roots, coalesce(n.root, x.fn) AS root
        FROM (SELECT entry_id, 'appends' AS suppression, CAST(NULL AS VARCHAR) AS channel,
                     CAST(NULL AS VARCHAR) AS brand, CAST(NULL AS VARCHAR) AS reason,
                     CASE match_on WHEN 'address' THEN 'address' ELSE 'name_address' END AS match_on,
                     CAST(NULL AS DATE) AS effective_date, CAST(NULL AS BIGINT[]) AS record_ids,
                     CAST(NULL AS VARCHAR) AS email_std, CAST(NULL AS VARCHAR) AS phone_std,
                     first_name_key, last_name_key, addr_street, addr_unit, zip5, city, state,
                     CAST(NULL AS DATE) AS birth_dt, {rules.entry_name_features("r")}
              FROM {ROWS} r) x
        LEFT JOIN _sup_nick n ON n.name = x.fn""",
    )
    has_moves = False  # old addresses do not carry today's traits
    rules.build_all(conn, has_moves)
    run(
        conn,
        f"""CREATE OR REPLACE TEMP TABLE {HITS} AS
        SELECT DISTINCT h.entry_id, h.person_id, r.match_on AS matched_by
        FROM ({rules.match_sql(person_entries=False)}) h JOIN {ROWS} r USING (entry_id)
        WHERE h.via = 'golden'""",
    )
    for table in rules.TEMP_TABLES:
        run(conn, f"DROP TABLE IF EXISTS {table}")


def drop_temp(conn: duckdb.DuckDBPyConnection) -> None:
    for table in (HITS, ROWS):
        run(conn, f"DROP TABLE IF EXISTS {table}")
