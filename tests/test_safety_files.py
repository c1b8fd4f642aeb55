"""Issue 12, files: nothing the operator names is overwritten by mistake, nothing is left behind, nothing
unsafe is written or shown.

- every command that writes a file the operator names (`export --out`, `report --out`, `persons|households|
  match --export`) refuses the database file, anything that is not a regular file, and an existing file
  unless --force (workbench.export.writer.check_target), and refuses before doing any work;
- `workbench demo` builds its own file and never replaces one it did not build;
- a mistyped --db is refused by commands that read (exit 2), not created;
- a killed export's hidden folder is removed by the next command of any kind;
- identity and household exports are 0600 and formula-safe; the customer view shows no raw escape codes.
"""

from __future__ import annotations

import csv
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import workbench
from workbench import clock
from workbench.cli import main
from workbench.ingest.load import load_file
from workbench.store import Store
from workbench.store.sql import scalar

ROOT = Path(workbench.__file__).resolve().parents[1]  # the workbench under test, for subprocesses
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
ENV.pop("WORKBENCH_DB", None)


@pytest.fixture(scope="module")
def export_master(tmp_path_factory):
    from test_export import prepared
    from test_select_data import build_db

    folder = tmp_path_factory.mktemp("safetydb")
    build_db(folder)
    prepared(folder / "wb.duckdb")
    clock.set_now(None)
    return folder / "wb.duckdb"


@pytest.fixture
def export_db(export_master, tmp_path):
    from test_select_data import NOW

    db = tmp_path / "wb.duckdb"
    shutil.copy(export_master, db)
    clock.set_now(NOW)
    return db


def cli(db, *args):
    return CliRunner().invoke(main, ["--db", str(db), *map(str, args)])


def counts(db) -> dict[str, int]:
    with Store(db).connect(read_only=True) as conn:
        return {
            t: scalar(conn, f"SELECT count(*) FROM {t}")
            for t in ("contact_history", "exports", "match_runs", "household_runs", "audit_log")
        }


def is_duckdb(path) -> bool:
    with open(path, "rb") as f:
        return f.read(12)[8:12] == b"DUCK"


# -- export --out ------------------------------------------------------------------------------------
def test_export_never_writes_over_the_database_file(export_db):
    before = counts(export_db)
    r = cli(export_db, "export", "winter", "--out", export_db, "--force")
    assert r.exit_code == 2 and "is the database file itself" in r.output
    assert is_duckdb(export_db) and counts(export_db) == before
    r = cli(export_db, "export", "winter", "--out", str(export_db) + ".wal")  # nor its log
    assert r.exit_code == 2 and not Path(str(export_db) + ".wal").exists()
    other = export_db.with_name("other.duckdb")  # nor any other database, even with --force
    shutil.copy(export_db, other)
    r = cli(export_db, "export", "winter", "--out", other, "--force")
    assert r.exit_code == 2 and "DuckDB database" in r.output and is_duckdb(other)


def test_export_replaces_an_existing_file_only_with_force(export_db, tmp_path):
    out = tmp_path / "winter.csv"
    out.write_text("last week's file\n")
    before = counts(export_db)
    r = cli(export_db, "export", "winter", "--out", out, "--campaign", "W1")
    assert r.exit_code == 2 and "already exists" in r.output and "--force" in r.output
    assert out.read_text() == "last week's file\n" and counts(export_db) == before
    assert not Path(str(out) + ".manifest.json").exists()
    # a manifest in the way is an existing file too
    fresh = tmp_path / "fresh.csv"
    Path(str(fresh) + ".manifest.json").write_text("{}")
    r = cli(export_db, "export", "winter", "--out", fresh, "--campaign", "W1")
    assert r.exit_code == 2 and not fresh.exists() and counts(export_db) == before
    # the campaign code was not used up by the refusals
    r = cli(export_db, "export", "winter", "--out", out, "--campaign", "W1", "--force")
    assert r.exit_code == 0, r.output
    assert out.read_text().startswith("person_id,") and counts(export_db)["exports"] == before["exports"] + 1
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_export_refuses_a_fifo_a_device_and_a_link_even_with_force(export_db, tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    before = counts(export_db)
    r = cli(export_db, "export", "winter", "--out", fifo, "--force")
    assert r.exit_code == 2 and "named pipe" in r.output and stat.S_ISFIFO(fifo.lstat().st_mode)
    r = cli(export_db, "export", "winter", "--out", "/dev/null", "--force")
    assert r.exit_code == 2 and "device" in r.output
    link = tmp_path / "link.csv"
    link.symlink_to(export_db)
    r = cli(export_db, "export", "winter", "--out", link, "--force")
    assert r.exit_code == 2 and link.is_symlink() and is_duckdb(export_db)
    assert counts(export_db) == before


# -- the other files a command writes ------------------------------------------------------------------
def test_report_out_is_checked_like_an_export(export_db, tmp_path):
    out = tmp_path / "profile.html"
    out.write_text("keep me")
    r = cli(export_db, "report", "--out", out)
    assert r.exit_code == 2 and "already exists" in r.output and out.read_text() == "keep me"
    r = cli(export_db, "report", "--out", export_db, "--force")
    assert r.exit_code == 2 and is_duckdb(export_db)
    r = cli(export_db, "report", "--out", out, "--force")
    assert r.exit_code == 0, r.output
    assert "<html" in out.read_text().lower() and stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["profile.html", "wb.duckdb"]  # no temp left


@pytest.fixture
def hostile_store(store, data_dir):
    """The test sources with a people record whose key a spreadsheet would run as a formula."""
    text = (data_dir / "crm.csv").read_text().replace("\nC1,", '\n=HYPERLINK("http://x"),', 1)
    (data_dir / "crm.csv").write_text(text)
    load_file(store, "web", data_dir / "web_1.csv")
    load_file(store, "crm", data_dir / "crm.csv")
    return store


def test_persons_households_match_exports_refuse_before_any_work(hostile_store, tmp_path):
    db = hostile_store.path
    taken = tmp_path / "taken.csv"
    taken.write_text("mine")
    before = counts(db)
    for args in (
        ("persons", "--export", taken),
        ("households", "--export", taken),
        ("match", "--export", taken),
        ("persons", "--export", db, "--force"),
        ("households", "--export", db, "--force"),
        ("match", "--export", db, "--force"),
    ):
        r = cli(db, *args)
        assert r.exit_code == 2, (args, r.output)
    assert taken.read_text() == "mine" and is_duckdb(db)
    assert counts(db) == before  # no match run, no household run happened before the refusal


def read(path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_persons_households_match_exports_are_private_and_formula_safe(hostile_store, tmp_path):
    db = hostile_store.path
    old = os.umask(0o022)
    try:
        assert cli(db, "match", "--export", tmp_path / "pairs.csv").exit_code == 0
        assert cli(db, "persons", "--export", tmp_path / "persons.csv").exit_code == 0
        assert cli(db, "households", "--export", tmp_path / "households.csv").exit_code == 0
    finally:
        os.umask(old)
    for name in ("pairs.csv", "persons.csv", "households.csv"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
    persons = read(tmp_path / "persons.csv")
    assert '\'=HYPERLINK("http://x")' in {r["key"] for r in persons}
    assert not any(r["key"].startswith("=") for r in persons)
    households = read(tmp_path / "households.csv")
    assert '\'=HYPERLINK("http://x")' in {r["key"] for r in households}
    pairs = read(tmp_path / "pairs.csv")
    assert not any(v.startswith("=") for r in pairs for v in (r["key_a"], r["key_b"]))
    assert cli(db, "persons", "--export", tmp_path / "persons.csv").exit_code == 2  # exists: not again
    assert cli(db, "persons", "--export", tmp_path / "persons.csv", "--force").exit_code == 0


def test_person_view_shows_no_escape_sequences(store, data_dir):
    text = (data_dir / "crm.csv").read_text().replace("Robert", "Rob\x1b]0;owned\x07\x1b[31mert", 1)
    (data_dir / "crm.csv").write_text(text, encoding="utf-8")
    load_file(store, "crm", data_dir / "crm.csv")
    from workbench.ingest.derived import ensure_derived

    with store.transaction() as conn:
        ensure_derived(conn)  # golden records
        pid = scalar(
            conn,
            "SELECT pr.person_id FROM person_records pr JOIN records r USING (record_id) "
            "WHERE r.source_key = 'C1'",
        )
    r = cli(store.path, "person", pid)
    assert r.exit_code == 0, r.output
    assert "\x1b" not in r.output and "\x07" not in r.output
    assert "Rob␛]0;owned␇␛[31mert" in r.output


# -- the database file ---------------------------------------------------------------------------------
def test_a_missing_database_is_refused_not_created(tmp_path, data_dir):
    typo = tmp_path / "typo.duckdb"
    for args in (
        ("freshness",),
        ("loads",),
        ("persons",),
        ("load", "web", data_dir / "web_1.csv"),
        ("export", "x", "--out", tmp_path / "x.csv"),
    ):
        r = cli(typo, *args)
        assert r.exit_code == 2, (args, r.output)
        assert f"There is no database at {typo}" in r.output
        assert not typo.exists()
    r = cli(typo, "sources", "import", data_dir / "sources.toml")  # a command that creates may
    assert r.exit_code == 0 and typo.exists() and "created the database" in r.output
    assert cli(typo, "freshness").exit_code == 2  # never loaded (exit 2 by freshness' own rule), but read


def test_the_tui_asks_before_creating_a_database(tmp_path):
    typo = tmp_path / "typo.duckdb"
    r = subprocess.run(
        [sys.executable, "-m", "workbench", "--db", str(typo)],
        cwd=tmp_path,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert r.returncode == 2 and "no database at" in r.stderr and not typo.exists()


# -- the demo ------------------------------------------------------------------------------------------
def test_demo_never_replaces_a_file_it_did_not_build(store, tmp_path):
    before = store.path.read_bytes()
    for args in (("demo", "--build-only"), ("demo", "--build-only", "--force")):
        r = cli(store.path, *args)
        assert r.exit_code == 2 and "not a demo database" in r.output
        assert store.path.read_bytes() == before
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database")
    assert (
        cli(notes, "demo", "--build-only", "--force").exit_code == 2 and notes.read_text() == "not a database"
    )


def test_demo_ignores_workbench_db_and_reuses_its_own_file(demo_db_path, store, tmp_path, monkeypatch):
    work = tmp_path / "cwd"
    work.mkdir()
    shutil.copy(demo_db_path, work / "demo.duckdb")
    monkeypatch.chdir(work)
    monkeypatch.setenv("WORKBENCH_DB", str(store.path))  # the operator's own database
    before = store.path.read_bytes()
    r = CliRunner().invoke(main, ["demo", "--build-only", "--json"])
    assert r.exit_code == 0, r.output
    assert '"reused": true' in r.output and '"db": "demo.duckdb"' in r.output
    assert store.path.read_bytes() == before


def test_a_demo_database_is_rebuilt_only_when_asked(demo_db_path, tmp_path):
    from workbench.demo import build_demo, demo_status
    from workbench.errors import WorkbenchError

    copy = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, copy)
    assert demo_status(copy) == "demo" and demo_status(tmp_path / "none.duckdb") == "missing"
    with pytest.raises(WorkbenchError, match="--force"):
        build_demo(copy)
    import duckdb

    conn = duckdb.connect(str(copy))  # a demo built before the mark: known by its frozen demo clock
    conn.execute("DELETE FROM settings WHERE key = 'demo.built'")
    conn.close()
    assert demo_status(copy) == "demo"
    conn = duckdb.connect(str(copy))
    conn.execute("UPDATE settings SET value = '2025-01-01T00:00:00' WHERE key = 'clock.frozen_at'")
    conn.close()
    assert demo_status(copy) == "other"


# -- a killed export -----------------------------------------------------------------------------------
KILL_AT = """
import os, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from workbench import clock
from workbench.export import run, writer
from workbench.store import Store
clock.set_now({now!r})
where = {where!r}
if where == "write":   # the file is written to its private folder: die before anything else
    def die(*a, **k):
        os._exit(9)
    run.record_contacts = die
else:                  # both files renamed into place, the commit not yet made
    publish = writer.PendingFile.publish
    def die_after(self):
        out = publish(self)
        if str(self.target).endswith(".manifest.json"):
            os._exit(9)
        return out
    writer.PendingFile.publish = die_after
run.export_selection(Store({db!r}), "winter", {out!r}, campaign="K1", force={force!r})
"""


def kill_export(db, out, where, force=False):
    from test_select_data import NOW

    code = KILL_AT.format(root=str(ROOT), now=NOW, where=where, db=str(db), out=str(out), force=force)
    r = subprocess.run([sys.executable, "-c", code], env=ENV, capture_output=True, text=True, timeout=300)
    assert r.returncode == 9, r.stderr


def test_a_killed_export_leaves_nothing_after_the_next_command(export_db, tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    before = counts(export_db)
    kill_export(export_db, out_dir / "w.csv", "write")
    left = [p for p in out_dir.iterdir()]
    assert left and all(p.name.startswith(".w.csv.") for p in left)  # the private folder, with the data
    assert cli(export_db, "loads").exit_code == 0  # any command at all
    assert list(out_dir.iterdir()) == [] and counts(export_db) == before
    assert [p.name for p in export_db.parent.iterdir() if p.name.startswith(".")] == []


def test_a_kill_between_the_rename_and_the_commit_is_undone(export_db, tmp_path):
    out = tmp_path / "w.csv"
    out.write_text("the old file\n")
    before = counts(export_db)
    kill_export(export_db, out, "publish", force=True)
    assert out.read_text() != "the old file\n"  # published, not committed
    assert cli(export_db, "freshness").exit_code in (0, 1, 2)  # the next command, whatever it is
    assert out.read_text() == "the old file\n" and not Path(str(out) + ".manifest.json").exists()
    assert counts(export_db) == before
    r = cli(export_db, "export", "winter", "--out", out, "--campaign", "K1", "--force")
    assert r.exit_code == 0, r.output  # the campaign code is free: nothing of the killed export stands


# -- the TUI asks before it replaces a file --------------------------------------------------------------
async def test_profile_w_asks_before_replacing_a_file_and_refuses_the_database(demo_copy, tmp_path):
    from tui_support import settle

    from workbench.tui.app import WorkbenchApp
    from workbench.tui.modals.confirm import ConfirmModal

    clock.set_now("2026-11-24T09:00:00")
    out = tmp_path / "profile.md"
    out.write_text("keep me")
    app = WorkbenchApp(str(demo_copy))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("8")
        await settle(pilot)

        async def write_to(path) -> None:
            await pilot.press("w")
            await pilot.pause()
            app.screen.query_one("#prompt-input").value = str(path)
            await pilot.press("enter")
            await settle(pilot)

        await write_to(out)
        assert isinstance(app.screen, ConfirmModal) and app.screen.question == "Replace profile.md?"
        await pilot.press("n")
        await settle(pilot)
        assert out.read_text() == "keep me"
        await write_to(out)
        await pilot.press("y")
        await settle(pilot)
        assert out.read_text().startswith("# Marketing database profile")
        await write_to(demo_copy)  # the database itself: refused, nothing asked
        assert not isinstance(app.screen, ConfirmModal) and is_duckdb(demo_copy)


async def test_selection_export_asks_before_replacing_a_file(export_db, tmp_path):
    from test_tui_selections import SIZE, SelectionsApp
    from textual.widgets import Input
    from tui_support import settle

    from workbench.tui.modals.confirm import ConfirmModal

    out = tmp_path / "winter.csv"
    out.write_text("last week's file\n")
    before = counts(export_db)
    app = SelectionsApp(str(export_db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.current == "winter"

        async def export_to(path) -> None:
            await pilot.press("e")
            await settle(pilot)
            app.screen.query_one("#export-path", Input).value = str(path)
            await pilot.press("enter")
            await settle(pilot)

        await export_to(out)
        assert isinstance(app.screen, ConfirmModal) and app.screen.question == "Replace winter.csv?"
        assert str(out) in app.screen.detail
        await pilot.press("n")
        await settle(pilot)
        assert out.read_text() == "last week's file\n" and counts(export_db) == before
        await export_to(out)
        await pilot.press("y")  # replace
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal) and app.screen.question.startswith("Export winter")
        await pilot.press("y")  # export
        await settle(pilot)
    assert out.read_text().startswith("person_id,") and counts(export_db)["exports"] == before["exports"] + 1


def test_without_a_database_named_the_demo_built_here_is_used_and_said(tmp_path, monkeypatch):
    """No --db, no $WORKBENCH_DB, no ./workbench.duckdb, but the demo's file: commands use it and say so;
    a ./workbench.duckdb, once there, wins again."""
    from click.testing import CliRunner

    from workbench.cli import main
    from workbench.store import Store

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WORKBENCH_DB", raising=False)
    with Store(tmp_path / "demo.duckdb").connect():
        pass
    r = CliRunner().invoke(main, ["loads"])
    assert r.exit_code == 0, r.output
    assert "using demo.duckdb" in r.output and not (tmp_path / "workbench.duckdb").exists()
    with Store(tmp_path / "workbench.duckdb").connect():
        pass
    r = CliRunner().invoke(main, ["loads"])
    assert r.exit_code == 0 and "using demo.duckdb" not in r.output
