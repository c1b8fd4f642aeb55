"""Campaign results: responses per cell, response rate, revenue per person, and lift over the control.

**Responses.** A contacted (or held-out) person responded when they placed an order within the
response window after their contact date (matchback: ``contact_date <= order date <= contact_date +
window_days``; by default only orders of the campaign's brand, orders without a brand included), or
when a response file row carries one of the campaign's keycodes and names them (on or after their
contact date, any delay). Revenue is the amount of the matched orders that were not returned, plus
the amount of keyed responses that are not one of those orders. Keyed responses from persons who are
not in the campaign's contact history (a catalogue passed on) are counted apart, never in a cell.

**Lift.** For each contact cell against the control (every control cell of the campaign pooled):
``lift = p1 - p0`` with ``p1 = responders1 / contacted1`` and ``p0 = responders0 / held_out``, and its
95 % confidence interval by the normal approximation to the difference of two proportions::

    se = sqrt(p1 (1 - p1) / n1 + p0 (1 - p0) / n0)          lift ± 1.96 se

The lift is significant when the interval excludes 0. Relative lift is ``lift / p0``; incremental
responders ``lift x n1`` and incremental revenue ``(revenue per person1 - revenue per person0) x n1``.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import duckdb

from workbench import clock
from workbench.contacts.history import campaign_not_found
from workbench.store.sql import rows

Z95 = 1.959963984540054
DEFAULT_WINDOW_DAYS = 30


def lift_interval(responders: int, contacted: int, control_responders: int, held_out: int,
                  z: float = Z95) -> dict[str, float | None]:
    """Lift of a contact cell over the control with its confidence interval (difference of proportions,
    normal approximation). None where a group is empty."""
    if not contacted or not held_out:
        return {"lift": None, "lift_low": None, "lift_high": None, "relative_lift": None, "significant": None}
    p1, p0 = responders / contacted, control_responders / held_out
    se = math.sqrt(p1 * (1 - p1) / contacted + p0 * (1 - p0) / held_out)
    lift = p1 - p0
    return {"lift": lift, "lift_low": lift - z * se, "lift_high": lift + z * se,
            "relative_lift": lift / p0 if p0 else None, "significant": (lift - z * se > 0) or (lift + z * se < 0)}


def campaign_results(conn: duckdb.DuckDBPyConnection, campaign: str, window_days: int = DEFAULT_WINDOW_DAYS,
                     same_brand: bool = True) -> dict[str, Any]:
    """Per cell: contacted, responders, response rate, orders, revenue, revenue per person, and lift over
    the control with its 95 % interval; plus the campaign's totals. Read-only (temp tables only)."""
    head = rows(conn, "SELECT * FROM campaign_summary WHERE campaign = ?", [campaign])
    if not head:
        raise campaign_not_found(conn, campaign)
    head = head[0]
    brand = head["brand"] if same_brand and head["brand"] not in (None, "several") else None
    cells = rows(conn, _CELLS_SQL, [campaign, window_days, brand, brand, window_days, campaign])
    control = [c for c in cells if c["is_control"]]
    n0 = sum(c["contacted"] for c in control)
    r0 = sum(c["responders"] for c in control)
    rev0 = sum(float(c["revenue"]) for c in control)
    rpp0 = rev0 / n0 if n0 else None
    for c in cells:
        c["revenue"] = float(c["revenue"])
        c["response_rate"] = c["responders"] / c["contacted"] if c["contacted"] else None
        c["revenue_per_person"] = c["revenue"] / c["contacted"] if c["contacted"] else None
        if c["is_control"] or not control:
            c.update({"lift": None, "lift_low": None, "lift_high": None, "relative_lift": None,
                      "significant": None, "incremental_responders": None, "incremental_revenue": None})
            continue
        c.update(lift_interval(c["responders"], c["contacted"], r0, n0))
        c["incremental_responders"] = c["lift"] * c["contacted"] if c["lift"] is not None else None
        c["incremental_revenue"] = ((c["revenue_per_person"] - rpp0) * c["contacted"]
                                    if rpp0 is not None and c["revenue_per_person"] is not None else None)
    extra = rows(conn, _OUTSIDE_SQL, [campaign, campaign, campaign])[0]
    contact = [c for c in cells if not c["is_control"]]
    n1 = sum(c["contacted"] for c in contact)
    r1 = sum(c["responders"] for c in contact)
    total = {"contacted": n1, "held_out": n0, "responders": r1, "control_responders": r0,
             "response_rate": r1 / n1 if n1 else None, "control_rate": r0 / n0 if n0 else None,
             "revenue": sum(c["revenue"] for c in contact), **lift_interval(r1, n1, r0, n0)}
    window_ends = head["last_contact"] + timedelta(days=window_days)
    return {"campaign": campaign, "brand": head["brand"], "channel": head["channel"],
            "first_contact": head["first_contact"], "last_contact": head["last_contact"],
            "window_days": window_days, "window_ends": window_ends, "window_open": window_ends >= clock.now().date(),
            "orders_of_brand": brand, "cells": cells, "total": total,
            "keyed_outside_list": extra["keyed_outside"], "unlinked_contacts": extra["unlinked"],
            "method": "matchback within window_days after the contact date, plus keyed responses; "
                      "lift = p1 - p0, 95% CI by normal approximation of the difference of proportions"}


def recent_campaign_results(conn: duckdb.DuckDBPyConnection, limit: int = 5,
                            window_days: int = DEFAULT_WINDOW_DAYS) -> list[dict[str, Any]]:
    """The newest campaigns' headline results (for the profile report): one flat row each."""
    from workbench.contacts.history import list_campaigns

    out = []
    for c in list_campaigns(conn, limit=limit):
        r = campaign_results(conn, c["campaign"], window_days)["total"]
        out.append({"campaign": c["campaign"], "brand": c["brand"], "channel": c["channel"],
                    "contact_date": c["first_contact"], "contacted": r["contacted"], "held_out": r["held_out"],
                    "responders": r["responders"], "response_rate": _round(r["response_rate"]),
                    "control_rate": _round(r["control_rate"]), "lift": _round(r["lift"]),
                    "revenue": round(r["revenue"], 2)})
    return out


def _round(v: float | None, digits: int = 4) -> float | None:
    return None if v is None else round(v, digits)


# Parameters: campaign, window_days, brand, brand, window_days, campaign (its keycodes).
_CELLS_SQL = """
WITH contacted AS (
    SELECT contact_person_id AS person_id, coalesce(cell, keycode, '(none)') AS cell, bool_or(is_control) AS is_control,
           min(contact_date) AS contact_date, string_agg(DISTINCT keycode, ', ') AS keycode
    FROM contact_history_persons WHERE campaign = ? AND contact_person_id IS NOT NULL GROUP BY ALL
), bounds AS (
    SELECT min(contact_date) AS first_day, max(contact_date) + CAST(? AS INTEGER) AS last_day FROM contacted
), orders AS (
    SELECT pr.person_id, t.order_id, CAST(t.order_date AS DATE) AS d, t.amount, t.returned
    FROM transactions t JOIN person_records pr ON pr.record_id = t.record_id
    WHERE pr.person_id IN (SELECT person_id FROM contacted)
      AND t.order_date >= (SELECT first_day FROM bounds)
      AND t.order_date < (SELECT last_day FROM bounds) + 1
      AND (CAST(? AS VARCHAR) IS NULL OR t.brand IS NULL OR lower(t.brand) = ?)
), matched AS (
    SELECT c.person_id, c.cell, o.order_id, o.amount, o.returned
    FROM contacted c JOIN orders o ON o.person_id = c.person_id
    WHERE o.d BETWEEN c.contact_date AND c.contact_date + CAST(? AS INTEGER)
), keyed AS (
    SELECT c.person_id, c.cell, r.order_id, r.amount
    FROM campaign_responses r
    JOIN (SELECT DISTINCT keycode FROM contact_history WHERE campaign = ? AND keycode IS NOT NULL) k USING (keycode)
    LEFT JOIN person_records pr ON pr.record_id = r.record_id
    JOIN contacted c ON c.person_id = coalesce(pr.person_id, r.person_id)
    WHERE r.response_date >= c.contact_date
), per_person AS (
    SELECT person_id, cell, coalesce(sum(amount) FILTER (WHERE NOT returned), 0) AS revenue, count(*) AS orders
    FROM matched GROUP BY ALL
    UNION ALL
    SELECT k.person_id, k.cell, coalesce(sum(k.amount), 0), count(*) FROM keyed k
    WHERE k.order_id IS NULL
       OR NOT EXISTS (SELECT 1 FROM matched m WHERE m.person_id = k.person_id AND m.order_id = k.order_id)
    GROUP BY ALL
), responders AS (
    SELECT person_id, cell, sum(revenue) AS revenue, sum(orders) AS orders FROM per_person GROUP BY ALL
)
SELECT c.cell, string_agg(DISTINCT c.keycode, ', ') AS keycode, bool_or(c.is_control) AS is_control,
       min(c.contact_date) AS contact_date, count(*) AS contacted,
       count(r.person_id) AS responders, coalesce(sum(r.orders), 0)::BIGINT AS orders,
       coalesce(sum(r.revenue), 0)::DECIMAL(18, 2) AS revenue
FROM contacted c LEFT JOIN responders r ON r.person_id = c.person_id AND r.cell = c.cell
GROUP BY c.cell ORDER BY bool_or(c.is_control), c.cell
"""

# Parameters: campaign (its keycodes), campaign (its persons), campaign (unlinked rows).
_OUTSIDE_SQL = """
SELECT (SELECT count(*) FROM campaign_responses r
        JOIN (SELECT DISTINCT keycode FROM contact_history WHERE campaign = ? AND keycode IS NOT NULL) k USING (keycode)
        LEFT JOIN person_records pr ON pr.record_id = r.record_id
        WHERE coalesce(pr.person_id, r.person_id) IS NULL OR coalesce(pr.person_id, r.person_id) NOT IN (
            SELECT contact_person_id FROM contact_history_persons WHERE campaign = ? AND contact_person_id IS NOT NULL)
       ) AS keyed_outside,
       (SELECT count(*) FROM contact_history_persons WHERE campaign = ? AND contact_person_id IS NULL) AS unlinked
"""
