"""Who lives with whom: persons grouped into households at their current address (current.py).

Three levels: the address (everyone at one door: ``addr_key``, the standard street, unit and ZIP5;
spellings one typing slip apart are one door, see doors.py), the household, the individual (the
person). Inside one door:

1. Surname groups: persons whose surnames are compatible: equal (spaces ignored, SAINT = ST), sharing a
   hyphenated part ('SMITH-JONES' ~ 'SMITH'), or one typing slip apart (Damerau-Levenshtein 1, names of
   four letters or more); compatibility chains (SMITH ~ SMITH-JONES ~ JONES).
2. Households: surname groups joined by evidence: a marked partner (an operator's decision), a phone
   number or email shared at the address (on any of their records), people who came from one old door
   together, and, only with ``households.partners = probable``, everyone at an address that is not
   crowded. Otherwise different surnames at one door are roommates: separate households (the default,
   ``marked``). A crowded address has more than
   ``households.crowded_people`` (6) people and no unit numbers: there only surnames and evidence join.
   People without a surname join the address's largest surname group.
   A person without a street address joins the one household they share a phone or email with, or
   else the one household in their ZIP5 with their surname (otherwise they are a household alone).
   The door is the person's current address by recency (current.py), and persons left behind at a door
   their family's records left follow the family.
3. Decisions: a person an operator moved or split off is placed by the decisions only ('pin'); 'together'
   links (move, merge, accept) join persons. Both hold while the persons live at the decision's address;
   a later pin of a person cancels that person's earlier links.

Writes ``_hh_person(person_id, label, sg, door, pinned, linked, attached)``: ``label`` is the household's
smallest person id, ``sg`` the surname group, ``attached`` how a person without an address was placed.
"""

from __future__ import annotations

import duckdb

from workbench.households.current import ADDRESS, current_addresses, follow_leavers
from workbench.households.doors import find_doors
from workbench.households.graph import connected_components
from workbench.households.rules import HouseholdRules
from workbench.store.sql import run

TOKEN_BASE = 1 << 52  # token node ids live above any person id
FUZZY_MAX_TOKENS = 40  # addresses with more distinct surnames than this compare them exactly only
EVIDENCE_MAX_PEOPLE = 4  # a phone or email shared by more people at one address is not a partner sign
CONTACT_MAX_PERSONS = 8  # a phone or email more persons than this carry is no one's own (a switchboard)


def group_persons(conn: duckdb.DuckDBPyConnection, rules: HouseholdRules) -> dict[str, int]:
    """Build ``_hh_person``; returns figures (persons, addresses, crowded addresses, rounds)."""
    current_addresses(conn)
    cur = ", ".join(f"CASE WHEN c.person_id IS NULL THEN p.{a} ELSE c.{a} END AS {a}" for a in ADDRESS)
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _hp AS
        SELECT p.person_id, {cur}, p.last_name_key, p.first_name_key, p.first_name_root, p.phone, p.email,
               a.anchor, false AS followed
        FROM persons p LEFT JOIN _hh_cur c USING (person_id)
        JOIN (SELECT person_id, min(record_id) AS anchor FROM person_records GROUP BY person_id) a USING (person_id)""")
    _contacts(conn)
    find_doors(conn, "_hp")
    run(conn, "CREATE OR REPLACE TEMP TABLE _hp2 AS SELECT h.*, d.door FROM _hp h LEFT JOIN _hh_doors d USING (addr_key)")
    run(conn, "DROP TABLE _hp")
    run(conn, "ALTER TABLE _hp2 RENAME TO _hp")
    _unit_by_surname(conn)
    followed = follow_leavers(conn)
    _decisions(conn)
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _hh_addr AS
        SELECT door, count(*) AS persons,
               count(DISTINCT coalesce(first_name_root, first_name_key, '?' || person_id) || '|' ||
                              coalesce(hh_surname(last_name_key), '?' || person_id)) AS people,
               bool_or(addr_unit IS NOT NULL) AS has_unit,
               NOT bool_or(addr_unit IS NOT NULL) AND count(DISTINCT coalesce(first_name_root, first_name_key,
                   '?' || person_id) || '|' || coalesce(hh_surname(last_name_key), '?' || person_id))
                   > {int(rules.crowded_people)} AS crowded
        FROM _hp WHERE door IS NOT NULL GROUP BY door""")
    rounds_a = _surname_groups(conn)
    rounds_b = _households(conn, rules)
    _attach_addressless(conn)
    figures = conn.execute("SELECT (SELECT count(*) FROM _hp), (SELECT count(*) FROM _hh_addr), "
                           "(SELECT count(*) FROM _hh_addr WHERE crowded)").fetchall()[0]
    run(conn, "DROP TABLE IF EXISTS _hh_contact")
    run(conn, "DROP TABLE IF EXISTS _hh_moved")
    run(conn, "DROP TABLE IF EXISTS _hh_cur")
    return {"persons": figures[0], "addresses": figures[1], "crowded_addresses": figures[2],
            "rounds": rounds_a + rounds_b, "followed_family": followed}


def _unit_by_surname(conn: duckdb.DuckDBPyConnection) -> None:
    """A person whose address has no unit, in a building where several units are written (so doors.py left
    the address as the building), lives in the unit where their surname does when exactly one unit of that
    building holds it: BRENDA WILSON at '2607 ADRIENNE LN' joins the Wilsons of unit 3, not a household of
    her own. Two units with her surname, or none: the building stays her door."""
    run(conn, """CREATE OR REPLACE TEMP TABLE _hh_unit_pick AS
        WITH d AS (SELECT person_id, door, split_part(door, '|', 1) || '|' || split_part(door, '|', 3) AS building,
                          split_part(door, '|', 2) = '' AS bare, hh_surname(last_name_key) AS surname
                   FROM _hp WHERE door IS NOT NULL AND last_name_key IS NOT NULL),
        units AS (SELECT DISTINCT building, surname, door FROM d WHERE NOT bare),
        one AS (SELECT building, surname, any_value(door) AS door FROM units GROUP BY ALL HAVING count(*) = 1)
        SELECT d.person_id, one.door FROM d JOIN one USING (building, surname)
        WHERE d.bare AND d.building IN (SELECT building FROM units GROUP BY building HAVING count(DISTINCT door) > 1)""")
    run(conn, """UPDATE _hp SET door = u.door FROM _hh_unit_pick u WHERE _hp.person_id = u.person_id""")
    run(conn, "DROP TABLE IF EXISTS _hh_unit_pick")


def _contacts(conn: duckdb.DuckDBPyConnection) -> None:
    """``_hh_contact(person_id, token)``: every phone number ('P...') and email ('E...') on any of a
    person's records or golden record, leaving out those more than ``CONTACT_MAX_PERSONS`` persons carry
    (a switchboard, a placeholder)."""
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _hh_contact AS
        WITH t AS (
            SELECT pr.person_id, 'P' || r.phone_std AS token FROM person_records pr JOIN records r USING (record_id)
            WHERE r.phone_std IS NOT NULL
            UNION SELECT pr.person_id, 'E' || r.email_std FROM person_records pr JOIN records r USING (record_id)
            WHERE r.email_std IS NOT NULL
            UNION SELECT person_id, 'P' || phone FROM _hp WHERE phone IS NOT NULL
            UNION SELECT person_id, 'E' || email FROM _hp WHERE email IS NOT NULL)
        SELECT person_id, token FROM t QUALIFY count(*) OVER (PARTITION BY token) <= {CONTACT_MAX_PERSONS}""")


def _decisions(conn: duckdb.DuckDBPyConnection) -> None:
    """``_hh_pin(person_id, pinned_at)`` and ``_hh_together(a, b)``: the decisions that hold now."""
    run(conn, """CREATE OR REPLACE TEMP TABLE _hh_dl AS
        SELECT l.decision_id, l.link, pa.person_id AS a, pb.person_id AS b, coalesce(d.door, l.addr_key) AS door
        FROM household_links l JOIN person_records pa ON pa.record_id = l.record_a
        LEFT JOIN person_records pb ON pb.record_id = l.record_b
        LEFT JOIN _hh_doors d ON d.addr_key = l.addr_key""")
    run(conn, """CREATE OR REPLACE TEMP TABLE _hh_pin AS
        SELECT d.a AS person_id, max(d.decision_id) AS pinned_at
        FROM _hh_dl d JOIN _hp p ON p.person_id = d.a AND p.door = d.door
        WHERE d.link = 'pin' GROUP BY d.a""")
    run(conn, """CREATE OR REPLACE TEMP TABLE _hh_together AS
        SELECT DISTINCT d.a, d.b
        FROM _hh_dl d
        JOIN _hp pa ON pa.person_id = d.a AND pa.door = d.door
        JOIN _hp pb ON pb.person_id = d.b AND pb.door = d.door
        LEFT JOIN _hh_pin xa ON xa.person_id = d.a
        LEFT JOIN _hh_pin xb ON xb.person_id = d.b
        WHERE d.link = 'together' AND d.a <> d.b
          AND coalesce(xa.pinned_at, 0) <= d.decision_id AND coalesce(xb.pinned_at, 0) <= d.decision_id""")


def _surname_groups(conn: duckdb.DuckDBPyConnection) -> int:
    """``_hh_sg(person_id, sg)`` for every unpinned person with an address and a surname.

    Most doors are simple (one surname part per person, no typing slips between parts): there a
    surname group is one (door, part). Only the other doors go through connected components."""
    run(conn, """CREATE OR REPLACE TEMP TABLE _hh_named AS
        SELECT p.person_id, p.door, unnest(hh_surname_parts(p.last_name_key)) AS part
        FROM _hp p WHERE p.door IS NOT NULL AND p.last_name_key IS NOT NULL
          AND p.person_id NOT IN (SELECT person_id FROM _hh_pin)""")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _hh_tok AS
        SELECT door, part, {TOKEN_BASE} + row_number() OVER () AS node, count(*) OVER (PARTITION BY door) AS n
        FROM (SELECT DISTINCT door, part FROM _hh_named)""")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _hh_fuzzy AS
        WITH t AS (SELECT * FROM _hh_tok WHERE n BETWEEN 2 AND {FUZZY_MAX_TOKENS} AND length(part) >= 4)
        SELECT x.door, x.node AS a, y.node AS b
        FROM t x JOIN t y ON x.door = y.door AND x.node < y.node
        WHERE abs(length(x.part) - length(y.part)) <= 1 AND damerau_levenshtein(x.part, y.part) <= 1""")
    run(conn, """CREATE OR REPLACE TEMP TABLE _hh_hard AS
        SELECT DISTINCT door FROM _hh_fuzzy
        UNION SELECT door FROM _hh_named GROUP BY door, person_id HAVING count(*) > 1""")
    rounds = connected_components(
        conn,
        "SELECT person_id AS node FROM _hh_named WHERE door IN (SELECT door FROM _hh_hard)",
        "SELECT n.person_id AS a, t.node AS b FROM _hh_named n JOIN _hh_tok t USING (door, part) "
        "WHERE n.door IN (SELECT door FROM _hh_hard) UNION ALL SELECT a, b FROM _hh_fuzzy",
        "_hh_sg_hard")
    run(conn, """CREATE OR REPLACE TEMP TABLE _hh_sg AS
        SELECT node AS person_id, label AS sg FROM _hh_sg_hard
        UNION ALL
        SELECT person_id, min(person_id) OVER (PARTITION BY door, part) FROM _hh_named
        WHERE door NOT IN (SELECT door FROM _hh_hard)""")
    for t in ("_hh_sg_hard", "_hh_hard", "_hh_fuzzy", "_hh_tok", "_hh_named"):
        run(conn, f"DROP TABLE IF EXISTS {t}")
    return rounds


def _households(conn: duckdb.DuckDBPyConnection, rules: HouseholdRules) -> int:
    """``_hh_person``: surname groups, nameless and pinned persons joined into households.

    Simple doors need no graph: with probable partners an uncrowded door is one household, otherwise
    each surname group is one. Doors with shared contacts, people without a surname, pins or links
    go through connected components."""
    probable = "true" if rules.partners == "probable" else "false"
    # one node per surname group (its label, a person id) or per pinned / nameless person
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _hh_node AS
        SELECT p.person_id, p.door, coalesce(s.sg, p.person_id) AS node, s.sg,
               p.person_id IN (SELECT person_id FROM _hh_pin) AS pinned, {probable} AND NOT a.crowded AS whole
        FROM _hp p JOIN _hh_addr a USING (door) LEFT JOIN _hh_sg s USING (person_id)""")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _hh_tokens AS
        WITH free AS (
            SELECT n.* FROM _hh_node n WHERE NOT n.pinned AND NOT n.whole
        ), evidence AS (
            SELECT f.door, c.token, f.node FROM free f JOIN _hh_contact c USING (person_id)
            UNION ALL SELECT f.door, m.token, f.node FROM free f JOIN _hh_moved m USING (person_id)
        ), shared AS (
            SELECT door, token, node FROM evidence
            QUALIFY count(DISTINCT node) OVER (PARTITION BY door, token) BETWEEN 2 AND {EVIDENCE_MAX_PEOPLE}
        ), nameless AS (SELECT * FROM free WHERE sg IS NULL
        ), biggest AS (  -- the largest surname group at a door with people without a surname
            SELECT door, arg_max(sg, struct_pack(n := n, s := -sg)) AS sg
            FROM (SELECT door, sg, count(*) AS n FROM free WHERE sg IS NOT NULL
                  AND door IN (SELECT door FROM nameless) GROUP BY ALL) GROUP BY door
        )
        SELECT door, token, node FROM shared
        UNION ALL SELECT door, 'S', node FROM nameless
        UNION ALL SELECT door, 'S', sg FROM biggest""")
    run(conn, """CREATE OR REPLACE TEMP TABLE _hh_hard AS
        SELECT DISTINCT door FROM _hh_tokens
        UNION SELECT door FROM _hh_node WHERE pinned
        UNION SELECT n.door FROM _hh_together l JOIN _hh_node n ON n.person_id = l.a""")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _hh_tokid AS
        SELECT door, token, {TOKEN_BASE} + row_number() OVER () AS tnode
        FROM (SELECT DISTINCT door, token FROM _hh_tokens
              UNION SELECT door, '*' FROM _hh_node WHERE whole AND NOT pinned AND door IN (SELECT door FROM _hh_hard))""")
    rounds = connected_components(
        conn,
        "SELECT node FROM _hh_node WHERE door IN (SELECT door FROM _hh_hard)",
        """SELECT t.node AS a, i.tnode AS b FROM _hh_tokens t JOIN _hh_tokid i USING (door, token)
           UNION ALL
           SELECT n.node, i.tnode FROM _hh_node n JOIN _hh_tokid i ON i.door = n.door AND i.token = '*'
           WHERE n.whole AND NOT n.pinned
           UNION ALL
           SELECT na.node, nb.node FROM _hh_together l
           JOIN _hh_node na ON na.person_id = l.a JOIN _hh_node nb ON nb.person_id = l.b""",
        "_hh_cc")
    run(conn, """CREATE OR REPLACE TEMP TABLE _hh_person AS
        WITH labelled AS (
            SELECT n.*, coalesce(c.label, CASE WHEN n.whole THEN min(n.node) OVER (PARTITION BY n.door)
                                               ELSE n.node END) AS label
            FROM _hh_node n LEFT JOIN _hh_cc c USING (node))
        SELECT person_id, label, sg, door, pinned,
               person_id IN (SELECT a FROM _hh_together UNION SELECT b FROM _hh_together) AS linked,
               NULL::VARCHAR AS attached
        FROM labelled
        UNION ALL
        SELECT person_id, person_id, NULL, NULL, false, false, NULL FROM _hp WHERE door IS NULL""")
    for t in ("_hh_cc", "_hh_tokid", "_hh_tokens", "_hh_node", "_hh_sg", "_hh_dl", "_hh_hard"):
        run(conn, f"DROP TABLE IF EXISTS {t}")
    return rounds


def _attach_addressless(conn: duckdb.DuckDBPyConnection) -> None:
    """A person without a street address joins the one household they share a phone number or email
    with; failing that, the one household in their ZIP5 with their surname. Otherwise they stay alone."""
    run(conn, """CREATE OR REPLACE TEMP TABLE _hh_attach AS
        WITH lone AS (
            SELECT h.* FROM _hp h WHERE h.door IS NULL AND h.person_id NOT IN (SELECT person_id FROM _hh_pin)
        ), housed AS (
            SELECT h.*, g.label FROM _hp h JOIN _hh_person g USING (person_id) WHERE h.door IS NOT NULL
        ), contact AS (
            SELECT l.person_id, x.label FROM lone l JOIN _hh_contact a ON a.person_id = l.person_id
            JOIN _hh_contact b ON b.token = a.token JOIN housed x ON x.person_id = b.person_id
        ), by_contact AS (
            SELECT person_id, min(label) AS label FROM contact
            GROUP BY person_id HAVING count(DISTINCT label) = 1
        ), by_surname AS (
            SELECT l.person_id, min(x.label) AS label
            FROM lone l JOIN housed x ON x.zip5 = l.zip5 AND hh_surname(x.last_name_key) = hh_surname(l.last_name_key)
            WHERE l.person_id NOT IN (SELECT person_id FROM by_contact)
            GROUP BY l.person_id HAVING count(DISTINCT x.label) = 1
        )
        SELECT person_id, label, 'phone or email' AS attached FROM by_contact
        UNION ALL SELECT person_id, label, 'surname in ZIP' FROM by_surname""")
    run(conn, """UPDATE _hh_person SET label = a.label, attached = a.attached
        FROM _hh_attach a WHERE _hh_person.person_id = a.person_id""")
    run(conn, "DROP TABLE IF EXISTS _hh_attach")
