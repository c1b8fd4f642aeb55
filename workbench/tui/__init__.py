"""The terminal UI: a thin Textual shell over the core.

Nothing here imports Textual until :func:`run_app` runs, so ``workbench --help`` and the headless
commands stay fast.
"""

from __future__ import annotations


def run_app(db_path: str | None) -> None:
    """Open the workbench TUI on ``db_path`` (``None``: ``$WORKBENCH_DB``, else ./workbench.duckdb)."""
    from workbench.tui.app import WorkbenchApp

    WorkbenchApp(db_path).run()
