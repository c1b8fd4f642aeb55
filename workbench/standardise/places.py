"""ZIP code, US state and country macros, and the offline ZIP table (:func:`zip_code_rows`)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

from . import tables
from .sql_text import blank_is_null, let, map_literal

# Five digits (or three or four that lost their leading zeros), then an optional ZIP+4.
_ZIP_PATTERN = r"^([0-9]{3,5})(?:[ -]*([0-9]{4}))?$"
_ZIP_PARTS = f"regexp_extract(trim(CAST(x AS VARCHAR)), '{_ZIP_PATTERN}', ['five', 'four'])"
# A lookup form: upper-case, accents and punctuation gone ('U.S.A.' -> 'USA'), single spaces.
_LOOKUP_FORM = (
    "trim(regexp_replace(regexp_replace(upper(strip_accents(CAST(x AS VARCHAR))), "
    r"'[^A-Z\s]+', '', 'g'), '\s+', ' ', 'g'))"
)


def macro_sql() -> str:
    # Fast path for the usual clean five digits; the regex with groups only for the rest.
    zip5 = blank_is_null(
        "x",
        "CASE WHEN regexp_full_match(CAST(x AS VARCHAR), '[0-9]{5}') "
        "THEN nullif(CAST(x AS VARCHAR), '00000') ELSE "
        + let(
            "z",
            _ZIP_PARTS,
            "CASE WHEN z.five <> '' AND lpad(z.five, 5, '0') <> '00000' THEN lpad(z.five, 5, '0') END",
        )
        + " END",
    )
    zip4 = blank_is_null(
        "x",
        let(
            "z",
            _ZIP_PARTS,
            "CASE WHEN z.five <> '' AND lpad(z.five, 5, '0') <> '00000' "
            "AND z.four NOT IN ('', '0000') THEN z.four END",
        ),
    )
    # No let around the MAP lookups (a MAP inside a lambda is slow); the repeated lookup form is
    # computed once by DuckDB's common subexpression elimination.
    state = blank_is_null(
        "x",
        f"coalesce({map_literal(tables.us_states())}[{_LOOKUP_FORM}], "
        f"CASE WHEN length({_LOOKUP_FORM}) = 2 THEN {_LOOKUP_FORM} ELSE upper(trim(CAST(x AS VARCHAR))) END)",
    )
    country = blank_is_null(
        "x",
        f"coalesce({map_literal(tables.countries())}[{_LOOKUP_FORM}], upper(trim(CAST(x AS VARCHAR))))",
    )
    return (
        f"CREATE OR REPLACE TEMP MACRO wb_zip5(x) AS {zip5};\n"
        f"CREATE OR REPLACE TEMP MACRO wb_zip4(x) AS {zip4};\n"
        f"CREATE OR REPLACE TEMP MACRO wb_state(x) AS {state};\n"
        f"CREATE OR REPLACE TEMP MACRO wb_country(x) AS {country};\n"
    )


# The same table written once as Parquet (``write_zip_file``), tagged with the package version it came from.
ZIP_FILE = Path(__file__).with_name("data") / "zip_codes.parquet"
_ZIP_COLUMNS = "zip5, state, city, kind, active"


def zip_code_rows() -> Any:
    """The offline US ZIP table of the ``zipcodes`` package (USPS data, shipped inside the package) as an
    Arrow table: zip5, state, city (the primary city, as the package writes it), kind (STANDARD, PO BOX,
    UNIQUE, MILITARY), active. Read once per process from ``data/zip_codes.parquet`` when that file was
    written from the installed package version (~0.05 s), else built from the package (about a second);
    ZIP, state and kind are copied into the database by :func:`workbench.ingest.addresses.ensure_zip_codes`."""
    return _zip_code_rows()


def zip_codes_version() -> str:
    import zipcodes

    return str(zipcodes.__version__)


@cache
def _zip_code_rows() -> Any:
    shipped = _shipped_zip_rows(ZIP_FILE)
    return shipped if shipped is not None else _package_zip_rows()


def _shipped_zip_rows(path: Path) -> Any | None:
    """The table in ``path`` when it was written from the installed ``zipcodes`` version, else None."""
    import duckdb

    if not path.is_file():
        return None
    conn = duckdb.connect()
    try:
        got = conn.execute("SELECT value::VARCHAR FROM parquet_kv_metadata(?) WHERE key::VARCHAR = 'zipcodes_version'",
                           [str(path)]).fetchall()
        if not got or got[0][0] != zip_codes_version():
            return None
        return conn.sql(f"SELECT {_ZIP_COLUMNS} FROM read_parquet(?)", params=[str(path)]).to_arrow_table()
    except duckdb.Error:
        return None
    finally:
        conn.close()


def write_zip_file(path: Path = ZIP_FILE) -> int:
    """Write the package's table to ``path`` as Parquet (atomically), tagged with the package version.
    Run after upgrading ``zipcodes``: ``python -c "from workbench.standardise.places import write_zip_file;
    write_zip_file()"``. Returns the rows written."""
    import duckdb

    from .sql_text import quote as quote_literal

    table = _package_zip_rows()
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    conn = duckdb.connect()
    try:
        conn.register("_zip_arrow", table)
        conn.execute(f"COPY (SELECT {_ZIP_COLUMNS} FROM _zip_arrow) TO {quote_literal(str(partial))} (FORMAT parquet, "
                     f"COMPRESSION zstd, KV_METADATA {{zipcodes_version: {quote_literal(zip_codes_version())}}})")
    finally:
        conn.close()
    os.replace(partial, path)
    return table.num_rows


def _package_zip_rows() -> Any:
    import pyarrow as pa
    import zipcodes

    found = zipcodes.list_all()
    return pa.table(
        {
            "zip5": pa.array([z["zip_code"] for z in found], pa.string()),
            "state": pa.array([z["state"] for z in found], pa.string()),
            "city": pa.array([z["city"] for z in found], pa.string()),
            "kind": pa.array([z["zip_code_type"] for z in found], pa.string()),
            "active": pa.array([bool(z["active"]) for z in found], pa.bool_()),
        }
    )
