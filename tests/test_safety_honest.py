"""Issue 12, honest results: what a command says about the database is true.

- An export renames its files into place before it commits: a rename that fails leaves the database
  as it was (so "unchanged" is true and the campaign code is still free), and a commit that fails takes
  the files back (a replaced file comes back).
- A closed stdout (`| head -1`) is not a failed command: the command finishes its work and its exit code
  is its own; it never says "the database is unchanged" after committing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_safety_files import counts, export_db, export_master

import workbench
from workbench import clock
from workbench.export import run as export_run
from workbench.export import writer
from workbench.export.run import export_selection
from workbench.store import Store

ROOT = Path(workbench.__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "WORKBENCH_NOW": "2026-11-20T10:00:00"}
ENV.pop("WORKBENCH_DB", None)
FIXTURES = (export_master, export_db)  # the export database of test_safety_files


def test_a_failed_rename_leaves_the_database_unchanged_and_the_campaign_free(
    export_db, tmp_path, monkeypatch
):
    before = counts(export_db)
    publish = writer.PendingFile.publish

    def rename_fails(self):
        if not str(self.target).endswith(".manifest.json"):
            raise PermissionError(13, "Permission denied", str(self.target))
        return publish(self)

    monkeypatch.setattr(writer.PendingFile, "publish", rename_fails)
    out = tmp_path / "w.csv"
    with pytest.raises(PermissionError):
        export_selection(Store(export_db), "winter", out, campaign="H1")
    assert counts(export_db) == before and not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name != "wb.duckdb"] == []  # no temp folder, no note
    monkeypatch.setattr(writer.PendingFile, "publish", publish)
    result = export_selection(Store(export_db), "winter", out, campaign="H1")  # the same code: free
    assert result.file == out and out.exists()


def test_a_failed_commit_takes_the_files_back(export_db, tmp_path, monkeypatch):
    before = counts(export_db)
    out = tmp_path / "w.csv"
    out.write_text("the previous file\n")
    real_run = export_run.run

    def commit_fails(conn, sql, params=None):
        if sql == "COMMIT":
            assert out.read_text() != "the previous file\n"  # the new file was in place before the commit
            raise RuntimeError("disk full while committing")
        return real_run(conn, sql, params)

    monkeypatch.setattr(export_run, "run", commit_fails)
    with pytest.raises(RuntimeError):
        export_selection(Store(export_db), "winter", out, campaign="H2", force=True)
    assert out.read_text() == "the previous file\n" and not Path(str(out) + ".manifest.json").exists()
    assert counts(export_db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.csv", "wb.duckdb"]


def closed_stdout(db, *args) -> subprocess.CompletedProcess:
    """Run workbench with a stdout whose reader is already gone (what `| head -1` leaves)."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            [sys.executable, "-m", "workbench", "--db", str(db), *map(str, args)],
            cwd=ROOT,
            env=ENV,
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=600,
        )
    finally:
        os.close(write)


def test_a_closed_stdout_does_not_fail_a_command_that_committed(store, data_dir):
    clock.set_now(None)
    db = store.path
    r = closed_stdout(db, "load", "web", data_dir / "web_1.csv")
    assert r.returncode == 0, r.stderr
    assert "unchanged" not in r.stderr
    r = closed_stdout(db, "load", "crm", data_dir / "crm.csv", "--json")
    assert r.returncode == 0, r.stderr
    with Store(db).connect(read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM loads WHERE status = 'loaded'").fetchone()[0] == 2
    before = counts(db)
    r = closed_stdout(db, "households")
    assert r.returncode == 0 and "unchanged" not in r.stderr, r.stderr
    assert counts(db)["household_runs"] == before["household_runs"] + 1
    r = closed_stdout(db, "match", "--json")
    assert r.returncode == 0 and "unchanged" not in r.stderr, r.stderr
    assert counts(db)["match_runs"] == before["match_runs"] + 1


def test_a_closed_stdout_keeps_a_reading_command_s_own_exit_code(store, data_dir):
    from workbench.ingest.load import load_file

    load_file(store, "web", data_dir / "web_1.csv")
    normal = subprocess.run(
        [sys.executable, "-m", "workbench", "--db", str(store.path), "triggers"],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    r = closed_stdout(store.path, "triggers")
    assert r.returncode == normal.returncode and "unexpected failure" not in r.stderr, r.stderr
    r = closed_stdout(store.path, "loads")
    assert r.returncode == 0 and r.stderr == ""
