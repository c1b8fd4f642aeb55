"""Doors: standard addresses (``addr_key``) that are one address typed two ways.

Standardisation makes 'Harvard Lane' and 'HARVARD LN.' one ``addr_key``, but not a typing slip
('1215 HARAVRD LN'), nor a part written on one side only ('2677 FRANCIS' for '2677 FRANCIS CIR',
'214 HALL ST' for '214 NE HALL ST', '112 DIAZ DR' for '112 DIAZ DR APT 1'). Two addresses are one door
when they have the same ZIP5 (or city and state), the same house number, and:

- the street name (the words without directional and suffix) is equal, or one typing slip apart
  (Damerau-Levenshtein 1, names of three letters or more: BERY for BERRY, CPOK for COOK; two slips
  for names of eight or more: GWEDNOLYN for GWINDOLYN);
- the suffix is equal, or written on one side only and the only suffix seen at that house number and
  name (a different suffix, PINE RD and PINE DR, is another street; '12 PINE' beside both is unclear
  and joins neither); the same for the directional (N MAIN ST is not S MAIN ST);
- the unit is equal, or missing on one side and the only unit seen at that house number and name
  (in a building with several units, an address without its unit is the building, not a flat).

Writes ``_hh_doors(addr_key, door)``: ``door`` is the cluster's most used spelling. A door groups people
at the address level only: a household still needs a compatible surname or shared evidence
(grouping.py).
"""

from __future__ import annotations

import duckdb

from workbench.households.graph import connected_components
from workbench.standardise import tables
from workbench.standardise.sql_text import quote
from workbench.store.sql import run

MIN_NAME = 3  # a street name must be at least this long for a typing slip in it to be the same street
MIN_NAME_2 = 8  # and this long for two slips
DIRECTIONS = ("N", "S", "E", "W", "NE", "NW", "SE", "SW")


def _suffixes() -> str:
    return "[" + ", ".join(quote(s) for s in sorted(set(tables.street_suffixes().values()))) + "]"


def find_doors(conn: duckdb.DuckDBPyConnection, people: str = "_hp") -> None:
    """``_hh_doors(addr_key, door)`` for every ``addr_key`` of ``people``."""
    dirs = "[" + ", ".join(quote(d) for d in DIRECTIONS) + "]"
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _hh_addrs AS
        WITH a AS (SELECT addr_key, count(*) AS persons FROM {people} WHERE addr_key IS NOT NULL GROUP BY addr_key),
        k AS (SELECT addr_key, persons, row_number() OVER (ORDER BY addr_key) AS node,
                     split_part(addr_key, '|', 1) AS street, split_part(addr_key, '|', 2) AS unit,
                     split_part(addr_key, '|', 3) AS zip
              FROM a),
        w AS (SELECT *, string_split(street, ' ') AS words FROM k),
        -- the words after the house number: [pre-directional] name... [suffix] [post-directional]
        p AS (SELECT *, words[1] AS number, words[2:] AS rest FROM w),
        d AS (SELECT *, CASE WHEN len(rest) >= 2 AND list_contains({dirs}, rest[1]) THEN rest[1] END AS predir,
                        CASE WHEN len(rest) >= 3 AND list_contains({dirs}, rest[-1]) THEN rest[-1] END AS postdir
              FROM p),
        e AS (SELECT *, rest[CASE WHEN predir IS NULL THEN 1 ELSE 2 END:
                             CASE WHEN postdir IS NULL THEN len(rest) ELSE len(rest) - 1 END] AS body FROM d),
        f AS (SELECT *, CASE WHEN len(body) >= 2 AND list_contains({_suffixes()}, body[-1]) THEN body[-1] END AS suffix
              FROM e)
        SELECT addr_key, persons, node, street, unit, zip, number,
               coalesce(predir, postdir) AS dir, suffix,
               array_to_string(CASE WHEN suffix IS NULL THEN body ELSE body[:len(body) - 1] END, ' ') AS name
        FROM f""")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _hh_addr_edges AS
        WITH b AS (SELECT * FROM _hh_addrs WHERE regexp_matches(number, '^[0-9]') AND zip <> '' AND name <> ''),
        -- per house number and street name: the suffixes, directionals and units written there
        g AS (SELECT zip, number, name, count(DISTINCT suffix) AS suffixes, count(DISTINCT dir) AS dirs,
                     count(DISTINCT nullif(unit, '')) AS units
              FROM b GROUP BY ALL),
        c AS (SELECT b.*, g.suffixes, g.dirs, g.units FROM b JOIN g USING (zip, number, name))
        SELECT x.node AS a, y.node AS b
        FROM c x JOIN c y ON x.zip = y.zip AND x.number = y.number AND x.node < y.node
        WHERE (x.name = y.name
               OR (least(length(x.name), length(y.name)) >= {MIN_NAME}
                   AND damerau_levenshtein(x.name, y.name) <= 1)
               OR (least(length(x.name), length(y.name)) >= {MIN_NAME_2}
                   AND damerau_levenshtein(x.name, y.name) <= 2))
          AND (x.suffix IS NOT DISTINCT FROM y.suffix
               OR (x.suffix IS NULL AND x.suffixes <= 1) OR (y.suffix IS NULL AND y.suffixes <= 1))
          AND (x.dir IS NOT DISTINCT FROM y.dir
               OR (x.dir IS NULL AND x.dirs <= 1) OR (y.dir IS NULL AND y.dirs <= 1))
          AND (x.unit = y.unit OR (x.unit = '' AND x.units <= 1) OR (y.unit = '' AND y.units <= 1))""")
    connected_components(conn, "SELECT node FROM _hh_addrs", "SELECT a, b FROM _hh_addr_edges", "_hh_addr_cc")
    run(conn, """CREATE OR REPLACE TEMP TABLE _hh_doors AS
        WITH c AS (SELECT a.addr_key, a.persons, cc.label FROM _hh_addrs a JOIN _hh_addr_cc cc ON cc.node = a.node)
        SELECT c.addr_key, r.door
        FROM c JOIN (SELECT label, arg_max(addr_key, struct_pack(p := persons, k := addr_key)) AS door
                     FROM c GROUP BY label) r USING (label)""")
    for t in ("_hh_addrs", "_hh_addr_edges", "_hh_addr_cc"):
        run(conn, f"DROP TABLE IF EXISTS {t}")
