"""The match rules: which people records (and golden records, and old addresses) a suppression entry reaches.

All comparisons are on the standardised forms the loader and the address step wrote. Every hit says which
record (or golden record, or old address) it reached, by which rule and with which tolerances (the
``notes``), so ``person_suppressions.explanation`` can tell an operator why a person is left out.

- ``email``: ``email_std = email_std`` (case and whitespace were folded by ``wb_email``).
- ``phone``: ``phone_std = phone_std`` (10 digits, whatever the format: ``wb_phone``).
- ``person``: a manual opt-out naming a person; it reaches the records that person had when it was added,
  and any record loaded since that is plainly the same person (same surname, first name equal or a
  nickname, and the same email, phone, birth date or address): a duplicate under a new source key is
  suppressed before the next match run merges it.

Where a person is known: every record of the person (not only the one the golden address came from), the
golden record (a change of address may have replaced its address), and the old address of every applied
change-of-address move (``move_applications`` -> ``applied_moves.old_addr_key``). A list entry at any of
them reaches the person.

Same door (``address`` and ``name_address``): the ZIP5 agrees (or, when either side has no ZIP, the city and
state do; a record without a ZIP whose town is one typing slip from the entry's, PORT LUARA / PORT LAURA, in the
same state, is at the entry's town) and the street lines agree as parts, not as strings:

- the house number (the first word when it starts with a digit) is equal; a line with no house number
  (PO BOX 12, a rural route) must be equal whole;
- directionals (N S E W NE NW SE SW, before or after the name) agree, or one side has none
  (412 NW ELM ST is 412 ELM ST, never 412 NE ELM ST); a misspelt NORTH / SOUTH (one slip) or EAST / WEST
  (letters swapped) before two more words is a directional too (6578 SUOTH HOLLY WAY);
- the suffix (the last word, when a Pub 28 standard abbreviation) agrees, or one side has none;
- the street name is equal (spaces ignored), or, for names of 5+ letters without digits, one typing slip
  apart (Damerau-Levenshtein <= 1: MAPEL / MAPLE, CHESTNUT / CHESTNUTT), or for names of 8+ letters two
  slips with Jaro-Winkler >= 0.93; numbered streets (111TH / 112TH) must be equal; for a ``name_address``
  entry whose surname and first name agree in full, one slip at any length (DALE / DLAE, HILL / HOLL);
- the units are equal, or either side has none (APT 3 == # 3 == UNIT 3).

``name_address``: the door as above, then the surname and the first name:
surname: equal once spaces, apostrophes, generational suffixes and SAINT/ST are folded, or sharing a
part of a hyphenated surname, or one typing slip apart (both of 4+ letters) when the first names are
both given in full and equal or nicknames of one another (Ken Riivera is Kenneth Rivera), or, with the
first names equal, one slip between short surnames too (Joshua Lng is Joshua Long).
A title (MR, MRS, MS, MISS, DR, REV, ...) is not a first name. A generational suffix on both sides that
differs (JR / SR) never matches.
first name, in two strengths:
- full: both given in full, and equal or nicknames of one another (many-to-many: SANDY is ALEXANDRA and
  CASSANDRA); or one slip apart where the rarer spelling is no name of the nickname table and the house file
  holds the commoner one at least 20 times as often (and 10 times or more): JIHN beside 800 JOHNs is a
  misspelt John, while JOAN beside JOHN is a name of its own; such a misspelling read as the name it spoils
  and then compared as above (ROCHARD is RICHARD, so RICH reaches it). Always accepted.
- weak: an initial on either side that is the other's first letter ('R' reaches Robert, never Michael),
  a first name missing on the list (a list row with a surname only is "the Smiths at this door"), a person
  known by surname alone (no record gives a first name: a piece addressed to "Smith" at that door reaches
  the listed person), or a
  first name one typing slip away of the kind fingers make: two letters swapped (JONH / JOHN), a letter
  doubled or undoubled (PAULL / PAUL), or any one slip between names of 7+ letters (CHRISTINA /
  CHRISTINE). A different letter in a short name is another person's name: JOAN / JOHN, ERIN / ERIC,
  NORA / NORMA.
  A weak hit is accepted only when the entry has no full hit at that door: an entry for John never reaches
  his wife Joan, nor a record "J Smith" or a nameless Smith beside John's own (on the held-out tuning seed,
  16 of 19 such nameless persons were kin, not the listed person).
  Both names spoilt at the entry's own door: the surname one typing slip away (4+ letters) and the first name
  one of the slips above, a misspelling or missing on the person (MICHIEL VSAQUEZ for MICHAEL VASQUEZ, a
  nameless KULLER for LARRY KELLER) is a weak hit.

``name_birth_date`` (any list entry that carries a birth date, e.g. a deceased file): the surname (equal,
or one slip) and the first name in full (equal or a nickname) and the birth date equal, anywhere; or the
surname equal, the first name in full and the birth year and month equal; or a record without a first name
with the surname equal and the birth date equal.
"""

from __future__ import annotations

import duckdb

from workbench.standardise.names import TITLES as NAME_TITLES
from workbench.standardise.tables import nickname_groups, nickname_roots, street_suffixes
from workbench.store.sql import rows, run

GENERATIONS = ("JR", "SR", "II", "III", "IV")
TITLES = NAME_TITLES  # MR, MRS, MS, MISS, DR, REV...: never a first name
DIRECTIONALS = ("N", "S", "E", "W", "NE", "NW", "SE", "SW")
FUZZY_MIN_LENGTH = 4  # names shorter than this must match exactly (one slip turns Joan into John... 4 letters)
LONG_NAME_LENGTH = 7  # two first names this long one slip apart are one name (CHRISTINA / CHRISTINE)
STREET_FUZZY_MIN_LENGTH = 5  # street names shorter than this must match exactly (OAK / ASH)


def _sql_list(words) -> str:
    return "[" + ", ".join(f"'{w}'" for w in words) + "]"


_GEN_LIST = _sql_list(GENERATIONS)
_TITLE_LIST = _sql_list(TITLES)
_DIR_LIST = _sql_list(DIRECTIONALS)

MACROS = f"""
CREATE OR REPLACE TEMP MACRO wb_sup_gen(fk, lk) AS nullif(list_filter(
    string_split(trim(coalesce(fk, '') || ' ' || coalesce(lk, '')), ' '), lambda t: list_contains({_GEN_LIST}, t))[1], '');
CREATE OR REPLACE TEMP MACRO wb_sup_first(fk) AS nullif(list_filter(
    string_split(coalesce(fk, ''), ' '), lambda t: t <> '' AND NOT list_contains({_GEN_LIST}, t)
    AND NOT list_contains({_TITLE_LIST}, t))[1], '');
CREATE OR REPLACE TEMP MACRO wb_sup_last(lk) AS nullif(replace(regexp_replace(array_to_string(list_filter(
    string_split(coalesce(lk, ''), ' '), lambda t: t <> '' AND NOT list_contains({_GEN_LIST}, t)), ' '),
    '^SAINT ', 'ST '), ' ', ''), '');
CREATE OR REPLACE TEMP MACRO wb_sup_city(x) AS nullif(upper(trim(regexp_replace(CAST(x AS VARCHAR),
    '[^A-Za-z0-9 ]', '', 'g'))), '');
"""


def install_rule_macros(conn: duckdb.DuckDBPyConnection) -> None:
    """Name helpers on this connection: generational suffix, first given name, folded surname, city."""
    run(conn, MACROS)


def build_nickname_table(conn: duckdb.DuckDBPyConnection) -> None:
    """TEMP table ``_sup_nick(name, roots, root)``: every name a first name may stand for (itself included,
    many-to-many: SANDY is ALEXANDRA and CASSANDRA) and its one root (BOB and ROB: ROBERT)."""
    groups = nickname_groups()
    roots = nickname_roots()
    names = sorted(set(groups) | set(roots))
    run(conn, """CREATE OR REPLACE TEMP TABLE _sup_nick AS SELECT unnest(?::VARCHAR[]) AS name,
        unnest(?::VARCHAR[][]) AS roots, unnest(?::VARCHAR[]) AS root""",
        [names, [list(groups.get(n, (n,))) for n in names], [roots.get(n, n) for n in names]])


UNIT_COMPATIBLE = "(e.addr_unit IS NULL OR c.addr_unit IS NULL OR e.addr_unit = c.addr_unit)"
GEN_COMPATIBLE = "(e.gen IS NULL OR c.gen IS NULL OR e.gen = c.gen)"
SURNAME_STRICT = ("(replace(e.ln, '-', '') = replace(c.ln, '-', '') OR "
                  "list_has_any(list_filter(string_split(e.ln, '-'), lambda p: length(p) > 1), "
                  "list_filter(string_split(c.ln, '-'), lambda p: length(p) > 1)))")
SURNAME_SLIP = (f"(length(e.ln) >= {FUZZY_MIN_LENGTH} AND length(c.ln) >= {FUZZY_MIN_LENGTH} AND "
                "damerau_levenshtein(replace(e.ln, '-', ''), replace(c.ln, '-', '')) <= 1)")
# Nicknames: the same root (BOB, ROB: ROBERT), or one a name the other may stand for (SANDY: CASSANDRA); two
# formal names that merely share a nickname are two names (ROBERT and WILLIAM are both BILL).
NICKNAMES = "(e.root = c.root OR list_contains(e.roots, c.fn) OR list_contains(c.roots, e.fn))"
FIRST_FULL = f"(length(e.fn) > 1 AND length(c.fn) > 1 AND (e.fn = c.fn OR {NICKNAMES}))"
# (a record without a first name is reached by a list row without one, "the Smiths at this door", or as
# SURNAME_ONLY below)
FIRST_WEAK = ("(e.fn IS NULL OR (length(e.fn) = 1 AND left(c.fn, 1) = e.fn) OR "
              "(length(c.fn) = 1 AND left(e.fn, 1) = c.fn))")
_DOUBLES = "|".join(c * 2 for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
FIRST_SLIP = (f"(length(e.fn) >= {FUZZY_MIN_LENGTH} AND length(c.fn) >= {FUZZY_MIN_LENGTH} AND "
              "damerau_levenshtein(e.fn, c.fn) <= 1 AND ("
              f"(length(e.fn) >= {LONG_NAME_LENGTH} AND length(c.fn) >= {LONG_NAME_LENGTH}) OR "
              # two letters swapped: the same letters, another order (JONH / JOHN)
              "(length(e.fn) = length(c.fn) AND list_sort(string_split(e.fn, '')) = list_sort(string_split(c.fn, ''))) OR "
              # a letter doubled or undoubled (PAULL / PAUL)
              "(abs(length(e.fn) - length(c.fn)) = 1 AND list_sort(list_distinct(string_split(e.fn, ''))) = "
              f"list_sort(list_distinct(string_split(c.fn, ''))) AND regexp_matches(e.fn || ' ' || c.fn, '{_DOUBLES}'))))")

# A misspelt first name: one slip (Damerau-Levenshtein) between names of 4+ letters where the rarer spelling is
# no name of the nickname table and the house file holds the commoner one at least TYPO_RATIO times as often
# (and at least TYPO_MIN_COUNT times): JIHN beside 800 JOHNs is John; JOAN beside JOHN is Joan, a name of its own.
TYPO_RATIO = 20
TYPO_MIN_COUNT = 10
FIRST_TYPO = (f"(length(e.fn) >= {FUZZY_MIN_LENGTH} AND length(c.fn) >= {FUZZY_MIN_LENGTH} AND e.fn <> c.fn "
              "AND damerau_levenshtein(e.fn, c.fn) <= 1 AND greatest(e.fn_n, c.fn_n) >= " f"{TYPO_MIN_COUNT} "
              f"AND least(e.fn_n, c.fn_n) * {TYPO_RATIO} <= greatest(e.fn_n, c.fn_n) "
              "AND NOT (CASE WHEN e.fn_n <= c.fn_n THEN e.fn_known ELSE c.fn_known END))")
# A rare misspelling (see build_first_name_fixes) read as the name it spoils, then compared as names are:
# ROCHARD is RICHARD, so RICH on the list reaches it (two damages at once: a slip and a nickname).
FIRST_FIXED = ("((c.fn_fixed IS NOT NULL AND length(e.fn) > 1 AND (e.fn = c.fn_fixed OR e.root = c.fixed_root "
               "OR list_contains(e.roots, c.fn_fixed) OR list_contains(c.fixed_roots, e.fn))) "
               "OR (e.fn_fixed IS NOT NULL AND length(c.fn) > 1 AND (c.fn = e.fn_fixed OR c.root = e.fixed_root "
               "OR list_contains(c.roots, e.fn_fixed) OR list_contains(e.fixed_roots, c.fn))))")

# A person known by a surname alone (no record gives a first name): a piece addressed to the surname at the
# entry's door reaches the listed person. A weak hit: taken only when the entry reaches nobody by name there
# (when it does, the nameless one is another of the family).
SURNAME_ONLY = "(c.via = 'golden' AND c.fn IS NULL AND e.fn IS NOT NULL)"

# A person known by a first name alone (no record gives a surname) at the entry's door, the first names in
# full and equal or nicknames: a piece addressed to "Nicole" there reaches the listed Nicole Silva. Weak.
FIRST_ONLY = ("(c.via = 'golden' AND c.ln IS NULL AND length(e.fn) > 1 AND length(c.fn) > 1 AND (e.fn = c.fn OR "
              f"{NICKNAMES}))")
# An entry with a birth date (a deceased file) at the door: the surname equal, the birth date equal and the
# first names close (two slips, JACOB / JACOBUS, JOANNE / JOAJNE, or nicknames of one formal name, HAL / HAP).
BORN_AT_DOOR = ("(e.birth_dt IS NOT NULL AND c.birth_dt = e.birth_dt AND length(e.fn) > 1 AND length(c.fn) > 1 "
                "AND (damerau_levenshtein(e.fn, c.fn) <= 2 OR list_has_any(e.roots, c.roots)))")

# Street parts compatible (e: entry, c: candidate, both joined to _sup_streets as es / cs)
_NAME_FUZZY = (f"(NOT regexp_matches(e.s_sname || c.s_sname, '[0-9]') AND length(e.s_sname) >= {STREET_FUZZY_MIN_LENGTH}"
               f" AND length(c.s_sname) >= {STREET_FUZZY_MIN_LENGTH} AND "
               "(damerau_levenshtein(e.s_sname, c.s_sname) <= 1 OR (length(e.s_sname) >= 8 AND length(c.s_sname) >= 8 "
               "AND damerau_levenshtein(e.s_sname, c.s_sname) <= 2 AND jaro_winkler_similarity(e.s_sname, c.s_sname) >= 0.93)))")
# A street name one slip from the other at any length (DALE / DLAE, CARR / CIRR, HILL / HOLL): accepted only
# for a name + address entry whose names agree in full (surname and first name equal or nicknames).
_NAME_SLIP_SHORT = ("(NOT regexp_matches(e.s_sname || c.s_sname, '[0-9]') AND length(e.s_sname) >= 3 "
                    "AND length(c.s_sname) >= 3 AND damerau_levenshtein(e.s_sname, c.s_sname) <= 1)")
STREET_LOOSE = f"""(e.s_house IS NOT NULL AND (len(e.s_dirs) = 0 OR len(c.s_dirs) = 0 OR e.s_dirs = c.s_dirs)
      AND (e.s_suffix IS NULL OR c.s_suffix IS NULL OR e.s_suffix = c.s_suffix) AND {_NAME_SLIP_SHORT})"""
STREET_COMPATIBLE = f"""(CASE WHEN e.s_house IS NULL THEN e.addr_street = c.addr_street ELSE
      (len(e.s_dirs) = 0 OR len(c.s_dirs) = 0 OR e.s_dirs = c.s_dirs)
      AND (e.s_suffix IS NULL OR c.s_suffix IS NULL OR e.s_suffix = c.s_suffix)
      AND (e.s_sname = c.s_sname OR replace(e.s_sname, ' ', '') = replace(c.s_sname, ' ', '') OR {_NAME_FUZZY}) END)"""
ADDRESS_NOTES = """list_filter([
      CASE WHEN replace(e.s_sname, ' ', '') <> replace(c.s_sname, ' ', '') THEN 'street ' || e.s_sname || '~' || c.s_sname END,
      CASE WHEN e.s_dirs <> c.s_dirs THEN 'directional ' || array_to_string(e.s_dirs || c.s_dirs, ' ') || ' on one side' END,
      CASE WHEN coalesce(e.s_suffix, '') <> coalesce(c.s_suffix, '') THEN 'suffix ' || coalesce(e.s_suffix, c.s_suffix)
           || ' on one side' END,
      CASE WHEN (e.addr_unit IS NULL) <> (c.addr_unit IS NULL) THEN 'unit ' || coalesce(e.addr_unit, c.addr_unit)
           || ' on one side' END], lambda x: x IS NOT NULL)"""


# A town name one typing slip from the other (PORT LUARA / PORT LAURA), both of 5+ letters: compared only where
# the record has no ZIP (with a ZIP, the ZIP decides), in the same state and at the same house number.
TOWN_SLIP = ("(length(e.city) >= 5 AND length(c.city) >= 5 AND damerau_levenshtein(e.city, c.city) <= 1 "
             "AND NOT regexp_matches(e.city || c.city, '[0-9]'))")


def build_known(conn: duckdb.DuckDBPyConnection, has_moves: bool, known_sql: str | None = None) -> None:
    """TEMP ``_sup_known``: every (person, record, address, name, birth date) a person is known by: each
    record, each golden record, and each old address an applied move left (when households are installed);
    ``via`` says which. Then TEMP ``_sup_streets``: the parts of every street line (entries' and known).
    ``known_sql`` replaces the house file by other rows of the same columns (person_id, record_id, via,
    first_name_key, last_name_key, birth_dt, addr_street, addr_unit, zip5, city, state): merge/purge
    matches prospect lists against the suppressions with the same rules."""
    moves = """
        UNION ALL
        SELECT pr.person_id, r.record_id, 'move', r.first_name_key, r.last_name_key, r.birth_dt,
               nullif(split_part(am.old_addr_key, '|', 1), ''), nullif(split_part(am.old_addr_key, '|', 2), ''),
               nullif(split_part(am.old_addr_key, '|', 3), ''), NULL, NULL
        FROM move_applications ma JOIN applied_moves am USING (move_key) JOIN records r USING (record_id)
        JOIN person_records pr ON pr.record_id = r.record_id
        WHERE am.old_addr_key IS NOT NULL""" if has_moves else ""
    bkey = ("CASE WHEN regexp_matches({s}, '^[0-9][^ ]* .') THEN split_part({s}, ' ', 1) ELSE {s} END")
    # Blocking: only the known rows that share a door key (ZIP5 or city + state, and the house number) with
    # an address entry, or a birth month with an entry that has a birth date, are compared further.
    address_entries = "FROM _sup_entries WHERE match_on IN ('address', 'name_address') AND addr_street IS NOT NULL"
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _sup_blocks AS
        SELECT DISTINCT 'z' AS kind, zip5 || '|' || {bkey.format(s="addr_street")} AS k
            {address_entries} AND zip5 IS NOT NULL
        UNION
        SELECT DISTINCT 'c', city || '|' || state || '|' || {bkey.format(s="addr_street")}
            {address_entries} AND city IS NOT NULL AND state IS NOT NULL
        UNION
        SELECT DISTINCT 's', state || '|' || {bkey.format(s="addr_street")}
            {address_entries} AND city IS NOT NULL AND state IS NOT NULL
        UNION
        SELECT DISTINCT 'b', strftime(birth_dt, '%Y-%m') FROM _sup_entries WHERE birth_dt IS NOT NULL""")
    kinds = {r["kind"] for r in rows(conn, "SELECT DISTINCT kind FROM _sup_blocks")}
    where = " OR ".join([f"k.zip5 || '|' || {bkey.format(s='k.addr_street')} IN "
                         "(SELECT k FROM _sup_blocks WHERE kind = 'z')"] * ("z" in kinds)
                        + [f"k.city || '|' || k.state || '|' || {bkey.format(s='k.addr_street')} IN "
                           "(SELECT k FROM _sup_blocks WHERE kind = 'c')"] * ("c" in kinds)
                        # a record without a ZIP whose town is misspelt (PORT LUARA): state and house number
                        + [f"(k.zip5 IS NULL AND k.state || '|' || {bkey.format(s='k.addr_street')} IN "
                           "(SELECT k FROM _sup_blocks WHERE kind = 's'))"] * ("s" in kinds)
                        + ["strftime(k.birth_dt, '%Y-%m') IN (SELECT k FROM _sup_blocks WHERE kind = 'b')"]
                        * ("b" in kinds)) or "false"
    house = f"""SELECT pr.person_id, r.record_id, 'record' AS via, r.first_name_key, r.last_name_key, r.birth_dt,
                     r.addr_street, r.addr_unit, r.zip5, r.city_std AS city, r.state_std AS state
              FROM records r JOIN person_records pr USING (record_id)
              UNION ALL
              SELECT p.person_id, p.golden_from.address, 'golden', p.first_name_key, p.last_name_key, p.birth_date,
                     p.addr_street, p.addr_unit, p.zip5, wb_sup_city(p.city),
                     CASE WHEN regexp_full_match(p.state, '[A-Z]{{2}}') THEN p.state ELSE wb_state(p.state) END
              FROM persons p{moves}"""
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _sup_known AS
        WITH k AS ({known_sql or house})
        SELECT k.*, wb_sup_first(k.first_name_key) AS fn, wb_sup_last(k.last_name_key) AS ln,
               wb_sup_gen(k.first_name_key, k.last_name_key) AS gen
        FROM k WHERE {where}""")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _sup_streets AS
        WITH s AS (SELECT DISTINCT addr_street AS street FROM _sup_known WHERE addr_street IS NOT NULL
                   UNION SELECT addr_street FROM _sup_entries WHERE addr_street IS NOT NULL),
        t AS (SELECT street, string_split(street, ' ') AS toks FROM s),
        h AS (SELECT street, toks, CASE WHEN len(toks) > 1 AND regexp_matches(toks[1], '^[0-9]') THEN toks[1] END
                     AS house FROM t),
        r0 AS (SELECT street, house, CASE WHEN house IS NULL THEN toks ELSE list_slice(toks, 2, len(toks)) END
                      AS rest FROM h),
        -- a misspelt pre-directional before two more words (SOUTH as SUOTH, NORTH as NROTH, EAST as ESAT)
        r AS (SELECT street, house, CASE WHEN house IS NOT NULL AND len(rest) >= 3 THEN
                  CASE WHEN length(rest[1]) = 5 AND damerau_levenshtein(rest[1], 'NORTH') = 1 THEN ['N'] || rest[2:]
                       WHEN length(rest[1]) = 5 AND damerau_levenshtein(rest[1], 'SOUTH') = 1 THEN ['S'] || rest[2:]
                       WHEN rest[1] <> 'EAST' AND list_sort(string_split(rest[1], '')) = ['A', 'E', 'S', 'T']
                            THEN ['E'] || rest[2:]
                       WHEN rest[1] <> 'WEST' AND list_sort(string_split(rest[1], '')) = ['E', 'S', 'T', 'W']
                            THEN ['W'] || rest[2:]
                       ELSE rest END ELSE rest END AS rest FROM r0),
        d AS (SELECT street, house, rest, list_filter(rest, lambda w: NOT list_contains({_DIR_LIST}, w)) AS nodir,
                     list_filter(rest, lambda w: list_contains({_DIR_LIST}, w)) AS dirs FROM r),
        x AS (SELECT d.*, CASE WHEN len(nodir) >= 2 AND f.suffix IS NOT NULL THEN nodir[len(nodir)] END AS suffix
              FROM d LEFT JOIN _sup_suffixes f ON f.suffix = d.nodir[len(d.nodir)])
        SELECT street, house, coalesce(house, street) AS bkey, suffix,
               CASE WHEN len(nodir) = 0 THEN [] ELSE dirs END AS dirs,
               coalesce(nullif(array_to_string(CASE WHEN suffix IS NULL THEN nodir
                                                    ELSE list_slice(nodir, 1, len(nodir) - 1) END, ' '), ''),
                        array_to_string(rest, ' ')) AS sname
        FROM x""")
    for table in ("_sup_known", "_sup_entries"):
        run(conn, f"""CREATE OR REPLACE TEMP TABLE {table} AS
            SELECT t.*, s.house AS s_house, s.bkey AS s_bkey, s.suffix AS s_suffix, s.dirs AS s_dirs, s.sname AS s_sname
            FROM {table} t LEFT JOIN _sup_streets s ON s.street = t.addr_street""")


def build_suffix_table(conn: duckdb.DuckDBPyConnection) -> None:
    """TEMP ``_sup_suffixes(suffix)``: the Pub 28 standard suffix abbreviations."""
    run(conn, "CREATE OR REPLACE TEMP TABLE _sup_suffixes AS SELECT DISTINCT unnest(?::VARCHAR[]) AS suffix",
        [sorted(set(street_suffixes().values()))])


def build_address_hits(conn: duckdb.DuckDBPyConnection) -> None:
    """TEMP ``_sup_at(entry_id, person_id, record_id, via, fn, ln, gen, roots, notes)``: the known
    addresses at the door of every ``address`` / ``name_address`` entry (blocked on ZIP5, or city + state
    when either side has no ZIP, and the house number; then the street parts compared)."""
    cols = f"""e.entry_id, c.person_id, c.record_id, c.via, c.fn, c.ln, c.gen, c.birth_dt,
               NOT {STREET_COMPATIBLE} AS loose"""
    where = (f"e.match_on IN ('address', 'name_address') AND ({STREET_COMPATIBLE} OR "
             f"(e.match_on = 'name_address' AND {STREET_LOOSE})) AND {UNIT_COMPATIBLE}")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _sup_at_raw AS
        SELECT {cols}, {ADDRESS_NOTES} AS notes
        FROM _sup_entries e JOIN _sup_known c ON c.zip5 = e.zip5 AND c.s_bkey = e.s_bkey
        WHERE {where}
        UNION ALL
        SELECT {cols}, {ADDRESS_NOTES} || ['no ZIP on one side: city and state ' || c.city || ' ' || c.state]
        FROM _sup_entries e JOIN _sup_known c ON c.city = e.city AND c.state = e.state AND c.s_bkey = e.s_bkey
        WHERE (e.zip5 IS NULL OR c.zip5 IS NULL) AND {where}
        UNION ALL
        SELECT {cols}, {ADDRESS_NOTES} || ['no ZIP on the record: town ' || e.city || '~' || c.city || ' ' || c.state]
        FROM _sup_entries e JOIN (SELECT * FROM _sup_known WHERE zip5 IS NULL) c
            ON c.state = e.state AND c.s_bkey = e.s_bkey AND c.city <> e.city
        WHERE {TOWN_SLIP} AND {where}""")
    build_first_name_counts(conn)
    build_first_name_fixes(conn, "SELECT fn FROM _sup_at_raw UNION SELECT fn FROM _sup_entries")
    run(conn, """CREATE OR REPLACE TEMP TABLE _sup_at AS
        SELECT a.*, coalesce(n.roots, [a.fn]) AS roots, coalesce(n.root, a.fn) AS root,
               coalesce(f.n, 0) AS fn_n, n.name IS NOT NULL AS fn_known,
               x.fixed AS fn_fixed, x.fixed_roots, x.fixed_root
        FROM _sup_at_raw a LEFT JOIN _sup_nick n ON n.name = a.fn LEFT JOIN _sup_fn_counts f ON f.fn = a.fn
        LEFT JOIN _sup_fn_fix x ON x.fn = a.fn""")
    run(conn, "DROP TABLE IF EXISTS _sup_at_raw")


def build_first_name_counts(conn: duckdb.DuckDBPyConnection) -> None:
    """TEMP ``_sup_fn_counts(fn, n)``: how many house-file records give each first name (the typo test)."""
    run(conn, """CREATE OR REPLACE TEMP TABLE _sup_fn_counts AS
        SELECT wb_sup_first(first_name_key) AS fn, count(*) AS n FROM records
        WHERE first_name_key IS NOT NULL GROUP BY ALL HAVING fn IS NOT NULL""")


def build_first_name_fixes(conn: duckdb.DuckDBPyConnection, names_sql: str) -> None:
    """TEMP ``_sup_fn_fix(fn, fixed, fixed_roots, fixed_root)``: for each rare misspelling among ``names_sql``
    (no name of the nickname table, 4+ letters), the commonest house-file name one slip away that is at least
    TYPO_RATIO times as common (and TYPO_MIN_COUNT times or more): ROCHARD -> RICHARD, so a list row for RICH
    reaches it through the nickname, as it reaches Richard."""
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _sup_fn_fix AS
        WITH r AS (SELECT DISTINCT q.fn, coalesce(c.n, 0) AS n FROM ({names_sql}) q
                   LEFT JOIN _sup_fn_counts c ON c.fn = q.fn
                   WHERE q.fn IS NOT NULL AND length(q.fn) >= {FUZZY_MIN_LENGTH}
                     AND q.fn NOT IN (SELECT name FROM _sup_nick)),
        common AS (SELECT fn, n FROM _sup_fn_counts WHERE n >= {TYPO_MIN_COUNT} AND length(fn) >= {FUZZY_MIN_LENGTH} - 1),
        -- blocked on the first letter or the last two (a slip rarely spoils both ends)
        f AS (SELECT r.fn, arg_max(m.fn, m.n) AS fixed FROM r JOIN common m
                  ON (left(m.fn, 1) = left(r.fn, 1) OR right(m.fn, 2) = right(r.fn, 2))
                  AND abs(length(m.fn) - length(r.fn)) <= 1 AND m.n >= {TYPO_RATIO} * r.n AND m.fn <> r.fn
              WHERE damerau_levenshtein(r.fn, m.fn) <= 1 GROUP BY r.fn)
        SELECT f.fn, f.fixed, coalesce(k.roots, [f.fixed]) AS fixed_roots, coalesce(k.root, f.fixed) AS fixed_root
        FROM f LEFT JOIN _sup_nick k ON k.name = f.fixed""")


def _entry_counts() -> str:
    """Entry columns the typo tests read (``fn_n``, ``fn_known``, ``fn_fixed``...), joined onto
    ``_sup_entries`` as ``e``."""
    return """(SELECT x.*, coalesce(f.n, 0) AS fn_n, k.name IS NOT NULL AS fn_known, fx.fixed AS fn_fixed,
                      fx.fixed_roots, fx.fixed_root FROM _sup_entries x
               LEFT JOIN _sup_fn_counts f ON f.fn = x.fn LEFT JOIN _sup_nick k ON k.name = x.fn
               LEFT JOIN _sup_fn_fix fx ON fx.fn = x.fn)"""


FIRST_NAME_NOTES = f"""list_filter([
      CASE WHEN e.fn IS NULL THEN 'surname only on the list' WHEN c.fn IS NULL THEN 'no first name on the record'
           WHEN e.fn = c.fn THEN NULL
           WHEN length(e.fn) = 1 OR length(c.fn) = 1 THEN 'initial ' || e.fn || '~' || c.fn
           WHEN {NICKNAMES} THEN 'nickname ' || e.fn || '~' || c.fn
           ELSE 'first name ' || e.fn || '~' || c.fn END], lambda x: x IS NOT NULL)"""
SURNAME_NOTES = "CASE WHEN e.ln <> c.ln THEN ['surname ' || e.ln || '~' || c.ln] ELSE [] END"
NAME_NOTES = f"({FIRST_NAME_NOTES} || {SURNAME_NOTES})"


def build_name_hits(conn: duckdb.DuckDBPyConnection) -> None:
    """TEMP ``_sup_name_hits(entry_id, person_id, record_id, via, matched_by, notes)``: the ``name_address``
    candidates at the entry's door that pass the name tests (a weak hit only when the entry has no full
    hit), and every known record a ``name_birth_date`` comparison reaches."""
    surname_only_note = "['no first name on the person: a piece to the surname reaches the listed person']"
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _sup_name_cand AS
        SELECT c.entry_id, c.person_id, c.record_id, c.via,
               c.notes || CASE WHEN {SURNAME_ONLY} THEN {surname_only_note}
                              WHEN c.ln IS NULL THEN ['no surname on the person: a piece to ' || c.fn
                                                      || ' at this door reaches the listed person']
                              WHEN {BORN_AT_DOOR} AND NOT {FIRST_FULL} THEN ['born ' || e.birth_dt || ', first name '
                                                                           || e.fn || '~' || c.fn]
                              WHEN {FIRST_TYPO} THEN ['first name misspelt ' || e.fn || '~' || c.fn]
                              WHEN NOT {FIRST_FULL} AND {FIRST_FIXED} THEN ['first name misspelt, read as '
                                  || coalesce(c.fn_fixed, e.fn_fixed) || ': ' || e.fn || '~' || c.fn]
                              ELSE {FIRST_NAME_NOTES} END
                      || {SURNAME_NOTES} AS notes,
               coalesce((({SURNAME_STRICT} OR {SURNAME_SLIP}) AND {FIRST_FULL})
                        OR ({SURNAME_STRICT} AND ({FIRST_TYPO} OR {FIRST_FIXED} OR {BORN_AT_DOOR})), false) AS full_name
        FROM _sup_at c JOIN {_entry_counts()} e USING (entry_id)
        WHERE e.match_on = 'name_address' AND {GEN_COMPATIBLE} AND e.ln IS NOT NULL
          AND CASE WHEN c.ln IS NULL THEN NOT c.loose AND {FIRST_ONLY}
              WHEN c.loose THEN {SURNAME_STRICT} AND {FIRST_FULL}
              ELSE ({SURNAME_STRICT} AND ({FIRST_FULL} OR {FIRST_WEAK} OR {FIRST_SLIP} OR {FIRST_TYPO}
                                          OR {FIRST_FIXED} OR {SURNAME_ONLY} OR {BORN_AT_DOOR}))
                   OR ({SURNAME_SLIP} AND {FIRST_FULL})
                   -- both names spoilt at the entry's own door (MICHIEL VSAQUEZ / MICHAEL VASQUEZ, a nameless
                   -- KULLER / LARRY KELLER): a weak hit, taken when nobody at the door matches by name in full
                   OR ({SURNAME_SLIP} AND ({FIRST_SLIP} OR {FIRST_TYPO} OR {FIRST_FIXED} OR {SURNAME_ONLY}))
                   -- a surname one slip from the other, short ones too (LNG / LONG), with the first names equal
                   OR (e.fn = c.fn AND length(e.fn) > 1 AND length(e.ln) >= 3 AND length(c.ln) >= 3
                       AND damerau_levenshtein(replace(e.ln, '-', ''), replace(c.ln, '-', '')) <= 1) END""")
    born = f"""SELECT e.entry_id, c.person_id, c.record_id, c.via, 'name_birth_date' AS matched_by,
               {{note}} || {NAME_NOTES} AS notes
        FROM _sup_entries e JOIN (SELECT k.*, coalesce(n.roots, [k.fn]) AS roots, coalesce(n.root, k.fn) AS root FROM _sup_known k
                                  LEFT JOIN _sup_nick n ON n.name = k.fn WHERE k.birth_dt IS NOT NULL) c ON {{on}}
        WHERE e.birth_dt IS NOT NULL AND e.ln IS NOT NULL AND c.ln IS NOT NULL AND {GEN_COMPATIBLE}
          AND {FIRST_FULL} AND {{names}}"""
    # a weak hit beside a full one is taken when its record shares an e-mail, phone or birth date with the
    # fully matched record (one person the matching has not joined yet: E ALLEN beside RICKY ALLEN); joins,
    # no correlated subquery (that was quadratic at 1M records)
    run(conn, """CREATE OR REPLACE TEMP TABLE _sup_weak_ok AS
        WITH w AS (SELECT entry_id, person_id, record_id FROM _sup_name_cand WHERE NOT full_name AND via = 'record'),
        f AS (SELECT entry_id, person_id, record_id FROM _sup_name_cand WHERE full_name AND via = 'record'
              AND entry_id IN (SELECT entry_id FROM w))
        SELECT DISTINCT w.entry_id, w.record_id FROM w JOIN f ON f.entry_id = w.entry_id AND f.person_id <> w.person_id
        JOIN records rf ON rf.record_id = f.record_id JOIN records rw ON rw.record_id = w.record_id
        WHERE rf.email_std = rw.email_std OR rf.phone_std = rw.phone_std OR rf.birth_dt = rw.birth_dt""")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _sup_name_hits AS
        SELECT entry_id, person_id, record_id, via, 'name_address' AS matched_by, notes FROM _sup_name_cand w
        WHERE full_name OR entry_id NOT IN (SELECT entry_id FROM _sup_name_cand WHERE full_name)
           OR (entry_id, record_id) IN (SELECT (entry_id, record_id) FROM _sup_weak_ok)
        UNION ALL
        {born.format(note="['born ' || e.birth_dt]", on="c.birth_dt = e.birth_dt",
                     names=f"({SURNAME_STRICT} OR {SURNAME_SLIP})")}
        UNION ALL
        SELECT e.entry_id, c.person_id, c.record_id, c.via, 'name_birth_date',
               ['born ' || e.birth_dt, 'no first name on the record']
        FROM _sup_entries e JOIN _sup_known c ON c.birth_dt = e.birth_dt
        WHERE e.ln IS NOT NULL AND c.fn IS NULL AND c.ln = e.ln AND {GEN_COMPATIBLE}
        UNION ALL
        {born.format(note="['born ' || strftime(e.birth_dt, '%Y-%m') || ' (' || e.birth_dt || '~' || c.birth_dt || ')']",
                     on="c.ln = e.ln AND year(c.birth_dt) = year(e.birth_dt) AND month(c.birth_dt) = month(e.birth_dt) "
                        "AND c.birth_dt <> e.birth_dt",
                     names="true")}""")


def match_sql(person_entries: bool = True) -> str:
    """SELECT over TEMP ``_sup_entries`` giving (entry_id, person_id, record_id, via, matched_by, notes) for
    every person (and the record through which) an entry reaches; call :func:`build_known`,
    :func:`build_address_hits` and :func:`build_name_hits` first."""
    same_person = ("(c.email_std = o.email_std OR c.phone_std = o.phone_std OR c.birth_dt = o.birth_dt "
                   "OR c.addr_key = o.addr_key)")
    dups = f"""    UNION ALL
    SELECT e.entry_id, pr.person_id, c.record_id, 'record', 'person',
           ['same person as record ' || o.source || ':' || o.source_key || ' (loaded since, not matched yet)']
    FROM _sup_entries e, unnest(e.record_ids) AS u(rid) JOIN records o ON o.record_id = u.rid
        JOIN records c ON c.last_name_key = o.last_name_key AND c.record_id <> o.record_id
        JOIN person_records pr ON pr.record_id = c.record_id
        WHERE e.match_on = 'person' AND NOT list_contains(e.record_ids, c.record_id) AND {same_person}
          AND (wb_sup_first(c.first_name_key) = wb_sup_first(o.first_name_key)
               OR wb_first_name_root(wb_sup_first(c.first_name_key)) = wb_first_name_root(wb_sup_first(o.first_name_key))
               OR list_contains(wb_first_name_roots(wb_sup_first(c.first_name_key)), wb_sup_first(o.first_name_key))
               OR list_contains(wb_first_name_roots(wb_sup_first(o.first_name_key)), wb_sup_first(c.first_name_key)))
""" if person_entries else ""
    return f"""
    SELECT e.entry_id, pr.person_id, c.record_id, 'record' AS via, 'email' AS matched_by,
           CAST([] AS VARCHAR[]) AS notes FROM _sup_entries e
        JOIN records c ON c.email_std = e.email_std JOIN person_records pr ON pr.record_id = c.record_id
        WHERE e.match_on = 'email'
    UNION ALL
    SELECT e.entry_id, pr.person_id, c.record_id, 'record', 'phone', [] FROM _sup_entries e
        JOIN records c ON c.phone_std = e.phone_std JOIN person_records pr ON pr.record_id = c.record_id
        WHERE e.match_on = 'phone'
    UNION ALL
    SELECT e.entry_id, pr.person_id, pr.record_id, 'record', 'person', [] FROM _sup_entries e,
        unnest(e.record_ids) AS u(rid) JOIN person_records pr ON pr.record_id = u.rid WHERE e.match_on = 'person'
{dups}    UNION ALL
    SELECT c.entry_id, c.person_id, c.record_id, c.via, 'address', c.notes FROM _sup_at c
        JOIN _sup_entries e USING (entry_id) WHERE e.match_on = 'address'
    UNION ALL
    SELECT entry_id, person_id, record_id, via, matched_by, notes FROM _sup_name_hits
    """


def entry_name_features(alias: str = "x") -> str:
    """Name columns every entry carries (fn, ln, gen; roots and root added by a join to _sup_nick)."""
    return (f"wb_sup_first({alias}.first_name_key) AS fn, wb_sup_last({alias}.last_name_key) AS ln, "
            f"wb_sup_gen({alias}.first_name_key, {alias}.last_name_key) AS gen")


def build_all(conn: duckdb.DuckDBPyConnection, has_moves: bool) -> None:
    """Every TEMP table :func:`match_sql` reads (after ``_sup_entries``)."""
    build_suffix_table(conn)
    build_known(conn, has_moves)
    build_address_hits(conn)
    build_name_hits(conn)


TEMP_TABLES = ("_sup_raw", "_sup_entries", "_sup_name_cand", "_sup_name_hits", "_sup_nick", "_sup_nick_pairs",
               "_sup_known", "_sup_streets", "_sup_suffixes", "_sup_at", "_sup_at_raw", "_sup_src_cols",
               "_sup_known_all", "_sup_blocks", "_sup_fn_counts", "_sup_fn_fix", "_sup_weak_ok")
