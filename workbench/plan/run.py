"""Building one contact plan across brands and channels for a period, and keeping it.

The selections are counted one after another, in priority order (the order of the file) or, with
``order = "expected_value"``, by expected value (the selection's ``value`` of a response times the mean of
its ``score`` attribute over the persons it would contact, highest first; ties keep the file's order).
Each selection's waterfall runs on its contact date with the pressure and capacity rules counting the
contact history, every other kept plan, and the contacts already placed by the higher-priority selections
of this plan (the steps "taken by a higher-priority contact: NAME", the plan steps of :mod:`workbench.select.steps`). The
persons of its contact cells become its planned contacts (``planned_contacts.plan``). The whole plan is
one transaction: a plan that fails leaves the database as it was, and a new version of a plan replaces
the old one.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import duckdb

from workbench import audit, clock
from workbench.contacts.pressure import building_plan
from workbench.errors import ConfigError, RefusedError
from workbench.plan.definition import PlanDefinition, PlannedSelection
from workbench.select.attributes import ATTRIBUTES, ensure_attributes
from workbench.select.plan import Plan, check_selection
from workbench.select.saved import get_selection
from workbench.select.waterfall import PLACED, Waterfall, run_waterfall
from workbench.store import Store
from workbench.store.sql import rows, run, scalar


@dataclass
class PlannedCount:
    position: int
    selection: str
    brand: str | None
    channel: str
    contact_date: Any
    expected_value: float | None
    gross: int
    taken_by_higher: int
    planned: int
    waterfall: Waterfall

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "selection": self.selection,
            "brand": self.brand,
            "channel": self.channel,
            "contact_date": self.contact_date.isoformat(),
            "expected_value": self.expected_value,
            "gross": self.gross,
            "taken_by_higher": self.taken_by_higher,
            "planned": self.planned,
            "waterfall": self.waterfall.to_dict(),
        }


@dataclass
class PlanResult:
    plan: str
    start: Any
    end: Any
    order: str
    selections: list[PlannedCount] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def planned(self) -> int:
        return sum(s.planned for s in self.selections)

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "order": self.order,
            "planned": self.planned,
            "seconds": self.seconds,
            "selections": [s.to_dict() for s in self.selections],
        }


def build_plan(store: Store, definition: PlanDefinition, progress=None) -> PlanResult:
    """Count, arbitrate and keep ``definition``; returns what each selection got."""
    from workbench.select.ready import with_ready

    with_ready(store, lambda conn, ready: None, progress)  # new people records matched, moves applied
    with store.transaction() as conn:
        return plan_in(conn, definition, progress)


def plan_in(conn: duckdb.DuckDBPyConnection, definition: PlanDefinition, progress=None) -> PlanResult:
    """:func:`build_plan` on a connection already in a transaction."""
    t0 = time.perf_counter()
    ensure_attributes(conn)
    names = [s.name for s in definition.selections]
    checked = [
        (entry, check_selection(conn, get_selection(conn, entry.name), refresh=False))
        for entry in definition.selections
    ]
    others = rows(
        conn,
        """SELECT DISTINCT plan, selection FROM planned_contacts
        WHERE plan IS NOT NULL AND plan <> ? AND list_contains(?::VARCHAR[], selection) AND contact_date >= ?
        ORDER BY plan, selection""",
        [definition.name, names, clock.now().date()],
    )
    if others:
        o = others[0]
        raise RefusedError(
            f"selection {o['selection']!r} is already in contact plan {o['plan']!r}; a selection "
            "follows one plan.",
            f"Drop that plan first (workbench plan --drop {o['plan']}), or take "
            "the selection out of this one. Nothing was changed.",
        )
    drop_plan(conn, definition.name, audit_it=False)
    run(
        conn,
        "DELETE FROM planned_contacts WHERE plan IS NULL AND list_contains(?::VARCHAR[], selection)",
        [names],
    )
    if definition.order == "expected_value":
        values = {entry.name: _expected_value(conn, entry, plan) for entry, plan in checked}
        checked.sort(key=lambda ep: -values[ep[0].name])  # stable: ties keep the file's order
    else:
        values = {}
    result = PlanResult(definition.name, definition.start, definition.end, definition.order)
    placed: list[str] = []
    now = clock.now()
    with building_plan(definition.name, placed):
        for position, (entry, plan) in enumerate(checked, start=1):
            if progress:
                progress(
                    f"planning {entry.name} ({position} of {len(checked)})", (position - 1) / len(checked)
                )
            sel = plan.selection
            wf = run_waterfall(conn, plan, campaign=entry.campaign, as_of_date=entry.date)
            contact = [i for i, c in enumerate(wf.cells) if c.contact] or [-1]
            run(
                conn,
                f"""INSERT INTO planned_contacts
                SELECT ?, ?, ?, person_id, ?, ?, ?, ?, ? FROM {PLACED} WHERE list_contains(?::INTEGER[], cell_index)""",
                [
                    sel.name,
                    len(checked) - position + 1,
                    entry.campaign,
                    sel.channel,
                    sel.brand,
                    entry.date,
                    now,
                    definition.name,
                    contact,
                ],
            )
            placed.append(sel.name)
            taken = sum(s.removed or 0 for s in wf.steps if s.step == "plan")
            gross = next((s.remaining for s in wf.steps if s.step == "where"), 0)
            count = PlannedCount(
                position,
                sel.name,
                sel.brand,
                sel.channel,
                entry.date,
                values.get(entry.name),
                gross,
                taken,
                wf.net,
                wf,
            )
            result.selections.append(count)
            run(
                conn,
                "INSERT INTO contact_plan_selections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    definition.name,
                    position,
                    sel.name,
                    sel.version,
                    sel.brand,
                    sel.channel,
                    entry.date,
                    count.expected_value,
                    gross,
                    taken,
                    wf.net,
                    json.dumps(wf.to_dict(), default=str),
                ],
            )
    run(
        conn,
        "INSERT INTO contact_plans VALUES (?, ?, ?, ?, ?, ?)",
        [definition.name, definition.start, definition.end, definition.order, definition.text, now],
    )
    result.seconds = round(time.perf_counter() - t0, 3)
    audit.record(
        conn,
        "plan.build",
        definition.name,
        {
            "start": str(definition.start),
            "end": str(definition.end),
            "order": definition.order,
            "selections": {s.selection: s.planned for s in result.selections},
        },
    )
    return result


def _expected_value(conn: duckdb.DuckDBPyConnection, entry: PlannedSelection, plan: Plan) -> float:
    """value x mean score over the persons the selection would contact on its own (rules and history
    counted, no other selection of this plan)."""
    attr = ATTRIBUTES.get(entry.score or "")
    if attr is None or attr.type != "number":
        numbers = sorted(a.name for a in ATTRIBUTES.values() if a.type == "number")
        raise ConfigError(
            f"plan: selection {entry.name!r}: score {entry.score!r} is not a number attribute.",
            "Number attributes: " + ", ".join(numbers) + ".",
        )
    wf = run_waterfall(conn, plan, campaign=entry.campaign, as_of_date=entry.date)
    contact = [i for i, c in enumerate(wf.cells) if c.contact] or [-1]
    today = clock.now().date()
    mean = scalar(
        conn,
        f"""SELECT avg({attr.sql.replace("{today}", "CAST(? AS DATE)")}) FROM person_attributes a
        WHERE a.person_id IN (SELECT person_id FROM {PLACED} WHERE list_contains(?::INTEGER[], cell_index))""",
        [today] * attr.sql.count("{today}") + [contact],
    )
    return round(float(mean or 0.0) * float(entry.value or 0.0), 4)


def drop_plan(conn: duckdb.DuckDBPyConnection, name: str, audit_it: bool = True) -> int:
    """Forget a kept plan and its planned contacts; returns how many planned contacts it had."""
    n = scalar(conn, "SELECT count(*) FROM planned_contacts WHERE plan = ?", [name]) or 0
    run(conn, "DELETE FROM planned_contacts WHERE plan = ?", [name])
    run(conn, "DELETE FROM contact_plan_selections WHERE plan = ?", [name])
    run(conn, "DELETE FROM contact_plans WHERE plan = ?", [name])
    if audit_it:
        audit.record(conn, "plan.drop", name, {"planned_contacts": n})
    return n


def list_plans(conn: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Kept plans: period, order, selections and planned contacts (those not yet exported)."""
    return rows(
        conn,
        """SELECT p.plan, p.period_start, p.period_end, p.order_by, p.planned_at,
               (SELECT count(*) FROM contact_plan_selections s WHERE s.plan = p.plan) AS selections,
               (SELECT count(*) FROM planned_contacts c WHERE c.plan = p.plan) AS planned_contacts
        FROM contact_plans p ORDER BY p.period_start, p.plan""",
    )


def plan_selections(conn: duckdb.DuckDBPyConnection, name: str) -> list[dict[str, Any]]:
    """A kept plan's selections in their order, with what each got and its waterfall (JSON)."""
    found = rows(conn, "SELECT * FROM contact_plan_selections WHERE plan = ? ORDER BY position", [name])
    for r in found:
        r["waterfall"] = json.loads(r["waterfall"]) if isinstance(r["waterfall"], str) else r["waterfall"]
    return found
