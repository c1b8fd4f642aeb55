"""The Sources screen's jobs (and its modals': the load preview, the rejects): each calls the core under
the TUI's database turn and returns plain data; the screen's workers post it in typed messages."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError
from workbench.store import Store
from workbench.tui.jobs import cancel_point, database_job, reading, stoppable

PREVIEW_ROWS = 20
LOAD_LOG_ROWS = 50  # loads fetched for the load log of one source
REJECTS_PAGE = 100  # rejects fetched (and shown) per page


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

    step = cancel_point(progress, cancelled, f"Load of {path.name} into {source}")
    with database_job(store), stoppable(store, cancelled, f"Load of {path.name} into {source}"):
        return load_file(store, source, path, progress=step)


def import_sources(store: Store, path: Path) -> dict[str, str]:
    """Add or replace the sources defined in a TOML file; {name: "added" | "updated"}."""
    from workbench.ingest.sources import parse_sources_toml, save_sources

    defined = parse_sources_toml(path)
    with database_job(store), store.transaction() as conn:
        return save_sources(conn, defined)
