"""The Plan tab's jobs (issue 15): each calls one core function of :mod:`workbench.plan` under the TUI's
database turn. No SQL here and none in the widget."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.store import Store
from workbench.tui.jobs import database_job


@dataclass
class PlanDetail:
    plan: str
    selections: list[dict[str, Any]] = field(default_factory=list)
    calendar: dict[str, Any] = field(default_factory=dict)


def read_plans(store: Store) -> list[dict[str, Any]]:
    """The kept plans (``workbench plan --list``)."""
    from workbench.plan import list_plans

    with database_job(store), store.transaction() as conn:
        return list_plans(conn)


def read_plan(store: Store, name: str) -> PlanDetail:
    """One kept plan: its selections (what each got, who took from it) and its calendar."""
    from workbench.plan import plan_calendar, plan_selections

    with database_job(store), store.transaction() as conn:
        return PlanDetail(name, plan_selections(conn, name), plan_calendar(conn, name))


def build_plan(store: Store, path: Path, progress=None) -> Any:
    """``workbench plan PATH``: count, arbitrate and keep the plan of a period."""
    from workbench.plan import build_plan as build
    from workbench.plan import parse_plan_toml

    definition = parse_plan_toml(path)
    with database_job(store):
        return build(store, definition, progress)
