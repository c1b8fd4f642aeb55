"""The Merge/purge screen's jobs: each calls one core function under the TUI's database turn."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from workbench.store import Store
from workbench.tui.jobs import database_job, reading


def fetch_overview(store: Store) -> dict[str, Any]:
    """The prospect lists, the recent runs and the report of the last run (None before any)."""
    from workbench.mergepurge import list_runs, prospect_lists
    from workbench.mergepurge.report import lists_from_dict

    with reading(store) as conn:
        runs = list_runs(conn, limit=20)
        last = conn.execute(
            "SELECT run_id, name, report FROM mergepurge_runs ORDER BY run_id DESC LIMIT 1"
        ).fetchall()
        report = None
        if last:
            report = {
                "title": f"run {last[0][0]}: {last[0][1]}",
                "lists": lists_from_dict(json.loads(last[0][2])),
            }
        return {"lists": prospect_lists(conn), "runs": runs, "report": report}


def dry_run(store: Store, run_file: Path) -> Any:
    """``workbench mergepurge RUN.toml --dry-run``: the net-name report, nothing written."""
    from workbench.mergepurge import run_mergepurge

    with database_job(store):
        return run_mergepurge(store, run_file, None, dry_run=True)


def run_and_write(store: Store, run_file: Path, out: Path, force: bool, no_seeds: bool = False) -> Any:
    """``workbench mergepurge RUN.toml --out FILE``: the file, its report, the run recorded."""
    from workbench.mergepurge import run_mergepurge

    with database_job(store):
        return run_mergepurge(store, run_file, out, force=force, no_seeds=no_seeds)
