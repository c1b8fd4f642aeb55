"""The Suppressions screen's jobs. Reading the figures may rebuild ``person_suppressions`` (after a load or
a match run), so they run in a write transaction of the store, under the TUI's database turn."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.store import Store
from workbench.tui.jobs import database_job

MANUAL_SHOWN = 200  # manual opt-outs fetched and shown (newest first)


@dataclass
class SuppressionsOverview:
    summary: list[dict[str, Any]]
    manual: list[dict[str, Any]]
    manual_total: int


def read_overview(store: Store) -> SuppressionsOverview:
    from workbench.suppress import count_manual_suppressions, list_manual_suppressions, suppression_summary

    with database_job(store), store.transaction() as conn:
        return SuppressionsOverview(
            suppression_summary(conn),
            list_manual_suppressions(conn, limit=MANUAL_SHOWN),
            count_manual_suppressions(conn),
        )


def add_opt_out(store: Store, fields: dict[str, Any]) -> dict[str, Any]:
    """One manual opt-out, recorded with the operator's login name."""
    import getpass

    from workbench.suppress import add_manual_suppression

    try:
        user = getpass.getuser()
    except Exception:
        user = None
    with database_job(store), store.transaction() as conn:
        return add_manual_suppression(conn, **fields, added_by=user)


def withdraw_opt_out(store: Store, manual_id: int, reason: str) -> dict[str, Any]:
    from workbench.suppress import remove_manual_suppression

    with database_job(store), store.transaction() as conn:
        return remove_manual_suppression(conn, manual_id, reason)
