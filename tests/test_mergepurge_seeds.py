"""Seeds in every file: the database's seed list goes into exports and merge/purge files (unless a selection
names its own); a file without seeds leaves only with --no-seeds, which the audit log records."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner
from mergepurge_support import SEEDS, _run_file, _write, build_mp_store

from workbench.errors import RefusedError

SELECTION = """[selections.ma]
channel = "mail"
where = "state = 'MA'"
"""
OWN = (
    SELECTION.replace("[selections.ma]", "[selections.own]")
    + """[[selections.own.seeds]]
name = "Office"
first_name = "Dana"
last_name = "Own"
address_line1 = "1 Harbor Way"
zip5 = "02110"
"""
)


@pytest.fixture
def mp_store(tmp_path, built):
    return built(build_mp_store, tmp_path)  # built once, copied per test


def _save(store, text):
    from workbench.select.definition import parse_selections_text
    from workbench.select.saved import save_selection

    with store.transaction() as conn:
        for s in parse_selections_text(text):
            save_selection(conn, s, "test")


def _file(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def _audit(store, action):
    with store.connect(read_only=True) as conn:
        return conn.execute("SELECT target, details FROM audit_log WHERE action = ?", [action]).fetchall()


def test_export_carries_the_database_seeds(mp_store, tmp_path):
    from workbench.export.run import export_selection

    _save(mp_store, SELECTION)
    result = export_selection(mp_store, "ma", tmp_path / "ma.csv", allow_stale=True)
    seeds = [r for r in _file(result.file) if r["is_seed"] == "true"]
    assert [s["last_name"] for s in seeds] == ["Park"] and result.seeds_from == "database"


def test_selection_own_seeds_replace_the_database_list(mp_store, tmp_path):
    from workbench.export.run import export_selection

    _save(mp_store, OWN)
    result = export_selection(mp_store, "own", tmp_path / "own.csv", allow_stale=True)
    assert [r["last_name"] for r in _file(result.file) if r["is_seed"] == "true"] == ["Own"]


def test_export_without_seeds_refused_then_audited_with_no_seeds(mp_store, tmp_path):
    from workbench.export.run import export_selection
    from workbench.export.seeds import import_seeds

    with mp_store.transaction() as conn:  # the list keeps only an email seed: none for a mail file
        import_seeds(
            conn, [{"name": "inbox", "channel": "email", "brand": None, "email": "seed@example.com"}]
        )
    _save(mp_store, SELECTION)
    with pytest.raises(RefusedError, match="without seeds"):
        export_selection(mp_store, "ma", tmp_path / "ma.csv", allow_stale=True)
    assert not (tmp_path / "ma.csv").exists()
    result = export_selection(mp_store, "ma", tmp_path / "ma.csv", allow_stale=True, no_seeds=True)
    assert not [r for r in _file(result.file) if r["is_seed"] == "true"]
    assert [t for t, _d in _audit(mp_store, "seeds.skipped")] == ["ma"]


def test_mergepurge_without_seeds_needs_no_seeds(mp_store, tmp_path):
    from workbench.export.seeds import import_seeds
    from workbench.mergepurge import run_mergepurge

    with mp_store.transaction() as conn:
        import_seeds(conn, [])
    with pytest.raises(RefusedError, match="without seeds"):
        run_mergepurge(mp_store, _run_file(tmp_path), tmp_path / "out.csv")
    result = run_mergepurge(mp_store, _run_file(tmp_path), tmp_path / "out.csv", no_seeds=True)
    rows = _file(result.file)
    assert not [r for r in rows if r["seed_of"] == "database"]
    assert [r["source_key"] for r in rows if r["seed_of"] == "list owner"] == ["A6"]  # the owner's seed stays
    assert [t for t, _d in _audit(mp_store, "seeds.skipped")] == ["spring"]
    with mp_store.connect(read_only=True) as conn:
        assert conn.execute("SELECT no_seeds FROM mergepurge_runs").fetchone()[0] is True


def test_seed_file_checked():
    from workbench.errors import ConfigError
    from workbench.export.seeds import parse_seeds_toml

    with pytest.raises(ConfigError, match="needs address_line1"):
        parse_seeds_toml(_write_tmp('[[seeds]]\nname = "x"\nchannel = "mail"\nzip5 = "01970"\n'))


def _write_tmp(text):
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp())
    return _write(folder, "seeds.toml", text)


def test_cli_mergepurge_json_report_and_refusal(mp_store, tmp_path):
    from workbench.cli import main

    run_file = _run_file(tmp_path)
    args = ["--db", str(mp_store.path), "mergepurge", str(run_file), "--out", str(tmp_path / "o.csv")]
    done = CliRunner().invoke(main, [*args, "--json"])
    assert done.exit_code == 0, done.output
    data = json.loads(done.output)
    lists = {r["source"]: r for r in data["report"]["lists"]}
    assert lists["list_a"]["net"] == 2 and lists["list_b"]["duplicates"] == {"list_a": 1}
    printed = CliRunner().invoke(main, ["--db", str(mp_store.path), "mergepurge", str(run_file), "--dry-run"])
    assert printed.exit_code == 1 and "one-time rental" in printed.output  # a second use is refused
    seeds = CliRunner().invoke(main, ["--db", str(mp_store.path), "seeds", "list"])
    assert "Staff: Jo Park" in seeds.output
    lists_out = CliRunner().invoke(main, ["--db", str(mp_store.path), "prospects", "list", "--json"])
    by = {r["name"]: r for r in json.loads(lists_out.output)}
    assert by["list_a"]["uses"] == 1 and by["list_a"]["supplier"] == "Acme Lists"
    runs = CliRunner().invoke(main, ["--db", str(mp_store.path), "prospects", "runs", "--json"])
    assert [r["name"] for r in json.loads(runs.output)] == ["spring"]
    origins = CliRunner().invoke(main, ["--db", str(mp_store.path), "prospects", "origins", "--json"])
    assert origins.exit_code == 0 and json.loads(origins.output) == {"marked": 0, "by_list": []}


def test_cli_prints_the_net_name_report(mp_store, tmp_path):
    from workbench.cli import main

    done = CliRunner().invoke(
        main, ["--db", str(mp_store.path), "mergepurge", str(_run_file(tmp_path)), "--dry-run"]
    )
    assert done.exit_code == 0, done.output
    for label in ("gross in", "suppressed: mps", "duplicate of list_a", "net out", "cost of net names"):
        assert label in done.output
    assert SEEDS  # the seed list the fixture imported
