"""Address standardisation of people records, done once per distinct address after a load.

Loads keep the raw address and leave the standard form (``addr_street``, ``addr_unit``, ``addr_key``) for
this step, which every consumer (matching, households, suppressions, counts) calls first through
:func:`ensure_standard_addresses`. It works on distinct (line 1, line 2, ZIP) triples, so a
repeated address is standardised once, and refreshes the golden address of the persons it touches.
"""

from __future__ import annotations

import duckdb

from workbench.store.sql import run, scalar


def pending_addresses(conn: duckdb.DuckDBPyConnection) -> int:
    return scalar(conn, "SELECT count(*) FROM records WHERE NOT addr_done")


def ensure_standard_addresses(conn: duckdb.DuckDBPyConnection) -> int:
    """Standardise the addresses of records not yet done; returns how many records it did."""
    from workbench.identity.golden import refresh_golden

    pending = pending_addresses(conn)
    if not pending:
        return 0
    run(conn, "CREATE OR REPLACE TEMP TABLE _addr_pending AS SELECT record_id FROM records WHERE NOT addr_done")
    run(conn, """CREATE OR REPLACE TEMP TABLE _addr AS
        SELECT l1, l2, pc, wb_addr_street(l1, l2) AS street, wb_addr_unit(l1, l2) AS unit,
               wb_addr_key(l1, l2, pc) AS akey
        FROM (SELECT DISTINCT coalesce(address_line1, '') AS l1, coalesce(address_line2, '') AS l2,
                     coalesce(postal_code, '') AS pc FROM records WHERE NOT addr_done)""")
    run(conn, """UPDATE records r SET addr_street = a.street, addr_unit = a.unit, addr_key = a.akey, addr_done = true
        FROM _addr a
        WHERE NOT r.addr_done AND a.l1 = coalesce(r.address_line1, '') AND a.l2 = coalesce(r.address_line2, '')
          AND a.pc = coalesce(r.postal_code, '')""")
    run(conn, "CREATE OR REPLACE TEMP TABLE _addr_persons AS SELECT DISTINCT person_id FROM person_records "
              "WHERE record_id IN (SELECT record_id FROM _addr_pending)")
    refresh_golden(conn, "SELECT person_id FROM _addr_persons")
    run(conn, "DROP TABLE IF EXISTS _addr")
    run(conn, "DROP TABLE IF EXISTS _addr_persons")
    run(conn, "DROP TABLE IF EXISTS _addr_pending")
    return pending
