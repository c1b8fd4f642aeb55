"""The waterfall steps a contact plan adds (registered in ``workbench.select.steps.STEP_PROVIDERS``).

- :func:`taken_by_steps`, while a plan is built: one step per selection placed before this one, "taken
  by a higher-priority contact: NAME", removing the persons the pressure and capacity rules refuse once
  that selection's planned contacts count (and every earlier one's). A person is removed at the first
  selection that fills their allowance, so the steps add up.
- :func:`follow_plan_steps`, otherwise: a selection that a kept plan holds (contact date today or later)
  contacts only the persons the plan gave it ("not in contact plan NAME"); its export follows the plan.
  A selection outside every plan is checked against the plans by its pressure steps
  (:mod:`workbench.contacts.pressure`: a kept plan's contacts count as made).
"""

from __future__ import annotations

from typing import Any

import duckdb

from workbench import clock
from workbench.contacts.pressure import plan_being_built, pressure_steps
from workbench.store.sql import rows


def taken_by_steps(conn: duckdb.DuckDBPyConnection, ctx: Any) -> list[dict[str, Any]]:
    building = plan_being_built()
    if building is None:
        return []
    plan, placed = building
    sel = ctx.selection
    out = []
    for k, other in enumerate(placed, start=1):
        steps = pressure_steps(
            conn,
            sel.channel,
            sel.brand,
            ctx.as_of_date,
            ctx.candidates,
            selection=sel.name,
            priority=sel.priority,
            campaign=ctx.campaign,
            plan=plan,
            plan_selections=placed[:k],
        )
        if not steps:
            continue
        sql = " UNION ".join("SELECT person_id FROM (" + step.sql + ")" for step in steps)
        params = [p for s in steps for p in s.params]
        out.append(
            dict(
                name=f"taken: {other}",
                label=f"taken by a higher-priority contact: {other}",
                sql=sql,
                params=params,
                kind="plan",
                sources=("contacts",),
            )
        )
    return out


def follow_plan_steps(conn: duckdb.DuckDBPyConnection, ctx: Any) -> list[dict[str, Any]]:
    if plan_being_built() is not None:
        return []
    found = rows(
        conn,
        """SELECT plan, count(*) AS n FROM planned_contacts
        WHERE selection = ? AND plan IS NOT NULL AND contact_date >= ? GROUP BY plan""",
        [ctx.selection.name, clock.now().date()],
    )
    if not found:
        return []
    plan = found[0]["plan"]
    sql = (
        f"SELECT person_id FROM {ctx.candidates} WHERE person_id NOT IN "
        "(SELECT person_id FROM planned_contacts WHERE selection = ? AND plan = ?)"
    )
    return [
        dict(
            name=f"plan: {plan}",
            label=f"not in contact plan {plan} for this selection (taken by a higher-priority "
            "contact or by the rules when it was planned)",
            sql=sql,
            params=[ctx.selection.name, plan],
            kind="plan",
        )
    ]
