"""Date and timestamp macros: the formats source extracts use, NULL for impossible values."""

from __future__ import annotations

from .sql_text import blank_is_null, let, quote

# Tried in order; strptime must consume the whole text, so order only matters for speed.
TIMESTAMP_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S.%fZ",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%m/%d/%Y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y%m%d",
)
# ISO 8601 with a UTC offset: converted to UTC.
OFFSET_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S.%f%z",
)


def _format_list(formats: tuple[str, ...]) -> str:
    return "[" + ", ".join(quote(f) for f in formats) + "]"


def macro_sql() -> str:
    parsed = (
        f"coalesce(try_strptime(s, {_format_list(TIMESTAMP_FORMATS)}), "
        r"CASE WHEN regexp_matches(s, '[+-][0-9]{2}:?[0-9]{2}$') THEN timezone('UTC', "
        f"try_strptime(s, {_format_list(OFFSET_FORMATS)})) END)"
    )
    # A year of fewer than four digits ('25-01-02') is taken as junk, not as the year 25.
    timestamp = blank_is_null(
        "x",
        let("s", "trim(CAST(x AS VARCHAR))", let("ts", parsed, "CASE WHEN year(ts) >= 1000 THEN ts END")),
    )
    return (
        f"CREATE OR REPLACE TEMP MACRO wb_timestamp(x) AS {timestamp};\n"
        "CREATE OR REPLACE TEMP MACRO wb_date(x) AS CAST(wb_timestamp(x) AS DATE);\n"
    )
