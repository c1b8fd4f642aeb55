"""Change of address: NCOA-style moves (table ``moves``) applied to persons.

A move matches the persons whose records (or golden record) sit at the move's old address under a
compatible name: the same surname (or a hyphenated part of it) and the same first name or nickname
root, one typing slip allowed in either (names of four letters or more); a family move (F) without a first name matches on the surname alone, and a family move reaches
the whole household at the old address (by golden address, or by the person's newest record there).
Individual (I) and business (B) moves reach only the named people.

Return codes: A (and 91/92, a new address with the unit dropped) give a new address; 01 (foreign),
02 (moved, left no address) and 03 (PO box closed) make the person undeliverable for mail (view
``person_deliverability``); 00 (no match) and any other code are ignored.

Each move (keyed by its content) is applied once: ``applied_moves`` keeps it and ``move_applications``
the people records it reached (records, so a later match run that regroups persons keeps the effect).
A move that matches nobody stays pending and is tried again on later runs (new records may match it).

Golden addresses: :func:`apply_address_overrides` puts the newest applied new address on every person
whose golden address is still one that their moves left. It is idempotent and cheap, run after every
golden refresh (``refresh_golden`` calls it, and every households run does), so a later load or match run
does not undo a move; once a source itself brings a newer, different address, the sources win.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import duckdb

from workbench import clock
from workbench.households.rules import install_household_macros, load_rules
from workbench.store.sql import rows, run, scalar

NEW_ADDRESS_CODES = ("A", "91", "92")
UNDELIVERABLE_CODES = ("01", "02", "03")
MAX_ROUNDS = 6  # a move whose old address is another move's new address needs a second round

_MOVE_FIELDS = ("move_key", "source", "return_code", "kind", "move_type", "first_name_key", "last_name_key",
                "old_addr_key", "address_line1", "address_line2", "city", "state", "zip5", "zip4", "addr_street",
                "addr_unit", "addr_key", "move_effective_date")


@dataclass
class MovesResult:
    moves: int = 0  # rows in the moves table
    applied_now: int = 0  # moves applied by this run
    applied_before: int = 0  # moves applied by an earlier run
    unmatched: int = 0  # actionable moves that match nobody (yet)
    no_match_code: int = 0  # return code 00
    ignored: int = 0  # other codes, or A without a usable new address
    persons_moved: int = 0  # persons reached by moves applied now
    records_reached: int = 0
    addresses_updated: int = 0  # golden addresses replaced by this call
    by_code: dict[str, int] = field(default_factory=dict)  # moves applied now, per return code

    def to_dict(self) -> dict:
        return asdict(self)


def apply_moves(conn: duckdb.DuckDBPyConnection) -> MovesResult:
    """Apply every pending move (set-based, inside the caller's transaction). Safe to rerun."""
    install_household_macros(conn)
    rules = load_rules(conn)
    now = clock.now()
    result = MovesResult()
    _stage_moves(conn)
    counts = rows(conn, """SELECT count(*) AS n,
            count(*) FILTER (WHERE code = '00') AS no_match,
            count(*) FILTER (WHERE kind IS NULL AND code <> '00') AS ignored,
            count(*) FILTER (WHERE kind IS NOT NULL AND move_key IN (SELECT move_key FROM applied_moves)) AS before
        FROM _mv""")[0]
    result.moves, result.no_match_code = scalar(conn, "SELECT count(*) FROM moves"), counts["no_match"]
    result.ignored, result.applied_before = counts["ignored"], counts["before"]
    _extend_applied(conn, now)
    run(conn, "CREATE OR REPLACE TEMP TABLE _mv_moved (person_id BIGINT)")
    for _ in range(MAX_ROUNDS):
        run(conn, "CREATE OR REPLACE TEMP TABLE _mv_pending AS SELECT * FROM _mv WHERE kind IS NOT NULL "
                  "AND move_key NOT IN (SELECT move_key FROM applied_moves)")
        if not scalar(conn, "SELECT count(*) FROM _mv_pending"):
            break
        _match_round(conn, rules.partners, rules.crowded_people)
        hits = scalar(conn, "SELECT count(DISTINCT move_key) FROM _mv_hit")
        if not hits:
            break
        fields = ", ".join(f"m.{f}" for f in _MOVE_FIELDS)
        run(conn, f"""INSERT INTO applied_moves ({', '.join(_MOVE_FIELDS)}, persons, applied_at)
            SELECT {fields}, count(DISTINCT h.person_id), ? FROM _mv_pending m JOIN _mv_hit h USING (move_key)
            GROUP BY ALL""", [now])
        run(conn, "INSERT INTO move_applications SELECT DISTINCT h.move_key, pr.record_id, ? "
                  "FROM _mv_hit h JOIN person_records pr USING (person_id)", [now])
        run(conn, "INSERT INTO _mv_moved SELECT DISTINCT person_id FROM _mv_hit")
        for r in rows(conn, "SELECT m.return_code, count(DISTINCT m.move_key) AS n FROM _mv_pending m "
                            "WHERE m.move_key IN (SELECT move_key FROM _mv_hit) GROUP BY 1"):
            result.by_code[r["return_code"]] = result.by_code.get(r["return_code"], 0) + r["n"]
        result.applied_now += hits
        result.addresses_updated += apply_address_overrides(conn, "SELECT person_id FROM _mv_hit")
    result.addresses_updated += apply_address_overrides(conn)
    result.unmatched = scalar(conn, "SELECT count(*) FROM _mv WHERE kind IS NOT NULL AND move_key NOT IN "
                                    "(SELECT move_key FROM applied_moves)")
    result.persons_moved = scalar(conn, "SELECT count(DISTINCT person_id) FROM _mv_moved")
    result.records_reached = scalar(conn, "SELECT count(*) FROM move_applications WHERE applied_at = ?", [now])
    for t in ("_mv", "_mv_pending", "_mv_hit", "_mv_moved"):
        run(conn, f"DROP TABLE IF EXISTS {t}")
    return result


def _stage_moves(conn: duckdb.DuckDBPyConnection) -> None:
    """``_mv``: every distinct move with its key, normalised return code, kind and standard new address."""
    new_codes = ", ".join(f"'{c}'" for c in NEW_ADDRESS_CODES)
    dead_codes = ", ".join(f"'{c}'" for c in UNDELIVERABLE_CODES)
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _mv AS
        WITH m AS (
            SELECT *, CASE WHEN regexp_full_match(return_code, '[0-9]+') THEN lpad(return_code, 2, '0')
                           ELSE return_code END AS code
            FROM moves WHERE old_addr_key IS NOT NULL AND last_name_key IS NOT NULL)
        SELECT DISTINCT
            md5(concat_ws('|', source, coalesce(first_name_key, ''), last_name_key, old_addr_key,
                coalesce(new_addr_key, ''), code, coalesce(move_type, ''),
                coalesce(CAST(move_effective_date AS VARCHAR), ''))) AS move_key,
            source, code, code AS return_code,
            CASE WHEN code IN ({new_codes}) AND new_addr_key IS NOT NULL THEN 'new_address'
                 WHEN code IN ({dead_codes}) THEN 'undeliverable' END AS kind,
            CASE WHEN move_type IN ('I', 'F', 'B') THEN move_type END AS move_type,
            first_name_key, first_name_root, last_name_key, old_addr_key,
            new_address_line1 AS address_line1, new_address_line2 AS address_line2,
            nullif(upper(trim(regexp_replace(new_city, '[^A-Za-z0-9 ]', '', 'g'))), '') AS city,
            new_state AS state, wb_zip5(new_postal_code) AS zip5, wb_zip4(new_postal_code) AS zip4,
            wb_addr_street(new_address_line1, new_address_line2) AS addr_street,
            wb_addr_unit(new_address_line1, new_address_line2) AS addr_unit,
            new_addr_key AS addr_key, move_effective_date
        FROM m""")


def _match_round(conn: duckdb.DuckDBPyConnection, partners: str, crowded: int) -> None:
    """``_mv_hit(move_key, person_id)``: the persons each pending move reaches."""
    names = """(hh_surnames_compatible(x.last_name_key, m.last_name_key)
             OR hh_close(hh_surname(x.last_name_key), hh_surname(m.last_name_key)))
        AND ((m.first_name_key IS NULL AND m.move_type = 'F') OR x.first_name_root = m.first_name_root
             OR hh_close(x.first_name_key, m.first_name_key))"""
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _mv_hit AS
        WITH named AS (
            SELECT m.move_key, pr.person_id
            FROM _mv_pending m JOIN records x ON x.addr_key = m.old_addr_key
            JOIN person_records pr ON pr.record_id = x.record_id
            WHERE {names}
            UNION
            SELECT m.move_key, x.person_id
            FROM _mv_pending m JOIN persons x ON x.addr_key = m.old_addr_key
            WHERE {names}
        ), newest AS (  -- each person's newest record address (the golden record may go by priority)
            SELECT pr.person_id, arg_max(x.addr_key, coalesce(x.as_of, x.first_seen)) AS addr_key,
                   arg_max(x.last_name_key, coalesce(x.as_of, x.first_seen)) AS last_name_key
            FROM records x JOIN person_records pr USING (record_id)
            WHERE x.addr_key IS NOT NULL
              AND pr.person_id IN (SELECT pr2.person_id FROM records x2 JOIN person_records pr2 USING (record_id)
                                   WHERE x2.addr_key IN (SELECT old_addr_key FROM _mv_pending WHERE move_type = 'F'))
            GROUP BY pr.person_id
        ), at_old AS (
            SELECT m.move_key, p.person_id, p.last_name_key, m.last_name_key AS move_last
            FROM _mv_pending m JOIN persons p ON p.addr_key = m.old_addr_key
            WHERE m.move_type = 'F' AND m.move_key IN (SELECT move_key FROM named)
            UNION
            SELECT m.move_key, n.person_id, n.last_name_key, m.last_name_key
            FROM _mv_pending m JOIN newest n ON n.addr_key = m.old_addr_key
            WHERE m.move_type = 'F' AND m.move_key IN (SELECT move_key FROM named)
        ), quiet AS (  -- old addresses that are not crowded: everyone at the door is the family
            SELECT a.move_key FROM at_old a JOIN persons p USING (person_id)
            GROUP BY a.move_key
            HAVING count(DISTINCT coalesce(p.first_name_root, '?' || p.person_id) || '|' ||
                         coalesce(p.last_name_key, '')) <= {int(crowded)}
                OR bool_or(p.addr_unit IS NOT NULL)
        ), same_household AS (
            SELECT n.move_key, m2.person_id
            FROM named n JOIN household_members m1 ON m1.person_id = n.person_id
            JOIN household_members m2 ON m2.household_id = m1.household_id
        )
        SELECT * FROM named
        UNION
        SELECT a.move_key, a.person_id FROM at_old a
        WHERE hh_surnames_compatible(a.last_name_key, a.move_last)
           OR hh_close(hh_surname(a.last_name_key), hh_surname(a.move_last))
           OR EXISTS (SELECT 1 FROM same_household s WHERE s.move_key = a.move_key AND s.person_id = a.person_id)
           OR ({'true' if partners == 'probable' else 'false'} AND a.move_key IN (SELECT move_key FROM quiet))""")


def _extend_applied(conn: duckdb.DuckDBPyConnection, now) -> None:
    """Records loaded since a move was applied that carry a name it already reached at its old address
    (the same person in a new extract) are reached too; new residents of the old address are not."""
    run(conn, """INSERT INTO move_applications
        WITH reached AS (
            SELECT DISTINCT ma.move_key, r.first_name_root, r.last_name_key
            FROM move_applications ma JOIN records r USING (record_id))
        SELECT DISTINCT am.move_key, r.record_id, ?
        FROM applied_moves am JOIN records r ON r.addr_key = am.old_addr_key
        JOIN reached n ON n.move_key = am.move_key AND n.first_name_root = r.first_name_root
                      AND n.last_name_key = r.last_name_key
        WHERE NOT EXISTS (SELECT 1 FROM move_applications x WHERE x.move_key = am.move_key
                          AND x.record_id = r.record_id)""", [now])


def apply_address_overrides(conn: duckdb.DuckDBPyConnection, person_ids_sql: str | None = None) -> int:
    """Give every person (or those ``person_ids_sql`` selects) whose golden address is one their applied
    moves left the newest applied new address; the replaced address goes to ``address_history`` (the
    golden record's ``golden_from.address`` becomes NULL: the address came from a move, not a record).
    Returns the number of persons updated. Call it after any golden refresh."""
    scope = f"WHERE pr.person_id IN ({person_ids_sql})" if person_ids_sql else ""
    if not scalar(conn, "SELECT count(*) FROM applied_moves"):
        return 0
    new_fields = ", ".join(f"{f} := am.{f}" for f in _MOVE_FIELDS if f not in ("source", "first_name_key",
                                                                                "last_name_key", "old_addr_key"))
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _ov AS
        WITH reached AS (
            SELECT DISTINCT pr.person_id, am.*
            FROM move_applications ma JOIN applied_moves am USING (move_key)
            JOIN person_records pr USING (record_id) {scope}
        ), per AS (
            SELECT person_id, list(DISTINCT old_addr_key) AS left_addresses,
                   arg_max(struct_pack({new_fields.replace('am.', '')}),
                           struct_pack(e := coalesce(move_effective_date, DATE '1900-01-01'), a := applied_at,
                                       k := move_key)) AS mv
            FROM reached GROUP BY person_id
        )
        SELECT per.person_id, unnest(per.mv)
        FROM per JOIN persons p USING (person_id)
        WHERE per.mv.kind = 'new_address' AND list_contains(per.left_addresses, p.addr_key)
          AND p.addr_key IS DISTINCT FROM per.mv.addr_key""")
    changed = scalar(conn, "SELECT count(*) FROM _ov")
    if changed:
        now = clock.now()
        run(conn, """INSERT INTO address_history
            SELECT o.person_id, o.move_key, o.return_code, o.move_type, o.move_effective_date,
                   p.address_line1, p.address_line2, p.city, p.state, p.zip5, p.addr_key,
                   o.address_line1, o.address_line2, o.city, o.state, o.zip5, o.addr_key, ?
            FROM _ov o JOIN persons p USING (person_id)
            WHERE NOT EXISTS (SELECT 1 FROM address_history h
                              WHERE h.person_id = o.person_id AND h.move_key = o.move_key)""", [now])
        run(conn, """UPDATE persons SET address_line1 = o.address_line1, address_line2 = o.address_line2,
                city = o.city, state = o.state, zip5 = o.zip5, zip4 = o.zip4, addr_street = o.addr_street,
                addr_unit = o.addr_unit, addr_key = o.addr_key,
                golden_from = struct_update(persons.golden_from, address := NULL::BIGINT),
                updated_at = ?
            FROM _ov o WHERE persons.person_id = o.person_id""", [now])
    run(conn, "DROP TABLE IF EXISTS _ov")
    return changed
