"""One contact plan across brands and channels for a period (issue 15). See docs/plan.md.

Public surface:

- :func:`parse_plan_toml(path)` / :func:`parse_plan_text(text)` -> :class:`PlanDefinition`;
- :func:`build_plan(store, definition)` -> :class:`PlanResult` (count, arbitrate, keep: one transaction);
- :func:`drop_plan(conn, name)`, :func:`list_plans(conn)`, :func:`plan_selections(conn, name)`;
- :func:`plan_calendar(conn, name)`: per week, contacts per brand and channel, persons at their limit.

The waterfall steps (``taken by a higher-priority contact``, ``not in contact plan``) are in
the plan steps of :mod:`workbench.select.steps`; the pressure rules count kept plans (:mod:`workbench.contacts.pressure`).
"""

from __future__ import annotations

from workbench.plan.calendar import plan_calendar
from workbench.plan.definition import PlanDefinition, PlannedSelection, parse_plan_text, parse_plan_toml
from workbench.plan.run import PlanResult, build_plan, drop_plan, list_plans, plan_in, plan_selections

__all__ = [
    "PlanDefinition",
    "PlanResult",
    "PlannedSelection",
    "build_plan",
    "drop_plan",
    "list_plans",
    "parse_plan_text",
    "parse_plan_toml",
    "plan_calendar",
    "plan_in",
    "plan_selections",
]
