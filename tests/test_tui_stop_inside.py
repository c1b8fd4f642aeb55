"""Escape stops a job inside a long statement, not only at its next stage: the store interrupts its open
connections, the statement's transaction rolls back and the job ends as cancelled."""

from __future__ import annotations

import threading
import time

import duckdb
import pytest

from workbench.store import Store
from workbench.tui.jobs import JobCancelled, stoppable

SLOW = "SELECT sum(hash(a.range * b.range)) FROM range(300000) a, range(300000) b"  # minutes if not stopped


def _store(tmp_path) -> Store:
    store = Store(tmp_path / "wb.duckdb")
    with store.transaction() as conn:
        conn.execute("CREATE TABLE t AS SELECT 1 AS x")
    return store


def _rows(store: Store) -> int:
    with store.connect(read_only=True) as conn:
        return conn.execute("SELECT count(*) FROM t").fetchone()[0]


def _run_in_thread(fn):
    out: dict = {}

    def target():
        try:
            out["result"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            out["error"] = exc

    th = threading.Thread(target=target, daemon=True)
    th.start()
    _STARTED.append(th)
    return th, out


_STARTED: list[threading.Thread] = []


@pytest.fixture(autouse=True)
def _no_statement_left_running():
    """A failed test must not leave its minutes-long statement running in the worker."""
    yield
    from workbench.store.db import interrupt_all

    deadline = time.monotonic() + 10
    while any(t.is_alive() for t in _STARTED) and time.monotonic() < deadline:
        interrupt_all()
        time.sleep(0.1)
    _STARTED.clear()


def test_store_interrupt_stops_a_running_statement_and_rolls_back(tmp_path):
    store = _store(tmp_path)

    def job():
        with store.transaction() as conn:
            conn.execute("INSERT INTO t VALUES (2)")
            conn.execute(SLOW).fetchall()

    th, out = _run_in_thread(job)
    time.sleep(0.3)
    assert store.interrupt() == 1
    th.join(10)
    assert not th.is_alive()
    assert isinstance(out.get("error"), duckdb.InterruptException)
    assert _rows(store) == 1  # the insert went with the transaction
    assert store.interrupt() == 0  # nothing open any more


def test_escape_inside_a_long_statement_cancels_the_job(tmp_path):
    store = _store(tmp_path)
    cancelled = threading.Event()

    def job():
        with stoppable(store, cancelled, "The household rebuild"), store.transaction() as conn:
            conn.execute("INSERT INTO t VALUES (2)")
            conn.execute(SLOW).fetchall()

    th, out = _run_in_thread(job)
    time.sleep(0.3)
    t0 = time.perf_counter()
    cancelled.set()
    th.join(10)
    assert not th.is_alive() and time.perf_counter() - t0 < 2
    error = out.get("error")
    assert isinstance(error, JobCancelled)
    assert error.message == "The household rebuild cancelled." and "unchanged" in error.hint
    assert _rows(store) == 1


def test_a_failure_that_is_not_a_stop_stays_what_it_is(tmp_path):
    store = _store(tmp_path)
    with pytest.raises(duckdb.CatalogException), stoppable(store, threading.Event(), "x"):
        with store.connect() as conn:
            conn.execute("SELECT * FROM no_such_table")
    with stoppable(store, threading.Event(), "x"):  # a job that ends normally leaves no watcher behind
        pass
    assert not [t for t in threading.enumerate() if t.name == "workbench-stop"]


def test_the_households_rebuild_job_stops_inside_a_statement(tmp_path, monkeypatch):
    """The wired job: households_review_jobs.rebuild with a core call that is one long statement."""
    import workbench.households as households
    from workbench.tui.screens import households_review_jobs

    store = _store(tmp_path)

    def slow_households(store, progress=None):
        with store.transaction() as conn:
            conn.execute("INSERT INTO t VALUES (2)")
            progress("grouping", 0.5)
            conn.execute(SLOW).fetchall()

    monkeypatch.setattr(households, "run_households", slow_households)
    cancelled = threading.Event()
    th, out = _run_in_thread(lambda: households_review_jobs.rebuild(store, lambda m, f: None, cancelled))
    time.sleep(0.4)
    cancelled.set()
    th.join(10)
    assert not th.is_alive()
    assert isinstance(out.get("error"), JobCancelled)
    assert _rows(store) == 1
