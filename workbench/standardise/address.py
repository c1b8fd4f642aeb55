"""Address macros (USPS Publication 28 style) used by householding and suppressions.

The raw address stays as loaded; these derive a matching form:

- ``wb_addr_street(line1, line2)``: the street line, upper-case, punctuation gone, the secondary unit
  removed, Pub 28 suffix and directional abbreviations, ordinal words as numbers (FIRST -> 1ST).
- ``wb_addr_unit(line1, line2)``: the unit number alone ('4B'), from line 1 or line 2, whatever the
  designator (APT 4B == #4B == UNIT 4B == SUITE 4B); NULL when none.
- ``wb_addr_key(line1, line2, postal_code)``: ``street|unit|zip5``; NULL without a street or a ZIP
  (a key without a ZIP would put '12 MAIN ST' of every town in one household).

Rules, in the order applied:
1. Each line: upper-case, accents stripped, 'N.E.' -> 'NE', apostrophes dropped, '#' split off as its
   own word, every other run of non-alphanumerics -> one space; 'P O BOX', 'POST OFFICE BOX' -> 'PO BOX'.
2. When line 1 starts with a unit designator and line 2 with a digit, the lines are swapped.
3. Unit in line 1: the first designator (data/unit_designators.csv) that follows the house number and
   at least one street word, followed by a value (a word with a digit, or a single letter; 'APT # 4B'
   skips the '#'). Designators that need no number (REAR, FRONT, UPPER, PH...) count alone only as
   the last word and after two street words. The designator and everything after it leave the street.
4. Unit in line 2: a designator and a value at its start, or a value alone, or a lone designator that
   needs no number. Digits then a lone letter are joined ('4 B' -> '4B'); leading zeros are dropped.
5. Street words: a first word starting with a digit is the house number. The last word is a
   post-directional (NORTH -> N) when at least three words follow the house number. The word before it
   (or the last word) takes its Pub 28 standard suffix (data/street_suffixes.csv) when at least one
   street word precedes it: 'PARK AVENUE' -> 'PARK AVE', but '12 AVENUE' keeps AVENUE. The first
   street word is a pre-directional when other name words follow it: '12 NORTH OAK STREET' ->
   '12 N OAK ST', while '12 NORTH STREET' -> '12 NORTH ST' (NORTH is the name).

Speed: the steps are a pipeline of small structs (see ``sql_text.pipeline``), punctuation goes with
plain ``replace`` calls and a regex only for the odd rows, and the unit regexes run only on rows that
contain a designator word.
"""

from __future__ import annotations

from . import tables
from .sql_text import blank_is_null, let, map_literal, pipeline

_WORD = "[A-Z0-9#]+"
# A unit value: digits then a lone letter ('4 B'), or a word with a digit, or a single letter.
_VALUE = "(?:([0-9]+) ([A-Z])|([A-Z0-9]*[0-9][A-Z0-9]*|[A-Z]))"


def _alternation(words: list[str]) -> str:
    return "|".join(sorted(words, key=lambda word: (-len(word), word)))


def _patterns() -> dict[str, str]:
    designators = tables.unit_designators()
    every = _alternation(list(designators))
    bare = _alternation([word for word, (_, needs_number) in designators.items() if not needs_number])
    street = f"((?:[0-9][A-Z0-9]* {_WORD}|[A-Z][A-Z0-9]*)(?: {_WORD})*?)"
    street_two_words = f"((?:[0-9][A-Z0-9]* {_WORD} {_WORD}|[A-Z][A-Z0-9]* {_WORD})(?: {_WORD})*)"
    return {
        "GUARD": f" (?:{every})(?: |$)",
        # groups: s1 n1 l1 v1 | s2 b2
        "LINE1": f"^(?:{street} (?:{every})(?: #)? {_VALUE}(?: |$)|{street_two_words} ({bare})$)",
        # groups: n1 l1 v1 | n2 l2 v2 | b3
        "LINE2": f"^(?:(?:{every})(?: #)? {_VALUE}(?: |$)|{_VALUE}$|({bare})(?: |$))",
        "SWAP": f"^\\s*(?:(?:{every})\\b|#)",
    }


def _clean_sql() -> str:
    chain = "upper(strip_accents(CAST(x AS VARCHAR)))"
    for old, new in [
        ("N.E.", "NE"), ("N.W.", "NW"), ("S.E.", "SE"), ("S.W.", "SW"), ("'", ""), ("\u2019", ""),
        (". ", " "), (".", " "), (", ", " "), (",", " "), (" #", "#"), ("#", " # "),
    ]:
        chain = f"replace({chain}, '{old.replace(chr(39), chr(39) * 2)}', '{new}')"
    tidy = (
        "CASE WHEN regexp_full_match(w, '[A-Z0-9#]+(?: [A-Z0-9#]+)*') THEN w "
        "ELSE nullif(trim(regexp_replace(w, '[^A-Z0-9#]+', ' ', 'g')), '') END"
    )
    po_box = let(
        "w",
        f"trim({chain})",
        f"replace(replace(replace({tidy}, 'POST OFFICE BOX', 'PO BOX'), 'P O BOX', 'PO BOX'), "
        "'POBOX', 'PO BOX')",
    )
    return blank_is_null("x", po_box)


def _unit_from(match: str, groups: list[tuple[str, str | None]], designator_std: str) -> str:
    """CASE over a regexp_extract struct: joined digits+letter, or value, or a bare designator."""
    whens = []
    for number_group, letter_group in groups:
        if letter_group is None:
            whens.append(f"WHEN {match}.{number_group} <> '' THEN {designator_std}[{match}.{number_group}]")
        elif letter_group == "":
            whens.append(f"WHEN {match}.{number_group} <> '' THEN {match}.{number_group}")
        else:
            whens.append(
                f"WHEN {match}.{number_group} <> '' THEN {match}.{number_group} || {match}.{letter_group}"
            )
    return "CASE " + " ".join(whens) + " END"


def macro_sql() -> str:
    pat = _patterns()
    suffix = map_literal(tables.street_suffixes())
    direction = map_literal(tables.directionals())
    ordinal = map_literal(tables.ordinals())
    designator_std = map_literal({word: std for word, (std, _) in tables.unit_designators().items()})

    unit1 = _unit_from("r.m", [("n1", "l1"), ("v1", ""), ("b2", None)], designator_std)
    unit2 = _unit_from("r.m2", [("n1", "l1"), ("v1", ""), ("n2", "l2"), ("v2", ""), ("b3", None)], designator_std)
    ordinal_guard = f"(?:^| )(?:{_alternation(list(tables.ordinals()))})(?: |$)"

    def words(text: str) -> str:
        return f"(length({text}) - length(replace({text}, ' ', '')) + 1)"

    def without_last_word(text: str) -> str:
        return f"left({text}, length({text}) - length(split_part({text}, ' ', -1)) - 1)"

    steps = [
        # the unit regexes, only on rows with a designator word (line 1) or a line 2
        (
            "r",
            "{'a': r.a, "
            f"'m': CASE WHEN regexp_matches(r.a, '{pat['GUARD']}') THEN regexp_extract(r.a, "
            f"'{pat['LINE1']}', ['s1', 'n1', 'l1', 'v1', 's2', 'b2']) END, "
            f"'m2': regexp_extract(r.b, '{pat['LINE2']}', ['n1', 'l1', 'v1', 'n2', 'l2', 'v2', 'b3'])}}",
        ),
        (
            "r",
            "{'st': CASE WHEN r.m.s1 <> '' THEN r.m.s1 WHEN r.m.s2 <> '' THEN r.m.s2 ELSE r.a END, "
            f"'unit': coalesce({unit1}, {unit2})}}",
        ),
        # h: the house number (NULL when the first word does not start with a digit);
        # post: the post-directional's abbreviation (NULL when the last word is not one)
        (
            "r",
            "{'st': r.st, 'unit': CASE WHEN ltrim(r.unit, '0') = '' THEN '0' ELSE ltrim(r.unit, '0') END, "
            "'h': CASE WHEN r.st[1] BETWEEN '0' AND '9' THEN split_part(r.st, ' ', 1) END, "
            f"'post': CASE WHEN {words('r.st')} - (r.st[1] BETWEEN '0' AND '9')::INTEGER >= 3 "
            f"THEN {direction}[split_part(r.st, ' ', -1)] END, "
            f"'o': regexp_matches(r.st, '{ordinal_guard}')}}",
        ),
        # body: the street without its post-directional; sfx: the standard suffix of its last word
        # when a street word precedes that word
        (
            "r",
            "{'unit': r.unit, 'h': r.h, 'post': r.post, 'o': r.o, "
            f"'body': CASE WHEN r.post IS NULL THEN r.st ELSE {without_last_word('r.st')} END, "
            f"'sfx': {{'n': CASE WHEN r.post IS NULL THEN {words('r.st')} ELSE {words('r.st')} - 1 END "
            "- (r.h IS NOT NULL)::INTEGER, 'w': split_part(CASE WHEN r.post IS NULL THEN r.st ELSE "
            f"{without_last_word('r.st')} END, ' ', -1)}}}}",
        ),
        (
            "r",
            "{'unit': r.unit, 'h': r.h, 'post': r.post, 'o': r.o, "
            f"'body': r.body, 'sfx': CASE WHEN r.sfx.n >= 2 THEN {suffix}[r.sfx.w] END}}",
        ),
        # name: the words between the house number and the suffix
        (
            "r",
            "{'unit': r.unit, 'h': r.h, 'post': r.post, 'o': r.o, 'sfx': r.sfx, "
            f"'name': CASE WHEN r.sfx IS NULL THEN r.body ELSE {without_last_word('r.body')} END}}",
        ),
        (
            "r",
            "{'unit': r.unit, 'h': r.h, 'post': r.post, 'o': r.o, 'sfx': r.sfx, "
            "'name': CASE WHEN r.h IS NULL THEN r.name ELSE substr(r.name, length(r.h) + 2) END}",
        ),
        # a leading directional followed by other name words is a pre-directional
        (
            "r",
            "{'unit': r.unit, 'o': r.o, 'street': concat_ws(' ', r.h, CASE WHEN contains(r.name, ' ') "
            f"AND {direction}[split_part(r.name, ' ', 1)] IS NOT NULL "
            f"THEN {direction}[split_part(r.name, ' ', 1)] || substr(r.name, length(split_part(r.name, ' ', 1)) + 1) "
            "ELSE r.name END, r.sfx, r.post)}",
        ),
        (
            "r",
            "{'street': CASE WHEN r.o THEN array_to_string(list_transform(string_split(r.street, ' '), "
            f"lambda t: coalesce({ordinal}[t], t)), ' ') ELSE r.street END, 'unit': r.unit}}",
        ),
    ]
    swapped = (
        f"(line2 IS NOT NULL AND regexp_matches(CAST(line2 AS VARCHAR), '^\\s*[0-9]') "
        f"AND regexp_matches(CAST(line1 AS VARCHAR), '{pat['SWAP']}', 'i'))"
    )
    start = (
        f"{{'a': wb__addr_clean(CASE WHEN {swapped} THEN line2 ELSE line1 END), "
        f"'b': wb__addr_clean(CASE WHEN {swapped} THEN line1 ELSE line2 END)}}"
    )
    key = let(
        "k",
        "{'p': wb__addr_parse(line1, line2), 'z': wb_zip5(postal_code)}",
        "k.p.street || '|' || coalesce(k.p.unit, '') || '|' || k.z",
    )
    statements = [
        f"CREATE OR REPLACE TEMP MACRO wb__addr_clean(x) AS {_clean_sql()}",
        f"CREATE OR REPLACE TEMP MACRO wb__addr_parse(line1, line2) AS {pipeline(start, steps)}",
        "CREATE OR REPLACE TEMP MACRO wb_addr_street(line1, line2) AS wb__addr_parse(line1, line2).street",
        "CREATE OR REPLACE TEMP MACRO wb_addr_unit(line1, line2) AS wb__addr_parse(line1, line2).unit",
        f"CREATE OR REPLACE TEMP MACRO wb_addr_key(line1, line2, postal_code) AS {key}",
    ]
    return ";\n".join(statements) + ";\n"
