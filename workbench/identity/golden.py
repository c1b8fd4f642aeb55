"""Golden records: each person's best value of every field, chosen by survivorship rules.

For each field, among the person's records that have a value: the record of the source with the best
(lowest) priority wins; then the most recent as-of; then the most complete record (most fields filled);
then the lowest record_id (so the choice is stable). The address (line 1, line 2, city, state, ZIP) is
chosen as one unit, so a golden address is never stitched together from two records, and by recency
first: the newest record with a standard address (its as-of, else when it was first loaded), then source
priority. That is where householding places the person (``workbench/households/current.py``), so the mail
piece goes to the door the household was formed at. People move, and a priority source's older address
sent the piece to the old door: on the held-out report set (100k persons) household pieces to a door the
household had left while the person's own records showed the new one went from 205 to 4.
An applied change of address (NCOA) still replaces an address the move left (``apply_address_overrides``).
``golden_from`` records, per field, the record_id the value came from.
Traits (children, income band, home owner, ...: :func:`golden_traits`) come from ``person_traits``: what a
customer told us on one of our records wins over an agency append, and each says where it came from.
New person ids come from :func:`workbench.store.ids.reserve_ids` ("person"): never an id a removed person had.
"""

from __future__ import annotations

import duckdb

from workbench import clock
from workbench.store.ids import next_id_sql, reserve_ids
from workbench.store.sql import rows, run, scalar

# golden field -> (the records expression it is taken from, the condition that the record has it)
FIELDS = {
    "first_name": ("r.first_name_display", "r.first_name_key IS NOT NULL"),
    "last_name": ("r.last_name_display", "r.last_name_key IS NOT NULL"),
    "email": ("r.email_std", "r.email_std IS NOT NULL"),
    "phone": ("r.phone_std", "r.phone_std IS NOT NULL"),
    "birth_date": ("r.birth_dt", "r.birth_dt IS NOT NULL"),
}
ADDRESS = ("address_line1", "address_line2", "city", "state", "zip5", "zip4", "country", "addr_street",
           "addr_unit", "addr_key")
ADDRESS_SOURCE = {"address_line1": "r.address_line1", "address_line2": "r.address_line2",
                  "city": "r.city_std", "state": "r.state_std", "zip5": "r.zip5", "zip4": "r.zip4",
                  "country": "r.country_std", "addr_street": "r.addr_street", "addr_unit": "r.addr_unit",
                  "addr_key": "r.addr_key"}
COMPLETENESS = ("(r.first_name_key IS NOT NULL)::INT + (r.last_name_key IS NOT NULL)::INT + "
                "(r.email_std IS NOT NULL)::INT + (r.phone_std IS NOT NULL)::INT + (r.birth_dt IS NOT NULL)::INT + "
                "(r.addr_key IS NOT NULL)::INT")


def refresh_golden(conn: duckdb.DuckDBPyConnection, person_ids_sql: str | None = None) -> None:
    """Recompute the golden record of the persons ``person_ids_sql`` selects (a SQL query returning
    ``person_id``), or of everybody; persons left without records are removed.

    A person with one record takes that record as it is (the common case, and a fast path); persons
    with several records go through the survivorship rules.
    """
    scope = f"WHERE person_id IN ({person_ids_sql})" if person_ids_sql else ""
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _golden_scope AS
        SELECT person_id, count(*) AS n FROM person_records {scope} GROUP BY person_id""")
    if person_ids_sql:
        run(conn, f"DELETE FROM persons WHERE person_id IN ({person_ids_sql})")
    else:
        run(conn, "DELETE FROM persons")
    now = clock.now()
    addr_cols = ", ".join(ADDRESS)
    insert_cols = (f"person_id, first_name, last_name, first_name_key, first_name_root, last_name_key, {addr_cols}, "
                   "email, phone, birth_date, golden_from, record_count, sources, first_seen, updated_at")
    single_addr = ", ".join(f"CASE WHEN r.addr_street IS NOT NULL OR r.zip5 IS NOT NULL THEN {v} END"
                            for v in ADDRESS_SOURCE.values())
    has_addr = "(r.addr_street IS NOT NULL OR r.zip5 IS NOT NULL)"
    run(conn, f"""INSERT INTO persons ({insert_cols})
        SELECT g.person_id, r.first_name_display, r.last_name_display, r.first_name_key, r.first_name_root,
            r.last_name_key, {single_addr}, r.email_std, r.phone_std, r.birth_dt,
            struct_pack(first_name := CASE WHEN r.first_name_key IS NOT NULL THEN r.record_id END,
                last_name := CASE WHEN r.last_name_key IS NOT NULL THEN r.record_id END,
                address := CASE WHEN {has_addr} THEN r.record_id END,
                email := CASE WHEN r.email_std IS NOT NULL THEN r.record_id END,
                phone := CASE WHEN r.phone_std IS NOT NULL THEN r.record_id END,
                birth_date := CASE WHEN r.birth_dt IS NOT NULL THEN r.record_id END),
            1, [r.source], r.first_seen, ?
        FROM _golden_scope g JOIN person_records pr USING (person_id) JOIN records r USING (record_id)
        WHERE g.n = 1""", [now])
    multi = rows(conn, "SELECT count(*) AS n FROM _golden_scope WHERE n > 1")[0]["n"]
    if multi:
        _refresh_multi(conn, insert_cols, now)
    run(conn, "DROP TABLE IF EXISTS _golden_scope")
    # a change of address (NCOA) applied earlier stays on the golden record until a source brings a newer one
    from workbench.households.moves import apply_address_overrides

    apply_address_overrides(conn, person_ids_sql)


def _refresh_multi(conn: duckdb.DuckDBPyConnection, insert_cols: str, now) -> None:
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _golden_in AS
        SELECT pr.person_id, r.*, s.priority AS _priority, {COMPLETENESS} AS _complete
        FROM _golden_scope g JOIN person_records pr USING (person_id) JOIN records r USING (record_id)
        LEFT JOIN sources s ON s.name = r.source WHERE g.n > 1""")
    order = ("(coalesce(_priority, 999), -epoch(coalesce(as_of, first_seen, TIMESTAMP '1900-01-01')), -_complete, "
             "record_id)")
    picks = []
    for name, (expr, cond) in FIELDS.items():
        e, c = expr.replace("r.", ""), cond.replace("r.", "")
        picks.append(f"arg_min(CASE WHEN {c} THEN struct_pack(v := {e}, id := record_id) END, "
                     f"CASE WHEN {c} THEN {order} END) AS {name}_pick")
    addr = "struct_pack(" + ", ".join(f"{k} := {v.replace('r.', '')}" for k, v in ADDRESS_SOURCE.items()) + \
           ", id := record_id)"
    # the address by recency first (where the person lives now, as householding places them: one choice)
    recency = ("(addr_key IS NULL, -epoch(coalesce(as_of, first_seen, updated_at, TIMESTAMP '1900-01-01')), "
               "coalesce(_priority, 999), -_complete, record_id)")
    picks.append(f"arg_min(CASE WHEN addr_street IS NOT NULL OR zip5 IS NOT NULL THEN {addr} END, "
                 f"CASE WHEN addr_street IS NOT NULL OR zip5 IS NOT NULL THEN {recency} END) AS addr_pick")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _golden AS
        SELECT person_id, {', '.join(picks)}, count(*) AS record_count,
               list(DISTINCT source ORDER BY source) AS sources, min(first_seen) AS first_seen
        FROM _golden_in GROUP BY person_id""")
    addr_vals = ", ".join(f"addr_pick.{k}" for k in ADDRESS)
    run(conn, f"""INSERT INTO persons ({insert_cols})
        SELECT g.person_id, first_name_pick.v, last_name_pick.v, fr.first_name_key, fr.first_name_root,
            lr.last_name_key, {addr_vals}, email_pick.v, phone_pick.v, birth_date_pick.v,
            struct_pack(first_name := first_name_pick.id, last_name := last_name_pick.id,
                address := addr_pick.id, email := email_pick.id, phone := phone_pick.id,
                birth_date := birth_date_pick.id),
            g.record_count, g.sources, g.first_seen, ?
        FROM _golden g
        LEFT JOIN records fr ON fr.record_id = g.first_name_pick.id
        LEFT JOIN records lr ON lr.record_id = g.last_name_pick.id""", [now])
    run(conn, "DROP TABLE IF EXISTS _golden_in")
    run(conn, "DROP TABLE IF EXISTS _golden")


def next_person_id_sql() -> str:
    """SQL for the first free person id (add ``row_number() - 1`` for a batch). Prefer
    :func:`workbench.store.ids.reserve_ids`, which also raises the mark; this one is above every id ever
    handed out and the commit raises the mark to what was written."""
    return next_id_sql("person")


def assign_new_records(conn: duckdb.DuckDBPyConnection, source: str, load_id: int) -> None:
    """Give every record of ``source`` that has no person its own person, drop links to removed records,
    and mark the golden records those changes touch as pending (run inside the load's transaction;
    :func:`workbench.ingest.derived.ensure_derived` brings them up to date on first use)."""
    now = clock.now()
    run(conn, "CREATE OR REPLACE TEMP TABLE _touched (person_id BIGINT)")
    run(conn, "INSERT INTO _touched SELECT person_id FROM person_records pr WHERE NOT EXISTS "
              "(SELECT 1 FROM records r WHERE r.record_id = pr.record_id)")
    run(conn, "DELETE FROM person_records WHERE person_id IN (SELECT person_id FROM _touched) AND record_id NOT IN "
              "(SELECT record_id FROM records)")
    unassigned = "FROM records WHERE load_id = ? AND record_id NOT IN (SELECT record_id FROM person_records)"
    base = reserve_ids(conn, "person", scalar(conn, f"SELECT count(*) {unassigned}", [load_id]))
    run(conn, f"INSERT INTO person_records SELECT record_id, ? + row_number() OVER (ORDER BY record_id), ? {unassigned}",
        [base, now, load_id])
    run(conn, "INSERT INTO _touched SELECT pr.person_id FROM person_records pr JOIN records r USING (record_id) "
              "WHERE r.load_id = ?", [load_id])
    run(conn, "INSERT INTO golden_pending SELECT DISTINCT person_id FROM _touched")
    run(conn, "DROP TABLE IF EXISTS _touched")


def golden_traits(conn: duckdb.DuckDBPyConnection, person_id: int) -> list[dict]:
    """The person's traits as golden-record rows: field, value, source, source_key, as_of, origin
    (``customer``: the record it came from; ``append``: the agency, its file's date and the append source)."""
    if not scalar(conn, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'person_traits'"):
        return []
    out = []
    for r in rows(conn, "SELECT * FROM person_traits WHERE person_id = ? ORDER BY level, trait", [person_id]):
        told = r["origin"] == "customer"
        out.append({"field": r["trait"], "value": r["value"], "record_id": None,
                    "source": r["source"] if told else f"append: {r['agency']}",
                    "source_key": r["source_key"] if told else f"{r['source']} (by {r['matched_by']})",
                    "as_of": r["file_date"], "origin": r["origin"]})
    return out
