"""A checked selection: its expressions compiled to SQL, its suppressions chosen, the sources it reads.

:func:`check_selection` is what ``selections import``, ``count``, ``export`` and the TUI's live count
call before anything runs; every problem is a :class:`SelectionError` or an
:class:`~workbench.select.expression.ExpressionError` (both refuse, exit 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from workbench import clock
from workbench.select.attributes import ensure_attributes, has_relation, known_brands
from workbench.select.definition import Selection, SelectionError
from workbench.select.expression import Catalog, Compiler, ExpressionError, did_you_mean
from workbench.select.functions import Fragment
from workbench.select.gate import FreshnessGate, check_freshness
from workbench.select.steps import SuppressionChoice, choose_suppressions
from workbench.select.values import unseen_values
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
    cat.all_brands = database_brands(conn, cat.brands)
    try:
        from workbench.contacts.select_functions import trigger_catalog
    except ImportError:
        return cat
    cat.triggers = trigger_catalog(conn)
    return cat


# Where a brand's name is written down, besides orders: brand-scoped suppression files and their entries,
# opt-outs added by hand, erasures, the contact history, pressure rules ("all" and "each" are not brands).
_BRAND_COLUMNS = (("sources", "brand"), ("suppression_entries", "brand"), ("manual_suppressions", "brand"),
                  ("erasure_tombstones", "brand"), ("contact_history", "brand"), ("contact_rules", "brand"))


def database_brands(conn: duckdb.DuckDBPyConnection, order_brands: list[str] | None = None) -> list[str]:
    """Every brand the database knows, lower case and sorted: brands with orders (as of the last build of
    the attribute tables, or ``order_brands``) and every brand a suppression, opt-out, contact or rule names."""
    found = set(order_brands if order_brands is not None else known_brands(conn))
    parts = [f"SELECT DISTINCT lower(trim({col})) AS b FROM {table} WHERE {col} IS NOT NULL"
             for table, col in _BRAND_COLUMNS if has_relation(conn, table)]
    if parts:
        found |= {r["b"] for r in rows(conn, " UNION ".join(parts))}
    return sorted(b for b in found if b and b not in ("all", "each"))


def _check_brand(sel: Selection, cat: Catalog) -> None:
    """A selection's brand must name a brand the database knows: a mistyped one would silently skip that
    brand's opt-outs (a brand-scoped suppression applies only to its own brand's selections)."""
    known = cat.all_brands
    if not sel.brand or known is None or not known or sel.brand in known:
        return
    raise SelectionError(f"selection {sel.name!r}, key 'brand': no brand {sel.brand!r} is known (a mistyped "
                         "brand would skip that brand's opt-outs)" + did_you_mean(sel.brand, known),
                         f"Known brands: {', '.join(known)}.")


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
    _check_brand(sel, cat)
    if sel.brand and cat.brands and sel.brand not in cat.brands:
        plan.warnings.append(f"no orders have brand {sel.brand!r} yet (brands with orders: {', '.join(cat.brands)})")
    return plan


def check_selection(conn: duckdb.DuckDBPyConnection, sel: Selection, refresh: bool = True) -> Plan:
    """Compile ``sel`` and choose its suppressions (brings the attribute and suppression tables up to
    date first: needs a writable connection)."""
    if refresh:
        ensure_attributes(conn)
    plan = compile_selection(sel, catalog(conn))
    plan.warnings.extend(unseen_values(conn, plan.compiler.text_values))  # city = 'Bostn': the nearest that occur
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
