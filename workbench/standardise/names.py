"""Person name macros: a matching key, a readable display form and nickname-aware first-name roots."""

from __future__ import annotations

from . import tables
from .sql_text import blank_is_null, map_literal

# One part of a name (between spaces, hyphens and apostrophes), lower-case in, capitalised out;
# 'mcdonald' -> 'McDonald'.
_CAPITALISE_PART = (
    "upper(q[1]) || CASE WHEN q[1:2] = 'mc' AND length(q) > 2 THEN 'c' || upper(q[3]) || q[4:] ELSE q[2:] END"
)


TITLES = ("MR", "MRS", "MS", "MISS", "MX", "DR", "REV", "PROF")


def macro_sql() -> str:
    # A leading title (Mr. William, DR JOHN, Mrs & Mr Ann) is not part of the name; a title alone stays.
    titles = "|".join(TITLES)
    name_key = blank_is_null(
        "x",
        "nullif(regexp_replace(trim(replace(replace(regexp_replace(regexp_replace("
        r"upper(strip_accents(CAST(x AS VARCHAR))), '[^A-Z\s-]+', '', 'g'), '\s+', ' ', 'g'), "
        f"' -', '-'), '- ', '-'), ' -'), '^(?:(?:{titles}) )+([^ ])', '\\1'), '')",
    )
    # A space after every hyphen and apostrophe makes each part a word of its own: one flat lambda
    # capitalises them all, and the added spaces go again afterwards.
    spaced = (
        r"replace(replace(lower(regexp_replace(trim(CAST(x AS VARCHAR)), '\s+', ' ', 'g')), '-', '- '), "
        "'''', ''' ')"
    )
    name_display = blank_is_null(
        "x",
        f"replace(replace(array_to_string(list_transform(string_split({spaced}, ' '), "
        f"lambda q: {_CAPITALISE_PART}), ' '), '- ', '-'), ''' ', '''')",
    )
    # No let here: a large MAP inside a lambda is slow; the repeated key is computed once by
    # DuckDB's common subexpression elimination.
    key = "upper(trim(CAST(x AS VARCHAR)))"
    first_name_root = blank_is_null("x", f"coalesce({map_literal(tables.nickname_roots())}[{key}], {key})")
    # Many-to-many: every name a first name may stand for (itself included); two first names are
    # nicknames of one another when these lists share a name: list_has_any(roots_a, roots_b).
    # Stored as 'A|B|C' text: a MAP of lists costs ten times as much to bind in every query.
    groups = {name: "|".join(roots) for name, roots in tables.nickname_groups().items()}
    first_name_roots = blank_is_null("x", f"string_split(coalesce({map_literal(groups)}[{key}], {key}), '|')")
    return (
        f"CREATE OR REPLACE TEMP MACRO wb_name_key(x) AS {name_key};\n"
        f"CREATE OR REPLACE TEMP MACRO wb_name_display(x) AS {name_display};\n"
        f"CREATE OR REPLACE TEMP MACRO wb_first_name_root(x) AS {first_name_root};\n"
        f"CREATE OR REPLACE TEMP MACRO wb_first_name_roots(x) AS {first_name_roots};\n"
    )
