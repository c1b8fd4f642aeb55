"""Date and timestamp macros: the formats source extracts use, NULL for impossible values.

Accepted (with optional surrounding spaces):
- ISO: 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM[:SS[.fff]]', the same with 'T', an optional 'Z'; a numeric UTC
  offset ('+02:00', '-0500') is converted to UTC.
- 'YYYY/MM/DD' (optionally with a time), 'YYYYMMDD'.
- US: 'M/D/YYYY' and 'MM/DD/YYYY', optionally with 'HH:MM[:SS]' or 'H:MM[:SS] AM/PM'.
Impossible dates ('0000-00-00', '2025-02-31', '31/02/2025': day-first is not a US format), two-digit
years and years before 1000 give NULL: a caller turns NULL from a non-blank value into a reject.
"""

from __future__ import annotations

from .sql_text import blank_is_null, let, quote

SLASH_YEAR_FIRST_FORMATS = ("%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")
US_FORMATS = (
    "%m/%d/%Y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S.%f",
)
# ISO 8601 with a numeric UTC offset.
OFFSET_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S.%f%z",
    "%Y-%m-%dT%H:%M%z",
    "%Y-%m-%d %H:%M%z",
)
_OFFSET_PATTERN = r"[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)? ?[+-][0-9]{2}:?[0-9]{2}$"


def _formats(formats: tuple[str, ...]) -> str:
    return "[" + ", ".join(quote(f) for f in formats) + "]"


def macro_sql() -> str:
    # The text's shape picks the parser, so each row tries only the formats that can fit it;
    # DuckDB's own ISO cast is the fast path.
    parsed = (
        "CASE WHEN s[5] = '-' THEN CASE "
        f"WHEN regexp_matches(s, '{_OFFSET_PATTERN}') "
        f"THEN timezone('UTC', try_strptime(replace(s, ' +', '+'), {_formats(OFFSET_FORMATS)})) "
        "ELSE try_cast(s AS TIMESTAMP) END "
        f"WHEN s[5] = '/' AND NOT contains(s[1:4], '/') THEN try_strptime(s, {_formats(SLASH_YEAR_FIRST_FORMATS)}) "
        f"WHEN contains(s, '/') THEN try_strptime(s, {_formats(US_FORMATS)}) "
        "WHEN length(s) = 8 THEN try_strptime(s, '%Y%m%d') END"
    )
    timestamp = blank_is_null(
        "x",
        let(
            "s",
            "trim(CAST(x AS VARCHAR))",
            let("ts", parsed, "CASE WHEN year(ts) BETWEEN 1000 AND 9999 THEN ts END"),
        ),
    )
    return (
        f"CREATE OR REPLACE TEMP MACRO wb_timestamp(x) AS {timestamp};\n"
        "CREATE OR REPLACE TEMP MACRO wb_date(x) AS CAST(wb_timestamp(x) AS DATE);\n"
    )
