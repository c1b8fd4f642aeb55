"""Set-based merge/purge: every name of the run's lists lands in exactly one outcome, in this order.

1. ``reject``: not usable on the run's channel (mail: a surname and a street with a ZIP, or with a city and
   state; email: a valid email; phone: a 10-digit phone).
2. ``suppressed``: on a suppression that applies to the channel and brand, matched with the rules of
   :mod:`workbench.suppress.rules` (email, phone, name + address, address, name + birth date: the same
   tolerances as the house file), on a change-of-address (NCOA) file at its old address (mail), or the
   house-file person the name matches is suppressed (manual opt-outs, erasures, undeliverable...). A
   name on several suppressions is counted under the first by name.
3. ``house``: the same person as a house-file person, by the identity capability's deterministic rules
   (:data:`workbench.identity.rules.RULES`: same email, same phone and surname, same name and address;
   an email or phone shared by many rows is a placeholder and is not compared, as in identity),
   or with ``one_per = "household"`` the same household (surname and door); with ``house = "flag"``
   they stay in and carry the person id.
4. ``duplicate``: the same person (same rules) or household as a name of a list of higher priority
   (or earlier in the same list): the list first in ``lists`` keeps it.
5. ``net``: the rest, and every seed the list owner put in their list (owner seeds skip steps 1-4).

Works on TEMP tables: ``_mp_in`` (the names) and ``_mp_out(id, outcome, step, kept_by, person_id)``.
"""

from __future__ import annotations

from datetime import date

import duckdb

from workbench.identity.prepare import MAX_SHARED
from workbench.identity.rules import RULES
from workbench.store.sql import run, scalar
from workbench.suppress import rules as sup_rules
from workbench.suppress.build import build_entries, ensure_person_suppressions
from workbench.suppress.summary import suppression_filter

NCOA = "ncoa_moved"  # the suppression name of a name found at its old address in a loaded NCOA file
MOVED_CODES = ("A", "01", "02", "03")  # NCOA return codes that mean the name is no longer at that address
USABLE = {
    "mail": "(last_name_key IS NOT NULL AND addr_street IS NOT NULL AND (zip5 IS NOT NULL OR "
    "(city_std IS NOT NULL AND state_std IS NOT NULL)))",
    "email": "email_std IS NOT NULL",
    "phone": "phone_std IS NOT NULL",
}
REJECT_STEP = {"mail": "no mailable name and address", "email": "no usable email", "phone": "no usable phone"}
# the door and surname of a household (surname folded like the suppression rules: spaces, SAINT = ST)
# ({folded}: the surname folded, from TEMP _mp_surnames, so the fold runs once per distinct surname)
HOUSEHOLD_KEY = (
    "CASE WHEN {folded} IS NOT NULL AND {street} IS NOT NULL THEN {folded} || '|' "
    "|| {street} || '|' || coalesce({unit}, '') || '|' || coalesce({zip}, {city} || ' ' || {state}) END"
)


def _fold_surnames(conn: duckdb.DuckDBPyConnection) -> None:
    """TEMP ``_mp_surnames(ln, folded)``: every surname of the lists and the house file, folded once."""
    run(
        conn,
        """CREATE OR REPLACE TEMP TABLE _mp_surnames AS SELECT ln, wb_sup_last(ln) AS folded FROM (
        SELECT DISTINCT last_name_key AS ln FROM prospects WHERE last_name_key IS NOT NULL
        UNION SELECT DISTINCT last_name_key FROM records WHERE last_name_key IS NOT NULL)""",
    )


def build_input(conn: duckdb.DuckDBPyConnection, lists: list[str]) -> int:
    """TEMP ``_mp_in``: every name of the lists, ``id`` in priority order (list rank, then key); returns rows."""
    sup_rules.install_rule_macros(conn)
    run(
        conn,
        "CREATE OR REPLACE TEMP TABLE _mp_lists AS SELECT unnest(?::VARCHAR[]) AS source, "
        "unnest(?::INTEGER[]) AS rank",
        [lists, list(range(1, len(lists) + 1))],
    )
    _fold_surnames(conn)
    hh = HOUSEHOLD_KEY.format(
        folded="sn.folded",
        street="p.addr_street",
        unit="p.addr_unit",
        zip="p.zip5",
        city="p.city_std",
        state="p.state_std",
    )
    run(
        conn,
        f"""CREATE OR REPLACE TEMP TABLE _mp_in AS
        SELECT row_number() OVER (ORDER BY l.rank, p.source_key) AS id, l.rank, p.source, p.source_key, p.is_seed,
               p.first_name_key, p.last_name_key, p.email_std, p.phone_std, p.addr_street, p.addr_unit,
               p.addr_key, p.zip5, p.city_std, p.state_std, coalesce(p.first_name_root, p.first_name_key) AS fn_root,
               {hh} AS hh_key
        FROM prospects p JOIN _mp_lists l USING (source) LEFT JOIN _mp_surnames sn ON sn.ln = p.last_name_key""",
    )
    run(
        conn,
        "CREATE OR REPLACE TEMP TABLE _mp_out (id BIGINT, outcome VARCHAR, step VARCHAR, kept_by VARCHAR, "
        "person_id BIGINT)",
    )
    return scalar(conn, "SELECT count(*) FROM _mp_in")


def _blank_shared(conn: duckdb.DuckDBPyConnection, table: str) -> None:
    """A placeholder email or phone (shared by more rows than identity's MAX_SHARED) is no one's identity:
    blanked in ``table`` before the rules join on it, as the identity capability does."""
    for col, limit in (("email", MAX_SHARED["email"]), ("phone", MAX_SHARED["phone"])):
        run(
            conn,
            f"UPDATE {table} SET {col} = NULL WHERE {col} IN (SELECT {col} FROM {table} WHERE {col} IS NOT NULL "
            f"GROUP BY {col} HAVING count(*) > {int(limit)})",
        )


def _open(alias: str = "i") -> str:
    """Names still in play: not a seed, not placed by an earlier step."""
    return f"NOT {alias}.is_seed AND {alias}.id NOT IN (SELECT id FROM _mp_out)"


def _identity_pairs(left: str, right: str, extra: str = "") -> str:
    """SELECT (l.id, r.<id>) of the pairs the identity rules join (aliases l and r over the two tables,
    each with columns email, phone, fn_root, ln, street, unit, zip)."""
    parts = []
    for condition in RULES.values():
        parts.append(f"SELECT l.id AS a, r.{{rid}} AS b FROM {left} l JOIN {right} r ON {condition} {extra}")
    return " UNION ".join(parts)


def place_rejects(conn: duckdb.DuckDBPyConnection, channel: str) -> None:
    run(
        conn,
        f"INSERT INTO _mp_out SELECT id, 'reject', ?, NULL, NULL FROM _mp_in i WHERE {_open()} "
        f"AND NOT coalesce({USABLE[channel]}, false)",
        [REJECT_STEP[channel]],
    )


def find_house(conn: duckdb.DuckDBPyConnection, one_per: str) -> None:
    """TEMP ``_mp_house_hit(id, person_id, level)``: the house-file person (or, by household, a person of
    the household at that door) each name matches."""
    hh = HOUSEHOLD_KEY.format(
        folded="sn.folded",
        street="r.addr_street",
        unit="r.addr_unit",
        zip="r.zip5",
        city="r.city_std",
        state="r.state_std",
    )
    run(
        conn,
        f"""CREATE OR REPLACE TEMP TABLE _mp_house AS
        SELECT pr.person_id, r.email_std AS email, r.phone_std AS phone,
               coalesce(r.first_name_root, r.first_name_key) AS fn_root, r.last_name_key AS ln,
               r.addr_street AS street, r.addr_unit AS unit, r.zip5 AS zip, {hh} AS hh_key
        FROM records r JOIN person_records pr USING (record_id) LEFT JOIN _mp_surnames sn ON sn.ln = r.last_name_key""",
    )
    run(
        conn,
        """CREATE OR REPLACE TEMP TABLE _mp_left AS SELECT id, email_std AS email, phone_std AS phone, fn_root, last_name_key AS ln,
                 addr_street AS street, addr_unit AS unit, zip5 AS zip, hh_key
                 FROM _mp_in i WHERE NOT i.is_seed""",
    )
    _blank_shared(conn, "_mp_house")
    _blank_shared(conn, "_mp_left")
    pairs = _identity_pairs("_mp_left", "_mp_house").replace("{rid}", "person_id")
    run(
        conn,
        f"""CREATE OR REPLACE TEMP TABLE _mp_house_hit AS
        SELECT a AS id, min(b) AS person_id, 'person' AS level FROM ({pairs}) GROUP BY a""",
    )
    if one_per == "household":
        run(
            conn,
            """INSERT INTO _mp_house_hit SELECT l.id, min(h.person_id), 'household' FROM _mp_left l
            JOIN _mp_house h ON h.hh_key = l.hh_key WHERE l.id NOT IN (SELECT id FROM _mp_house_hit) GROUP BY l.id""",
        )
    run(conn, "DROP TABLE IF EXISTS _mp_left")


def place_suppressed(conn: duckdb.DuckDBPyConnection, channel: str, brand: str | None, today: date) -> None:
    """Every suppression that applies to the channel and brand, against the names still in play."""
    build_entries(conn, today)  # loaded and manual entries in effect today: _sup_entries (and _sup_nick)
    cond, params = suppression_filter(channel, brand, alias="e")
    run(conn, f"DELETE FROM _sup_entries e WHERE NOT ({cond})", params)
    if channel == "mail" and scalar(conn, "SELECT count(*) FROM moves"):
        _add_moves(conn)
    run(conn, "CREATE OR REPLACE TEMP TABLE _mp_sup_hit (id BIGINT, suppression VARCHAR)")
    run(
        conn,
        f"""INSERT INTO _mp_sup_hit
        SELECT i.id, e.suppression FROM _mp_in i JOIN _sup_entries e ON e.match_on = 'email' AND e.email_std = i.email_std
        WHERE {_open()}
        UNION ALL
        SELECT i.id, e.suppression FROM _mp_in i JOIN _sup_entries e ON e.match_on = 'phone' AND e.phone_std = i.phone_std
        WHERE {_open()}""",
    )
    door = scalar(
        conn,
        "SELECT count(*) FROM _sup_entries WHERE match_on IN ('address', 'name_address') "
        "OR birth_dt IS NOT NULL",
    )
    if door:
        known = f"""SELECT i.id AS person_id, i.id AS record_id, 'prospect' AS via, i.first_name_key, i.last_name_key,
                   CAST(NULL AS DATE) AS birth_dt, i.addr_street, i.addr_unit, i.zip5, i.city_std AS city,
                   i.state_std AS state FROM _mp_in i WHERE {_open()}"""
        sup_rules.build_suffix_table(conn)
        sup_rules.build_known(conn, False, known_sql=known)
        sup_rules.build_address_hits(conn)
        sup_rules.build_name_hits(conn)
        run(
            conn,
            """INSERT INTO _mp_sup_hit
            SELECT a.person_id, e.suppression FROM _sup_at a JOIN _sup_entries e USING (entry_id) WHERE e.match_on = 'address'
            UNION ALL
            SELECT h.person_id, e.suppression FROM _sup_name_hits h JOIN _sup_entries e USING (entry_id)""",
        )
    # the house-file person a name matches is suppressed (a manual opt-out, an erasure, undeliverable...)
    ensure_person_suppressions(conn)
    cond, params = suppression_filter(channel, brand, alias="ps")
    run(
        conn,
        f"""INSERT INTO _mp_sup_hit SELECT h.id, ps.suppression FROM _mp_house_hit h
        JOIN person_suppressions ps ON ps.person_id = h.person_id AND h.level = 'person'
        WHERE {cond} AND h.id NOT IN (SELECT id FROM _mp_out)""",
        params,
    )
    run(
        conn,
        """INSERT INTO _mp_out SELECT id, 'suppressed', min(suppression), NULL, NULL FROM _mp_sup_hit
        WHERE id NOT IN (SELECT id FROM _mp_out) GROUP BY id""",
    )
    for table in (*sup_rules.TEMP_TABLES, "_mp_sup_hit"):
        run(conn, f"DROP TABLE IF EXISTS {table}")


def _add_moves(conn: duckdb.DuckDBPyConnection) -> None:
    """Loaded NCOA results as name + address entries at the old address: an individual move names the
    person; a family move (F) has no first name (everyone of that surname at the door)."""
    codes = ", ".join(f"'{c}'" for c in MOVED_CODES)
    first = scalar(conn, "SELECT coalesce(max(entry_id), 0) FROM _sup_entries")
    run(
        conn,
        f"""INSERT INTO _sup_entries BY NAME
        SELECT ? + row_number() OVER () AS entry_id, y.*, coalesce(n.roots, [y.fn]) AS roots,
               coalesce(n.root, y.fn) AS root
        FROM (SELECT x.*, {sup_rules.entry_name_features("x")} FROM (
                SELECT '{NCOA}' AS suppression, 'mail' AS channel, CAST(NULL AS VARCHAR) AS brand,
                       'moved (NCOA ' || m.return_code || ')' AS reason, 'name_address' AS match_on,
                       min(m.move_effective_date) AS effective_date, CAST(NULL AS BIGINT[]) AS record_ids,
                       CAST(NULL AS VARCHAR) AS email_std, CAST(NULL AS VARCHAR) AS phone_std,
                       CASE WHEN m.move_type = 'F' THEN NULL ELSE m.first_name_key END AS first_name_key,
                       m.last_name_key, m.old_addr_street AS addr_street, m.old_addr_unit AS addr_unit,
                       m.old_zip5 AS zip5, CAST(NULL AS VARCHAR) AS city, CAST(NULL AS VARCHAR) AS state,
                       CAST(NULL AS DATE) AS birth_dt
                FROM moves m
                WHERE m.return_code IN ({codes}) AND m.last_name_key IS NOT NULL AND m.old_addr_street IS NOT NULL
                GROUP BY ALL) x) y
        LEFT JOIN _sup_nick n ON n.name = y.fn""",
        [first],
    )


def place_house(conn: duckdb.DuckDBPyConnection, house: str) -> None:
    if house == "remove":
        run(
            conn,
            f"""INSERT INTO _mp_out SELECT h.id, 'house', h.level, NULL, h.person_id FROM _mp_house_hit h
            JOIN _mp_in i USING (id) WHERE {_open()}""",
        )


def place_duplicates(conn: duckdb.DuckDBPyConnection, one_per: str) -> None:
    """Duplicates among the names still in play: persons by the identity rules, then (by household) the
    persons at one door with one surname; the name of the highest-priority list (lowest id) survives."""
    from workbench.households.graph import connected_components

    run(
        conn,
        f"""CREATE OR REPLACE TEMP TABLE _mp_rest AS SELECT id, email_std AS email, phone_std AS phone, fn_root, last_name_key AS ln,
                 addr_street AS street, addr_unit AS unit, zip5 AS zip, hh_key
                 FROM _mp_in i WHERE {_open()}""",
    )
    _blank_shared(conn, "_mp_rest")
    pairs = _identity_pairs("_mp_rest", "_mp_rest", "AND l.id < r.id").replace("{rid}", "id")
    connected_components(conn, "SELECT id AS node FROM _mp_rest", pairs, "_mp_pc")
    if one_per == "household":
        edges = """SELECT node AS a, label AS b FROM _mp_pc
                   UNION ALL SELECT r.id, min(r.id) OVER (PARTITION BY r.hh_key) FROM _mp_rest r WHERE r.hh_key IS NOT NULL"""
        connected_components(conn, "SELECT id AS node FROM _mp_rest", edges, "_mp_hc")
    else:
        run(conn, "CREATE OR REPLACE TEMP TABLE _mp_hc AS SELECT node, label FROM _mp_pc")
    run(
        conn,
        """INSERT INTO _mp_out
        SELECT h.node, 'duplicate', CASE WHEN p.label = ps.label THEN 'person' ELSE 'household' END, k.source, NULL
        FROM _mp_hc h JOIN _mp_pc p USING (node)
        JOIN (SELECT label, min(node) AS survivor FROM _mp_hc GROUP BY label) s ON s.label = h.label
        JOIN _mp_pc ps ON ps.node = s.survivor JOIN _mp_in k ON k.id = s.survivor
        WHERE h.node <> s.survivor""",
    )
    for t in ("_mp_rest", "_mp_pc", "_mp_hc"):
        run(conn, f"DROP TABLE IF EXISTS {t}")


def place_net(conn: duckdb.DuckDBPyConnection) -> None:
    run(
        conn,
        """INSERT INTO _mp_out SELECT i.id, 'net', NULL, NULL, h.person_id FROM _mp_in i
        LEFT JOIN _mp_house_hit h ON h.id = i.id AND NOT i.is_seed WHERE i.id NOT IN (SELECT id FROM _mp_out)""",
    )


def place_all(
    conn: duckdb.DuckDBPyConnection,
    lists: list[str],
    channel: str,
    brand: str | None,
    house: str,
    one_per: str,
    today: date,
) -> int:
    """Every step, in order; returns the names read. Leaves ``_mp_in`` and ``_mp_out``."""
    n = build_input(conn, lists)
    place_rejects(conn, channel)
    find_house(conn, one_per)
    place_suppressed(conn, channel, brand, today)
    place_house(conn, house)
    place_duplicates(conn, one_per)
    place_net(conn)
    return n


def drop_temp(conn: duckdb.DuckDBPyConnection) -> None:
    for t in ("_mp_in", "_mp_out", "_mp_lists", "_mp_house", "_mp_house_hit", "_mp_surnames"):
        run(conn, f"DROP TABLE IF EXISTS {t}")
