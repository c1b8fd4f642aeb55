"""Concurrency: a TUI left open holds no lock, so a headless job runs; a file busy with a long job makes
the headless job wait $WORKBENCH_BUSY_TIMEOUT, then fail with exit 2 and a plain message; it succeeds
once the other job is done. Nothing is corrupted either way."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

from test_trust_helpers import CRM, ROOT, make_store, one, write

ENV = {**os.environ, "WORKBENCH_NOW": "2026-11-20T10:00:00"}
ENV.pop("WORKBENCH_DEBUG", None)
HOLDER = """
import sys, time, duckdb
conn = duckdb.connect(sys.argv[1])
conn.execute("BEGIN TRANSACTION")
conn.execute("INSERT INTO settings VALUES ('holder', 'long job')")
print("holding", flush=True)
time.sleep(60)
"""


def workbench(args, timeout=120, **env):
    return subprocess.run([sys.executable, "-m", "workbench", *args], cwd=ROOT, env={**ENV, **env},
                          capture_output=True, text=True, timeout=timeout)


def test_a_busy_file_makes_a_headless_load_wait_then_fail_plainly(tmp_path):
    store = make_store(tmp_path)
    extract = write(tmp_path, "crm", CRM)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(store.path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        start = time.monotonic()
        busy = workbench(["--db", str(store.path), "load", "crm", str(extract)], WORKBENCH_BUSY_TIMEOUT="1.5")
        waited = time.monotonic() - start
        assert busy.returncode == 2, busy.stderr
        assert "is in use by another workbench" in busy.stderr and "Waited 1.5 s" in busy.stderr
        assert "WORKBENCH_BUSY_TIMEOUT" in busy.stderr and "Traceback" not in busy.stderr
        assert 1.5 <= waited < 15
    finally:
        holder.kill()  # the long job ends (here: killed; its transaction is rolled back)
        holder.wait()
    done = workbench(["--db", str(store.path), "load", "crm", str(extract)], WORKBENCH_BUSY_TIMEOUT="1.5")
    assert done.returncode == 0, done.stderr
    assert one(store, "SELECT count(*) FROM records") == 3
    assert one(store, "SELECT count(*) FROM settings WHERE key = 'holder'") == 0  # the holder's work is gone


def test_a_tui_left_open_holds_no_lock(tmp_path):
    """The TUI reads in workers with short-lived connections: while it sits idle, a headless load (a cron
    job) gets the file at once, and the TUI sees the new data when it reads again."""
    from workbench.tui.app import WorkbenchApp

    store = make_store(tmp_path)
    extract = write(tmp_path, "crm", CRM)

    async def scenario() -> None:
        app = WorkbenchApp(str(store.path))
        async with app.run_test(size=(120, 36)) as pilot:
            for _ in range(20):
                await pilot.app.workers.wait_for_complete()
                await pilot.pause()
                if not any(w.is_running for w in pilot.app.workers if w.name != "_loader"):
                    break
            start = time.monotonic()
            result = await asyncio.to_thread(workbench, ["--db", str(store.path), "load", "crm", str(extract)],
                                             60, WORKBENCH_BUSY_TIMEOUT="2")
            assert result.returncode == 0, result.stderr
            assert time.monotonic() - start < 30
            await pilot.press("2")  # the Freshness screen reads again
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()

    asyncio.run(scenario())
    assert one(store, "SELECT count(*) FROM loads") == 1


def test_busy_timeout_zero_answers_at_once_and_garbage_means_the_default(tmp_path, monkeypatch):
    from workbench.store import Store
    from workbench.store.db import DEFAULT_BUSY_TIMEOUT

    store = make_store(tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(store.path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        start = time.monotonic()
        busy = workbench(["--db", str(store.path), "freshness"], WORKBENCH_BUSY_TIMEOUT="0")
        assert busy.returncode == 2 and "in use by another workbench" in busy.stderr, busy.stderr
        assert time.monotonic() - start < 10
    finally:
        holder.kill()
        holder.wait()
    monkeypatch.setenv("WORKBENCH_BUSY_TIMEOUT", "soon")
    assert Store(tmp_path / "x.duckdb").busy_timeout == DEFAULT_BUSY_TIMEOUT


def test_a_held_file_is_said_at_once_then_refused(tmp_path):
    """The store tells whoever waits which process holds the file on its first try (the TUI shows "waiting
    for the database (held by process N)" at once), then refuses after the busy timeout as before."""
    from workbench.errors import DatabaseBusyError
    from workbench.store import Store

    store = make_store(tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(store.path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        told: list[str] = []
        waiting = Store(store.path, busy_timeout=0.5)
        waiting.on_wait = told.append
        try:
            with waiting.connect():
                raise AssertionError("the file is held: this must not open")
        except DatabaseBusyError:
            pass
        assert told == [f"process {holder.pid}"]
    finally:
        holder.kill()
        holder.wait()


def test_the_tui_says_at_once_who_holds_the_database(tmp_path):
    from test_trust_helpers import CRM  # noqa: F401  (the store below has the crm source)
    from tui_support import settle

    from workbench.tui.app import WorkbenchApp

    store = make_store(tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(store.path)], stdout=subprocess.PIPE, text=True)

    async def scenario() -> None:
        app = WorkbenchApp(str(store.path))
        app.store.busy_timeout = 1.0
        async with app.run_test(size=(120, 35)) as pilot:
            await settle(pilot)
            messages = [n.message for n in app._notifications]
            assert any(f"held by process {holder.pid}" in m for m in messages), messages

    try:
        assert holder.stdout.readline().strip() == "holding"
        asyncio.run(scenario())
    finally:
        holder.kill()
        holder.wait()
