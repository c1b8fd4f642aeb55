"""Email and phone macros: one clean form per channel, NULL when the value cannot be used."""

from __future__ import annotations

from .sql_text import blank_is_null, let

# Local part: the RFC 5322 "atext" characters in dot-separated runs; domain: labels of letters, digits
# and inner hyphens, then a top-level domain of letters (or a punycode xn-- label).
_ATEXT = "[a-z0-9!#$%&''*+/=?^_`{|}~-]"
EMAIL_PATTERN = f"{_ATEXT}+(\\.{_ATEXT}+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+([a-z]{{2,}}|xn--[a-z0-9-]+)"


def macro_sql() -> str:
    email = blank_is_null(
        "x",
        let(
            "e",
            # lower-cased, spaces removed, "Name <a@b.com>" and "mailto:" unwrapped, quotes and a trailing dot dropped
            "trim(regexp_replace(regexp_replace(regexp_replace(lower(coalesce(nullif(regexp_extract(CAST(x AS VARCHAR), "
            "'<([^<>]*@[^<>]*)>', 1), ''), CAST(x AS VARCHAR))), '\\s+', '', 'g'), '^mailto:', ''), '\\.+$', ''), "
            "'\"'' ')",
            f"CASE WHEN regexp_full_match(e, '{EMAIL_PATTERN}') THEN e END",
        ),
    )
    # Digits only, after dropping a trailing extension ('x12', 'ext. 12', 'extension 12').
    # A number a spreadsheet turned into a float ('6175550101.0') loses its '.0' first.
    digits = (
        "regexp_replace(CASE WHEN regexp_full_match(CAST(x AS VARCHAR), '\\s*[0-9]+\\.0+\\s*') "
        "THEN regexp_replace(CAST(x AS VARCHAR), '\\.0+\\s*$', '') "
        "WHEN contains(lower(CAST(x AS VARCHAR)), 'x') THEN regexp_replace("
        r"lower(CAST(x AS VARCHAR)), '\s*(?:x|ext|extension)\.?\s*[0-9]+\s*$', '') "
        "ELSE CAST(x AS VARCHAR) END, '[^0-9]+', '', 'g')"
    )
    ten_digits = "CASE WHEN length(d) = 11 AND d[1] = '1' THEN d[2:] WHEN length(d) = 10 THEN d END"
    # NANP: area code and exchange start with 2-9; area codes N11 are service codes; no 5555555555.
    phone = blank_is_null(
        "x",
        let(
            "d",
            digits,
            let(
                "t",
                ten_digits,
                "CASE WHEN regexp_full_match(t, '[2-9][0-9]{2}[2-9][0-9]{6}') "
                "AND t <> repeat(t[1], 10) AND t[2:3] <> '11' THEN t END",
            ),
        ),
    )
    return (
        f"CREATE OR REPLACE TEMP MACRO wb_email(x) AS {email};\n"
        "CREATE OR REPLACE TEMP MACRO wb_email_valid(x) AS "
        f"{blank_is_null('x', 'wb_email(x) IS NOT NULL')};\n"
        f"CREATE OR REPLACE TEMP MACRO wb_phone(x) AS {phone};\n"
        # area + number; a number that already carries its area code is taken alone.
        "CREATE OR REPLACE TEMP MACRO wb_phone2(area, number) AS coalesce("
        "wb_phone(concat(CAST(area AS VARCHAR), CAST(number AS VARCHAR))), wb_phone(number));\n"
    )
