"""Kill -9 in the middle of a load, a match run and an export (subprocesses): the database opens
afterwards, holds exactly what it held before, and no partial export file stands under its name."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from test_trust_helpers import ROOT, make_store

from workbench.store import Store
from workbench.store.sql import rows

ENV = {**os.environ, "WORKBENCH_NOW": "2026-11-20T10:00:00", "WORKBENCH_BUSY_TIMEOUT": "5"}
ENV.pop("WORKBENCH_DEBUG", None)
BIG_PEOPLE_SQL = """COPY (
    SELECT '{prefix}' || i AS source_key, 'First' || (i % 5000) AS first_name, 'Last' || (i % 7919) AS last_name,
           (i % 9000 + 1) || ' Oak St' AS address_line1, lpad((i % 99999)::VARCHAR, 5, '0') AS postal_code,
           'user' || i || '@example.com' AS email, '617555' || lpad((i % 10000)::VARCHAR, 4, '0') AS phone,
           '1980-01-01' AS birth_date
    FROM range({n}) t(i)) TO '{path}' (HEADER)"""


def snapshot(path: Path) -> dict:
    """What a crash must not change: row counts, the load log, the persons, the audit chain's head."""
    with Store(path).connect(read_only=True) as conn:
        counts = rows(conn, """SELECT (SELECT count(*) FROM records) AS records, (SELECT count(*) FROM rejects) AS rejects,
            (SELECT count(*) FROM persons) AS persons, (SELECT count(*) FROM loads) AS loads,
            (SELECT count(*) FROM audit_log) AS audit_rows, (SELECT count(*) FROM contact_history) AS contacts,
            (SELECT count(*) FROM exports) AS exports, (SELECT count(*) FROM match_runs) AS match_runs,
            (SELECT coalesce(sum(hash(record_id, person_id)), 0) FROM person_records) AS persons_of_records,
            (SELECT max(hash) FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)) AS audit_head""")[0]
        counts["load_log"] = rows(conn, "SELECT load_id, source, file_hash, rows_loaded, status FROM loads ORDER BY 1")
    return counts


def run_to_end(args: list[str]) -> float:
    """Run ``workbench ARGS`` to its end; returns its duration (to time the kill of the next run)."""
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "workbench", *args], cwd=ROOT, env=ENV, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return time.monotonic() - start


def kill_delays(whole: float) -> tuple[float, ...]:
    """When to kill a run that took ``whole`` seconds to the end: 60% of that, then shorter, in case the
    machine got quieter after the timing run (a CI run saw all of 60/45/35% get through)."""
    return tuple(f * whole for f in (0.6, 0.45, 0.35, 0.25, 0.18))


def kill_midway(args: list[str], reset: Callable[[], None], finished: Callable[[], bool],
                ready: Callable[[], bool] | None = None, delays: tuple[float, ...] = (2.0,)) -> float:
    """Run ``workbench ARGS`` and SIGKILL it once ``ready()`` says it is working, or after a delay. When the
    operation got through before the kill (``finished()``), ``reset()`` and try the next, shorter delay.
    Returns when it ran."""
    for delay in delays:
        proc = subprocess.Popen([sys.executable, "-m", "workbench", *args], cwd=ROOT, env=ENV,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        start = time.monotonic()
        while proc.poll() is None:
            if (ready is not None and ready()) or time.monotonic() - start > delay:
                os.kill(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.001)
        proc.wait()
        if proc.returncode == -signal.SIGKILL and not finished():
            return time.monotonic() - start
        reset()
    pytest.fail(f"`workbench {' '.join(args)}` always got through before it could be killed")


@pytest.fixture
def people_db(tmp_path) -> tuple[Path, Path]:
    store = make_store(tmp_path)
    small = tmp_path / "first.csv"
    duckdb.connect().execute(BIG_PEOPLE_SQL.format(n=50, path=small, prefix='S')).fetchall()
    from workbench.ingest.load import load_file

    load_file(store, "web", small)
    shutil.copy(store.path, tmp_path / "pristine.duckdb")
    return store.path, tmp_path


def test_kill_during_a_load_leaves_the_database_as_before(people_db):
    db, tmp = people_db
    big = tmp / "big.csv"
    duckdb.connect().execute(BIG_PEOPLE_SQL.format(n=400_000, path=big, prefix="K")).fetchall()
    before = snapshot(db)
    args = ["--db", str(db), "load", "web", str(big)]
    whole = run_to_end(args)  # how long the load takes here, from process start to exit
    assert snapshot(db)["records"] == before["records"] + 400_000
    reset = lambda: shutil.copy(tmp / "pristine.duckdb", db)  # noqa: E731
    reset()
    # killed at 60% of that: well past start-up and hashing, inside the load's transaction (shorter delays
    # follow when the machine got quieter after the timing run and the load got through first)
    kill_midway(args, reset, finished=lambda: snapshot(db)["loads"] > before["loads"], delays=kill_delays(whole))
    assert snapshot(db) == before
    # and the database works: the same file loads completely now
    run_to_end(args + ["--json"])
    assert snapshot(db)["records"] == before["records"] + 400_000


def test_a_killed_load_leaves_no_temporary_copy_behind(people_db):
    """A cp1252 extract is read through a UTF-8 copy in the temp folder; the copy a killed load leaves is
    removed by the next load."""
    import tempfile

    db, tmp = people_db
    big = tmp / "latin.csv"
    duckdb.connect().execute(BIG_PEOPLE_SQL.format(n=300_000, path=tmp / "utf8.csv", prefix='L')).fetchall()
    big.write_bytes((tmp / "utf8.csv").read_text().replace("First1,", "Jos\u00e9,").encode("cp1252"))
    temp = Path(tempfile.gettempdir())
    copies = lambda: {p for p in temp.glob("workbench-*") if p.is_file()}  # noqa: E731
    seen = copies()
    kill_midway(["--db", str(db), "load", "web", str(big)], reset=lambda: shutil.copy(tmp / "pristine.duckdb", db),
                finished=lambda: False, ready=lambda: bool(copies() - seen), delays=(30.0,))
    left = copies() - seen
    assert left, "the killed load had made its copy"
    small = tmp / "small_latin.csv"
    small.write_bytes("source_key,first_name\nL1,Jos\u00e9\n".encode("cp1252"))
    from workbench.ingest.load import load_file

    load_file(Store(db), "web", small)
    assert not (left & copies()), "the next load removed the copy of the killed one"


def test_kill_during_a_match_run_leaves_the_database_as_before(people_db):
    from workbench.cli import main

    if "match" not in main.commands:
        pytest.skip("`workbench match` is not registered yet (workbench.commands.identity)")
    db, tmp = people_db
    dupes = tmp / "dupes.csv"
    duckdb.connect().execute(BIG_PEOPLE_SQL.format(n=60_000, path=dupes, prefix='D')).fetchall()
    from workbench.ingest.load import load_file

    load_file(Store(db), "web", dupes)
    shutil.copy(db, tmp / "pristine.duckdb")
    before = snapshot(db)
    whole = run_to_end(["--db", str(db), "match"])
    assert snapshot(db)["match_runs"] == before["match_runs"] + 1
    reset = lambda: shutil.copy(tmp / "pristine.duckdb", db)  # noqa: E731
    reset()
    kill_midway(["--db", str(db), "match"], reset, finished=lambda: snapshot(db)["match_runs"] > before["match_runs"],
                delays=kill_delays(whole))
    assert snapshot(db) == before


def test_kill_during_an_export_leaves_no_file_and_no_history(tmp_path):
    from workbench.cli import main

    if "export" not in main.commands:
        pytest.skip("`workbench export` is not registered yet (workbench.commands.select)")
    from test_export import prepared
    from test_select_data import build_db

    from workbench import clock
    from workbench.privacy.files import remove_stale_export_temps

    build_db(tmp_path)
    prepared(tmp_path / "wb.duckdb")
    clock.set_now(None)
    db = tmp_path / "wb.duckdb"
    shutil.copy(db, tmp_path / "pristine.duckdb")
    out = tmp_path / "out"
    out.mkdir()
    target = out / "winter.csv"
    before = snapshot(db)
    temp_dir = lambda: any(p.name.startswith(".winter.csv.") for p in out.iterdir())  # noqa: E731
    kill_midway(["--db", str(db), "export", "winter", "--out", str(target), "--allow-stale"],
                reset=lambda: (shutil.copy(tmp_path / "pristine.duckdb", db), shutil.rmtree(out), out.mkdir()),
                finished=target.exists, ready=temp_dir, delays=(60.0,) * 6)
    assert snapshot(db) == before
    assert not target.exists() and not Path(str(target) + ".manifest.json").exists()
    left = list(out.iterdir())
    assert all(p.name.startswith(".winter.csv.") and p.is_dir() and (p.stat().st_mode & 0o077) == 0 for p in left)
    assert remove_stale_export_temps(out) == len(left) and list(out.iterdir()) == []
    # the database is healthy: the export goes through now
    result = subprocess.run([sys.executable, "-m", "workbench", "--db", str(db), "export", "winter", "--out",
                             str(target), "--allow-stale"], cwd=ROOT, env=ENV, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert target.exists() and snapshot(db)["exports"] == before["exports"] + 1
