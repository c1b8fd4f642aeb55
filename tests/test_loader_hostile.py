"""The loader against files and config that would empty a suppression list, corrupt values or run SQL: a
stray quote is a reject of its line, a full load that would gut a suppression list is refused, JSON is read
field by field as text, and names from config never reach SQL unquoted."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_trust_helpers import make_store, one, q

from workbench import clock
from workbench.cli import main
from workbench.errors import ConfigError
from workbench.ingest.load import load_file
from workbench.ingest.sources import parse_sources_toml, save_sources, source_from_dict

ROOT = Path(__file__).resolve().parent.parent
BAD = Path(__file__).parent / "data" / "bad"
STRAY = BAD / "dnc_stray_quote.txt"
NOW = {"WORKBENCH_NOW": "2026-11-20T10:00:00"}


def wb(db: Path, *args, env=None):
    result = CliRunner().invoke(main, ["--db", str(db), *map(str, args)], env={**NOW, **(env or {})})
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in text, text
    return result, text


@pytest.fixture
def db(tmp_path) -> Path:
    store = make_store(tmp_path)  # the trust sources: dnc is a full-mode phone list without header
    clock.set_now(None)
    return store.path


def good_dnc(tmp_path: Path, lines: int = 200) -> Path:
    """The stray-quote DNC file as it should have been (the quote removed), or its first ``lines`` lines."""
    text = STRAY.read_text().replace('"', "").splitlines()[:lines]
    path = tmp_path / f"dnc_good_{lines}.txt"
    path.write_text("\n".join(text) + "\n")
    return path


def table_counts(db: Path) -> dict[str, int]:
    from workbench.store import Store

    return {
        t: one(Store(db), f"SELECT count(*) FROM {t}")
        for t in ("suppression_entries", "loads", "rejects", "audit_log", "records")
    }


# -- a stray quote --------------------------------------------------------------------------------------
def test_a_stray_quote_rejects_its_line_only(db, tmp_path):
    r, text = wb(db, "load", "dnc", good_dnc(tmp_path), "--json")
    assert json.loads(r.output)["rows_loaded"] == 200, text
    r, text = wb(db, "load", "dnc", STRAY, "--json")
    assert r.exit_code == 0, text
    summary = json.loads(r.output)
    assert (summary["rows_loaded"], summary["rows_rejected"], summary["rows_removed"]) == (199, 1, 1), summary
    from workbench.store import Store

    (reject,) = q(Store(db), "SELECT line, reason, raw FROM rejects WHERE load_id = ?", [summary["load_id"]])
    assert reject == {"line": 2, "reason": "a quote that is not closed on its line", "raw": '212,"5551001'}
    assert one(Store(db), "SELECT count(*) FROM suppression_entries WHERE phone_std = '4155551002'") == 1


def test_stray_quotes_in_a_csv_with_header_and_crlf(tmp_path):
    """Several swallowing quotes, CRLF line ends, a quoted field that does span two lines (kept whole)."""
    store = make_store(tmp_path)
    path = tmp_path / "web.csv"
    path.write_bytes(
        b"source_key,first_name,last_name,email\r\n"
        b'W1,"Ann,Lee,ann@example.com\r\n'
        b"W2,Bob,Ray,bob@example.com\r\n"
        b'W3,"Multi\r\nLine",Cho,cy@example.com\r\n'
        b'W4,Di,"Fox,di@example.com\r\n'
        b"W5,Ed,Kay,ed@example.com\r\n"
    )
    r = load_file(store, "web", path)
    assert (r.rows_loaded, r.rows_rejected) == (3, 2)
    assert [x["line"] for x in q(store, "SELECT line FROM rejects ORDER BY line")] == [2, 5]
    assert {x["source_key"] for x in q(store, "SELECT source_key FROM records")} == {"W2", "W3", "W5"}
    assert one(store, "SELECT first_name FROM records WHERE source_key = 'W3'") == "Multi\r\nLine"


# -- the shrink guard -----------------------------------------------------------------------------------
def test_a_full_load_that_would_gut_a_suppression_list_is_refused(db, tmp_path):
    from workbench.privacy import legal_clocks
    from workbench.store import Store

    wb(db, "load", "dnc", good_dnc(tmp_path))
    before = table_counts(db)
    later = {"WORKBENCH_NOW": "2026-11-25T10:00:00"}
    r, text = wb(db, "load", "dnc", good_dnc(tmp_path, 50), env=later)
    assert r.exit_code == 1, text
    assert "would remove 150 of its 200 entries (75%), more than the 10%" in text and "--allow-shrink" in text
    assert table_counts(db) == before, "a refused load changes nothing"
    with Store(db).connect(read_only=True) as conn:
        dnc = next(c for c in legal_clocks(conn) if c.source == "dnc")
    assert dnc.last_loaded_at.day == 20, "the legal clock does not count a refused load"
    r, text = wb(db, "load", "dnc", good_dnc(tmp_path, 50), "--allow-shrink", "--json", env=later)
    assert r.exit_code == 0 and json.loads(r.output)["rows_removed"] == 150, text
    assert one(Store(db), "SELECT count(*) FROM suppression_entries") == 50
    details = one(Store(db), "SELECT details FROM audit_log WHERE action = 'load' ORDER BY id DESC LIMIT 1")
    assert json.loads(details)["shrink_allowed"]["removed"] == 150


def test_max_shrink_is_set_per_source(db, tmp_path):
    from workbench.store import Store

    wb(db, "load", "dnc", good_dnc(tmp_path))
    loose = source_from_dict(
        "dnc",
        {
            "kind": "suppression",
            "cadence": "monthly",
            "channel": "phone",
            "match_on": "phone",
            "header": False,
            "column_names": ["area_code", "phone"],
            "max_shrink": 0.8,
        },
    )
    with Store(db).transaction() as conn:
        save_sources(conn, [loose])
    r, text = wb(db, "load", "dnc", good_dnc(tmp_path, 50))
    assert r.exit_code == 0, text
    strict = {**loose.to_dict(), "max_shrink": 0}
    for key in ("name", "cadence_s", "warn_after_s", "error_after_s"):
        strict.pop(key)
    with Store(db).transaction() as conn:
        save_sources(
            conn, [source_from_dict("dnc", {k: v for k, v in strict.items() if v not in (None, {}, [])})]
        )
    r, text = wb(db, "load", "dnc", good_dnc(tmp_path, 49))
    assert r.exit_code == 1 and "would remove 1 of its 50 entries" in text, text


@pytest.mark.parametrize(
    "value, message", [(1.5, "between 0 and 1"), ("10%", "between 0 and 1"), (True, "between 0 and 1")]
)
def test_max_shrink_must_be_a_share(value, message):
    with pytest.raises(ConfigError, match=message):
        source_from_dict(
            "x",
            {
                "kind": "suppression",
                "cadence": "daily",
                "channel": "email",
                "match_on": "email",
                "max_shrink": value,
            },
        )


def test_max_shrink_only_applies_to_suppression_sources():
    with pytest.raises(ConfigError, match="only applies to suppression sources"):
        source_from_dict("x", {"kind": "people", "cadence": "daily", "max_shrink": 0.2})


# -- JSON -----------------------------------------------------------------------------------------------
JSON_SOURCES = """
[sources.nd]
kind = "people"
cadence = "daily"
mode = "incremental"
format = "ndjson"

[sources.js]
kind = "people"
cadence = "daily"
mode = "incremental"
format = "json"
"""


@pytest.fixture
def json_store(tmp_path):
    store = make_store(tmp_path)
    (tmp_path / "json.toml").write_text(JSON_SOURCES)
    with store.transaction() as conn:
        save_sources(conn, parse_sources_toml(tmp_path / "json.toml"))
    return store


def test_a_malformed_ndjson_line_is_a_reject_of_that_line(json_store, tmp_path):
    path = tmp_path / "people.ndjson"
    path.write_text(
        '{"source_key": "N1", "first_name": "Ann"}\n'
        '{"source_key": "N2", "first_name": "Bob"\n'  # not closed
        "\n"
        '["N3", "Cy"]\n'
        '{"source_key": "N4", "first_name": "Di"}\n'
    )
    r = load_file(json_store, "nd", path)
    assert (r.rows_loaded, r.rows_rejected) == (2, 2)
    found = q(json_store, "SELECT line, reason, raw FROM rejects ORDER BY line")
    assert [(x["line"], x["reason"]) for x in found] == [
        (2, "not valid JSON"),
        (4, "not a JSON object (each record is one {...} object)"),
    ]
    assert found[0]["raw"] == '{"source_key": "N2", "first_name": "Bob"'


def test_mixed_value_types_are_read_as_text_per_record(json_store):
    r = load_file(json_store, "js", BAD / "mixed_types.json")
    assert (r.rows_loaded, r.rows_rejected) == (4, 2)
    got = {
        x["source_key"]: x
        for x in q(json_store, "SELECT source_key, postal_code, zip5, phone_std, attrs FROM records")
    }
    assert set(got) == {"M1", "2", "M3", "M6"}  # the number 2 is the key "2", not "\"2\""
    assert got["M1"]["postal_code"] == "01108" and got["M1"]["zip5"] == "01108"
    assert got["2"]["postal_code"] == "1108" and got["2"]["zip5"] == "01108"
    assert got["M3"]["phone_std"] == "6175550101"
    assert json.loads(got["M6"]["attrs"]) == {"tags": '["vip"]', "optin": "true"}
    rejects = q(json_store, "SELECT line, reason FROM rejects ORDER BY line")
    assert rejects == [
        {"line": 4, "reason": "field first_name holds a list or an object, not a value"},
        {"line": 5, "reason": "field last_name holds a list or an object, not a value"},
    ]


def test_json_field_names_are_data_not_paths(json_store, tmp_path):
    path = tmp_path / "odd.ndjson"
    path.write_text('{"source_key": "K1", "$.first": "a", "x.y": "b", "q\\"uote": "c", "first_name": "Al"}\n')
    r = load_file(json_store, "nd", path)
    assert r.rows_loaded == 1
    attrs = json.loads(one(json_store, "SELECT attrs FROM records"))
    assert attrs == {"$.first": "a", "x.y": "b", 'q"uote': "c"}


# -- names from config ----------------------------------------------------------------------------------
def test_a_crafted_as_of_column_name_stays_a_name(tmp_path):
    store = make_store(tmp_path)
    (crafted,) = parse_sources_toml(BAD / "crafted_as_of.toml")
    with store.transaction() as conn:
        save_sources(conn, [crafted])
    path = tmp_path / "crafted.csv"
    header = '"' + crafted.as_of.replace('"', '""') + '"'
    path.write_text(f"source_key,first_name,{header}\nK1,Ann,not a date\nK2,Bob,2026-11-01\n")
    r = load_file(store, "crafted", path)
    assert (r.rows_loaded, r.rows_rejected) == (1, 1)
    reason = one(store, "SELECT reason FROM rejects")
    assert reason == f"unparseable as_of ({crafted.as_of}): not a date"
    assert "root:" not in reason


def test_a_reason_or_brand_with_braces_is_text(db, tmp_path):
    """Config text inside the expression templates is not format()-ed: braces stay braces."""
    from workbench.store import Store

    src = source_from_dict(
        "optout",
        {
            "kind": "suppression",
            "cadence": "daily",
            "channel": "email",
            "match_on": "email",
            "reason": "asked {email} to stop",
            "brand": "b{0}",
        },
    )
    with Store(db).transaction() as conn:
        save_sources(conn, [src])
    path = tmp_path / "optout.csv"
    path.write_text("email\nann@example.com\n")
    load_file(Store(db), "optout", path)
    assert q(Store(db), "SELECT reason, brand FROM suppression_entries WHERE source = 'optout'") == [
        {"reason": "asked {email} to stop", "brand": "b{0}"}
    ]


# The core's f-strings that build SQL: a value from config (an attribute of a source, a selection, a rule,
# or a name taken from one in a loop) must go through quote_ident / quote_literal (or be bound).
SQL_WORDS = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|WHERE|THEN|FROM|JOIN|CREATE|VALUES|CASE|WHEN)\b|\|\|")
CONFIG_OBJECTS = {"source", "src", "s", "sel", "selection", "rule", "spec", "definition"}
NOT_TEXT = {"kind", "mode", "header"}  # checked against a fixed list when the config is read
SAFE_CALLS = {"quote_ident", "quote_literal", "_lit", "int", "float", "len", "bool"}


def _config_values(node: ast.AST, tainted: set[str]) -> list[ast.AST]:
    out: list[ast.AST] = []

    def visit(n: ast.AST) -> None:
        if isinstance(n, ast.Call):
            f = n.func
            if (f.id if isinstance(f, ast.Name) else getattr(f, "attr", None)) in SAFE_CALLS:
                return
        if (
            isinstance(n, ast.Attribute)
            and isinstance(n.value, ast.Name)
            and n.value.id in CONFIG_OBJECTS
            and n.attr not in NOT_TEXT
        ) or (isinstance(n, ast.Name) and n.id in tainted):
            out.append(n)
            return
        for child in ast.iter_child_nodes(n):
            visit(child)

    visit(node)
    return out


def _tainted(func: ast.AST) -> set[str]:
    """Names a function takes from config: loop targets over a config value, plain assignments of one."""
    names: set[str] = set()
    for n in ast.walk(func):
        targets = []
        if isinstance(n, ast.For) and _config_values(n.iter, set()):
            targets = [n.target]
        elif (
            isinstance(n, ast.Assign)
            and isinstance(n.value, ast.Attribute)
            and _config_values(n.value, set())
        ):
            targets = n.targets
        names |= {t.id for target in targets for t in ast.walk(target) if isinstance(t, ast.Name)}
    return names


def unquoted_config_in_sql(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for func in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)):
            tainted = _tainted(func)
            for n in ast.walk(func):
                if not isinstance(n, ast.JoinedStr):
                    continue
                text = "".join(v.value for v in n.values if isinstance(v, ast.Constant))
                if not SQL_WORDS.search(text):
                    continue
                found += [
                    f"{path.relative_to(root.parent)}:{n.lineno}: {ast.unparse(v.value)}"
                    for v in n.values
                    if isinstance(v, ast.FormattedValue) and _config_values(v.value, tainted)
                ]
    return found


def test_no_config_value_is_pasted_into_sql():
    assert unquoted_config_in_sql(ROOT / "workbench") == []


def test_the_scan_finds_what_it_looks_for(tmp_path):
    pkg = tmp_path / "workbench"
    pkg.mkdir()
    (pkg / "bad.py").write_text(
        "def f(source, conn):\n"
        "    conn.execute(f\"SELECT 'as of ({source.as_of})' || x FROM t\")\n"
        "    for col, values in source.keep_when.items():\n"
        '        sql = f"WHEN {col} = 1 THEN 2"\n'
        '    ok = f"SELECT {quote_ident(source.as_of)} FROM t WHERE k = ?"\n'
        '    msg = f"source {source.name!r} has no column {source.as_of!r}"\n'
    )
    assert [line.split(": ", 1)[1] for line in unquoted_config_in_sql(pkg)] == ["source.as_of", "col"]


def test_identifiers_are_quoted_by_one_helper():
    makers = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "workbench").rglob("*.py")
        if "replace('\"', '\"\"')" in p.read_text(encoding="utf-8")
    ]
    assert makers == ["workbench/store/sql.py"]
