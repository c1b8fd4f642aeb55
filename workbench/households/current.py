"""Where a person lives now, for householding: the current address by recency, and families that moved.

**Current address.** Every people record that carries a standard address (``addr_key``) and every applied
change of address (an NCOA ``A`` move) is a candidate, dated by the record's as-of (its business date), else
by when it was first loaded, and a move by its effective date. The newest candidate wins; a tie goes to
the source with the better priority (a move first), then to the lower record id. An address an applied
move took the person away from never counts again (as for the golden record: a source's as-of is often
its last purchase, not when it checked the address; only a different address from a source beats a
move). A person whose records carry no address keeps the golden record's (a ZIP alone, or nothing).

The golden record (identity's survivorship) chooses by source priority first, so a person who moved can
have a golden address at the old door; householding uses the current address, and so does the household's
address (its head's).

**Families that moved (no moves file).** A person whose own records left a door (older records there, a
current address elsewhere) is a *leaver*. Someone whose current door is a leaver's old door follows the
leaver to the new door when they are family (a compatible surname, or a phone number or email they share)
and nothing newer shows them there: their latest record at the door is older than the leaver's first
record at the new one (records of one date, a load without as-of dates, say, prove nothing). New residents (seen there after the family left) stay. When the leavers from a door
went to more than one door, nobody follows (it is not clear where to). Persons with an operator's decision
stay where they are.

Writes ``_hh_cur(person_id, addr_key, addr_unit, zip5, address_line1, address_line2, city, state, since,
last_at)`` (``since``: the earliest date the person is seen at the current address; ``last_at``: the latest)
and, after doors are known, updates ``_hp`` (``door``, address) for the followers (``followed = true``) and
writes ``_hh_moved(person_id, token)``: the door each leaver or follower came from ('M' || door), evidence
that people with different surnames who came from one door to another together are one household.
"""

from __future__ import annotations

import duckdb

from workbench.store.sql import run, scalar

ADDRESS = ("addr_key", "addr_unit", "zip5", "address_line1", "address_line2", "city", "state")
FOLLOW_MAX_LEAVER_DOORS = 1  # the leavers of one door must have gone to this many doors for anyone to follow


def current_addresses(conn: duckdb.DuckDBPyConnection) -> None:
    """``_hh_cur``: every person's current address by recency across sources and applied moves."""
    have_moves = bool(scalar(conn, "SELECT count(*) FROM applied_moves WHERE kind = 'new_address'"))
    moves_cand = """
        UNION ALL
        SELECT pr.person_id, am.addr_key, am.addr_unit, am.zip5, am.address_line1, am.address_line2, am.city,
               am.state, CAST(coalesce(am.move_effective_date, CAST(am.applied_at AS DATE)) AS TIMESTAMP) AS at,
               CAST(coalesce(am.move_effective_date, CAST(am.applied_at AS DATE)) AS TIMESTAMP) AS as_of,
               0 AS prio, -1::BIGINT AS record_id
        FROM move_applications ma JOIN applied_moves am USING (move_key) JOIN person_records pr USING (record_id)
        WHERE am.kind = 'new_address' AND am.addr_key IS NOT NULL""" if have_moves else ""
    left_by_moves = """
        SELECT pr.person_id, am.old_addr_key AS addr_key,
               max(CAST(coalesce(am.move_effective_date, CAST(am.applied_at AS DATE)) AS TIMESTAMP)) AS moved_on
        FROM move_applications ma JOIN applied_moves am USING (move_key) JOIN person_records pr USING (record_id)
        WHERE am.kind = 'new_address' GROUP BY ALL""" if have_moves else \
        "SELECT NULL::BIGINT AS person_id, NULL::VARCHAR AS addr_key, NULL::TIMESTAMP AS moved_on WHERE false"
    pick = "struct_pack(" + ", ".join(f"{c} := c.{c}" for c in ADDRESS) + ")"
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _hh_cand AS
        WITH cand AS (
            SELECT pr.person_id, r.addr_key, r.addr_unit, r.zip5, r.address_line1, r.address_line2,
                   r.city_std AS city, r.state_std AS state,
                   coalesce(r.as_of, r.first_seen, r.updated_at) AS at, r.as_of,
                   coalesce(s.priority, 999) AS prio, r.record_id
            FROM person_records pr JOIN records r USING (record_id) LEFT JOIN sources s ON s.name = r.source
            WHERE r.addr_key IS NOT NULL
            {moves_cand}
        ), left_by AS ({left_by_moves})
        SELECT c.* FROM cand c LEFT JOIN left_by l ON l.person_id = c.person_id AND l.addr_key = c.addr_key
        WHERE l.person_id IS NULL""")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _hh_cur AS
        WITH best AS (
            SELECT c.person_id, arg_max({pick}, struct_pack(at := c.at, p := -c.prio, r := -c.record_id)) AS a
            FROM _hh_cand c GROUP BY c.person_id
        ), span AS (
            SELECT b.person_id, min(c.at) AS since, max(c.at) AS last_at
            FROM best b JOIN _hh_cand c ON c.person_id = b.person_id AND c.addr_key = b.a.addr_key GROUP BY ALL
        )
        SELECT b.person_id, {', '.join(f'b.a.{c} AS {c}' for c in ADDRESS)}, s.since, s.last_at
        FROM best b JOIN span s USING (person_id)""")
    run(conn, "DROP TABLE IF EXISTS _hh_cand")


def follow_leavers(conn: duckdb.DuckDBPyConnection) -> int:
    """Persons left behind at a door their family's records left go with the family (see the module
    docstring). Needs ``_hp`` (with ``door``), ``_hh_doors``, ``_hh_contact`` and ``_hh_cur``. Returns the
    number of persons who followed."""
    run(conn, """CREATE OR REPLACE TEMP TABLE _hh_left AS
        SELECT h.person_id, h.door AS new_door, h.last_name_key, c.since,
               coalesce(d.door, r.addr_key) AS old_door
        FROM _hp h JOIN _hh_cur c USING (person_id) JOIN person_records pr USING (person_id)
        JOIN records r USING (record_id) LEFT JOIN _hh_doors d ON d.addr_key = r.addr_key
        WHERE h.door IS NOT NULL AND r.addr_key IS NOT NULL AND coalesce(d.door, r.addr_key) <> h.door
          AND coalesce(r.as_of, r.first_seen, r.updated_at) < c.since  -- seen there before, not on the same day
        GROUP BY ALL""")
    run(conn, "CREATE OR REPLACE TEMP TABLE _hh_moved AS SELECT DISTINCT person_id, 'M' || old_door AS token "
              "FROM _hh_left")
    if not scalar(conn, "SELECT count(*) FROM _hh_left"):
        run(conn, "DROP TABLE IF EXISTS _hh_left")
        return 0
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _hh_follow AS
        WITH decided AS (
            SELECT pr.person_id FROM household_links l JOIN person_records pr ON pr.record_id IN (l.record_a, l.record_b)
        ), unclear AS (  -- doors whose leavers went to several doors
            SELECT old_door FROM _hh_left GROUP BY old_door HAVING count(DISTINCT new_door) > {FOLLOW_MAX_LEAVER_DOORS}
        ), stayer AS (
            SELECT h.person_id, h.door, h.last_name_key, c.last_at
            FROM _hp h JOIN _hh_cur c USING (person_id)
            WHERE h.door IN (SELECT old_door FROM _hh_left) AND h.door NOT IN (SELECT old_door FROM unclear)
              AND h.person_id NOT IN (SELECT person_id FROM decided)
        ), family AS (
            SELECT s.person_id, l.new_door, l.person_id AS leaver
            FROM stayer s JOIN _hh_left l ON l.old_door = s.door AND s.last_at < l.since
            WHERE hh_surnames_compatible(s.last_name_key, l.last_name_key)
               OR hh_close(hh_surname(s.last_name_key), hh_surname(l.last_name_key))
               OR EXISTS (SELECT 1 FROM _hh_contact a JOIN _hh_contact b USING (token)
                          WHERE a.person_id = s.person_id AND b.person_id = l.person_id)
        )
        SELECT person_id, min(new_door) AS new_door, min(leaver) AS leaver FROM family
        GROUP BY person_id HAVING count(DISTINCT new_door) = 1""")
    followed = scalar(conn, "SELECT count(*) FROM _hh_follow")
    run(conn, "INSERT INTO _hh_moved SELECT f.person_id, 'M' || s.door FROM _hh_follow f JOIN _hp s USING (person_id)")
    if followed:
        run(conn, f"""CREATE OR REPLACE TEMP TABLE _hh_follow_to AS
            SELECT f.person_id, f.new_door, {', '.join(f'h.{c}' for c in ADDRESS)}
            FROM _hh_follow f JOIN _hp h ON h.person_id = f.leaver""")
        run(conn, f"""UPDATE _hp SET door = t.new_door, {', '.join(f'{c} = t.{c}' for c in ADDRESS)},
                followed = true
            FROM _hh_follow_to t WHERE _hp.person_id = t.person_id""")
        run(conn, "DROP TABLE IF EXISTS _hh_follow_to")
    run(conn, "DROP TABLE IF EXISTS _hh_follow")
    run(conn, "DROP TABLE IF EXISTS _hh_left")
    return int(followed or 0)
