"""The waterfall: a selection counted step by step, and the persons it ends with.

Steps, in order (each removes persons from the candidates table ``_wf``, so the numbers add up):

1. **universe**: persons the channel can reach (mail: a usable address, and deliverable when the
   ``ncoa_undeliverable`` suppression is not applied; email: an email; phone: a phone);
2. **where**: the selection's expression;
3. **suppression**, one step per suppression, in order: each removes the persons it suppresses that
   the earlier ones did not already remove;
4. steps added by other capabilities after the suppressions (:mod:`workbench.select.steps`);
5. **one per household / address**: the member kept is the head of household when the head is still
   in, else the next by the households' head rank, then the lowest person id (before any households
   run every person is their own household); at address level, the same order over everyone at the door;
6. steps added after one-per (issue 6's pressure and capacity rules);
7. **limit**: first N by ``order`` (then person id), every N-th in that order, or a random N;
8. **cells**, in priority order: each takes, among the persons not yet placed that match its
   ``where``, its count or share (of the persons reaching the cells; shares are rounded cumulatively,
   so 0.9 + 0.1 places everybody) in a seeded random order; a cell with neither takes every match;
   persons no cell takes are **unplaced**;
9. **net**: the persons in contact cells (control cells are held out: recorded, not contacted).

A mail waterfall also says, in ``addresses`` and a line of ``notes``, how many of the persons to
contact have a ZIP completed from the database's own addresses, a ZIP corrected for the state, or
still no ZIP (street, city and state: mailable; see :mod:`workbench.ingest.addresses`).

Random orders are ``hash(person_id, seed, purpose)``: the same selection on the same data gives the
same people in the same cells, and the limit's draw is independent of the cells' draw.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb

from workbench import clock
from workbench.formatting import plural
from workbench.select import features as feature_cache
from workbench.select.attributes import UNIVERSE, UNIVERSE_LABEL
from workbench.select.cells import assign_cells, cell_sizes
from workbench.select.plan import Plan
from workbench.select.steps import RemovalStep, StepContext, providers
from workbench.store.sql import rows, run, scalar

CANDIDATES = "_wf"
PLACED = "_wf_cells"
NCOA_STEP = "ncoa_undeliverable"


@dataclass
class Step:
    step: str  # universe | where | suppression | rule | one_per | limit | cell | unplaced | net
    name: str
    label: str
    removed: int | None
    remaining: int
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class CellCount:
    name: str
    keycode: str | None
    contact: bool
    persons: int


@dataclass
class Waterfall:
    selection: str
    version: int | None
    channel: str
    brand: str | None
    counted_at: datetime
    persons_total: int = 0
    steps: list[Step] = field(default_factory=list)
    cells: list[CellCount] = field(default_factory=list)
    net: int = 0
    held_out: int = 0
    suppressions: list[str] = field(default_factory=list)
    overrides: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was brought up to date first (select.ready); addresses
    addresses: dict[str, int] = field(default_factory=dict)  # mail: completed, corrected, without_zip, ...
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["counted_at"] = self.counted_at.isoformat()
        return d

    def adds_up(self) -> bool:
        """universe - every removal = persons reaching the cells = placed + unplaced; net = contact cells."""
        universe = self.steps[0].remaining
        removed = sum(s.removed for s in self.steps if s.removed is not None and s.step != "unplaced")
        placed = sum(c.persons for c in self.cells)
        unplaced = next((s.removed for s in self.steps if s.step == "unplaced"), 0) or 0
        return (universe - removed == placed + unplaced
                and self.net == sum(c.persons for c in self.cells if c.contact)
                and self.held_out == sum(c.persons for c in self.cells if not c.contact))


def run_waterfall(conn: duckdb.DuckDBPyConnection, plan: Plan, campaign: str | None = None,
                  as_of_date: date | None = None) -> Waterfall:
    """Count ``plan`` step by step. Leaves TEMP tables ``_wf`` (candidates after the limit) and
    ``_wf_cells(person_id, cell_index)`` (who is in which cell) for an export on the same connection."""
    t0 = time.perf_counter()
    sel = plan.selection
    wf = Waterfall(sel.name, sel.version, sel.channel, sel.brand, clock.now(), suppressions=plan.suppression_names,
                   overrides=list(plan.suppressions.left_out) if plan.suppressions else [],
                   warnings=list(plan.warnings))
    views = feature_cache.attach_features(conn, list(plan.compiler.features.values()))
    try:
        _candidates(conn, plan, wf)
    finally:
        feature_cache.detach_features(conn, views)
    _suppressions(conn, plan, wf)
    ctx = StepContext(sel, CANDIDATES, as_of_date or clock.now().date(), campaign)
    _provided_steps(conn, "after_suppressions", ctx, wf)
    _one_per(conn, plan, wf)
    _provided_steps(conn, "after_one_per", ctx, wf)
    _limit(conn, plan, wf)
    _cells(conn, plan, wf)
    if sel.channel == "mail":
        _address_notes(conn, wf)
    wf.seconds = round(time.perf_counter() - t0, 3)
    return wf


def _remaining(conn) -> int:
    return scalar(conn, f"SELECT count(*) FROM {CANDIDATES}")


def _add(wf: Waterfall, step: str, name: str, label: str, removed: int | None, remaining: int, **detail) -> None:
    wf.steps.append(Step(step, name, label, removed, remaining, detail))


def _candidates(conn: duckdb.DuckDBPyConnection, plan: Plan, wf: Waterfall) -> None:
    sel = plan.selection
    universe = UNIVERSE[sel.channel]
    if sel.channel == "mail" and NCOA_STEP not in plan.suppression_names:
        universe += " AND a.mail_deliverable"
    counts = rows(conn, f"""SELECT count(*) AS persons, count(*) FILTER (WHERE {universe}) AS universe,
        count(*) FILTER (WHERE a.has_address AND NOT a.mail_deliverable) AS undeliverable
        FROM person_attributes a""")[0]
    wf.persons_total = counts["persons"]
    detail = {"persons": counts["persons"], "outside": counts["persons"] - counts["universe"]}
    if sel.channel == "mail" and NCOA_STEP not in plan.suppression_names:
        detail["undeliverable"] = counts["undeliverable"]
    _add(wf, "universe", sel.channel, f"{sel.channel} universe: {UNIVERSE_LABEL[sel.channel]}", None,
         counts["universe"], **detail)
    columns, params = [], []
    for i, (frag, _desc) in enumerate(plan.order):
        columns.append(f"{frag.sql} AS o{i + 1}")
        params += frag.params
    for i, frag in enumerate(plan.cell_wheres):
        if frag is not None:
            columns.append(f"coalesce({frag.sql}, false) AS cw{i + 1}")
            params += frag.params
    joins = " ".join(f"LEFT JOIN _wf_{f.alias} {f.alias} ON {f.alias}.person_id = a.person_id"
                     for f in plan.compiler.features.values())
    extra = "".join(", " + c for c in columns)
    run(conn, f"""CREATE OR REPLACE TEMP TABLE {CANDIDATES} AS
        SELECT a.person_id, a.household_key, a.addr_key, a.is_head, a.head_rank{extra}
        FROM person_attributes a {joins}
        WHERE {universe} AND coalesce({plan.where.sql}, false)""", params + plan.where.params)
    remaining = _remaining(conn)
    _add(wf, "where", "where", "match the where expression" if sel.where.strip() else "no where expression",
         counts["universe"] - remaining, remaining)


def _suppressions(conn: duckdb.DuckDBPyConnection, plan: Plan, wf: Waterfall) -> None:
    from workbench.suppress import suppression_filter

    sel, names = plan.selection, plan.suppression_names
    if not names:
        return
    cond, params = suppression_filter(sel.channel, sel.brand, alias="ps")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _wf_sup AS
        SELECT ps.person_id, min(list_position(?::VARCHAR[], ps.suppression)) AS pos
        FROM person_suppressions ps
        WHERE {cond} AND list_contains(?::VARCHAR[], ps.suppression)
          AND ps.person_id IN (SELECT person_id FROM {CANDIDATES})
        GROUP BY ps.person_id""", [names, *params, names])
    removed = {r["pos"]: r["n"] for r in rows(conn, "SELECT pos, count(*) AS n FROM _wf_sup GROUP BY pos")}
    run(conn, f"DELETE FROM {CANDIDATES} WHERE person_id IN (SELECT person_id FROM _wf_sup)")
    run(conn, "DROP TABLE IF EXISTS _wf_sup")
    remaining = wf.steps[-1].remaining
    for i, s in enumerate(plan.suppressions.applied, start=1):
        n = removed.get(i, 0)
        remaining -= n
        reason = s.get("reason")
        _add(wf, "suppression", s["name"], s["name"] + (f": {reason}" if reason and reason != s["name"] else ""), n,
             remaining, channel=s.get("channel"), brand=s.get("brand"), match_on=s.get("match_on"))


def _provided_steps(conn: duckdb.DuckDBPyConnection, phase: str, ctx: StepContext, wf: Waterfall) -> None:
    for provider in providers(phase):
        step: RemovalStep
        for step in provider(conn, ctx):
            before = wf.steps[-1].remaining
            run(conn, f"DELETE FROM {CANDIDATES} WHERE person_id IN ({step.sql})", step.params)
            after = _remaining(conn)
            _add(wf, step.kind, step.name, step.label, before - after, after)


def _one_per(conn: duckdb.DuckDBPyConnection, plan: Plan, wf: Waterfall) -> None:
    level = plan.selection.one_per
    if level == "person":
        return
    key = "household_key" if level == "household" else "coalesce(addr_key, 'person ' || person_id)"
    before = wf.steps[-1].remaining
    run(conn, f"""DELETE FROM {CANDIDATES} WHERE person_id IN (
        SELECT person_id FROM {CANDIDATES}
        QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY is_head DESC, head_rank, person_id) > 1)""")
    label = f"one per {level} (head of household first, then head rank, then person id)"
    if level == "household":
        # One piece per surname at a mailing address too. Householding places a person at their current
        # address (by recency), the piece goes to their golden address: a family split between an old and a
        # new door can leave two pieces with one surname at one door. Persons an operator placed (a
        # household decision) keep their own piece.
        # (the surname as householding compares it: households/rules.py hh_surname)
        from workbench.households.rules import install_household_macros

        install_household_macros(conn)
        run(conn, f"""DELETE FROM {CANDIDATES} WHERE person_id IN (
            SELECT w.person_id FROM {CANDIDATES} w JOIN persons p USING (person_id)
            WHERE w.addr_key IS NOT NULL AND hh_surname(p.last_name_key) IS NOT NULL
              AND w.person_id NOT IN (SELECT person_id FROM household_members WHERE joined_by = 'decision')
            QUALIFY row_number() OVER (PARTITION BY w.addr_key, hh_surname(p.last_name_key)
                                       ORDER BY w.is_head DESC, w.head_rank, w.person_id) > 1)""")
        label = ("one per household and per surname at a mailing address (head of household first, then head "
                 "rank, then person id)")
    after = _remaining(conn)
    _add(wf, "one_per", level, label, before - after, after)


def _limit(conn: duckdb.DuckDBPyConnection, plan: Plan, wf: Waterfall) -> None:
    limit = plan.selection.limit
    if limit is None:
        return
    before = wf.steps[-1].remaining
    if before <= limit.n:  # nothing to cut
        _add(wf, "limit", limit.method, f"limit: {limit.n:,} (fewer persons left)", 0, before)
        return
    if limit.method == "random":
        seed = limit.seed if limit.seed is not None else plan.selection.effective_seed
        order, params = "hash(person_id, ?, 'limit'), person_id", [seed]
    else:
        order = ", ".join([f"o{i + 1} {'DESC' if desc else 'ASC'} NULLS LAST" for i, (_f, desc) in
                           enumerate(plan.order)] + ["person_id"])
        params = []
    if limit.method == "nth":
        step = before // limit.n
        keep = f"(rn - 1) % {int(step)} = 0 AND rn <= {int(step) * limit.n}"
    else:
        keep = f"rn <= {int(limit.n)}"
    run(conn, f"""DELETE FROM {CANDIDATES} WHERE person_id IN (
        SELECT person_id FROM (SELECT person_id, row_number() OVER (ORDER BY {order}) AS rn FROM {CANDIDATES})
        WHERE NOT ({keep}))""", params)
    after = _remaining(conn)
    how = {"first": "first", "nth": "every n-th of", "random": "a random"}[limit.method]
    _add(wf, "limit", limit.method, f"limit: {how} {limit.n:,}" + (f" by {limit.order}" if limit.order else ""),
         before - after, after)


def _cells(conn: duckdb.DuckDBPyConnection, plan: Plan, wf: Waterfall) -> None:
    sel = plan.selection
    cells = sel.effective_cells
    reaching = wf.steps[-1].remaining
    sizes = cell_sizes(cells, reaching)
    placed = assign_cells(conn, CANDIDATES, PLACED, cells, sizes, [f is not None for f in plan.cell_wheres]
                          or [False] * len(cells), sel.effective_seed)
    for i, cell in enumerate(cells):
        n = placed.get(i, 0)
        wf.cells.append(CellCount(cell.name, cell.keycode, cell.contact, n))
        _add(wf, "cell", cell.name, f"cell {cell.name}" + (f" ({cell.keycode})" if cell.keycode else "")
             + ("" if cell.contact else ": control, held out"), None, n, keycode=cell.keycode, contact=cell.contact)
    unplaced = reaching - sum(placed.values())
    if unplaced:
        _add(wf, "unplaced", "unplaced", "taken by no cell", unplaced, reaching - unplaced)
    wf.net = sum(c.persons for c in wf.cells if c.contact)
    wf.held_out = sum(c.persons for c in wf.cells if not c.contact)
    _add(wf, "net", "net", "net: persons to contact", None, wf.net, held_out=wf.held_out)


def _address_notes(conn: duckdb.DuckDBPyConnection, wf: Waterfall) -> None:
    """How the addresses of the persons to contact were completed (a note; nobody is removed)."""
    from workbench.ingest.addresses import completion_counts

    contact = ", ".join(str(i) for i, c in enumerate(wf.cells) if c.contact) or "NULL"
    wf.addresses = completion_counts(conn, f"SELECT person_id FROM {PLACED} WHERE cell_index IN ({contact})")
    a = wf.addresses
    wf.notes.append(f"addresses: {plural(a['completed'], 'ZIP')} completed (same street elsewhere in the database), "
                    f"{a['corrected']:,} corrected, {a['without_zip']:,} without ZIP (street, city, state), "
                    f"{a['zip_state_mismatch']:,} ZIP not of the state")
