"""The Selections screen's database jobs (worker threads; the core only, no widgets, no SQL).

Each job calls the core under the TUI's one database turn and returns a plain value; the screen's workers
post it as one of the typed messages nested in
:class:`~workbench.tui.screens.selections_edit.SelectionsScreen`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench.errors import ConfigError
from workbench.store import Store
from workbench.tui.jobs import JobCancelled, database_job, reading, stoppable

Progress = Callable[[str, float], None]


def read_list(store: Store) -> list[dict[str, Any]]:
    from workbench.select.saved import list_selections

    with reading(store) as conn:
        return list_selections(conn)


def read_definition(store: Store, name: str) -> str:
    from workbench.select.saved import get_selection

    with reading(store) as conn:
        return get_selection(conn, name).to_toml()


def count_text(store: Store, text: str) -> Any:
    """The waterfall of an edited definition, or the ConfigError that says why it does not check."""
    from workbench.select.counts import count_definition, single_selection

    try:
        sel = single_selection(text)
        with database_job(store):
            return count_definition(store, sel)
    except ConfigError as exc:
        return exc


def save_text(store: Store, text: str) -> dict[str, Any]:
    """Check and store an edited definition (a new version): {name, version, status, warnings}."""
    from workbench.select.counts import save_edited

    with database_job(store):
        return save_edited(store, text)


def preflight_export(
    store: Store, name: str, progress: Progress, cancelled: threading.Event
) -> tuple[Any, Any]:
    """(waterfall, freshness gate) of the saved selection, for the confirmation before an export. The
    check may first match new people records (one rolled-back transaction if ``cancelled`` is set
    meanwhile: it stops at the next step)."""
    from workbench.select.counts import preflight

    def step(message: str, fraction: float) -> None:
        if cancelled.is_set():
            raise JobCancelled(f"Export of {name} cancelled before it started.", "Nothing was written.")
        progress(message, fraction)

    with database_job(store), stoppable(store, cancelled, f"Export of {name}", "Nothing was written."):
        return preflight(store, name, progress=step)


def export(
    store: Store, answer: dict[str, Any], allow_stale: bool, progress: Progress, cancelled: threading.Event
) -> Any:
    """Export the saved selection ``answer["name"]`` to ``answer["path"]``; stops at the next step once
    ``cancelled`` is set (nothing written, the database unchanged)."""
    from workbench.export.run import ExportCancelled, export_selection

    try:
        with database_job(store), stoppable(store, cancelled, "Export", "Nothing was written."):
            return export_selection(
                store,
                answer["name"],
                Path(answer["path"]),
                campaign=answer["campaign"],
                allow_stale=allow_stale,
                force=bool(answer.get("force")),
                cancelled=cancelled.is_set,
                progress=progress,
            )
    except ExportCancelled as exc:
        raise JobCancelled(exc.message, exc.hint) from None
