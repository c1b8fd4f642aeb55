"""Person name macros: a matching key, a readable display form and a nickname-aware first-name root."""

from __future__ import annotations

from . import tables
from .sql_text import blank_is_null, let, map_literal

# One part of a name (between spaces, hyphens and apostrophes), lower-case in, capitalised out;
# 'mcdonald' -> 'McDonald'.
_CAPITALISE_PART = (
    "upper(q[1]) || CASE WHEN q[1:2] = 'mc' AND length(q) > 2 "
    "THEN 'c' || upper(q[3]) || q[4:] ELSE q[2:] END"
)


def macro_sql() -> str:
    name_key = blank_is_null(
        "x",
        "nullif(trim(replace(replace(regexp_replace(regexp_replace("
        r"upper(strip_accents(CAST(x AS VARCHAR))), '[^A-Z\s-]+', '', 'g'), '\s+', ' ', 'g'), "
        "' -', '-'), '- ', '-'), ' -'), '')",
    )
    apostrophe_parts = (
        f"array_to_string(list_transform(string_split(p, ''''), lambda q: {_CAPITALISE_PART}), '''')"
    )
    hyphen_parts = (
        f"array_to_string(list_transform(string_split(w, '-'), lambda p: {apostrophe_parts}), '-')"
    )
    name_display = blank_is_null(
        "x",
        "array_to_string(list_transform(string_split("
        r"lower(regexp_replace(trim(CAST(x AS VARCHAR)), '\s+', ' ', 'g')), ' '), "
        f"lambda w: {hyphen_parts}), ' ')",
    )
    first_name_root = blank_is_null(
        "x",
        let("k", "upper(trim(CAST(x AS VARCHAR)))", f"coalesce({map_literal(tables.nickname_roots())}[k], k)"),
    )
    return (
        f"CREATE OR REPLACE TEMP MACRO wb_name_key(x) AS {name_key};\n"
        f"CREATE OR REPLACE TEMP MACRO wb_name_display(x) AS {name_display};\n"
        f"CREATE OR REPLACE TEMP MACRO wb_first_name_root(x) AS {first_name_root};\n"
    )
