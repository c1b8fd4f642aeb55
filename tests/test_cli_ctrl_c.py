"""Ctrl-C at the command line in the middle of a long DuckDB statement: DuckDB stops the statement at once,
its transaction rolls back, and the command ends as interrupted (exit 130, a plain line), not as an
"unexpected failure"."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from workbench.store import Store

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import sys
sys.path.insert(0, {root!r})
import click
from workbench.cli import main
from workbench.store import Store

@main.command("slow")
def slow():
    with Store({db!r}).transaction() as conn:
        conn.execute("INSERT INTO t VALUES (2)")
        print("running", flush=True)
        conn.execute("SELECT sum(hash(a.range * b.range)) FROM range(300000) a, range(300000) b").fetchall()

main(["--db", {db!r}, "slow"], prog_name="workbench")
"""


def test_ctrl_c_stops_a_long_statement_and_rolls_back(tmp_path):
    db = tmp_path / "wb.duckdb"
    with Store(db).transaction() as conn:
        conn.execute("CREATE TABLE t AS SELECT 1 AS x")
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT.format(root=str(ROOT), db=str(db))],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "running"
        time.sleep(0.5)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
    finally:  # never leave a minutes-long statement running behind a failed test
        proc.kill()
        proc.wait()
    assert time.monotonic() - t0 < 10, "stopped at once, not at the end of the statement"
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "interrupted: the database is unchanged by the unfinished operation."
    with Store(db).connect(read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 1


def test_an_interrupt_wrapped_by_a_library_is_still_an_interrupt():
    import duckdb

    from workbench.cli import _interrupted_statement

    try:
        try:
            raise RuntimeError("Query interrupted")
        except RuntimeError as inner:
            raise ValueError("Error executing the following SQL: ...") from inner
    except ValueError as wrapped:
        assert _interrupted_statement(wrapped)
    assert _interrupted_statement(duckdb.InterruptException("x"))
    assert not _interrupted_statement(RuntimeError("Query failed"))
