"""The functions a ``where`` expression may call, and the extension point for more (issue 6's triggers).

A function is a :class:`FunctionSpec`: its arguments (by position or by name, ``orders('ember', 365)``
or ``orders(brand='ember', days=365)``), what it returns, and ``build(args, ctx)`` which returns the
SQL of its value as a :class:`Fragment` (our SQL text, the operator's values as bound parameters).
A function over many rows (orders in a window) asks ``ctx.feature(...)`` for a per-person value: a
``SELECT person_id, v ...`` computed once per count (and cached between counts), joined to the persons.

The functions of other capabilities (triggers, segments) are imported by name in :func:`functions`
on first use (they import this module, so not at its top); anything else calls :func:`register_function`.
Example for a trigger::

    FunctionSpec("trigger", (Arg("name", "text", required=True),), "bool", "the trigger fires now",
                 build=lambda args, ctx: Fragment(
                     f"({ctx.feature(('trigger', args['name']), 'SELECT person_id, true AS v FROM ...', [],
                     default='false')})", [], "bool"),
                 depends=lambda args: ("events", "transactions"))
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from workbench.select.attributes import WINDOWS
from workbench.select.spec import Arg, BuildContext, Fragment, FunctionSpec

__all__ = ["Arg", "BuildContext", "Fragment", "FunctionSpec", "functions", "register_function"]


# -- order functions over order_facts ----------------------------------------------------------------
def _window(args: dict[str, Any], ctx: BuildContext) -> tuple[str, list[Any], tuple]:
    cond, params = [], []
    brand = ctx.check_brand(args["brand"]) if args.get("brand") is not None else None
    if brand is not None:
        cond.append("brand = ?")
        params.append(brand)
    days = args.get("days")
    if days is not None:
        if days != int(days) or days < 1:
            raise ValueError("days must be a whole number of days, 1 or more")
        days = int(days)
        cond += ["order_day > ?", "order_day <= ?"]
        params += [ctx.today - timedelta(days=days), ctx.today]
    return " AND ".join(cond) or "true", params, (brand, days)


def _order_function(name: str, aggregate: str, returns: str, default: str | None, total: str | None,
                    help_text: str, with_days: bool = True, window: str | None = None) -> FunctionSpec:
    def build(args: dict[str, Any], ctx: BuildContext) -> Fragment:
        if total and args.get("brand") is None and args.get("days") is None:
            return Fragment(f"a.{total}", [], returns)  # all brands, all time: materialised per person
        if window and args.get("brand") is None and args.get("days") in WINDOWS:
            return Fragment(f"a.{window}_{int(args['days'])}", [], returns)  # all brands, a kept window
        cond, params, key = _window(args, ctx)
        sql = f"SELECT person_id, {aggregate} AS v FROM order_facts WHERE {cond} GROUP BY person_id"
        return Fragment(ctx.feature((name, *key), sql, params, default), [], returns)

    args = (Arg("brand", "text"), Arg("days", "number")) if with_days else (Arg("brand", "text"),)
    return FunctionSpec(name, args, returns, help_text, build, lambda a: ("transactions",))


def _days_since_last_order(args: dict[str, Any], ctx: BuildContext) -> Fragment:
    last = LAST_ORDER_DATE.build(args, ctx)
    return Fragment(f"date_diff('day', {last.sql}, ?)", [*last.params, ctx.today], "number")


def _in_source(args: dict[str, Any], ctx: BuildContext) -> Fragment:
    return Fragment("list_contains(a.sources, ?)", [ctx.check_source(args["name"])], "bool")


def _simple(name: str, arg_types: tuple[str, ...], returns: str, template: str, help_text: str) -> FunctionSpec:
    def build(args: dict[str, Any], ctx: BuildContext) -> Fragment:
        frags = [args[f"x{i}"] for i in range(len(arg_types))]
        return Fragment(template.format(*(f.sql for f in frags)), [p for f in frags for p in f.params], returns)

    return FunctionSpec(name, tuple(Arg(f"x{i}", t, required=True, literal=False) for i, t in enumerate(arg_types)),
                        returns, help_text, build)


def _date_literal(args: dict[str, Any], ctx: BuildContext) -> Fragment:
    try:
        value = date.fromisoformat(str(args["text"]))
    except ValueError:
        raise ValueError(f"{args['text']!r} is not a date written YYYY-MM-DD") from None
    return Fragment("CAST(? AS DATE)", [value], "date")


LAST_ORDER_DATE = _order_function("last_order_date", "max(order_day)", "date", None, "last_order",
                                  "day of the latest order (of one brand); empty if none", with_days=False)
_BUILTINS: tuple[FunctionSpec, ...] = (
    _order_function("orders", "count(*) FILTER (WHERE NOT returned)", "number", "0", "orders_total",
                    "orders (of one brand) in the last N days; returned orders are not counted", window="orders"),
    _order_function("spend", "coalesce(sum(amount) FILTER (WHERE NOT returned), 0)", "number", "0", "spend_total",
                    "spend (of one brand) in the last N days, net of returns", window="spend"),
    _order_function("returns", "count(*) FILTER (WHERE returned)", "number", "0", "returns_total",
                    "returned orders (of one brand) in the last N days"),
    LAST_ORDER_DATE,
    _order_function("first_order_date", "min(order_day)", "date", None, "first_order",
                    "day of the first order (of one brand); empty if none", with_days=False),
    FunctionSpec("days_since_last_order", (Arg("brand", "text"),), "number",
                 "days since the latest order (of one brand); empty if none", _days_since_last_order,
                 lambda a: ("transactions",)),
    FunctionSpec("in_source", (Arg("name", "text", required=True),), "bool",
                 "the person has a record in that source", _in_source, lambda a: (f"source:{a['name']}",)),
    FunctionSpec("today", (), "date", "today's date", lambda a, ctx: Fragment("CAST(? AS DATE)", [ctx.today], "date")),
    FunctionSpec("days_ago", (Arg("n", "number", required=True),), "date", "the date N days before today",
                 lambda a, ctx: Fragment("CAST(? AS DATE)", [ctx.today - timedelta(days=int(a["n"]))], "date")),
    FunctionSpec("date", (Arg("text", "text", required=True),), "date", "a date written 'YYYY-MM-DD'",
                 _date_literal),
    _simple("lower", ("text",), "text", "lower({})", "text in lower case"),
    _simple("upper", ("text",), "text", "upper({})", "text in upper case"),
    _simple("length", ("text",), "number", "length({})", "number of characters"),
    _simple("year", ("date",), "number", "year({})", "the year of a date"),
    _simple("month", ("date",), "number", "month({})", "the month of a date (1-12)"),
    _simple("abs", ("number",), "number", "abs({})", "absolute value"),
)

_REGISTRY: dict[str, FunctionSpec] = {f.name: f for f in _BUILTINS}
_provided_loaded = False


def register_function(spec: FunctionSpec) -> None:
    """Add (or replace) a function the where language accepts."""
    _REGISTRY[spec.name.lower()] = spec


def functions() -> dict[str, FunctionSpec]:
    """Every function known now (the other capabilities' are added on the first call)."""
    global _provided_loaded
    if not _provided_loaded:
        from workbench.contacts.select_functions import trigger_functions
        from workbench.segments.select_functions import segment_functions

        _provided_loaded = True
        for spec in (*trigger_functions(), *segment_functions()):
            register_function(spec)
    return _REGISTRY
