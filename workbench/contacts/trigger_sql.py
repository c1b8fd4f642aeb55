"""Who a trigger fires for now, generated as SQL from its checked definition, and whether its sources
are fresh enough for it to be trusted.

Windows are in calendar days ending today (``workbench.clock.now()``), today included: a 7-day window
holds today and the 6 days before. Rows dated after now are ignored. A trigger fires only for persons
with at least one row from its source (a condition such as ``count = 0`` is read among those persons).
Every value in the SQL comes from the checked definition (numbers as numbers, names quoted as
literals), so the SQL can be embedded by the selections' expression checker without parameters.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

import duckdb

from workbench import clock
from workbench.contacts.triggers import Trigger, get_trigger, list_triggers
from workbench.model.measures import CHURN_MEASURES, churn_join, churn_measure, churn_trigger_reasons
from workbench.store.sql import quote_literal, rows, run, scalar

_TABLE = {"transactions": ("transactions", "order_date"), "events": ("events", "event_time")}
_FILTERS = {"sources": "t.source", "event_types": "lower(t.event_type)", "brands": "lower(t.brand)",
            "channels": "lower(t.channel)", "categories": "lower(t.category)"}
FIRED_PAGE = 200  # persons fetched per page of a trigger's list
RANK = {"ok": 0, "warn": 1, "stale": 2}
WINDOW_ONLY = {"count", "returns", "returned_share", "spend"}  # measures that read only the window's rows


def _measure_sql(measure: str, date_col: str, in_window: str, today: str) -> str:
    if measure in CHURN_MEASURES:
        return churn_measure(measure)
    return {
        "count": f"count(*) FILTER (WHERE {in_window})",
        "count_before": f"count(*) FILTER (WHERE NOT ({in_window}))",
        "count_ever": "count(*)",
        "returns": f"count(*) FILTER (WHERE {in_window} AND t.returned)",
        "returned_share": f"(count(*) FILTER (WHERE {in_window} AND t.returned))::DOUBLE "
                          f"/ nullif(count(*) FILTER (WHERE {in_window}), 0)",
        "spend": f"coalesce(sum(t.amount) FILTER (WHERE {in_window} AND NOT t.returned), 0)",
        "days_since_last": f"{today} - max(CAST(t.{date_col} AS DATE))",
        "days_since_first": f"{today} - min(CAST(t.{date_col} AS DATE))",
    }[measure]


def trigger_sql(trig: Trigger, now: datetime | None = None, person_id: int | None = None,
                with_measures: bool = False) -> str:
    """``SELECT person_id [, measures]`` of the persons ``trig`` fires for at ``now`` (default: the
    clock); ``person_id`` restricts it to one person (the customer view)."""
    now = now or clock.now()
    table, date_col = _TABLE[trig.source_kind]
    today = f"DATE '{now.date().isoformat()}'"
    in_window = "true"
    if trig.window_days:
        first = now.date() - timedelta(days=trig.window_days - 1)
        in_window = f"CAST(t.{date_col} AS DATE) >= DATE '{first.isoformat()}'"
    where = [f"t.{date_col} <= TIMESTAMP '{now.isoformat(sep=' ')}'"]
    if all(c.measure in WINDOW_ONLY | set(CHURN_MEASURES) for c in trig.conditions) and trig.window_days:
        where.append(in_window)  # only windowed measures: read only the window's rows
    for key, expr in _FILTERS.items():
        values = getattr(trig, key)
        if values:
            where.append(f"{expr} IN ({', '.join(quote_literal(v) for v in values)})")
    if person_id is not None:
        where.append(f"pr.person_id = {int(person_id)}")
    measures = {c.measure for c in trig.conditions} | (set(_shown(trig)) if with_measures else set())
    exprs = {m: _measure_sql(m, date_col, in_window, today) for m in measures}
    having = " AND ".join(f"({exprs[c.measure]}) {c.op} {float(c.value)!r}" for c in trig.conditions)
    shown = "".join(f", {exprs[m]} AS {m}" for m in _shown(trig)) if with_measures else ""
    join = churn_join(trig.churn_brand) if trig.uses_churn else ""
    return (f"SELECT pr.person_id{shown} FROM {table} t JOIN person_records pr ON pr.record_id = t.record_id"
            f"{join} WHERE {' AND '.join(where)} GROUP BY pr.person_id HAVING {having}")


def _shown(trig: Trigger) -> list[str]:
    """The measures worth showing beside a fired person: the trigger's own, then the usual ones."""
    base = [c.measure for c in trig.conditions]
    usual = ["count", "count_ever", "days_since_last"] if trig.window_days else ["count_ever", "days_since_last"]
    return list(dict.fromkeys(base + usual))


def trigger_persons_sql(conn: duckdb.DuckDBPyConnection, name: str, now: datetime | None = None) -> str:
    """``SELECT person_id`` of the persons trigger ``name`` fires for now, for the selections' ``where``
    (``trigger('lapsing')`` -> ``person_id IN (<this>)``). Raises NotFoundError for an unknown name."""
    return trigger_sql(get_trigger(conn, name), now)


def trigger_attributes(conn: duckdb.DuckDBPyConnection, now: datetime | None = None) -> dict[str, str]:
    """{trigger name: SELECT person_id ...} of every trigger, for the expression checker to offer each
    trigger as a boolean person attribute (``not serial_returner``)."""
    return {t.name: trigger_sql(t, now) for t in list_triggers(conn)}


@dataclass
class TriggerStatus:
    name: str
    description: str | None
    definition: str
    cadence: str
    persons: int | None
    status: str  # ok | warn | stale
    reasons: list[str] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate_triggers(conn: duckdb.DuckDBPyConnection, names: list[str] | None = None,
                      now: datetime | None = None, count: bool = True) -> list[TriggerStatus]:
    """Every trigger (or those named): how many persons it fires for now, and whether its sources are
    fresh enough for its cadence and window."""
    from workbench.freshness import source_freshness

    now = now or clock.now()
    found = [get_trigger(conn, n) for n in names] if names else list_triggers(conn)
    fresh = source_freshness(conn, now)
    out = []
    for trig in found:
        t0 = time.perf_counter()
        persons = scalar(conn, f"SELECT count(*) FROM ({trigger_sql(trig, now)})") if count else None
        status, reasons, sources = staleness(trig, fresh)
        if trig.uses_churn and (why := churn_trigger_reasons(conn, trig.churn_brand)):
            status, reasons = "stale", [*reasons, *why]
        out.append(TriggerStatus(trig.name, trig.description, trig.summary(), trig.cadence, persons, status,
                                 reasons, sources, round(time.perf_counter() - t0, 3)))
    return out


def staleness(trig: Trigger, fresh: list[Any]) -> tuple[str, list[str], list[dict[str, Any]]]:
    """(status, reasons, per-source verdicts) of a trigger against its sources' freshness.

    A source makes the trigger **stale** when it was never loaded, its freshness is ``error``, it
    arrives less often than the trigger is acted on (no daily thank-you from weekly purchase data), or
    its latest data is older than the trigger's window; **warn** when its freshness is ``warn``."""
    feeding = [f for f in fresh if f.kind == trig.source_kind and (not trig.sources or f.name in trig.sources)]
    if not feeding:
        return "stale", [f"no {trig.source_kind} source feeds it"], []
    verdicts = []
    for f in feeding:
        level, why = "ok", []
        if f.status == "never":
            level, why = "stale", [f"{f.name} was never loaded"]
        else:
            if f.status == "error":
                why.append(f"{f.name} is stale (data {f.age_text} old, freshness error)")
            src_cadence = _cadence_s(f)
            if src_cadence > trig.cadence_s:
                why.append(f"{f.name} arrives {f.cadence}: a {trig.cadence} trigger would act on data up to "
                           f"{_span(f.cadence, src_cadence)} old")
            if trig.window_days and f.age_s is not None and f.age_s > trig.window_days * 86400:
                why.append(f"{f.name}'s latest data is {f.age_text} old, older than the {trig.window_days}-day "
                           "window")
            level = "stale" if why else ("warn" if f.status == "warn" else "ok")
            if level == "warn":
                why = [f"{f.name} is late (data {f.age_text} old, freshness warn)"]
        verdicts.append({"source": f.name, "cadence": f.cadence, "freshness": f.status, "age": f.age_text,
                         "verdict": level, "reasons": why})
    status = max((v["verdict"] for v in verdicts), key=RANK.__getitem__)
    reasons = [r for v in verdicts for r in v["reasons"]]
    return status, reasons, verdicts


def _span(word: str, seconds: int) -> str:
    from workbench.freshness import format_interval

    return {"hourly": "an hour", "daily": "a day", "weekly": "a week", "monthly": "a month"}.get(
        word, format_interval(seconds))


def _cadence_s(f: Any) -> int:
    # SourceFreshness carries the cadence word; the thresholds are multiples of it (1.5 x by default)
    from workbench.ingest.sources import parse_interval

    try:
        return parse_interval(f.cadence, source=f.name, key="cadence")
    except Exception:
        return int(f.warn_after_s / 1.5)


def fired_persons(conn: duckdb.DuckDBPyConnection, name: str, now: datetime | None = None,
                  offset: int = 0, limit: int = FIRED_PAGE) -> tuple[list[dict[str, Any]], int]:
    """One page of the persons trigger ``name`` fires for (golden name, city, the measures), and the total.
    The trigger is evaluated once, into a TEMP table (works on a read-only connection)."""
    trig = get_trigger(conn, name)
    run(conn, f"CREATE OR REPLACE TEMP TABLE _fired AS {trigger_sql(trig, now, with_measures=True)}")
    try:
        total = scalar(conn, "SELECT count(*) FROM _fired")
        page = rows(conn, """SELECT f.*, p.first_name, p.last_name, p.city, p.state, p.email
            FROM (SELECT * FROM _fired ORDER BY person_id LIMIT ? OFFSET ?) f LEFT JOIN persons p USING (person_id)
            ORDER BY f.person_id""", [limit, offset])
    finally:
        run(conn, "DROP TABLE IF EXISTS _fired")
    return page, total or 0


def person_triggers(conn: duckdb.DuckDBPyConnection, person_id: int, now: datetime | None = None
                    ) -> list[dict[str, Any]]:
    """Every trigger that fires for one person now, with its measures (for the customer view)."""
    out = []
    for trig in list_triggers(conn):
        found = rows(conn, trigger_sql(trig, now, person_id=person_id, with_measures=True))
        if found:
            measures = {k: v for k, v in found[0].items() if k != "person_id"}
            out.append({"trigger": trig.name, "description": trig.description, "definition": trig.summary(),
                        "measures": measures})
    return out
