"""The removal steps of a waterfall besides the where expression: suppressions, and steps other
capabilities add (issue 6's pressure and capacity rules).

**Suppressions.** ``suppress = "default"`` applies every suppression that applies to the selection's
channel and brand (``workbench.suppress.applicable_suppressions``), in that order. A list of names
applies those, in the list's order. Leaving out a default suppression (not listing it, or listing it
in ``override_suppress``) is only accepted when it is named in ``override_suppress`` with an
``override_reason`` (logged when the selection is saved, and in every export's manifest).

**Extension point.** A step provider is ``provider(conn, ctx: StepContext) -> list[RemovalStep]``;
each step's SQL selects the ``person_id`` of the candidates it removes and may read the candidates
table (``ctx.candidates``: the persons still in after the earlier steps; the waterfall deletes each
step's persons before the next step runs). The built-in providers are listed by phase in :func:`providers` (plain functions: the
pressure and capacity rules); another capability adds its own with :func:`register_step_provider`. Phases: ``after_suppressions`` (before one-per-household) and
``after_one_per`` (before the limit: where pressure rules go, as the glossary orders a waterfall).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from workbench import clock
from workbench.select.definition import Selection, SelectionError
from workbench.store.sql import rows

PHASES = ("after_suppressions", "after_one_per")


@dataclass
class RemovalStep:
    name: str  # shown in the waterfall, e.g. "pressure: mail_3_in_30"
    label: str  # one line for an operator
    sql: str  # SELECT person_id ... of the candidates to remove (positional ? parameters)
    params: list[Any] = field(default_factory=list)
    kind: str = "rule"
    sources: tuple[str, ...] = ()  # source kinds or "source:NAME" the step reads (freshness gate)


@dataclass
class StepContext:
    selection: Selection
    candidates: str  # a table with person_id, household_key, is_head, head_rank
    as_of_date: date
    campaign: str | None = None


StepProvider = Callable[[duckdb.DuckDBPyConnection, StepContext], list[RemovalStep]]

_registered: dict[str, list[StepProvider]] = {p: [] for p in PHASES}


def register_step_provider(phase: str, provider: StepProvider) -> None:
    if phase not in PHASES:
        raise ValueError(f"phase must be one of {PHASES}")
    _registered[phase].append(provider)


def providers(phase: str) -> list[StepProvider]:
    """The step providers of ``phase``, in order: the built-in ones, then the registered ones."""
    built_in: dict[str, list[StepProvider]] = {
        "after_suppressions": [],
        # issue 15: a kept contact plan's selection follows it; while a plan is built, persons taken by a
        # higher-priority contact of the plan are a step of their own (below)
        "after_one_per": [follow_plan_steps, pressure_rule_steps, taken_by_plan_steps],
    }
    return built_in.get(phase, []) + _registered.get(phase, [])


# -- issue 15: one contact plan across brands (docs/plan.md) ---------------------------------------------
# While a plan is built (workbench.plan.run), each selection placed before this one is a step "taken by a
# higher-priority contact: NAME", removing the persons the pressure and capacity rules refuse once that
# selection's planned contacts count (and every earlier one's). Otherwise a selection a kept plan holds
# (contact date today or later) contacts only the persons the plan gave it ("not in contact plan NAME").
def taken_by_plan_steps(conn: duckdb.DuckDBPyConnection, ctx: StepContext) -> list[RemovalStep]:
    from workbench.contacts.pressure import plan_being_built, pressure_steps

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
            RemovalStep(
                name=f"taken: {other}",
                label=f"taken by a higher-priority contact: {other}",
                sql=sql,
                params=params,
                kind="plan",
                sources=("contacts",),
            )
        )
    return out


def follow_plan_steps(conn: duckdb.DuckDBPyConnection, ctx: StepContext) -> list[RemovalStep]:
    from workbench.contacts.pressure import plan_being_built

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
        RemovalStep(
            name=f"plan: {plan}",
            label=f"not in contact plan {plan} for this selection (taken by a higher-priority "
            "contact or by the rules when it was planned)",
            sql=sql,
            params=[ctx.selection.name, plan],
            kind="plan",
        )
    ]


def pressure_rule_steps(conn: duckdb.DuckDBPyConnection, ctx: StepContext) -> list[RemovalStep]:
    """Issue 6's pressure and capacity rules (``workbench.contacts.pressure``)."""
    from workbench.contacts.pressure import pressure_steps

    sel = ctx.selection
    steps = pressure_steps(conn, sel.channel, sel.brand, ctx.as_of_date, ctx.candidates, selection=sel.name,
                           priority=sel.priority, campaign=ctx.campaign)
    return [RemovalStep(s.step_name, s.label, s.sql, list(s.params), kind="pressure", sources=("contacts",))
            for s in steps]


# -- suppressions ---------------------------------------------------------------------------------------
@dataclass
class SuppressionChoice:
    applied: list[dict[str, Any]]  # in order: {name, channel, brand, reason, match_on, ...}
    left_out: list[str]  # default suppressions the selection overrides (logged)
    not_applicable: list[str]  # listed names that do not apply to the channel / brand (remove nobody)


def choose_suppressions(conn: duckdb.DuckDBPyConnection, sel: Selection) -> SuppressionChoice:
    """The suppressions ``sel`` applies; refuses a list that weakens the default without an override."""
    from workbench.suppress import applicable_suppressions, suppression_summary
    from workbench.suppress.build import ERASURE

    if ERASURE in sel.override_suppress:  # an erasure is an absolute objection: no selection may lift it
        raise SelectionError(f"selection {sel.name!r}: the {ERASURE!r} suppression (persons erased on request) "
                             "cannot be overridden.", "Remove it from override_suppress.")
    applicable = applicable_suppressions(conn, sel.channel, sel.brand)
    by_name = {a["name"]: a for a in applicable}
    named = [*(sel.suppress if isinstance(sel.suppress, list) else []), *sel.override_suppress]
    every = {s["name"]: s for s in suppression_summary(conn)} if named else {}
    for name in named:
        if name not in every and name not in by_name:
            raise SelectionError(f"selection {sel.name!r}: there is no suppression {name!r}" + _near(name, every),
                                 "Suppressions: " + ", ".join(sorted(every)) + ".")
    listed = list(by_name) if sel.suppress == "default" else list(sel.suppress)
    missing = [n for n in by_name if n not in listed or n in sel.override_suppress]
    unexplained = [n for n in missing if n not in sel.override_suppress]
    if unexplained:
        raise SelectionError(
            f"selection {sel.name!r} leaves out suppression(s) that apply to {sel.channel}"
            + (f" / {sel.brand}" if sel.brand else "") + f": {', '.join(unexplained)}.",
            "The default cannot be weakened silently: list them in override_suppress with an override_reason "
            "(logged), or use suppress = \"default\".")
    applied = [by_name.get(n) or {"name": n, **{k: every[n].get(k) for k in ("channel", "brand", "reason", "match_on")}}
               for n in listed if n not in sel.override_suppress]
    return SuppressionChoice(applied=applied, left_out=[n for n in missing],
                             not_applicable=[n for n in listed if n not in by_name])


def _near(word: str, candidates) -> str:
    import difflib

    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {found[0]!r}?" if found else ""
