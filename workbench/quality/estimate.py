"""Estimates from a sample's answers: precision per area, recall and the duplicate rate of persons.

- precision (persons, households, suppressions): the share of items answered "same" (a right merge, a
  right household pair, a right suppression hit), weighted back to the whole database by stratum
  (stats.weighted_proportion), with a Wilson 95% interval.
- recall of persons, two ways (docs/quality.md states the assumptions):
  * ``recall_near_miss``: TP / (TP + missed), TP = pairs in persons x precision; missed = the near misses
    (scored pairs left in two persons) x the share of them answered "same". It cannot see true pairs that
    were never scored.
  * ``recall_capture``: capture-recapture across two independent blocking families. Among the true pairs the
    review found (right merges and near misses answered "same", weighted), A = agree on a contact key
    (email, phone), B = agree on a name / birth date / address key. Assuming A and B catch true pairs
    independently, the true pairs with neither key that nobody found number about n(A only) x n(B only) /
    n(both) (Lincoln-Petersen); total true pairs = found + that.
  * ``recall`` (the headline): TP / max(total by capture-recapture, TP + near misses found true).
- ``duplicate_rate``: missed true pairs per person (each missed pair is about one person too many).
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

from workbench import clock
from workbench.quality.stats import Proportion, Stratum, stratum_weights, weighted_proportion
from workbench.store.sql import rows, run, scalar

PRECISION_AREAS = ("persons", "households", "suppressions")


def _strata(conn: duckdb.DuckDBPyConnection, sample_id: int, area: str) -> list[Stratum]:
    got = rows(
        conn,
        """SELECT s.stratum, s.population,
            count(i.item_id) FILTER (WHERE i.answer IN ('same', 'different')) AS answered,
            count(i.item_id) FILTER (WHERE i.answer = 'same') AS right
        FROM quality_strata s LEFT JOIN quality_items i USING (sample_id, area, stratum)
        WHERE s.sample_id = ? AND s.area = ? GROUP BY s.stratum, s.population ORDER BY s.stratum""",
        [sample_id, area],
    )
    return [Stratum(r["stratum"], int(r["population"]), int(r["answered"]), int(r["right"])) for r in got]


def _capture_counts(conn: duckdb.DuckDBPyConnection, sample_id: int, area: str) -> dict[str, float]:
    """Weighted true pairs found, by capture cell (a = contact key, b = name/birth/address key)."""
    weights = stratum_weights(_strata(conn, sample_id, area))
    if not weights:
        return {"ab": 0.0, "a": 0.0, "b": 0.0, "none": 0.0}
    got = rows(
        conn,
        """SELECT stratum, coalesce(capture_a, false) AS a, coalesce(capture_b, false) AS b,
            count(*) AS n FROM quality_items WHERE sample_id = ? AND area = ? AND answer = 'same'
        GROUP BY ALL""",
        [sample_id, area],
    )
    out = {"ab": 0.0, "a": 0.0, "b": 0.0, "none": 0.0}
    for r in got:
        cell = "ab" if r["a"] and r["b"] else "a" if r["a"] else "b" if r["b"] else "none"
        out[cell] += weights.get(r["stratum"], 0.0) * r["n"]
    return out


def compute(conn: duckdb.DuckDBPyConnection, sample_id: int) -> dict[str, dict[str, Any]]:
    """Compute (and store, replacing the sample's earlier ones) the estimates of ``sample_id``."""
    out: dict[str, dict[str, Any]] = {}
    props: dict[str, Proportion] = {}
    for area in (*PRECISION_AREAS, "near_miss"):
        props[area] = weighted_proportion(_strata(conn, sample_id, area))
    for area in PRECISION_AREAS:
        out[f"{area}.precision"] = {
            "area": area,
            "measure": "precision",
            **props[area].to_dict(),
            "details": {"effective_n": round(props[area].effective_n, 1)},
        }
    out.update(_recall(conn, sample_id, props["persons"], props["near_miss"]))
    now = clock.now()
    run(conn, "DELETE FROM quality_estimates WHERE sample_id = ?", [sample_id])
    for e in out.values():
        run(
            conn,
            "INSERT INTO quality_estimates VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                sample_id,
                now,
                e["area"],
                e["measure"],
                e["estimate"],
                e["low"],
                e["high"],
                e["answered"],
                e["population"],
                json.dumps(e.get("details") or {}),
            ],
        )
    return out


def _recall(conn, sample_id: int, merged: Proportion, near: Proportion) -> dict[str, dict[str, Any]]:
    persons = scalar(conn, "SELECT count(DISTINCT person_id) FROM person_records") or 0
    base = {"area": "persons", "low": None, "high": None, "answered": merged.answered + near.answered}
    if merged.estimate is None:
        return {}
    tp = merged.population * merged.estimate
    near_true = near.population * near.estimate if near.estimate is not None else 0.0
    found = {
        k: a + b
        for (k, a), b in zip(
            _capture_counts(conn, sample_id, "persons").items(),
            _capture_counts(conn, sample_id, "near_miss").values(),
            strict=True,
        )
    }
    n_found = sum(found.values())
    unseen = found["a"] * found["b"] / found["ab"] if found["ab"] > 0 else None
    total_capture = n_found + unseen if unseen is not None else None
    total = max(total_capture or 0.0, tp + near_true)
    details = {
        "true_pairs_in_persons": round(tp, 1),
        "near_misses_true": round(near_true, 1),
        "found_by_cell": {k: round(v, 1) for k, v in found.items()},
        "unseen_true_pairs": None if unseen is None else round(unseen, 1),
        "total_true_pairs": round(total, 1),
        "persons": persons,
        "near_misses_answered": near.answered,
        "near_misses": near.population,
    }
    out = {}
    if total_capture:
        out["persons.recall_capture"] = {
            **base,
            "measure": "recall_capture",
            "estimate": _r(tp / total_capture),
            "population": int(round(total_capture)),
            "details": details,
        }
    if near.estimate is not None:
        out["persons.recall_near_miss"] = {
            **base,
            "measure": "recall_near_miss",
            "estimate": _r(tp / (tp + near_true)) if tp + near_true else None,
            "population": int(round(tp + near_true)),
            "details": details,
        }
    if total:
        out["persons.recall"] = {
            **base,
            "measure": "recall",
            "estimate": _r(tp / total),
            "population": int(round(total)),
            "details": details,
        }
        out["persons.duplicate_rate"] = {
            **base,
            "measure": "duplicate_rate",
            "estimate": _r((total - tp) / persons) if persons else None,
            "population": persons,
            "details": details,
        }
    return out


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)
