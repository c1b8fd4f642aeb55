"""Doors: standard addresses (``addr_key``) that are one address typed two ways.

Standardisation makes 'Harvard Lane' and 'HARVARD LN.' one ``addr_key``, but not a typing slip
('1215 HARAVRD LN'). Two addresses are one door when they have the same ZIP5, the same house number
and the same unit, and the rest of the street is one typing slip apart (Damerau-Levenshtein 1, at
least six characters) in the street's name: a different suffix (PINE RD, PINE DR) or directional
(N MAIN ST, S MAIN ST) is another street. Writes ``_hh_doors(addr_key, door)``: ``door`` is the cluster's most used spelling.
"""

from __future__ import annotations

import duckdb

from workbench.households.graph import connected_components
from workbench.store.sql import run

MIN_STREET = 6  # the street after the house number must be at least this long to be compared
# a slip that changes a street suffix or a directional is another street, not a typing slip
SUFFIXES = "['ST', 'AVE', 'RD', 'DR', 'LN', 'CT', 'PL', 'BLVD', 'TER', 'WAY', 'CIR', 'PKWY', 'HWY', 'SQ', 'TRL', 'LOOP']"
DIRECTIONS = "['N', 'S', 'E', 'W', 'NE', 'NW', 'SE', 'SW']"


def find_doors(conn: duckdb.DuckDBPyConnection, people: str = "_hp") -> None:
    """``_hh_doors(addr_key, door)`` for every ``addr_key`` of ``people``."""
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _hh_addrs AS
        WITH a AS (SELECT addr_key, count(*) AS persons FROM {people} WHERE addr_key IS NOT NULL GROUP BY addr_key)
        SELECT addr_key, persons, row_number() OVER (ORDER BY addr_key) AS node,
               split_part(addr_key, '|', 1) AS street, split_part(addr_key, '|', 2) AS unit,
               split_part(addr_key, '|', 3) AS zip
        FROM a""")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _hh_addr_edges AS
        WITH b AS (
            SELECT node, zip, unit, split_part(street, ' ', 1) AS number,
                   substr(street, length(split_part(street, ' ', 1)) + 2) AS rest
            FROM _hh_addrs WHERE regexp_matches(street, '^[0-9]') AND zip <> '')
        SELECT x.node AS a, y.node AS b
        FROM b x JOIN b y ON x.zip = y.zip AND x.number = y.number AND x.unit = y.unit AND x.node < y.node
        WHERE length(x.rest) >= {MIN_STREET} AND length(y.rest) >= {MIN_STREET}
          AND abs(length(x.rest) - length(y.rest)) <= 1 AND damerau_levenshtein(x.rest, y.rest) <= 1
          -- a slip in the name only: PINE RD is not PINE DR, N MAIN ST is not S MAIN ST
          AND (regexp_extract(x.rest, '[^ ]+$') = regexp_extract(y.rest, '[^ ]+$')
               OR NOT (list_contains({SUFFIXES}, regexp_extract(x.rest, '[^ ]+$'))
                       OR list_contains({SUFFIXES}, regexp_extract(y.rest, '[^ ]+$'))))
          AND (split_part(x.rest, ' ', 1) = split_part(y.rest, ' ', 1)
               OR NOT (list_contains({DIRECTIONS}, split_part(x.rest, ' ', 1))
                       OR list_contains({DIRECTIONS}, split_part(y.rest, ' ', 1))))""")
    connected_components(conn, "SELECT node FROM _hh_addrs", "SELECT a, b FROM _hh_addr_edges", "_hh_addr_cc")
    run(conn, """CREATE OR REPLACE TEMP TABLE _hh_doors AS
        WITH c AS (SELECT a.addr_key, a.persons, cc.label FROM _hh_addrs a JOIN _hh_addr_cc cc ON cc.node = a.node)
        SELECT c.addr_key, r.door
        FROM c JOIN (SELECT label, arg_max(addr_key, struct_pack(p := persons, k := addr_key)) AS door
                     FROM c GROUP BY label) r USING (label)""")
    for t in ("_hh_addrs", "_hh_addr_edges", "_hh_addr_cc"):
        run(conn, f"DROP TABLE IF EXISTS {t}")
