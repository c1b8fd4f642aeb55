"""Address macros (USPS Publication 28 style) used by householding and suppressions.

The raw address stays as loaded; these derive a matching form:

- ``wb_addr_street(line1, line2)``: the street line, upper-case, punctuation gone, the secondary unit
  removed, Pub 28 suffix and directional abbreviations, ordinal words as numbers (FIRST -> 1ST).
- ``wb_addr_unit(line1, line2)``: the unit number alone ('4B'), from line 1 or line 2, whatever the
  designator (APT 4B == #4B == UNIT 4B == SUITE 4B); NULL when none.
- ``wb_addr_key(line1, line2, postal_code)``: ``street|unit|zip5``; NULL without a street or a ZIP
  (a key without a ZIP would put '12 MAIN ST' of every town in one household). The people records'
  ``addr_key`` is built by :mod:`workbench.ingest.addresses` from the completed ZIP, or city and state.
- ``wb_addr_line(line1, line2)``: the Pub 28 delivery line: the street, then the unit designator's
  standard form and the unit ('12 N OAK ST APT 4B'; '#' when only a number was written: '12 OAK ST # 4';
  a designator that takes no number alone: '12 OAK ST REAR'); NULL without a street.
- ``wb_addr_parts(line1, line2)``: a struct of the parts, NULL when there is neither street nor unit:
  ``house_number`` ('12', '12 1/2'), ``predirectional`` ('N'), ``street_name`` (the name words alone:
  'OAK'), ``suffix`` ('ST'), ``postdirectional``, ``unit_designator`` ('APT', '#', 'REAR'),
  ``unit_number`` ('4B'; NULL for a designator alone), ``street`` (= wb_addr_street), ``unit``
  (= wb_addr_unit) and ``line`` (= wb_addr_line). To compare two addresses written with a directional or
  a unit on one side only, compare house_number + street_name (+ ZIP5). The records keep
  ``address_line1_std`` (line), ``addr_house`` and ``addr_name``.

Rules, in the order applied:
1. Each line: upper-case, accents stripped, 'N.E.' -> 'NE', apostrophes dropped, '#' split off as its
   own word, a designator glued to its number split off ('APT163' -> 'APT 163', 'UNIT4B' -> 'UNIT 4B';
   not KEY, PIER, SLIP, STOP, NO, which also name streets), a fraction kept ('1/2'), every other run of
   non-alphanumerics -> one space, ordinal words -> 1ST..20TH, 'P O BOX' / 'POST OFFICE BOX' -> 'PO BOX'.
   'NO' ('No. 163') is a designator like '#' (data/unit_designators.csv), so only a value after the
   street makes it a unit: '163 NO NAME RD' stays a street.
2. When line 1 starts with a unit designator and line 2 with a digit, the lines are swapped.
3. Unit in line 1: the first designator (data/unit_designators.csv) followed by a value (a word with a
   digit, or a single letter; 'APT # 4B' skips the '#'), when the house number and at least one street
   word precede it. A designator that needs no number (REAR, FRONT, UPPER, PH...) counts alone only as
   the last word and after two street words. The designator and everything after it leave the street.
4. Unit in line 2: a designator and a value at its start, or a value alone, or a lone designator that
   needs no number. Digits then a lone letter are joined ('4 B' -> '4B'); leading zeros are dropped.
5. Street words: a first word starting with a digit is the house number (with a fraction after it:
   '12 1/2'). The last word is a
   post-directional (NORTH -> N) when at least three words follow the house number. The word before it
   (or the last word) takes its Pub 28 standard suffix (data/street_suffixes.csv) when at least one
   street word precedes it: 'PARK AVENUE' -> 'PARK AVE', but '12 AVENUE' keeps AVENUE. The first
   street word is a pre-directional when other name words follow it: '12 NORTH OAK STREET' ->
   '12 N OAK ST', while '12 NORTH STREET' -> '12 NORTH ST' (NORTH is the name).

Speed (see bench/bench_address.py): steps are a pipeline of small structs (``sql_text.pipeline``);
punctuation goes with plain ``replace`` calls and a regex only for odd rows; the regexes that find
units have no capture groups on the whole line, so RE2 runs them as a DFA; lookups inside lambdas are
CASE chains, and the one large table (suffixes) is looked up outside any lambda.
"""

from __future__ import annotations

from . import tables
from .sql_text import case_lookup, in_list, let, map_literal, pipeline

# A unit value: a word with a digit, or a single letter.
_VALUE = "(?:[A-Z0-9]*[0-9][A-Z0-9]*|[A-Z])"
# The same with groups: digits then a lone letter ('4 B': n, l), or the value (v).
_VALUE_GROUPS = "(?:([0-9]+) ([A-Z])|([A-Z0-9]*[0-9][A-Z0-9]*|[A-Z]))(?: |$)"


def _alternation(words: list[str]) -> str:
    return "|".join(sorted(words, key=lambda word: (-len(word), word)))


def _patterns() -> dict[str, str]:
    designators = tables.unit_designators()
    every = _alternation(list(designators))
    bare = _alternation([word for word, (_, needs_number) in designators.items() if not needs_number])
    alone = _VALUE_GROUPS.replace("(?: |$)", "$")
    glued = _alternation(_glued_designators())
    return {
        # line 1 from its first designator with a value (or a lone bare designator at the end) on
        "TAIL": f" (?:(?:{every})(?: #)? {_VALUE}(?: .*)?|(?:{bare}))$",
        # groups of that tail: d1 (the designator) n1 l1 v1
        "TAIL_VALUE": f"^ ({every})(?: #)? {_VALUE_GROUPS}",
        # groups of line 2: d1 n1 l1 v1 (after a designator) | n2 l2 v2 (alone) | b3 (a bare designator)
        "LINE2": f"^(?:({every})(?: #)? {_VALUE_GROUPS}|{alone}|({bare})(?: |$))",
        "SWAP": f"^\\s*(?:(?:{every})\\b|#)",
        # rows for the slow path of the cleaning: an ordinal word, or a designator glued to its number
        "ODD": f"(?:^| )(?:(?:{_alternation(list(tables.ordinals()))})(?: |$)|(?:{glued})[0-9])",
        # a designator glued to its number ('APT163', 'UNIT4B'): split by the slow path
        "GLUED": f" ({glued})([0-9])",
    }


def _glued_designators() -> list[str]:
    """Designators split from a number glued to them ('APT163' -> 'APT 163'): those that take a number,
    except '#' (split anyway) and words that also name streets or places (KEY, PIER, SLIP, STOP, NO)."""
    keep_whole = {"#", "KEY", "PIER", "SLIP", "STOP", "NO"}
    return [
        word for word, (_, needs) in tables.unit_designators().items() if needs and word not in keep_whole
    ]


def _po_box(text: str) -> str:
    return (
        f"replace(replace(replace({text}, 'POST OFFICE BOX', 'PO BOX'), 'P O BOX', 'PO BOX'), "
        "'POBOX', 'PO BOX')"
    )


def _clean_sql(pat: dict[str, str]) -> str:
    chain = "upper(strip_accents(CAST(x AS VARCHAR)))"
    for old, new in [
        ("N.E.", "NE"),
        ("N.W.", "NW"),
        ("S.E.", "SE"),
        ("S.W.", "SW"),
        ("'", ""),
        ("\u2019", ""),
        (". ", " "),
        (".", " "),
        (", ", " "),
        (",", " "),
        (" #", "#"),
        ("# ", "#"),
        ("#", " # "),
    ]:
        chain = f"replace({chain}, '{old.replace(chr(39), chr(39) * 2)}', '{new}')"
    # Odd rows (other punctuation, double spaces, ordinal words) take the slow path.
    # a fraction ('12 1/2 MAIN ST') keeps its slash (held as chr(1) while other punctuation goes)
    kept = "regexp_replace(w, '([0-9]) ?/ ?([0-9])', '\\1' || chr(1) || '\\2', 'g')"
    slow = (
        f"(' ' || nullif(trim(replace(regexp_replace({kept}, '[^A-Z0-9#\\x01]+', ' ', 'g'), chr(1), '/')), '') "
        "|| ' ')"
    )
    slow = f"regexp_replace({slow}, '{pat['GLUED']}', ' \\1 \\2', 'g')"
    for word, number in tables.ordinals().items():
        slow = f"replace({slow}, ' {word} ', ' {number} ')"
    tidy = (
        "CASE WHEN regexp_full_match(w, '[A-Z0-9#]+(?: [A-Z0-9#]+)*') "
        f"AND NOT regexp_matches(w, '{pat['ODD']}') "
        f"THEN CASE WHEN w[1] = 'P' THEN {_po_box('w')} ELSE w END "
        f"ELSE {_po_box(f'trim({slow})')} END"
    )
    # NULL, blank and punctuation-only lines end as NULL (the slow path's nullif).
    return let("w", f"trim({chain})", tidy)


def _unit_from(match: str, groups: list[tuple[str, str | None]]) -> str:
    """CASE over a regexp_extract struct: digits || letter, or the value, or a bare designator."""
    standard = {word: std for word, (std, _) in tables.unit_designators().items()}
    whens = []
    for group, letter in groups:
        if letter is None:
            value = case_lookup(f"{match}.{group}", standard)
        elif letter == "":
            value = f"{match}.{group}"
        else:
            value = f"{match}.{group} || {match}.{letter}"
        whens.append(f"WHEN {match}.{group} <> '' THEN {value}")
    return "CASE " + " ".join(whens) + " END"


def _unit_macros(pat: dict[str, str]) -> list[str]:
    """wb__addr_line2_unit(b): the unit of a cleaned line 2; wb__addr_tail_unit(tail): the unit of a
    line 1 tail (' APT 4 B ...'). Each gives {u: the unit (NULL when none), d: the designator as written
    ('#' for a value alone)}."""
    line2 = let(
        "m",
        f"regexp_extract(b, '{pat['LINE2']}', ['d1', 'n1', 'l1', 'v1', 'n2', 'l2', 'v2', 'b3'])",
        "{'d': CASE WHEN m.d1 <> '' THEN m.d1 WHEN m.b3 <> '' THEN m.b3 ELSE '#' END, "
        f"'u': {_unit_from('m', [('n1', 'l1'), ('v1', ''), ('n2', 'l2'), ('v2', ''), ('b3', None)])}}}",
    )
    standard = {word: std for word, (std, _) in tables.unit_designators().items()}
    tail = let(
        "m",
        f"regexp_extract(tail, '{pat['TAIL_VALUE']}', ['d1', 'n1', 'l1', 'v1'])",
        "{'d': CASE WHEN m.d1 <> '' THEN m.d1 ELSE substr(tail, 2) END, "
        f"'u': coalesce({_unit_from('m', [('n1', 'l1'), ('v1', '')])}, "
        f"{case_lookup('substr(tail, 2)', standard)})}}",
    )
    # the same, the value alone (what street, unit and key need: cheaper)
    line2_value = let(
        "m",
        f"regexp_extract(b, '{pat['LINE2']}', ['d1', 'n1', 'l1', 'v1', 'n2', 'l2', 'v2', 'b3'])",
        _unit_from("m", [("n1", "l1"), ("v1", ""), ("n2", "l2"), ("v2", ""), ("b3", None)]),
    )
    tail_value = let(
        "m",
        f"regexp_extract(tail, '{pat['TAIL_VALUE']}', ['d1', 'n1', 'l1', 'v1'])",
        f"coalesce({_unit_from('m', [('n1', 'l1'), ('v1', '')])}, {case_lookup('substr(tail, 2)', standard)})",
    )
    return [
        f"CREATE OR REPLACE TEMP MACRO wb__addr_line2_unit(b) AS {line2}",
        f"CREATE OR REPLACE TEMP MACRO wb__addr_tail_unit(tail) AS {tail}",
        f"CREATE OR REPLACE TEMP MACRO wb__addr_line2_value(b) AS {line2_value}",
        f"CREATE OR REPLACE TEMP MACRO wb__addr_tail_value(tail) AS {tail_value}",
    ]


def _spaces(text: str) -> str:
    return f"(length({text}) - length(replace({text}, ' ', '')))"


def _unit_steps(pat: dict[str, str], tail_macro: str) -> list[tuple[str, str]]:
    """From {a: cleaned line 1, u2: line 2 unit, tail: line 1 from its unit designator on} to
    {L: the street words, unit}."""
    bare_ok = (
        f"contains(substr(r.tail, 2), ' ') OR {_spaces('r.a')} - {_spaces('r.tail')} "
        "- (r.a[1] BETWEEN '0' AND '9')::INTEGER >= 1"
    )
    valid_tail = (
        "r.tail <> '' AND (NOT (r.a[1] BETWEEN '0' AND '9') OR instr(r.a, ' ') < length(r.a) - "
        f"length(r.tail)) AND ({bare_ok})"
    )
    return [
        # cut: where the street ends when the tail is a unit
        (
            "r",
            "{'a': r.a, 'u2': r.u2, 'tail': r.tail, "
            f"'cut': CASE WHEN {valid_tail} THEN length(r.a) - length(r.tail) END}}",
        ),
        (
            "r",
            "{'L': string_split(CASE WHEN r.cut IS NULL THEN r.a ELSE left(r.a, r.cut) END, ' '), "
            f"'unit': coalesce(CASE WHEN r.cut IS NOT NULL THEN {tail_macro}(r.tail) END, r.u2)}}",
        ),
    ]


def _shape_steps() -> list[tuple[str, str]]:
    """From {L, unit} to n words, h (1 with a house number), p (1 with a post-directional) and
    w (the suffix candidate: word n - p when a street word precedes it)."""
    directions = list(tables.directionals())
    # the house number: a first word starting with a digit, with a fraction after it ('12 1/2')
    house = "CASE WHEN r.L[1][1] BETWEEN '0' AND '9' THEN 1 + coalesce(contains(r.L[2], '/'), false)::INTEGER ELSE 0 END"
    return [
        (
            "r",
            f"{{'L': r.L, 'unit': r.unit, 'n': len(r.L), 'h': {house}, "
            f"'p': (len(r.L) - {house} >= 3 AND {in_list('r.L[len(r.L)]', directions)})::INTEGER}}",
        ),
        (
            "r",
            "{'L': r.L, 'unit': r.unit, 'n': r.n, 'h': r.h, 'p': r.p, "
            "'w': CASE WHEN r.n - r.p - r.h >= 2 THEN r.L[r.n - r.p] END}",
        ),
    ]


def _assemble_steps(full: bool) -> list[tuple[str, str]]:
    """From {x: the shape, sfx: the standard suffix or NULL} to {street, unit}; with ``full`` also the
    parts (the words in their standard form) and the unit designator's standard form."""
    directions = tables.directionals()
    designators = {word: std for word, (std, _) in tables.unit_designators().items()}
    value = "r.unit.u" if full else "r.unit"
    unit = f"CASE WHEN ltrim({value}, '0') = '' THEN '0' ELSE ltrim({value}, '0') END"
    words = (
        "list_transform(r.L, lambda t, i: CASE "
        "WHEN i = r.n - r.p AND r.sfx IS NOT NULL THEN r.sfx "
        f"WHEN (i = r.n AND r.p = 1) OR (i = r.h + 1 AND r.pre) THEN {case_lookup('t', directions)} "
        "ELSE t END)"
    )
    steps = [
        # pre: the first street word is a directional followed by other name words
        (
            "r",
            "{'L': r.x.L, 'unit': r.x.unit, 'n': r.x.n, 'h': r.x.h, 'p': r.x.p, 'sfx': r.sfx, "
            "'pre': r.x.h + 1 < r.x.n - r.x.p - (r.sfx IS NOT NULL)::INTEGER "
            f"AND {in_list('r.x.L[r.x.h + 1]', list(directions))}}}",
        ),
    ]
    if not full:
        return [*steps, ("r", f"{{'street': array_to_string({words}, ' '), 'unit': {unit}}}")]
    dsg = f"CASE WHEN r.unit.u IS NOT NULL THEN coalesce({case_lookup('r.unit.d', designators)}, '#') END"
    # the Pub 28 line: the street, then the designator and the unit (a designator that takes no number alone)
    line = (
        "CASE WHEN r.T IS NOT NULL THEN array_to_string(r.T, ' ') || CASE WHEN r.unit IS NULL THEN '' "
        "WHEN r.dsg = r.unit THEN ' ' || r.unit ELSE ' ' || r.dsg || ' ' || r.unit END END"
    )
    return [
        *steps,
        (
            "r",
            f"{{'T': {words}, 'unit': {unit}, 'dsg': {dsg}, 'n': r.n, 'h': r.h, 'p': r.p, "
            "'pre': r.pre::INTEGER, 's': (r.sfx IS NOT NULL)::INTEGER}",
        ),
        (
            "r",
            "CASE WHEN r.T IS NOT NULL OR r.unit IS NOT NULL THEN {"
            "'house_number': CASE WHEN r.h > 0 THEN array_to_string(r.T[1:r.h], ' ') END, "
            "'predirectional': CASE WHEN r.pre = 1 THEN r.T[r.h + 1] END, "
            "'street_name': nullif(array_to_string(r.T[r.h + 1 + r.pre:r.n - r.p - r.s], ' '), ''), "
            "'suffix': CASE WHEN r.s = 1 THEN r.T[r.n - r.p] END, "
            "'postdirectional': CASE WHEN r.p = 1 THEN r.T[r.n] END, "
            "'unit_designator': r.dsg, "
            "'unit_number': CASE WHEN r.dsg IS DISTINCT FROM r.unit THEN r.unit END, "
            f"'street': array_to_string(r.T, ' '), 'unit': r.unit, 'line': {line}}} END",
        ),
    ]


def macro_sql() -> str:
    pat = _patterns()
    swapped = (
        "(line2 IS NOT NULL AND regexp_matches(CAST(line2 AS VARCHAR), '^\\s*[0-9]') "
        f"AND regexp_matches(CAST(line1 AS VARCHAR), '{pat['SWAP']}', 'i'))"
    )
    line1_clean = f"wb__addr_clean(CASE WHEN {swapped} THEN line2 ELSE line1 END)"

    # `line1_clean` appears twice: computed once (common subexpression elimination, as below)
    def head(line2_macro: str, tail_macro: str) -> str:
        start = (
            f"{{'a': {line1_clean}, "
            f"'u2': {line2_macro}(wb__addr_clean(CASE WHEN {swapped} THEN line1 ELSE line2 END)), "
            f"'tail': regexp_extract({line1_clean}, '{pat['TAIL']}')}}"
        )
        shape = pipeline(start, _unit_steps(pat, tail_macro) + _shape_steps())
        # The suffix lookup runs outside any lambda; `shape` appears twice in the text but DuckDB's
        # common subexpression elimination computes it once.
        return f"{{'x': {shape}, 'sfx': {suffix}[({shape}).w]}}"

    suffix = map_literal(tables.street_suffixes())
    # street, unit and key: the unit's value alone; the parts: the unit with its designator
    parse = pipeline(head("wb__addr_line2_value", "wb__addr_tail_value"), _assemble_steps(full=False))
    key = let(
        "k",
        "{'p': wb__addr_parse(line1, line2), 'z': wb_zip5(postal_code)}",
        "k.p.street || '|' || coalesce(k.p.unit, '') || '|' || k.z",
    )
    # The parts: the same pipeline, the unit with its designator, two more steps.
    parts = pipeline(head("wb__addr_line2_unit", "wb__addr_tail_unit"), _assemble_steps(full=True))
    statements = [
        f"CREATE OR REPLACE TEMP MACRO wb__addr_clean(x) AS {_clean_sql(pat)}",
        *_unit_macros(pat),
        f"CREATE OR REPLACE TEMP MACRO wb__addr_parse(line1, line2) AS {parse}",
        "CREATE OR REPLACE TEMP MACRO wb_addr_street(line1, line2) AS wb__addr_parse(line1, line2).street",
        "CREATE OR REPLACE TEMP MACRO wb_addr_unit(line1, line2) AS wb__addr_parse(line1, line2).unit",
        f"CREATE OR REPLACE TEMP MACRO wb_addr_key(line1, line2, postal_code) AS {key}",
        f"CREATE OR REPLACE TEMP MACRO wb_addr_parts(line1, line2) AS {parts}",
        "CREATE OR REPLACE TEMP MACRO wb_addr_line(line1, line2) AS wb_addr_parts(line1, line2).line",
    ]
    return ";\n".join(statements) + ";\n"
