"""Review items: households an operator should look at. Rebuilt by every run.

- ``surnames``: a household whose members have different surnames (joined as probable partners or by
  a shared phone or email), or a household that shares an uncrowded address with another household;
- ``crowded``: a household at a crowded address (more than ``households.crowded_people`` people and no
  unit numbers: a dorm, a business, a missing apartment number);
- ``two_addresses``: a member whose records sit at two addresses (moves explain the addresses they left).

An item is ``accepted`` when the household's current membership (its signature: the members' anchor
records) is in ``household_accepts`` (an accept, or the result of a move, split or merge); a change of
members raises it again.
"""

from __future__ import annotations

import duckdb

from workbench import clock
from workbench.store.sql import run

REASONS = {
    "surnames": "different surnames at one address",
    "crowded": "crowded address without unit numbers",
    "two_addresses": "a member's records sit at two addresses",
}


def raise_review_items(conn: duckdb.DuckDBPyConnection) -> None:
    """Rewrite ``household_review_items`` from ``households`` / ``household_members`` and the temp
    tables of the run (``_hh_addr``, ``_hh_doors``)."""
    now = clock.now()
    run(conn, "DELETE FROM household_review_items")
    run(conn, """CREATE OR REPLACE TEMP TABLE _hh_two AS
        WITH left_addr AS (
            SELECT DISTINCT x.person_id, coalesce(d.door, am.old_addr_key) AS door
            FROM move_applications ma JOIN applied_moves am USING (move_key) JOIN person_records x USING (record_id)
            LEFT JOIN _hh_doors d ON d.addr_key = am.old_addr_key
        ), several AS (
            SELECT person_id FROM person_records GROUP BY person_id HAVING count(*) > 1)
        SELECT pr.person_id, list(DISTINCT coalesce(d.door, r.addr_key)) AS addrs
        FROM person_records pr JOIN several USING (person_id) JOIN records r USING (record_id)
        LEFT JOIN _hh_doors d ON d.addr_key = r.addr_key
        WHERE r.addr_key IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM left_addr l WHERE l.person_id = pr.person_id
                          AND l.door = coalesce(d.door, r.addr_key))
        GROUP BY pr.person_id HAVING count(DISTINCT coalesce(d.door, r.addr_key)) > 1""")
    run(conn, """CREATE OR REPLACE TEMP TABLE _hh_items AS
        SELECT h.household_id, 'surnames' AS reason,
               'surnames ' ||
               array_to_string(list_sort(list_distinct(list(p.last_name))), ', ') AS detail,
               NULL::BIGINT AS person_id, h.addr_key
        FROM households h JOIN household_members m USING (household_id) JOIN persons p USING (person_id)
        JOIN _hh_addr a ON a.door = h.addr_key
        WHERE h.surname_groups > 1 AND NOT a.crowded
        GROUP BY h.household_id, h.addr_key
        UNION ALL
        SELECT h.household_id, 'surnames',
               h.address_households || ' households at this address', NULL, h.addr_key
        FROM households h JOIN _hh_addr a ON a.door = h.addr_key
        WHERE h.address_households > 1 AND NOT a.crowded
        UNION ALL
        SELECT h.household_id, 'crowded',
               a.people || ' people, no unit numbers', NULL, h.addr_key
        FROM households h JOIN _hh_addr a ON a.door = h.addr_key WHERE a.crowded
        UNION ALL
        SELECT m.household_id, 'two_addresses',
               coalesce(p.first_name || ' ', '') || coalesce(p.last_name, '') || ': ' ||
               array_to_string(list_transform(list_sort(x.addrs), lambda a: replace(a, '|', ' ')), '; '),
               m.person_id, p.addr_key
        FROM _hh_two x JOIN household_members m USING (person_id) JOIN persons p USING (person_id)""")
    run(conn, """INSERT INTO household_review_items
        SELECT i.household_id, i.reason, i.detail, i.person_id, i.addr_key,
               CASE WHEN h.signature IN (SELECT signature FROM household_accepts) THEN 'accepted' ELSE 'open' END, ?
        FROM _hh_items i JOIN households h USING (household_id)""", [now])
    run(conn, """UPDATE households SET needs_review = x.open_items > 0, review_reasons = x.reasons
        FROM (SELECT household_id, count(*) FILTER (WHERE status = 'open') AS open_items,
                     list(DISTINCT reason ORDER BY reason) FILTER (WHERE status = 'open') AS reasons
              FROM household_review_items GROUP BY household_id) x
        WHERE households.household_id = x.household_id""")
    run(conn, "DROP TABLE IF EXISTS _hh_items")
    run(conn, "DROP TABLE IF EXISTS _hh_two")
