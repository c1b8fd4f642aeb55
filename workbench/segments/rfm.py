"""RFM: recency, frequency and monetary value per person, overall and per brand, scored in quintiles and
named by segment rules (:mod:`workbench.segments.rules`).

Everything is one set-based statement over ``order_facts`` (every order of a known person, brand lower
case, ``returned`` flagged): orders that were returned do not count (net of returns). ``as_of`` is the
latest order day in the data, so the scores describe the data, not the day they were computed:
recency is days from the person's last order to ``as_of``; frequency and monetary are the orders and
spend in the ``lookback_days`` up to ``as_of``. Scores are ``NTILE(5)`` within each brand (``''`` =
all brands together): 5 = most recent / most orders / most spend. Ties are broken by the next measure
(frequency by spend), then by person id, so a run is repeatable.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import duckdb

from workbench import clock
from workbench.segments.rules import SegmentRules, default_rules, parse_rules
from workbench.store.sql import rows, run, scalar

ALL_BRANDS = ""  # the brand value of the scores over every brand


@dataclass
class RfmRun:
    run_id: int | None
    as_of: date | None
    persons: int
    brands: list[str]
    computed: bool  # False: the stored scores were already up to date
    duration_s: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "persons": self.persons,
            "brands": self.brands,
            "computed": self.computed,
            "duration_s": self.duration_s,
        }


def data_stamp(conn: duckdb.DuckDBPyConnection) -> str:
    """The stamp of the orders' inputs (loads, match runs...) without the day: RFM is measured on the data's
    as-of, so a new day alone does not make the scores stale."""
    from workbench.select.attributes import attributes_stamp

    parts = attributes_stamp(conn).split("|")
    return "|".join([parts[0], *parts[2:]])


def last_run(conn: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    found = rows(conn, "SELECT * FROM rfm_runs ORDER BY run_id DESC LIMIT 1")
    return found[0] if found else None


def current_rules(conn: duckdb.DuckDBPyConnection) -> SegmentRules:
    """The rules of the last run, else the default ones."""
    last = last_run(conn)
    return parse_rules(last["rules"], "stored rules") if last else default_rules()


def compute_rfm(
    conn: duckdb.DuckDBPyConnection, rules: SegmentRules | None = None, force: bool = False
) -> RfmRun:
    """Bring the scores up to date (a writable connection, inside the caller's transaction). Skipped when the
    last run used the same data and rules, unless ``force``."""
    from workbench.select.attributes import ensure_attributes

    t0 = time.perf_counter()
    ensure_attributes(conn)
    t1 = time.perf_counter()
    rules = rules or current_rules(conn)
    stamp = data_stamp(conn)
    last = last_run(conn)
    if last and not force and last["stamp"] == stamp and last["rules"] == rules.text:
        return RfmRun(last["run_id"], last["as_of"], last["persons"], list(last["brands"] or []), False)
    as_of = scalar(conn, "SELECT max(order_day) FROM order_facts")
    run(conn, "DELETE FROM rfm_scores")
    if as_of is not None:
        insert_scores(conn, rules, as_of)
    t2 = time.perf_counter()
    persons = scalar(conn, "SELECT count(*) FROM rfm_scores WHERE brand = ?", [ALL_BRANDS]) or 0
    brands = [
        r["brand"]
        for r in rows(conn, "SELECT DISTINCT brand FROM rfm_scores WHERE brand <> ? ORDER BY 1", [ALL_BRANDS])
    ]
    run_id = (scalar(conn, "SELECT max(run_id) FROM rfm_runs") or 0) + 1
    duration = round(time.perf_counter() - t0, 3)
    run(
        conn,
        "INSERT INTO rfm_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [run_id, clock.now(), as_of, rules.lookback_days, stamp, rules.text, persons, brands, duration],
    )
    from workbench.select.saved import audit_record

    audit_record(
        conn,
        "segments.rfm",
        f"run {run_id}",
        {
            "run_id": run_id,
            "as_of": as_of,
            "persons": persons,
            "brands": brands,
            "lookback_days": rules.lookback_days,
            "segments": rules.names,
        },
    )
    return RfmRun(
        run_id,
        as_of,
        persons,
        brands,
        True,
        duration,
        {"attributes": round(t1 - t0, 3), "scores": round(t2 - t1, 3)},
    )


def scores_sql(rules: SegmentRules, as_of: date) -> tuple[str, list[Any]]:
    """The SELECT of every person's scores (columns of ``rfm_scores``), values bound: one scan of the
    orders grouped per person and per person and brand at once (``GROUPING SETS``), then the three
    quintiles as ``NTILE(5)`` windows (one sort each: what most of the time goes to)."""
    start = as_of - timedelta(days=rules.lookback_days)
    measures = """max(order_day) AS last_day, min(order_day) AS first_day,
                  count(*) FILTER (WHERE order_day > ?) AS frequency,
                  coalesce(sum(amount) FILTER (WHERE order_day > ?), 0) AS monetary"""
    case, case_params = rules.case_sql("s")
    sql = f"""
        WITH grouped AS (
            SELECT person_id, brand, GROUPING(brand) AS by_person, {measures} FROM order_facts
            WHERE NOT returned AND order_day <= ? GROUP BY GROUPING SETS ((person_id), (person_id, brand))
        ),
        per AS (
            SELECT person_id, CASE WHEN by_person = 1 THEN ? ELSE brand END AS brand, last_day, first_day,
                   frequency, monetary
            FROM grouped WHERE by_person = 1 OR brand IS NOT NULL
        ),
        raw AS (
            SELECT person_id, brand, CAST(date_diff('day', last_day, ?) AS INTEGER) AS recency_days,
                   CAST(frequency AS INTEGER) AS frequency, CAST(monetary AS DECIMAL(18, 2)) AS monetary,
                   CAST(date_diff('day', first_day, ?) AS INTEGER) AS tenure_days
            FROM per
        ),
        s AS (
            SELECT *,
                   ntile(5) OVER (PARTITION BY brand ORDER BY recency_days DESC, person_id) AS recency_score,
                   ntile(5) OVER (PARTITION BY brand ORDER BY frequency, monetary, person_id) AS frequency_score,
                   ntile(5) OVER (PARTITION BY brand ORDER BY monetary, frequency, person_id) AS monetary_score
            FROM raw
        )
        SELECT s.person_id, s.brand, s.recency_days, s.frequency, s.monetary, s.tenure_days,
               s.recency_score, s.frequency_score, s.monetary_score, {case} AS segment, CAST(? AS DATE) AS as_of
        FROM s"""
    params = [start, start, as_of, ALL_BRANDS, as_of, as_of, *case_params, as_of]
    return sql, params


def insert_scores(conn: duckdb.DuckDBPyConnection, rules: SegmentRules, as_of: date) -> None:
    sql, params = scores_sql(rules, as_of)
    run(conn, f"INSERT INTO rfm_scores {sql}", params)
