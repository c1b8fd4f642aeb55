"""Hostile and broken extracts (tests/data/bad/ and generated ones): each gives a clear message (exit 2,
database unchanged) or loads its good rows with clean rejects (exit 0); never a traceback, never a row
stored half-read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_trust_helpers import make_store, one, q

from workbench.cli import main

BAD = Path(__file__).parent / "data" / "bad"
HEADER = "source_key,first_name,last_name,email,phone,birth_date,address_line1,postal_code"
SOURCES = """
[sources.bad]
kind = "people"
cadence = "daily"
mode = "incremental"

[sources.bad_json]
kind = "people"
cadence = "daily"
mode = "incremental"
format = "json"

[sources.bad_parquet]
kind = "people"
cadence = "daily"
mode = "incremental"
format = "parquet"

[sources.bad_dnc]
kind = "suppression"
cadence = "monthly"
channel = "phone"
match_on = "phone"
header = false
column_names = ["area_code", "phone"]
"""
TABLES = ("records", "persons", "loads", "rejects", "audit_log", "person_records", "suppression_entries")

# file -> (exit code, rows loaded, rows rejected, a phrase of the message or of every reject reason)
EXPECTED = {
    "array_of_arrays.json": (2, 0, 0, "records of this JSON file are arrays"),
    "bad_dates.csv": (0, 1, 4, "unparseable birth_date"),
    "bad_line.ndjson": (0, 2, 1, "not valid JSON"),  # that line only
    "dnc_stray_quote.txt": (0, 199, 1, "a quote that is not closed on its line"),  # not the 198 after it
    "blank_lines.csv": (2, 0, 0, "the first line is empty"),
    "bom_utf8.csv": (0, 1, 0, ""),
    "cr_only.csv": (0, 2, 0, ""),
    "empty.parquet": (2, 0, 0, "no data rows"),
    "empty_no_columns_we_know.parquet": (2, 0, 0, "required field 'source_key'"),
    "formula_injection.csv": (0, 5, 1, "a quote that is not closed properly"),
    "header_only.csv": (2, 0, 0, "no data rows"),
    "latin1.csv": (0, 2, 0, ""),
    "mixed_encoding.csv": (0, 2, 1, "undecodable bytes"),
    "mixed_types.json": (0, 4, 2, "holds a list or an object, not a value"),
    "nul_bytes.csv": (0, 1, 1, "a NUL byte"),
    "png_named.csv": (2, 0, 0, "looks like a PNG image"),
    "quote_inside.csv": (0, 1, 1, "a quote that is not closed properly"),
    "ragged.csv": (0, 2, 2, "wrong number of fields: expected 8, found"),
    "scalar.json": (2, 0, 0, "not an array"),
    "sql_values.csv": (0, 3, 1, "unparseable birth_date"),
    "truncated.json": (2, 0, 0, "cannot be read as JSON: Invalid Input Error: Malformed JSON"),
    "unclosed_quote.csv": (0, 2, 1, "a quote that is not closed on its line"),  # B3 is not swallowed
    "utf16_bom.csv": (0, 1, 0, ""),
    "wrong_top.json": (2, 0, 0, "its records sit in the list under 'data'"),
}


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    from workbench import clock
    from workbench.ingest.sources import parse_sources_toml, save_sources

    tmp = tmp_path_factory.mktemp("hostile")
    store = make_store(tmp)
    (tmp / "bad.toml").write_text(SOURCES)
    with store.transaction() as conn:
        save_sources(conn, parse_sources_toml(tmp / "bad.toml"))
    clock.set_now(None)
    return store.path


@pytest.fixture
def db(base, tmp_path) -> Path:
    shutil.copy(base, tmp_path / "wb.duckdb")
    return tmp_path / "wb.duckdb"


def counts(db: Path) -> dict[str, int]:
    from workbench.store import Store

    return {t: one(Store(db), f"SELECT count(*) FROM {t}") for t in TABLES}


def load(db: Path, path: Path, source: str | None = None):
    source = source or ("bad_dnc" if path.name.startswith("dnc_") else None) or {
        ".json": "bad_json", ".parquet": "bad_parquet"}.get(path.suffix, "bad")
    result = CliRunner().invoke(main, ["--db", str(db), "load", source, str(path), "--json"],
                                env={"WORKBENCH_NOW": "2026-11-20T10:00:00"})
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in text and "unexpected failure" not in text, text
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result, text


def test_every_file_of_the_corpus_has_an_expectation():
    # crafted_as_of.toml is a sources file, not an extract: tests/test_loader_hostile.py uses it
    assert sorted(p.name for p in BAD.iterdir() if p.suffix != ".toml") == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file(db, name):
    code, loaded, rejected, phrase = EXPECTED[name]
    before = counts(db)
    result, text = load(db, BAD / name)
    after = counts(db)
    assert result.exit_code == code, text
    if code == 2:
        assert after == before, "a refused file must leave the database exactly as it was"
        assert phrase in text
        return
    import json

    summary = json.loads(result.output)
    assert (summary["rows_loaded"], summary["rows_rejected"]) == (loaded, rejected), summary
    assert after["loads"] == before["loads"] + 1 and after["audit_log"] == before["audit_log"] + 1
    table = "suppression_entries" if name.startswith("dnc_") else "records"
    assert after[table] == before[table] + summary["rows_inserted"]
    assert after["rejects"] == before["rejects"] + rejected  # one reject per bad line, never two
    reasons = {r["reason"] for r in q_db(db, "SELECT reason FROM rejects")}
    assert all(phrase in r for r in reasons), reasons


def q_db(db: Path, sql: str, params=None):
    from workbench.store import Store

    return q(Store(db), sql, params)


def test_what_the_awkward_files_store(db):
    for name in ("bom_utf8.csv", "latin1.csv", "utf16_bom.csv", "cr_only.csv", "sql_values.csv",
                 "formula_injection.csv", "nul_bytes.csv"):
        load(db, BAD / name)
    names = {r["source_key"]: r for r in q_db(db, "SELECT source_key, first_name, last_name, attrs FROM records")}
    assert names["B1"]["first_name"] in ("Zoë", "Ann")  # the BOM did not end up in the header: source_key read
    assert names["L1"]["first_name"] == "José" and names["L2"]["last_name"] == "Müller"  # cp1252 decoded
    assert names["C2"]["first_name"] == "Bob"  # CR-only lines read as lines
    # SQL-looking values are data, stored as given; nothing was executed
    assert names["'; DROP TABLE records; --"]["last_name"] == "'; DROP TABLE records; --"
    assert names["S3"]["last_name"] == "1' OR '1'='1" and "DROP TABLE records" in names["S3"]["attrs"]
    assert {"records", "persons", "loads"} <= {r["table_name"] for r in q_db(db, "SELECT table_name FROM duckdb_tables()")}
    # formulas are kept as the source wrote them (exports neutralise them: tests/test_trust_exports.py)
    assert names["F1"]["first_name"] == '=HYPERLINK("http://evil.example/x","click me")'
    assert names["F5"]["last_name"] == "\t=2+2"
    # a NUL byte never reaches a stored value
    assert one_db(db, "SELECT count(*) FROM records WHERE contains(first_name, chr(0))") == 0
    assert q_db(db, "SELECT raw FROM rejects WHERE reason LIKE 'a NUL%'")[0]["raw"].startswith("N1,An\\0n,")


def one_db(db: Path, sql: str):
    from workbench.store import Store

    return one(Store(db), sql)


def test_a_10_mb_field_is_a_reject_not_a_hang(db, tmp_path):
    big = tmp_path / "big_field.csv"
    with open(big, "w") as f:
        f.write(HEADER + "\nG1," + "A" * (10 * 1024 * 1024) + ",Lee,,,,,\n")
        f.write('G2,"' + "B" * (10 * 1024 * 1024) + '",Lee,,,,,\nG3,Ann,Lee,ann@example.com,,,,\n')
    result, text = load(db, big)
    assert result.exit_code == 0, text
    assert '"rows_loaded": 1' in text and '"rows_rejected": 2' in text
    rejects = q_db(db, "SELECT reason, length(raw) AS n FROM rejects ORDER BY line")
    assert [r["reason"] for r in rejects] == ["line longer than the limit of 4 MB"] * 2
    assert all(r["n"] <= 10_000 for r in rejects)  # a reject keeps a bounded piece of the line


def test_a_100000_column_header_is_refused(db, tmp_path):
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(100_000)) + "\n" + ",".join("x" * 100_000) + "\n")
    before = counts(db)
    result, text = load(db, wide)
    assert result.exit_code == 2 and "100,000 columns" in text and "at most 2,000" in text
    assert counts(db) == before


def test_sql_in_the_source_name_and_path_is_just_a_name(db, tmp_path):
    odd = tmp_path / "x'); DROP TABLE records; --.csv"
    odd.write_text(HEADER + "\nQ1,Ann,Lee,,,,,\n")
    result, text = load(db, odd)
    assert result.exit_code == 0 and one_db(db, "SELECT count(*) FROM records") == 1
    result, text = load(db, odd, source="x'; DROP TABLE loads; --")
    assert result.exit_code == 2 and "Unknown source" in text
    assert one_db(db, "SELECT count(*) FROM loads") == 1
