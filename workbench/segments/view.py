"""Reading the stored RFM scores back: segment sizes and value, the recency x frequency grid (Apteco's
RFV cube), one person's scores. Read-only; every figure carries the as-of date of the orders it used."""

from __future__ import annotations

from typing import Any

import duckdb

from workbench.segments.rfm import ALL_BRANDS, data_stamp, last_run
from workbench.segments.rules import OTHER, parse_rules
from workbench.store.sql import rows


def rfm_summary(conn: duckdb.DuckDBPyConnection, brand: str | None = None) -> dict[str, Any] | None:
    """Segment sizes and value, and the 5 x 5 recency x frequency grid, for one brand (None: all brands);
    None when RFM was never computed."""
    last = last_run(conn)
    if last is None:
        return None
    key = (brand or ALL_BRANDS).strip().lower()
    rules = parse_rules(last["rules"], "stored rules")
    order = {name: i for i, name in enumerate(rules.names)}
    described = {s.name: s.description for s in rules.segments} | {OTHER: "no rule took them"}
    found = rows(
        conn,
        """SELECT segment, count(*) AS persons, sum(monetary) AS monetary,
            avg(monetary) AS avg_monetary, avg(frequency) AS avg_orders, avg(recency_days) AS avg_recency_days
        FROM rfm_scores WHERE brand = ? GROUP BY segment""",
        [key],
    )
    total = sum(r["persons"] for r in found)
    value = sum(float(r["monetary"] or 0) for r in found)
    segments = sorted(found, key=lambda r: order.get(r["segment"], len(order)))
    for r in segments:
        r["share"] = r["persons"] / total if total else None
        r["value_share"] = float(r["monetary"] or 0) / value if value else None
        r["description"] = described.get(r["segment"], "")
    grid = rows(
        conn,
        """SELECT recency_score, frequency_score, count(*) AS persons, sum(monetary) AS monetary
        FROM rfm_scores WHERE brand = ? GROUP BY ALL ORDER BY 1 DESC, 2 DESC""",
        [key],
    )
    return {
        "brand": key or None,
        "as_of": last["as_of"],
        "computed_at": last["computed_at"],
        "run_id": last["run_id"],
        "lookback_days": last["lookback_days"],
        "persons": total,
        "monetary": value,
        "stale": last["stamp"] != data_stamp(conn),
        "brands": list(last["brands"] or []),
        "segments": segments,
        "grid": grid,
    }


def person_rfm(conn: duckdb.DuckDBPyConnection, person_id: int) -> list[dict[str, Any]]:
    """One person's scores, all brands first, then each brand."""
    return rows(
        conn,
        """SELECT CASE WHEN brand = ? THEN 'all brands' ELSE brand END AS brand, segment,
            recency_score, frequency_score, monetary_score, recency_days, frequency, monetary, as_of
        FROM rfm_scores WHERE person_id = ? ORDER BY brand <> ?, brand""",
        [ALL_BRANDS, person_id, ALL_BRANDS],
    )


def grid_matrix(summary: dict[str, Any], measure: str = "persons") -> list[list[Any]]:
    """The grid as rows recency 5..1, columns frequency 1..5 (0 where no person falls)."""
    cells = {(g["recency_score"], g["frequency_score"]): g[measure] for g in summary["grid"]}
    return [[cells.get((r, f), 0) for f in range(1, 6)] for r in range(5, 0, -1)]


def person_churn(conn: duckdb.DuckDBPyConnection, person_id: int) -> dict[str, Any] | None:
    """The person's churn score and decile from the last scoring of the all-brands model, with each brand
    model's under ``brands`` (None if not scored at all)."""
    found = rows(
        conn,
        """SELECT brand, score, decile, model_id, as_of, scored_at FROM churn_scores WHERE person_id = ?
        ORDER BY brand""",
        [person_id],
    )
    if not found:
        return None
    overall = next((r for r in found if r["brand"] == ""), None)
    out = dict(overall or {"score": None, "decile": None, "model_id": None, "as_of": found[0]["as_of"]})
    out.pop("brand", None)
    out["brands"] = [r for r in found if r["brand"] != ""]
    return out
