"""Pressure and capacity rules as waterfall steps: set-based SQL that names the persons each rule removes.

**Window.** A rule of ``window_days = N`` looks at the N days that end on the new contact's date
(``as_of_date``), that day included: day 1 is the contact date, day N is ``N - 1`` days before, day
N + 1 is outside. Contacts already planned or dated after ``as_of_date`` (less than N days later) count
too, so every N-day window that holds the new contact is checked. Control (held-out) rows count for
nothing: those persons were not contacted.

**Counting.** A person rule removes a candidate who already has ``max_contacts`` counted contacts. A
household rule counts the contacts of every member of the candidate's household and also the
candidates of this selection in the same household: the head of household first, then by person id,
keeps the places left. A capacity rule counts the contacts already made (or planned) on ``as_of_date``
and keeps as many candidates as the day has room for, in a fixed pseudo-random order of person id.

**Priority.** Planned contacts (:func:`plan_contacts`) of selections with a strictly higher priority
count as if they were made, so when two campaigns compete the higher one keeps the person. Plans of
equal or lower priority do not count (among equals the first to export wins: its contact history
counts for the other's export). Plans dated before today are ignored. Contacts of a kept contact plan
(``workbench plan``, :mod:`workbench.plan`) count for every other selection whatever its priority: an
export outside the plan is checked against it. While a plan is built, its own contacts are left out
(``plan``) except those of the selections already placed (``plan_selections``).

Each step's SQL must be run against the candidates that are still in after the previous steps (the
household and capacity steps rank the remaining candidates).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import duckdb

from workbench import clock
from workbench.contacts.history import household_join
from workbench.contacts.rules import Rule, list_rules
from workbench.store.sql import rows, run, scalar

_RELATION = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?")
# The contact plan being built on this thread (workbench.plan): its name and the selections placed so far.
_BUILDING: ContextVar[tuple[str, list[str]] | None] = ContextVar("wb_plan_building", default=None)


@contextmanager
def building_plan(plan: str, placed: list[str]) -> Iterator[None]:
    """While a contact plan is built, ordinary pressure steps leave out its own contacts (the plan counts
    them in its "taken by a higher-priority contact" steps, the plan steps of :mod:`workbench.select.steps`). ``placed`` is
    the list of selections already placed, in order (the caller appends to it)."""
    token = _BUILDING.set((plan, placed))
    try:
        yield
    finally:
        _BUILDING.reset(token)


def plan_being_built() -> tuple[str, list[str]] | None:
    return _BUILDING.get()


@dataclass
class PressureStep:
    """One waterfall step: ``sql`` (with ``params``) selects the person_ids of the candidates to remove."""

    rule: str
    label: str
    sql: str
    params: list[Any] = field(default_factory=list)

    @property
    def step_name(self) -> str:
        return f"pressure: {self.rule}"


def pressure_steps(conn: duckdb.DuckDBPyConnection, channel: str, brand: str | None, as_of_date: date | None,
                   candidates: str, *, selection: str | None = None, priority: int | None = None,
                   campaign: str | None = None, rules: list[Rule] | None = None, plan: str | None = None,
                   plan_selections: list[str] | None = None) -> list[PressureStep]:
    """The pressure and capacity steps a selection of ``channel`` / ``brand`` contacting on ``as_of_date``
    (default today) must pass, in the rules' order. ``candidates`` names a table or view with a
    ``person_id`` column (the persons still in the waterfall). ``selection`` and ``priority`` say whose
    plans do not count (its own) and whose do (higher priority); ``campaign``: contact history of this
    campaign is not counted (a re-export of the same campaign does not block itself)."""
    if not _RELATION.fullmatch(candidates):
        raise ValueError(f"candidates must name a table or view, not {candidates!r}")
    channel = channel.strip().lower()
    brand = brand.strip().lower() if brand else None
    as_of_date = as_of_date or clock.now().date()
    if plan is None and plan_selections is None and (building := _BUILDING.get()) is not None:
        plan = building[0]  # an ordinary step while a plan is built: the plan's own contacts are not counted
    found = rules if rules is not None else list_rules(conn, enabled_only=True)
    steps = []
    for rule in found:
        if not rule.applies_to(channel, brand):
            continue
        build = _capacity_sql if rule.kind == "capacity" else _pressure_sql
        sql, params = build(conn, rule, channel, brand, as_of_date, candidates, selection, priority, campaign,
                            (plan, plan_selections))
        steps.append(PressureStep(rule.name, rule.summary(), sql, params))
    return steps


def apply_pressure(conn: duckdb.DuckDBPyConnection, candidates: str, channel: str, brand: str | None,
                   as_of_date: date | None = None, **kwargs: Any) -> list[tuple[str, int]]:
    """Run every step against ``candidates`` (a table this call may DELETE from), in order; returns
    [(rule name, persons removed)]. The reference way to use :func:`pressure_steps`."""
    out = []
    for step in pressure_steps(conn, channel, brand, as_of_date, candidates, **kwargs):
        before = scalar(conn, f"SELECT count(*) FROM {candidates}")
        run(conn, f"DELETE FROM {candidates} WHERE person_id IN ({step.sql})", step.params)
        out.append((step.rule, before - scalar(conn, f"SELECT count(*) FROM {candidates}")))
    return out


def _filters(rule: Rule, channel: str, brand: str | None) -> tuple[str, list[Any]]:
    cond, params = "", []
    counted_channel = {"any": None, "each": channel}.get(rule.channel, rule.channel)
    if counted_channel:
        cond += " AND channel = ?"
        params.append(counted_channel)
    counted_brand = {"all": None, "each": brand}.get(rule.brand, rule.brand)
    if counted_brand:
        cond += " AND lower(brand) = ?"
        params.append(counted_brand)
    return cond, params


def _counted(conn, rule: Rule, channel: str, brand: str | None, first: date, last: date,
             selection: str | None, priority: int | None, campaign: str | None,
             building: tuple[str | None, list[str] | None] = (None, None)) -> tuple[str, list[Any]]:
    """SELECT person_id of every contact that counts for ``rule`` between ``first`` and ``last``."""
    cond, fparams = _filters(rule, channel, brand)
    sql = f"""SELECT contact_person_id AS person_id FROM contact_history_persons
        WHERE NOT is_control AND contact_date BETWEEN ? AND ? AND contact_person_id IS NOT NULL
          AND campaign IS DISTINCT FROM ?{cond}"""
    params: list[Any] = [first, last, campaign, *fparams]
    plan, placed = building
    today = clock.now().date()
    sql += f"""
        UNION ALL
        SELECT person_id FROM planned_contacts
        WHERE (((priority > ? OR plan IS NOT NULL) AND (plan IS NULL OR plan IS DISTINCT FROM ?)
                AND selection IS DISTINCT FROM ?)
               OR (plan = ? AND list_contains(?::VARCHAR[], selection)))
          AND contact_date >= ? AND contact_date BETWEEN ? AND ?{cond}"""
    params += [priority, plan, selection, plan, list(placed or []), today, first, last, *fparams]
    return sql, params


def _pressure_sql(conn, rule: Rule, channel, brand, as_of, candidates, selection, priority, campaign, building):
    reach = timedelta(days=rule.window_days - 1)
    counted, params = _counted(conn, rule, channel, brand, as_of - reach, as_of + reach, selection, priority,
                               campaign, building)
    if rule.per != "household":
        sql = f"""SELECT c.person_id FROM {candidates} c
            JOIN (SELECT person_id, count(*) AS n FROM ({counted}) GROUP BY person_id) h USING (person_id)
            WHERE h.n >= ?"""
        return sql, [*params, rule.max_contacts]
    join_x, key_x = household_join(conn, "x.person_id", "hx")
    join_c, key_c = household_join(conn, "c.person_id", "hc")
    head_first = "hc.is_head DESC NULLS LAST, " if join_c else ""
    sql = f"""SELECT person_id FROM (
            SELECT c.person_id, coalesce(hh.n, 0)
                   + row_number() OVER (PARTITION BY {key_c} ORDER BY {head_first}c.person_id) AS would_be
            FROM {candidates} c {join_c}
            LEFT JOIN (SELECT {key_x} AS household_key, count(*) AS n FROM ({counted}) x {join_x}
                       GROUP BY ALL) hh ON hh.household_key = {key_c})
        WHERE would_be > ?"""
    return sql, [*params, rule.max_contacts]


def _capacity_sql(conn, rule: Rule, channel, brand, as_of, candidates, selection, priority, campaign, building):
    counted, params = _counted(conn, rule, channel, brand, as_of, as_of, selection, priority, campaign, building)
    sql = f"""SELECT person_id FROM (
            SELECT person_id, row_number() OVER (ORDER BY hash(person_id, 'capacity'), person_id) AS place
            FROM {candidates})
        WHERE place > greatest(0, ? - (SELECT count(*) FROM ({counted})))"""
    return sql, [rule.max_per_day, *params]


# -- planned contacts (selection priority) ---------------------------------------------------------
def plan_contacts(conn: duckdb.DuckDBPyConnection, selection: str, priority: int, channel: str,
                  brand: str | None, contact_date: date, persons_sql: str, params: list[Any] | None = None,
                  campaign: str | None = None) -> int:
    """Record (replacing this selection's earlier plan) that ``selection`` will contact the persons
    ``persons_sql`` selects (a ``SELECT person_id ...``; its ``params``) on ``contact_date``. Returns the
    number planned. Call it when a prioritised selection's net is final (counted for a planned date)."""
    clear_plan(conn, selection)
    run(conn, f"""INSERT INTO planned_contacts
        SELECT ?, ?, ?, person_id, ?, ?, ?, ?, NULL FROM (SELECT DISTINCT person_id FROM ({persons_sql}))""",
        [selection, priority, campaign, channel.strip().lower(), brand.strip().lower() if brand else None,
         contact_date, clock.now(), *(params or [])])
    return scalar(conn, "SELECT count(*) FROM planned_contacts WHERE selection = ?", [selection])


def clear_plan(conn: duckdb.DuckDBPyConnection, selection: str) -> int:
    """Forget ``selection``'s planned contacts (its export wrote them to the contact history, or it was
    cancelled). Returns how many there were."""
    n = scalar(conn, "SELECT count(*) FROM planned_contacts WHERE selection = ?", [selection]) or 0
    run(conn, "DELETE FROM planned_contacts WHERE selection = ?", [selection])
    return n


def list_plans(conn: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Planned contacts per selection: priority, channel, brand, date, persons, and whether still in effect."""
    return rows(conn, """SELECT selection, max(priority) AS priority, any_value(campaign) AS campaign,
               any_value(channel) AS channel, any_value(brand) AS brand, min(contact_date) AS contact_date,
               count(*) AS persons, min(contact_date) >= ? AS in_effect, max(planned_at) AS planned_at
        FROM planned_contacts GROUP BY selection ORDER BY priority DESC, selection""", [clock.now().date()])
