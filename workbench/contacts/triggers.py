"""Triggers: named rules over transactions or events that fire for a person, defined in TOML.

A trigger is declarative (no SQL in the file)::

    [triggers.frustration]
    description = "Three or more support contacts in 14 days"
    from = "events"                      # events | transactions
    event_types = ["support_call", "complaint"]
    window_days = 14
    cadence = "daily"                    # how often the trigger is acted on (staleness check)
    when = ["count >= 3"]

``when`` is a list of conditions ``MEASURE OP NUMBER`` that must all hold; the measures are per person
over the rows of the trigger's source (see :data:`MEASURES`), or the person's churn score
(``churn_score``, ``churn_decile``: :mod:`workbench.model.measures`; ``churn_brand = "ember"`` reads that
brand's model): "at risk and valuable" is ``when = ["churn_decile >= 8", "spend >= 500"]``. SQL is generated from the checked
definition by :mod:`workbench.contacts.trigger_sql`.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from workbench import clock
from workbench.contacts.definitions import Checker, nearest, read_tables, tables_from_text, with_file
from workbench.errors import ConfigError, NotFoundError
from workbench.ingest.sources import CADENCES, parse_interval
from workbench.model.measures import CHURN_MEASURES
from workbench.store.sql import rows, run

FROM = ("transactions", "events")
# measure -> (what it is, kinds it applies to, needs window_days)
MEASURES: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "count": ("rows (orders or events) in the window", FROM, True),
    "count_before": ("rows before the window", FROM, True),
    "count_ever": ("rows up to now", FROM, False),
    "returns": ("returned orders in the window", ("transactions",), True),
    "returned_share": ("returned orders / orders in the window (0 to 1)", ("transactions",), True),
    "spend": ("amount of the orders in the window that were not returned", ("transactions",), True),
    "days_since_last": ("days since the latest row", FROM, False),
    "days_since_first": ("days since the first row", FROM, False),
    **{m: (what, FROM, False) for m, (what, _) in CHURN_MEASURES.items()},
}
OPERATORS = (">=", "<=", "!=", "==", "=", ">", "<")
_CONDITION = re.compile(r"^\s*([a-z_]+)\s*(>=|<=|!=|==|=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")
_KEYS = {"description", "from", "sources", "event_types", "brands", "channels", "categories", "window_days",
         "cadence", "when", "churn_brand"}


@dataclass
class Condition:
    measure: str
    op: str
    value: float

    def text(self) -> str:
        v = int(self.value) if float(self.value).is_integer() else self.value
        return f"{self.measure} {self.op} {v}"


@dataclass
class Trigger:
    name: str
    source_kind: str  # transactions | events
    conditions: list[Condition]
    window_days: int | None = None
    cadence: str = "daily"
    cadence_s: int = 86400
    description: str | None = None
    sources: list[str] | None = None  # only these sources (default: every source of the kind)
    event_types: list[str] | None = None
    brands: list[str] | None = None
    channels: list[str] | None = None
    categories: list[str] | None = None
    churn_brand: str | None = None  # churn_score / churn_decile of this brand's model (default: all brands)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def uses_churn(self) -> bool:
        return any(c.measure in CHURN_MEASURES for c in self.conditions)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["when"] = [c.text() for c in self.conditions]
        del d["conditions"], d["extra"]
        return d

    def summary(self) -> str:
        parts = [f"from {self.source_kind}"]
        for key in ("sources", "event_types", "brands", "channels", "categories"):
            if getattr(self, key):
                parts.append(f"{key} {', '.join(getattr(self, key))}")
        if self.window_days:
            parts.append(f"window {self.window_days} days")
        if self.churn_brand:
            parts.append(f"churn of brand {self.churn_brand}")
        return "; ".join(parts) + ": " + " and ".join(c.text() for c in self.conditions)


def trigger_from_dict(name: str, body: dict[str, Any], line_of=None) -> Trigger:
    c = Checker("trigger", name, body, _KEYS, line_of)
    kind = c.choice("from", FROM)
    if kind is None:
        raise c.error("from", f"is required ({', '.join(FROM)})")
    when = body.get("when")
    if isinstance(when, str):
        when = [when]
    if not isinstance(when, list) or not when or not all(isinstance(w, str) for w in when):
        raise c.error("when", 'is required: a list of conditions such as ["count >= 3"]')
    conditions = [_condition(c, kind, w) for w in when]
    window = c.integer("window_days", 1, 3660)
    needs_window = [x.measure for x in conditions if MEASURES[x.measure][2]]
    if needs_window and window is None:
        raise c.error("window_days", f"is required: {needs_window[0]!r} is measured over the window")
    cadence = body.get("cadence", "daily")
    try:
        cadence_s = parse_interval(cadence, source=name, key="cadence")
    except ConfigError:
        raise c.error("cadence", f"{cadence!r} is not a cadence ({', '.join(CADENCES)}) or an interval "
                      'such as "12h", "3d"') from None
    trig = Trigger(name=name, source_kind=kind, conditions=conditions, window_days=window, cadence=str(cadence),
                   cadence_s=cadence_s, description=c.text("description"), sources=c.words("sources"))
    for key in ("event_types", "brands", "channels", "categories"):
        value = c.words(key)
        if value and (key == "event_types") != (kind == "events"):
            raise c.error(key, f"does not apply to a trigger from {kind}")
        setattr(trig, key, value)
    churn_brand = c.text("churn_brand")
    if churn_brand is not None:
        if not trig.uses_churn:
            raise c.error("churn_brand", "applies only to a trigger with a churn_score or churn_decile condition")
        trig.churn_brand = churn_brand.strip().lower() or None
    return trig


def _condition(c: Checker, kind: str, text: str) -> Condition:
    m = _CONDITION.match(text.lower())
    if not m:
        raise c.error("when", f"{text!r} is not a condition: write MEASURE OP NUMBER, e.g. \"count >= 3\" "
                      f"(measures: {', '.join(MEASURES)}; operators: {', '.join(OPERATORS)})")
    measure, op, value = m.group(1), m.group(2), float(m.group(3))
    if measure not in MEASURES:
        near = nearest(measure, MEASURES)
        raise c.error("when", f"unknown measure {measure!r}" + (f"; did you mean {near!r}?" if near else "")
                      + f" (measures: {', '.join(MEASURES)})")
    if kind not in MEASURES[measure][1]:
        raise c.error("when", f"measure {measure!r} applies only to triggers from transactions")
    return Condition(measure, "=" if op == "==" else op, value)


def parse_triggers_toml(path: str | Path) -> list[Trigger]:
    """Every ``[triggers.NAME]`` table of a TOML file, checked strictly."""
    return _triggers(*read_tables(path, "triggers"), str(path))


def parse_triggers_text(text: str, label: str = "trigger") -> list[Trigger]:
    return _triggers(*tables_from_text(text, "triggers", label), label)


def _triggers(tables, line_of, label: str) -> list[Trigger]:
    out = []
    for name, body in tables.items():
        try:
            out.append(trigger_from_dict(name, body, lambda key, n=name: line_of(n, key)))
        except ConfigError as exc:
            raise with_file(label, exc) from None
    return out


def save_triggers(conn: duckdb.DuckDBPyConnection, found: list[Trigger]) -> dict[str, str]:
    """Insert or replace triggers; {name: "added" | "updated"}."""
    now = clock.now()
    existing = {r["name"]: r for r in rows(conn, "SELECT name, position, created_at FROM trigger_definitions")}
    top = max((r["position"] for r in existing.values()), default=0)
    result = {}
    for t in found:
        old = existing.get(t.name)
        if old is None:
            top += 1
        run(conn, "DELETE FROM trigger_definitions WHERE name = ?", [t.name])
        run(conn, "INSERT INTO trigger_definitions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [t.name, t.description, t.source_kind, t.cadence, t.cadence_s, t.window_days, json.dumps(t.to_dict()),
             old["position"] if old else top, old["created_at"] if old else now, now])
        result[t.name] = "updated" if old else "added"
    if result:  # a trigger('name') in a selection changes with it: audited
        from workbench import audit

        audit.record(conn, "triggers.save", ", ".join(sorted(result))[:200], {"triggers": result})
    return result


def list_triggers(conn: duckdb.DuckDBPyConnection) -> list[Trigger]:
    out = []
    for r in rows(conn, "SELECT name, definition FROM trigger_definitions ORDER BY position, name"):
        d = json.loads(r["definition"])
        body = {k: v for k, v in d.items() if k in _KEYS and v is not None}
        body["from"] = d["source_kind"]
        out.append(trigger_from_dict(r["name"], body))
    return out


def get_trigger(conn: duckdb.DuckDBPyConnection, name: str) -> Trigger:
    found = list_triggers(conn)
    for t in found:
        if t.name == name:
            return t
    names = [t.name for t in found]
    near = nearest(name, names)
    raise NotFoundError(f"Unknown trigger {name!r}." + (f" Did you mean {near!r}?" if near else ""),
                        "Known triggers: " + (", ".join(names) or "none yet; add them with "
                                              "`workbench triggers import FILE.toml`."))


def delete_trigger(conn: duckdb.DuckDBPyConnection, name: str) -> None:
    get_trigger(conn, name)
    run(conn, "DELETE FROM trigger_definitions WHERE name = ?", [name])
    from workbench import audit

    audit.record(conn, "triggers.delete", name)
