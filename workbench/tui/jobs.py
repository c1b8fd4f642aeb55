"""The TUI's one database turn, shared by every screen's jobs module (``screens/<screen>_jobs.py``).

Each job opens its own short-lived connection (through the core's ``Store``) and closes it before it
returns, so the TUI holds no connection while idle. Jobs run one at a time (:data:`DB_LOCK`): DuckDB
refuses a read-only and a read-write connection to the same file inside one process, and the core
opens both kinds during a load. Screens do not import this module: they call their own jobs module.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import duckdb

from workbench.errors import Cancelled, WorkbenchError
from workbench.progress import Progress
from workbench.store import Store

DB_LOCK = threading.RLock()


class JobCancelled(Cancelled):
    """The operator stopped a job; whatever it started was rolled back."""


_prepared: weakref.WeakSet[Store] = weakref.WeakSet()


@contextmanager
def database_job(store: Store) -> Iterator[None]:
    """Hold the TUI's one database turn for the duration of a job.

    The first job opens the file for writing once, so a new file is created and a database from an
    older workbench is upgraded (read-only opens refuse both).
    """
    with DB_LOCK:
        if store not in _prepared:
            with store.connect():
                pass
            _prepared.add(store)
        yield


@contextmanager
def reading(store: Store) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection for one job, closed at the end of the block."""
    with database_job(store), store.connect(read_only=True) as conn:
        yield conn


def still_wanted() -> bool:
    """In a worker: False once the worker was cancelled (a newer one of its group replaced it), so its
    result, which may be older than the newer one's, is dropped instead of shown."""
    from textual.worker import get_current_worker

    return not get_current_worker().is_cancelled


STOP_POLL_S = 0.05  # how often a stoppable job looks at its cancel event


@contextmanager
def stoppable(store: Store, cancelled: threading.Event, what: str,
              hint: str = "The database is unchanged.") -> Iterator[None]:
    """Escape inside a long statement: while the block runs, a watcher interrupts the store's open
    connections as soon as ``cancelled`` is set (``Store.interrupt``), and the interrupted statement, which
    rolls its transaction back, becomes :class:`JobCancelled`. Without it a job stops only at its next
    stage, which at 10M records can be minutes away."""
    done = threading.Event()

    def watch() -> None:
        while not done.wait(STOP_POLL_S):
            if cancelled.is_set():  # again each time: an interrupt between two statements stops nothing
                store.interrupt()

    watcher = threading.Thread(target=watch, name="workbench-stop", daemon=True)
    watcher.start()
    try:
        yield
    except WorkbenchError:  # the core's own plain message (its own "cancelled" at a stage included)
        raise
    except Exception as exc:
        # Splink, or the core, may wrap the interrupted statement in an error of its own: once the operator
        # has asked to stop, a failure is the stop (the transaction rolled back either way)
        if isinstance(exc, duckdb.InterruptException) or cancelled.is_set():
            raise JobCancelled(f"{what} cancelled.", hint) from None
        raise
    finally:
        done.set()
        watcher.join()


def cancel_point(progress: Callable[[str, float], None], cancelled: threading.Event, what: str) -> Progress:
    """A progress callback for a core job: reports each stage, and once ``cancelled`` is set raises
    :class:`JobCancelled` at the next stage (the job's transaction rolls back)."""

    def step(message: str, fraction: float) -> None:
        if cancelled.is_set():
            raise JobCancelled(f"{what} cancelled.", "The database is unchanged.")
        progress(message, fraction)

    return step
