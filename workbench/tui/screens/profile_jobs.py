"""The Profile screen's segment jobs (issue 14): each calls one core function under the TUI's database turn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.store import Store
from workbench.tui.jobs import database_job


def compute_segments(store: Store) -> Any:
    """Bring the RFM segments up to date (``workbench segments``)."""
    from workbench.segments import compute_rfm

    with database_job(store), store.transaction() as conn:
        return compute_rfm(conn)


def publish_segments(store: Store, path: Path) -> Any:
    """``workbench publish PATH`` (the definition's mode; an existing file is refused)."""
    from workbench.segments.publish import run_publish
    from workbench.segments.publish_def import read_publish

    definition = read_publish(path)
    with database_job(store):
        return run_publish(store, definition)
