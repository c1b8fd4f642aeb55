"""Explaining a merge candidate: both records field by field, each comparison's outcome and its weight,
and the persons the records belong to now (with their other members)."""

from __future__ import annotations

import math
from typing import Any

import duckdb

from workbench.identity.training import latest_model, level_labels
from workbench.store.sql import rows

_MODEL_CACHE: dict[tuple, tuple[list, float | None, str]] = {}

# What the review screen shows side by side: (label, records column)
FIELDS = (
    ("Source", "source"), ("Key", "source_key"), ("First name", "first_name"), ("Last name", "last_name"),
    ("Birth date", "birth_dt"), ("Address", "address_line1"), ("Address 2", "address_line2"), ("City", "city"),
    ("State", "state"), ("ZIP", "zip5"), ("Email", "email_std"), ("Phone", "phone_std"), ("As of", "as_of"),
)
# Which fields each comparison looks at (to show the weight beside them)
COMPARISON_FIELDS = {
    "first_name": ("First name",), "birth_date": ("Birth date",), "email": ("Email",),
    "household": ("Last name", "Address", "ZIP", "City", "Phone"),
}
MEMBERS_SHOWN = 20


def record_rows(conn: duckdb.DuckDBPyConnection, record_ids: list[int]) -> dict[int, dict[str, Any]]:
    cols = ", ".join(c for _, c in FIELDS)
    got = rows(conn, f"SELECT record_id, {cols} FROM records WHERE record_id IN (SELECT unnest(?::BIGINT[]))",
               [record_ids])
    return {r["record_id"]: r for r in got}


def record_labels(conn: duckdb.DuckDBPyConnection, record_ids: list[int]) -> dict[int, str]:
    """{record_id: "First Last (source)"} for the review queue's list of pairs."""
    got = rows(conn, "SELECT record_id, first_name, last_name, source FROM records "
                     "WHERE record_id IN (SELECT unnest(?::BIGINT[]))", [record_ids])
    return {r["record_id"]: f"{r['first_name'] or ''} {r['last_name'] or ''} ({r['source']})".strip() for r in got}


def pair_detail(conn: duckdb.DuckDBPyConnection, record_l: int, record_r: int) -> dict[str, Any]:
    """Everything the review screen shows for one pair."""
    lo, r = min(record_l, record_r), max(record_l, record_r)
    pair = rows(conn, """SELECT probability, match_weight, status, reason, levels, weights FROM match_pairs
        WHERE record_id_l = ? AND record_id_r = ?""", [lo, r])
    recs = record_rows(conn, [lo, r])
    labels_of, prior, method = _model_summary(conn)
    comparisons = []
    if pair and method == "splink" and pair[0]["levels"] is not None and pair[0]["weights"] is not None:
        for (name, labels), level, weight in zip(labels_of, pair[0]["levels"], pair[0]["weights"], strict=False):
            comparisons.append({"comparison": name, "level": labels.get(level, str(level)),
                                "weight": None if weight is None else round(float(weight), 2),
                                "fields": COMPARISON_FIELDS.get(name, ())})
    elif pair and pair[0]["levels"]:
        from workbench.identity.rules import RULE_NAMES

        comparisons.append({"comparison": "rule", "level": RULE_NAMES[pair[0]["levels"][0]], "weight": None,
                            "fields": ()})
    fields = [{"field": label, "left": _text(recs.get(lo, {}).get(col)), "right": _text(recs.get(r, {}).get(col))}
              for label, col in FIELDS]
    return {
        "record_l": lo, "record_r": r,
        "probability": pair[0]["probability"] if pair else None,
        "match_weight": pair[0]["match_weight"] if pair else None,
        "status": pair[0]["status"] if pair else None,
        "reason": pair[0]["reason"] if pair else None,  # why a guard held the pair
        "prior_weight": prior,
        "fields": fields,
        "comparisons": comparisons,
        "persons": persons_summary(conn, [lo, r]),
        "decisions": rows(conn, """SELECT decision, reason, decided_at, undone_at FROM match_decisions
            WHERE record_id_l = ? AND record_id_r = ? ORDER BY decision_id""", [lo, r]),
    }


def _model_summary(conn: duckdb.DuckDBPyConnection) -> tuple[list, float | None, str]:
    """(level labels per comparison, prior match weight, method) of the latest model, parsed once."""
    got = rows(conn, "SELECT model_id, created_at, method FROM match_models ORDER BY model_id DESC LIMIT 1")
    if not got:
        return [], None, ""
    key = (got[0]["model_id"], str(got[0]["created_at"]), got[0]["method"])
    if key not in _MODEL_CACHE:
        saved = latest_model(conn)
        prior = None
        labels: list = []
        if saved and saved.model:
            labels = level_labels(saved.model)
            lam = saved.model.get("probability_two_random_records_match") or 0
            prior = round(math.log2(lam / (1 - lam)), 2) if 0 < lam < 1 else None
        _MODEL_CACHE.clear()
        _MODEL_CACHE[key] = (labels, prior, saved.method if saved else "")
    return _MODEL_CACHE[key]


def persons_summary(conn: duckdb.DuckDBPyConnection, record_ids: list[int]) -> list[dict[str, Any]]:
    """For each record: the person it belongs to now and its other members (first MEMBERS_SHOWN)."""
    got = rows(conn, """WITH p AS (SELECT record_id AS origin, person_id FROM person_records
                                  WHERE record_id IN (SELECT unnest(?::BIGINT[]))),
            m AS (SELECT p.origin, pr.person_id, pr.record_id, count(*) OVER (PARTITION BY p.origin) AS n
                  FROM person_records pr JOIN p USING (person_id)
                  QUALIFY row_number() OVER (PARTITION BY p.origin ORDER BY pr.record_id) <= ?)
        SELECT m.*, r.source, r.source_key, r.first_name, r.last_name, r.zip5
        FROM m JOIN records r ON r.record_id = m.record_id ORDER BY m.origin, m.record_id""",
               [record_ids, MEMBERS_SHOWN + 1])
    out = []
    for rid in record_ids:
        mine = [g for g in got if g["origin"] == rid]
        if not mine:
            out.append({"record_id": rid, "person_id": None, "records": 0, "members": []})
            continue
        members = [{k: g[k] for k in ("record_id", "source", "source_key", "first_name", "last_name", "zip5")}
                   for g in mine if g["record_id"] != rid][:MEMBERS_SHOWN]
        out.append({"record_id": rid, "person_id": mine[0]["person_id"], "records": mine[0]["n"], "members": members})
    return out


def person_summary(conn: duckdb.DuckDBPyConnection, record_id: int) -> dict[str, Any]:
    """The person a record belongs to now and its other members."""
    return persons_summary(conn, [record_id])[0]


def _text(value: Any) -> str:
    return "" if value is None else str(value)
