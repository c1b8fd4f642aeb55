"""A checked selection: its expressions compiled to SQL, its suppressions chosen, the sources it reads.

:func:`check_selection` is what ``selections import``, ``count``, ``export`` and the TUI's live count
call before anything runs; every problem is a :class:`SelectionError` or an
:class:`~workbench.select.expression.ExpressionError` (both refuse, exit 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from workbench import clock
from workbench.select.attributes import ensure_attributes, known_brands
from workbench.select.definition import Selection, SelectionError
from workbench.select.expression import Catalog, Compiler, ExpressionError
from workbench.select.functions import Fragment
from workbench.select.gate import FreshnessGate, check_freshness
from workbench.select.steps import SuppressionChoice, choose_suppressions
from workbench.store.sql import rows


@dataclass
class Plan:
    selection: Selection
    compiler: Compiler
    where: Fragment
    order: list[tuple[Fragment, bool]] = field(default_factory=list)
    cell_wheres: list[Fragment | None] = field(default_factory=list)
    suppressions: SuppressionChoice | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def depends(self) -> set[str]:
        return set(self.compiler.depends)

    @property
    def suppression_names(self) -> list[str]:
        return [s["name"] for s in self.suppressions.applied] if self.suppressions else []

    def freshness(self, conn: duckdb.DuckDBPyConnection) -> FreshnessGate:
        return check_freshness(conn, self.selection.channel, self.depends, self.suppression_names)


def catalog(conn: duckdb.DuckDBPyConnection) -> Catalog:
    sources = {r["name"]: r["kind"] for r in rows(conn, "SELECT name, kind FROM sources")}
    cat = Catalog(today=clock.now().date(), brands=known_brands(conn), sources=sources)
    try:
        from workbench.contacts.select_functions import trigger_catalog
    except ImportError:
        return cat
    cat.triggers = trigger_catalog(conn)
    return cat


def compile_selection(sel: Selection, cat: Catalog) -> Plan:
    """Check and compile the expressions of ``sel`` (no suppressions: those need a writable database)."""
    compiler = Compiler(cat)
    where = _compile(sel, "where", lambda: compiler.compile(sel.where, what="where"))
    plan = Plan(sel, compiler, where)
    if sel.limit and sel.limit.order:
        plan.order = _compile(sel, "limit.order", lambda: compiler.compile_order(sel.limit.order))
    for i, cell in enumerate(sel.cells):
        what = f"cells[{i + 1}].where"
        plan.cell_wheres.append(_compile(sel, what, lambda c=cell, w=what: compiler.compile(c.where, what=w))
                                if cell.where else None)
    if sel.brand and cat.brands and sel.brand not in cat.brands:
        plan.warnings.append(f"no orders have brand {sel.brand!r} (brands with orders: {', '.join(cat.brands)})")
    return plan


def check_selection(conn: duckdb.DuckDBPyConnection, sel: Selection, refresh: bool = True) -> Plan:
    """Compile ``sel`` and choose its suppressions (brings the attribute and suppression tables up to
    date first: needs a writable connection)."""
    if refresh:
        ensure_attributes(conn)
    plan = compile_selection(sel, catalog(conn))
    plan.suppressions = choose_suppressions(conn, sel)
    for name in plan.suppressions.not_applicable:
        plan.warnings.append(f"suppression {name!r} does not apply to {sel.channel}"
                             + (f" / {sel.brand}" if sel.brand else "") + ": it removes nobody here")
    if plan.suppressions.left_out:
        plan.warnings.append(f"suppressions left out by override: {', '.join(plan.suppressions.left_out)} "
                             f"({sel.override_reason})")
    return plan


def _compile(sel: Selection, what: str, build):
    try:
        return build()
    except ExpressionError as exc:
        raise ExpressionError(f"selection {sel.name!r}, {exc.message}", exc.hint) from None
    except SelectionError:
        raise
