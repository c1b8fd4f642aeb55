"""The Profile screen's jobs: each calls one core function under the TUI's database turn."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench.store import Store
from workbench.tui.jobs import cancel_point, database_job, stoppable


def build_profile(
    store: Store, period: str | None, progress: Callable[[str, float], None], cancelled: threading.Event
) -> dict[str, Any]:
    """The profile's figures (derived data is brought up to date first, so this job writes, in one
    transaction); stops, rolled back, at the next section once ``cancelled`` is set."""
    from workbench.ingest.derived import ensure_derived
    from workbench.report import build_profile as build

    step = cancel_point(progress, cancelled, "The profile rebuild")
    step("waiting for the database", 0.0)
    with database_job(store), stoppable(store, cancelled, "The profile rebuild"), store.transaction() as conn:
        step("standardising addresses and golden records", 0.0)
        ensure_derived(conn)
        return build(conn, period, progress=step)


def write_report(store: Store, path: Path, period: str | None, force: bool = False) -> dict[str, Any]:
    from workbench.report import write_report as write

    with database_job(store):
        return write(store, path, None, period, force=force)


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
