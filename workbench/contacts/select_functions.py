"""Triggers in selection expressions: ``trigger('lapsing')`` and, as a person attribute, ``lapsing``.

The selections' checker (``workbench.select``) builds SQL without a database connection, from a
``Catalog`` read once per check. Two hooks make triggers available there (the lead adds them):

1. ``workbench.select.plan.catalog(conn)`` sets ``Catalog.triggers = trigger_catalog(conn)`` (a new
   field ``triggers: dict[str, Any]``, default empty);
2. ``workbench.select.functions.functions()`` imports :func:`trigger_functions` (the ``trigger(name)``
   function), and ``_Walker.attribute`` in
   ``workbench.select.expression``, before it reports an unknown attribute, returns
   ``trigger_fragment(name, self.c)`` when ``name`` is in ``self.c.catalog.triggers``.

The trigger's persons are a per-person feature (``SELECT person_id, true AS v``) joined once per
count; a trigger's SQL carries no parameters (see :mod:`workbench.contacts.trigger_sql`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb


@dataclass(frozen=True)
class TriggerRef:
    name: str
    sql: str  # SELECT person_id [...] of the persons it fires for (no parameters)
    depends: tuple[str, ...]  # source kinds, or "source:NAME" (the selections' freshness gate)
    help: str


def trigger_catalog(conn: duckdb.DuckDBPyConnection, now: datetime | None = None) -> dict[str, TriggerRef]:
    """{lower-case trigger name: TriggerRef} of every trigger, evaluated at ``now`` (the clock)."""
    from workbench.contacts.trigger_sql import trigger_sql
    from workbench.contacts.triggers import list_triggers

    out = {}
    for t in list_triggers(conn):
        depends = tuple(f"source:{s}" for s in t.sources) if t.sources else (t.source_kind,)
        out[t.name.lower()] = TriggerRef(t.name, trigger_sql(t, now), depends, t.description or t.summary())
    return out


def trigger_fragment(name: str, ctx: Any):
    """The ``Fragment`` (bool) of "trigger ``name`` fires for the person", for the expression compiler
    (``ctx`` is its Compiler: ``ctx.catalog.triggers`` and ``ctx.feature``). Raises ValueError for a
    name that is not a trigger, naming the nearest."""
    from workbench.select.spec import Fragment

    refs: dict[str, TriggerRef] = getattr(getattr(ctx, "catalog", None), "triggers", None) or {}
    ref = refs.get(str(name).lower())
    if ref is None:
        from workbench.contacts.definitions import nearest

        near = nearest(str(name).lower(), refs)
        raise ValueError(f"there is no trigger {name!r}" + (f"; did you mean {near!r}?" if near else "")
                         + (f" (triggers: {', '.join(r.name for r in refs.values())})" if refs else
                            " (no triggers defined: `workbench triggers import FILE.toml`)"))
    if hasattr(ctx, "depends"):
        ctx.depends.update(ref.depends)
    column = ctx.feature(("trigger", ref.name), f"SELECT person_id, true AS v FROM ({ref.sql})", [],
                         default="false")
    return Fragment(column, [], "bool")


def trigger_functions() -> list[Any]:
    """The ``trigger(name)`` function (imported by ``workbench.select.functions.functions``)."""
    from workbench.select.spec import Arg, FunctionSpec

    def depends(args: dict[str, Any]) -> tuple[str, ...]:
        return ()  # added by trigger_fragment, which knows the trigger's sources

    return [FunctionSpec("trigger", (Arg("name", "text", required=True),), "bool",
                         "the named trigger fires for the person now (see `workbench triggers`)",
                         lambda args, ctx: trigger_fragment(args["name"], ctx), depends)]
