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

from workbench.errors import Cancelled
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


def cancel_point(progress: Callable[[str, float], None], cancelled: threading.Event, what: str) -> Progress:
    """A progress callback for a core job: reports each stage, and once ``cancelled`` is set raises
    :class:`JobCancelled` at the next stage (the job's transaction rolls back)."""

    def step(message: str, fraction: float) -> None:
        if cancelled.is_set():
            raise JobCancelled(f"{what} cancelled.", "The database is unchanged.")
        progress(message, fraction)

    return step
