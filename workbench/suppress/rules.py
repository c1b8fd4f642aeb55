"""The match rules: which people records (and golden records) a suppression entry reaches.

All comparisons are on the standardised forms the loader and the address step wrote:

- ``email``: ``email_std = email_std`` (case and whitespace were folded by ``wb_email``).
- ``phone``: ``phone_std = phone_std`` (10 digits, whatever the format: ``wb_phone``).
- ``person``: a manual opt-out naming a person; it reaches the records that person had when it was added.
- ``address``: everyone at the address: same standardised street and ZIP5, units compatible (equal, or
  either side has none).
- ``name_address``: the address as above, then the surname and the first name:
  surname: equal once spaces, apostrophes, generational suffixes and SAINT/ST are folded, or sharing a
  part of a hyphenated surname, or one typing slip apart (both of 4+ letters) when the first names are
  both given in full and equal or nicknames of one another (Ken Riivera is Kenneth Rivera);
  first name: equal, or sharing a nickname root (Bob/Robert/Rob), or one side an initial that is the
  other's first letter ('R' reaches Robert, never Michael), or missing on either side (a list row with a
  surname only is "the Smiths at this address"). A generational suffix on both sides that differs
  (JR / SR) never matches. Only when no record at the address matches with its first name in full, a
  first name one typing slip away (both of 4+ letters) is accepted: so "Jonh" finds John, but an entry for John never
  reaches his wife Joan who lives with him. (A duplicate record "Jonh" of a John who matched is then
  reached through the person, once a match run has merged it.)

The rules run on records and on golden records (``persons``): a person whose golden address was updated
by a change of address is also reached at the new address.
"""

from __future__ import annotations

import duckdb

from workbench.standardise import nickname_pairs
from workbench.store.sql import run

GENERATIONS = ("JR", "SR", "II", "III", "IV")
FUZZY_MIN_LENGTH = 4  # names shorter than this must match exactly (one slip turns Joan into John... 4 letters)

_GEN_LIST = "[" + ", ".join(f"'{g}'" for g in GENERATIONS) + "]"

MACROS = f"""
CREATE OR REPLACE TEMP MACRO wb_sup_gen(fk, lk) AS nullif(list_filter(
    string_split(trim(coalesce(fk, '') || ' ' || coalesce(lk, '')), ' '), lambda t: list_contains({_GEN_LIST}, t))[1], '');
CREATE OR REPLACE TEMP MACRO wb_sup_first(fk) AS nullif(list_filter(
    string_split(coalesce(fk, ''), ' '), lambda t: t <> '' AND NOT list_contains({_GEN_LIST}, t))[1], '');
CREATE OR REPLACE TEMP MACRO wb_sup_last(lk) AS nullif(replace(regexp_replace(array_to_string(list_filter(
    string_split(coalesce(lk, ''), ' '), lambda t: t <> '' AND NOT list_contains({_GEN_LIST}, t)), ' '),
    '^SAINT ', 'ST '), ' ', ''), '');
"""


def install_rule_macros(conn: duckdb.DuckDBPyConnection) -> None:
    """Name helpers on this connection: generational suffix, first given name, folded surname."""
    run(conn, MACROS)


def build_nickname_table(conn: duckdb.DuckDBPyConnection) -> None:
    """TEMP table ``_sup_nick(name, roots)``: every formal name a nickname stands for, and itself."""
    pairs = sorted(set(nickname_pairs()))
    run(conn, "CREATE OR REPLACE TEMP TABLE _sup_nick_pairs AS SELECT unnest(?::VARCHAR[]) AS nick, "
              "unnest(?::VARCHAR[]) AS name", [[p[0] for p in pairs], [p[1] for p in pairs]])
    run(conn, """CREATE OR REPLACE TEMP TABLE _sup_nick AS
        SELECT nick AS name, list_distinct(list(name) || [nick]) AS roots FROM _sup_nick_pairs GROUP BY nick""")


UNIT_COMPATIBLE = "(e.addr_unit IS NULL OR c.addr_unit IS NULL OR e.addr_unit = c.addr_unit)"
GEN_COMPATIBLE = "(e.gen IS NULL OR c.gen IS NULL OR e.gen = c.gen)"
SURNAME_STRICT = ("(replace(e.ln, '-', '') = replace(c.ln, '-', '') OR "
                  "list_has_any(list_filter(string_split(e.ln, '-'), lambda p: length(p) > 1), "
                  "list_filter(string_split(c.ln, '-'), lambda p: length(p) > 1)))")
SURNAME_SLIP = (f"(length(e.ln) >= {FUZZY_MIN_LENGTH} AND length(c.ln) >= {FUZZY_MIN_LENGTH} AND "
                "damerau_levenshtein(replace(e.ln, '-', ''), replace(c.ln, '-', '')) <= 1)")
FIRST_STRICT = ("(e.fn IS NULL OR c.fn IS NULL OR e.fn = c.fn OR list_has_any(e.roots, c.roots) OR "
                "(length(e.fn) = 1 AND left(c.fn, 1) = e.fn) OR (length(c.fn) = 1 AND left(e.fn, 1) = c.fn))")
FIRST_FULL = ("(length(e.fn) > 1 AND length(c.fn) > 1 AND (e.fn = c.fn OR list_has_any(e.roots, c.roots)))")
FIRST_SLIP = (f"(length(e.fn) >= {FUZZY_MIN_LENGTH} AND length(c.fn) >= {FUZZY_MIN_LENGTH} AND "
              "damerau_levenshtein(e.fn, c.fn) <= 1)")


def _people_at(entries: str, on: str, match_on: str) -> str:
    """Records and golden records an entry reaches by a join condition over e (entry) and c (candidate)."""
    return f"""
    SELECT e.entry_id, pr.person_id, c.record_id, c.first_name_key, c.last_name_key, c.addr_unit
    FROM {entries} e JOIN records c ON {on} JOIN person_records pr ON pr.record_id = c.record_id
    WHERE e.match_on = '{match_on}'
    UNION ALL
    SELECT e.entry_id, c.person_id, c.golden_from.address, c.first_name_key, c.last_name_key, c.addr_unit
    FROM {entries} e JOIN persons c ON {on}
    WHERE e.match_on = '{match_on}'"""


def match_sql() -> str:
    """SELECT over TEMP ``_sup_entries`` giving (entry_id, person_id, record_id) for every person
    (and the record through which) an entry reaches; call :func:`build_name_hits` first."""
    address = "c.zip5 = e.zip5 AND c.addr_street = e.addr_street AND " + UNIT_COMPATIBLE
    return f"""
    SELECT e.entry_id, pr.person_id, c.record_id FROM _sup_entries e
        JOIN records c ON c.email_std = e.email_std JOIN person_records pr ON pr.record_id = c.record_id
        WHERE e.match_on = 'email'
    UNION ALL
    SELECT e.entry_id, pr.person_id, c.record_id FROM _sup_entries e
        JOIN records c ON c.phone_std = e.phone_std JOIN person_records pr ON pr.record_id = c.record_id
        WHERE e.match_on = 'phone'
    UNION ALL
    SELECT e.entry_id, pr.person_id, pr.record_id FROM _sup_entries e, unnest(e.record_ids) AS u(rid)
        JOIN person_records pr ON pr.record_id = u.rid WHERE e.match_on = 'person'
    UNION ALL
    SELECT entry_id, person_id, record_id FROM ({_people_at("_sup_entries", address, "address")})
    UNION ALL
    SELECT entry_id, person_id, record_id FROM _sup_name_hits
        WHERE strict OR entry_id NOT IN (SELECT entry_id FROM _sup_name_hits WHERE strict AND full_name)
    """


def build_name_hits(conn: duckdb.DuckDBPyConnection) -> None:
    """TEMP ``_sup_name_hits(entry_id, person_id, record_id, strict, full_name)``: name_address candidates
    at the entry's address that pass the name tests; strict when no typing slip in the first name was
    needed, full_name when both first names are given in full and agree (a first-name slip is only
    accepted for entries with no full_name hit: an initial or a blank first name does not block it)."""
    address = "c.zip5 = e.zip5 AND c.addr_street = e.addr_street AND " + UNIT_COMPATIBLE
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _sup_name_cand AS
        SELECT x.entry_id, x.person_id, x.record_id, x.fn, x.ln, x.gen, coalesce(n.roots, [x.fn]) AS roots
        FROM (SELECT entry_id, person_id, record_id, wb_sup_first(first_name_key) AS fn,
                     wb_sup_last(last_name_key) AS ln, wb_sup_gen(first_name_key, last_name_key) AS gen
              FROM ({_people_at("_sup_entries", address, "name_address")})) x
        LEFT JOIN _sup_nick n ON n.name = x.fn""")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _sup_name_hits AS
        SELECT c.entry_id, c.person_id, c.record_id,
               ({SURNAME_STRICT} AND {FIRST_STRICT}) OR ({SURNAME_SLIP} AND {FIRST_FULL}) AS strict,
               {FIRST_FULL} AS full_name
        FROM _sup_name_cand c JOIN _sup_entries e USING (entry_id)
        WHERE {GEN_COMPATIBLE} AND c.ln IS NOT NULL AND e.ln IS NOT NULL
          AND (({SURNAME_STRICT} AND ({FIRST_STRICT} OR {FIRST_SLIP}))
               OR ({SURNAME_SLIP} AND {FIRST_FULL}))""")


def entry_name_features(alias: str = "x") -> str:
    """Name columns every entry carries (fn, ln, gen; roots added by a join to _sup_nick)."""
    return (f"wb_sup_first({alias}.first_name_key) AS fn, wb_sup_last({alias}.last_name_key) AS ln, "
            f"wb_sup_gen({alias}.first_name_key, {alias}.last_name_key) AS gen")
