"""The database jobs the TUI runs in its worker threads: plain functions over the core, no widgets.

Each job opens its own short-lived connection (through the core's ``Store``) and closes it before it
returns, so the TUI holds no connection while idle. Jobs run one at a time (:data:`DB_LOCK`): DuckDB
refuses a read-only and a read-write connection to the same file inside one process, and the core
opens both kinds during a load.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from workbench.errors import WorkbenchError
from workbench.store import Store

DB_LOCK = threading.RLock()
PREVIEW_ROWS = 20
LOAD_LOG_ROWS = 50  # loads fetched for the load log of one source
REJECTS_PAGE = 100  # rejects fetched (and shown) per page


class JobCancelled(WorkbenchError):
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


@dataclass
class SourcesOverview:
    sources: list[Any]  # workbench.ingest.sources.Source
    freshness: dict[str, Any]  # name -> workbench.freshness.SourceFreshness


@dataclass
class Preview:
    source: str
    path: Path
    data: dict[str, Any] | None = None  # workbench.ingest.load.preview()
    error: WorkbenchError | None = None  # why the file cannot be loaded as it is


@dataclass
class RejectsPage:
    load_id: int
    offset: int
    rows: list[dict[str, Any]]
    total: int
    reasons: list[dict[str, Any]] = field(default_factory=list)


def still_wanted() -> bool:
    """In a worker: False once the worker was cancelled (a newer one of its group replaced it), so its
    result, which may be older than the newer one's, is dropped instead of shown."""
    from textual.worker import get_current_worker

    return not get_current_worker().is_cancelled


def fetch_freshness(store: Store) -> list[Any]:
    from workbench.freshness import source_freshness

    with reading(store) as conn:
        return source_freshness(conn)


def fetch_sources(store: Store) -> SourcesOverview:
    from workbench.freshness import source_freshness
    from workbench.ingest.sources import list_sources

    with reading(store) as conn:
        sources = list_sources(conn)
        fresh = {f.name: f for f in source_freshness(conn)}
    return SourcesOverview(sources, fresh)


def fetch_load_log(store: Store, source: str, limit: int = LOAD_LOG_ROWS) -> list[dict[str, Any]]:
    from workbench.ingest.log import load_log

    with reading(store) as conn:
        return load_log(conn, source=source, limit=limit)


def fetch_rejects(store: Store, load_id: int, offset: int = 0, limit: int = REJECTS_PAGE) -> RejectsPage:
    from workbench.ingest.log import load_rejects, reject_reasons

    with reading(store) as conn:
        found, total = load_rejects(conn, load_id, limit=limit, offset=offset)
        reasons = reject_reasons(conn, load_id) if offset == 0 else []
    return RejectsPage(load_id, offset, found, total, reasons)


def preview_extract(store: Store, source: str, path: Path) -> Preview:
    """The first rows of ``path`` with the mapping applied; a file that exists but cannot be loaded
    comes back with its error (shown in the preview), a path that is not a file raises."""
    from workbench.ingest.load import preview

    try:
        with database_job(store):
            return Preview(source, path, data=preview(store, source, path, limit=PREVIEW_ROWS))
    except WorkbenchError as exc:
        if not path.is_file():
            raise
        return Preview(source, path, error=exc)


def load_extract(
    store: Store, source: str, path: Path, progress: Callable[[str, float], None], cancelled: threading.Event
) -> Any:
    """Load one extract; stops (rolled back) at the next step after ``cancelled`` is set."""
    from workbench.ingest.load import load_file

    def step(message: str, fraction: float) -> None:
        if cancelled.is_set():
            raise JobCancelled(f"Load of {path.name} into {source} cancelled.", "The database is unchanged.")
        progress(message, fraction)

    with database_job(store):
        return load_file(store, source, path, progress=step)


def import_sources(store: Store, path: Path) -> dict[str, str]:
    """Add or replace the sources defined in a TOML file; {name: "added" | "updated"}."""
    from workbench.ingest.sources import parse_sources_toml, save_sources

    defined = parse_sources_toml(path)
    with database_job(store), store.transaction() as conn:
        return save_sources(conn, defined)


def build_profile(store: Store, period: str | None) -> dict[str, Any]:
    """The profile's figures (derived data is brought up to date first, so this job writes)."""
    from workbench.ingest.derived import ensure_derived
    from workbench.report import build_profile as build

    with database_job(store), store.transaction() as conn:
        ensure_derived(conn)
        return build(conn, period)


def write_report(store: Store, path: Path, period: str | None, force: bool = False) -> dict[str, Any]:
    from workbench.report import write_report as write

    with database_job(store):
        return write(store, path, None, period, force=force)
