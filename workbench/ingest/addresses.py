"""Standard addresses of the people records: Pub 28 form, ZIP checks and ZIP completion (set-based).

:func:`standardise_pending` runs inside :func:`workbench.ingest.derived.ensure_derived`, on first use
after a load, and does for the records whose address is not standardised yet (``NOT addr_done``):

1. **Pub 28 form**, once per distinct (line 1, line 2): ``addr_street``, ``addr_unit``,
   ``address_line1_std`` (the delivery line: '12 N OAK ST APT 4B'), ``addr_house`` and ``addr_name``
   (house number and street name alone). Every part is also a macro: ``wb_addr_parts(line1, line2)``.
2. **City and state from the ZIP** where the record has a ZIP and no city or state (the offline ZIP
   table of the ``zipcodes`` package: ZIP, state and kind copied into ``zip_codes`` once,
   :func:`ensure_zip_codes`; city names read from the package when a record needs one).
3. **ZIP check** against the state: ``zip_check`` is 'ok', 'state mismatch' or 'unknown ZIP' (NULL
   without a ZIP or a state).

Then, over every record (the database's addresses changed, so an earlier answer may change):

4. **Completion**: a record with a street, city and state and no ZIP of its own takes the ZIP5 that
   the records with the same house number and street, city and state agree on, when they agree on
   exactly one. The street compares as house number and street name (``addr_house``, ``addr_name``: a
   suffix or directional written on one side only does not matter; a typing slip in a name of five
   letters or more neither), the city as written or one slip away (Jaro-Winkler 0.92). Only loaded ZIPs
   that the ZIP table does not place in another state count ('ok' or 'unknown ZIP'). The record gets
   ``zip5`` filled, ``zip_source = 'completed'``. Two ZIPs for one street in one city: no completion
   (the address stays mailable on street, city and state). The raw ``postal_code`` is never changed.
5. **Correction**: a loaded ZIP that does not belong to the state keeps ``zip5`` (matching and
   suppressions see what was loaded) and gets ``zip5_std`` (the ZIP for the mail piece) from the same
   agreement, ``zip_source = 'corrected'``.
6. ``addr_key``: ``street|unit|zip5``, or ``street|unit|CITY,ST`` for an address without a ZIP (one
   door for householding and one-per-address; never merges two towns).

Persons whose records changed are queued in ``golden_pending``.
"""

from __future__ import annotations

import duckdb

from workbench.store.sql import run, scalar

# The key of an address: the ZIP5, or city and state when there is none.
_PLACE = "coalesce(zip5, CASE WHEN city_std IS NOT NULL AND state_std IS NOT NULL THEN city_std || ',' || state_std END)"
COMPLETE_MIN_NAME = 5  # a street name this long may differ by one typing slip when completing a ZIP
COMPLETE_MIN_CITY = 0.92  # Jaro-Winkler of two spellings of one city when completing a ZIP
ADDR_KEY = f"addr_street || '|' || coalesce(addr_unit, '') || '|' || {_PLACE}"


def ensure_zip_codes(conn: duckdb.DuckDBPyConnection) -> None:
    """Copy the offline ZIP table into ``zip_codes`` when it is empty or from another package version."""
    from workbench.standardise.places import zip_code_rows, zip_codes_version

    version = zip_codes_version()
    have = scalar(conn, "SELECT value FROM settings WHERE key = 'zip_codes.version'")
    if have == version and scalar(conn, "SELECT count(*) > 0 FROM zip_codes"):
        return
    table = zip_code_rows()
    conn.register("_zip_arrow", table)
    try:
        run(conn, "DELETE FROM zip_codes")
        run(
            conn,
            "INSERT INTO zip_codes SELECT zip5, state, kind, active FROM _zip_arrow",
        )
    finally:
        conn.unregister("_zip_arrow")
    run(conn, "DELETE FROM settings WHERE key = 'zip_codes.version'")
    run(conn, "INSERT INTO settings VALUES ('zip_codes.version', ?)", [version])


def _city(expr: str) -> str:
    """A city name in the form of records.city_std (upper case, letters, digits and spaces)."""
    return f"nullif(upper(trim(regexp_replace({expr}, '[^A-Za-z0-9 ]', '', 'g'))), '')"


def standardise_pending(conn: duckdb.DuckDBPyConnection) -> int:
    """Standardise the records not done yet, then complete and check ZIPs over every record; returns
    the records standardised."""
    pending = scalar(conn, "SELECT count(*) FROM records WHERE NOT addr_done")
    if not pending:
        return 0
    ensure_zip_codes(conn)
    run(
        conn,
        """CREATE OR REPLACE TEMP TABLE _addr AS
        SELECT l1, l2, wb_addr_parts(nullif(l1, ''), nullif(l2, '')) AS p
        FROM (SELECT DISTINCT coalesce(address_line1, '') AS l1, coalesce(address_line2, '') AS l2
              FROM records WHERE NOT addr_done)""",
    )
    run(
        conn,
        """INSERT INTO golden_pending SELECT pr.person_id FROM person_records pr
        JOIN records r USING (record_id) WHERE NOT r.addr_done""",
    )
    # one pass: the parts, the state from the ZIP where missing, the ZIP checked against the state
    run(
        conn,
        """CREATE OR REPLACE TEMP TABLE _addr_rec AS
        SELECT r.record_id, a.p, coalesce(r.state_std, z.state) AS state, z.zip5 IS NOT NULL AS known,
               z.state AS zip_state
        FROM records r
        JOIN _addr a ON a.l1 = coalesce(r.address_line1, '') AND a.l2 = coalesce(r.address_line2, '')
        LEFT JOIN zip_codes z ON z.zip5 = r.zip5
        WHERE NOT r.addr_done""",
    )
    run(
        conn,
        """UPDATE records r SET
            addr_street = x.p.street, addr_unit = x.p.unit, address_line1_std = x.p.line,
            addr_house = x.p.house_number, addr_name = x.p.street_name, state_std = x.state,
            zip_check = CASE WHEN r.zip5 IS NULL OR x.state IS NULL THEN NULL WHEN NOT x.known THEN 'unknown ZIP'
                             WHEN x.zip_state <> x.state THEN 'state mismatch' ELSE 'ok' END,
            zip_source = CASE WHEN r.zip5 IS NOT NULL THEN 'loaded' END,
            zip5_std = r.zip5
        FROM _addr_rec x WHERE r.record_id = x.record_id""",
    )
    run(conn, "DROP TABLE IF EXISTS _addr_rec")
    _fill_city(conn)
    run(conn, "DROP TABLE IF EXISTS _addr")
    _complete(conn)
    run(
        conn,
        f"UPDATE records SET addr_key = CASE WHEN addr_street IS NOT NULL THEN {ADDR_KEY} END, "
        "addr_done = true WHERE NOT addr_done",
    )
    return pending


def _fill_city(conn: duckdb.DuckDBPyConnection) -> None:
    """The city from the ZIP where a pending record has a ZIP of its state and no city. City names are read
    from the package (not kept in the database file), and only when some record needs one."""
    if not scalar(
        conn, "SELECT count(*) FROM records WHERE NOT addr_done AND city_std IS NULL AND zip5 IS NOT NULL"
    ):
        return
    from workbench.standardise.places import zip_code_rows

    conn.register("_zip_arrow", zip_code_rows().select(["zip5", "state", "city"]))
    try:
        run(
            conn,
            f"""UPDATE records r SET city_std = {_city("z.city")} FROM _zip_arrow z
            WHERE NOT r.addr_done AND r.city_std IS NULL AND z.zip5 = r.zip5 AND z.state = r.state_std""",
        )
    finally:
        conn.unregister("_zip_arrow")


def _complete(conn: duckdb.DuckDBPyConnection) -> None:
    """Steps 4 and 5 over every record; a record whose answer changes is marked not done (its key is
    rebuilt by the caller) and its person queued."""
    run(
        conn,
        """CREATE OR REPLACE TEMP TABLE _zip_known AS
        SELECT DISTINCT addr_street, addr_house, addr_name, addr_unit, city_std, state_std, zip5
        FROM records
        WHERE zip_source = 'loaded' AND zip_check IN ('ok', 'unknown ZIP') AND addr_street IS NOT NULL
          AND city_std IS NOT NULL""",
    )
    # what each record without a ZIP of its own (or with one of the wrong state) should now have: the one
    # ZIP of the known addresses with its house number and street name (a suffix or directional written on
    # one side only, a typing slip in a name of five letters or more) in its city (or one a slip away); when
    # the street has several ZIPs, the one ZIP of the known addresses with the record's own flat there
    run(
        conn,
        f"""CREATE OR REPLACE TEMP TABLE _zip_new AS
        WITH todo AS (
            SELECT record_id, zip_source AS old_source, zip5 AS old_zip5, zip5_std AS old_std, addr_street,
                   addr_house, addr_name, addr_unit, city_std, state_std
            FROM records
            WHERE addr_street IS NOT NULL
              AND (zip_source IS NULL OR zip_source IN ('completed', 'corrected') OR zip_check = 'state mismatch')
        ), hits AS (
            SELECT t.record_id, k.zip5, t.addr_unit IS NOT NULL AND k.addr_unit = t.addr_unit AS same_flat
            FROM todo t JOIN _zip_known k
              ON k.addr_street = t.addr_street AND k.city_std = t.city_std AND k.state_std = t.state_std
            UNION
            SELECT t.record_id, k.zip5, t.addr_unit IS NOT NULL AND k.addr_unit = t.addr_unit AS same_flat
            FROM todo t JOIN _zip_known k
              ON k.addr_house = t.addr_house AND k.state_std = t.state_std
            WHERE (k.addr_name = t.addr_name
                   OR (least(length(k.addr_name), length(t.addr_name)) >= {COMPLETE_MIN_NAME}
                       AND damerau_levenshtein(k.addr_name, t.addr_name) <= 1))
              AND (k.city_std = t.city_std OR jaro_winkler_similarity(k.city_std, t.city_std) >= {COMPLETE_MIN_CITY})
        ), agreed AS (
            SELECT record_id, CASE WHEN count(DISTINCT zip5) = 1 THEN min(zip5)
                                   WHEN count(DISTINCT zip5) FILTER (WHERE same_flat) = 1
                                   THEN min(zip5) FILTER (WHERE same_flat) END AS agreed
            FROM hits GROUP BY record_id
        )
        SELECT t.record_id, t.old_source, t.old_zip5, t.old_std, a.agreed
        FROM todo t LEFT JOIN agreed a USING (record_id)""",
    )
    run(
        conn,
        """CREATE OR REPLACE TEMP TABLE _zip_change AS
        SELECT record_id, new_zip5, new_std, new_source FROM (
            SELECT record_id, old_source, old_zip5, old_std,
                   CASE WHEN old_source IN ('loaded', 'corrected') THEN old_zip5 ELSE agreed END AS new_zip5,
                   CASE WHEN old_source IN ('loaded', 'corrected') THEN coalesce(agreed, old_zip5) ELSE agreed END
                       AS new_std,
                   CASE WHEN old_source IN ('loaded', 'corrected')
                        THEN CASE WHEN agreed IS NOT NULL AND agreed <> old_zip5 THEN 'corrected' ELSE 'loaded' END
                        WHEN agreed IS NOT NULL THEN 'completed' END AS new_source
            FROM _zip_new)
        WHERE new_zip5 IS DISTINCT FROM old_zip5 OR new_std IS DISTINCT FROM old_std
           OR new_source IS DISTINCT FROM old_source""",
    )
    if scalar(conn, "SELECT count(*) FROM _zip_change"):
        run(
            conn,
            """INSERT INTO golden_pending SELECT pr.person_id FROM person_records pr
            JOIN _zip_change c USING (record_id)""",
        )
        run(
            conn,
            """UPDATE records r SET zip5 = c.new_zip5, zip5_std = c.new_std, zip_source = c.new_source,
                addr_done = false
            FROM _zip_change c WHERE r.record_id = c.record_id""",
        )
    for t in ("_zip_known", "_zip_new", "_zip_change"):
        run(conn, f"DROP TABLE IF EXISTS {t}")


def completion_counts(conn: duckdb.DuckDBPyConnection, persons_sql: str) -> dict[str, int]:
    """Of the persons ``persons_sql`` selects (``person_id``): how many have a golden address whose ZIP
    was completed, corrected, is still missing (street, city and state only), or fails the state check."""
    found = conn.execute(f"""SELECT
            count(*) FILTER (WHERE a.zip_source = 'completed') AS completed,
            count(*) FILTER (WHERE a.zip_source = 'corrected') AS corrected,
            count(*) FILTER (WHERE a.zip5 IS NULL AND a.has_address) AS without_zip,
            count(*) FILTER (WHERE a.zip_check = 'state mismatch' AND a.zip_source <> 'corrected') AS zip_state_mismatch
        FROM person_attributes a WHERE a.person_id IN ({persons_sql})""").fetchall()[0]
    return dict(
        zip(
            ("completed", "corrected", "without_zip", "zip_state_mismatch"),
            (int(v or 0) for v in found),
            strict=True,
        )
    )
