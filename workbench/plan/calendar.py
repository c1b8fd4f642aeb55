"""The calendar of a kept plan: per week, contacts planned per brand and channel, and persons at their limit.

A person is **at their limit** in a week when, for some enabled person-level pressure rule, the contacts
that count for it (contact history and every kept plan's planned contacts) in the rule's window ending on
the week's last day reach its ``max_contacts``: no other selection may contact them that week.
Household rules are counted per household and reported as the persons of those households.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import duckdb

from workbench.contacts.rules import list_rules
from workbench.store.sql import rows, run


def plan_calendar(conn: duckdb.DuckDBPyConnection, plan: str) -> dict[str, Any]:
    """``{"plan", "weeks": [{week, contacts: [{brand, channel, contacts}], total, at_limit}], "rules"}``."""
    cells = rows(
        conn,
        """SELECT CAST(date_trunc('week', contact_date) AS DATE) AS week, coalesce(brand, '') AS brand,
               channel, count(*) AS contacts
        FROM planned_contacts WHERE plan = ? GROUP BY ALL ORDER BY week, brand, channel""",
        [plan],
    )
    weeks: dict[Any, dict[str, Any]] = {}
    for c in cells:
        w = weeks.setdefault(c["week"], {"week": c["week"], "contacts": [], "total": 0, "at_limit": 0})
        w["contacts"].append(
            {"brand": c["brand"] or None, "channel": c["channel"], "contacts": c["contacts"]}
        )
        w["total"] += c["contacts"]
    rules = [r for r in list_rules(conn, enabled_only=True) if r.kind == "pressure"]
    if weeks and rules:
        for week, n in _at_limit(conn, list(weeks), rules).items():
            weeks[week]["at_limit"] = n
    return {"plan": plan, "weeks": [weeks[k] for k in sorted(weeks)], "rules": [r.summary() for r in rules]}


def _at_limit(conn: duckdb.DuckDBPyConnection, weeks: list, rules) -> dict[Any, int]:
    run(
        conn,
        """CREATE OR REPLACE TEMP TABLE _cal_contacts AS
        SELECT contact_person_id AS person_id, channel, lower(brand) AS brand, contact_date FROM contact_history_persons
        WHERE NOT is_control AND contact_person_id IS NOT NULL
        UNION ALL
        SELECT person_id, channel, lower(brand), contact_date FROM planned_contacts WHERE plan IS NOT NULL""",
    )
    parts, params = [], []
    for rule in rules:
        cond, cparams = [], []
        if rule.channel not in ("any", "each"):
            cond.append("c.channel = ?")
            cparams.append(rule.channel)
        if rule.brand not in ("all", "each"):
            cond.append("c.brand = ?")
            cparams.append(rule.brand)
        group = (
            ["w.week", "c.person_id"]
            + (["c.channel"] if rule.channel == "each" else [])
            + (["c.brand"] if rule.brand == "each" else [])
        )
        where = (" AND " + " AND ".join(cond)) if cond else ""
        span = timedelta(days=rule.window_days - 1)
        body = f"""SELECT {", ".join(group)} FROM _cal_weeks w JOIN _cal_contacts c
                   ON c.contact_date BETWEEN w.week + 6 - ? AND w.week + 6{where}
                   GROUP BY {", ".join(group)} HAVING count(*) >= ?"""
        bparams = [span.days, *cparams, rule.max_contacts]
        if rule.per == "household":
            body = f"""SELECT x.week, m.person_id FROM (
                    SELECT w.week, coalesce(hm.household_id, -c.person_id) AS hh FROM _cal_weeks w
                    JOIN _cal_contacts c ON c.contact_date BETWEEN w.week + 6 - ? AND w.week + 6{where}
                    LEFT JOIN household_members hm ON hm.person_id = c.person_id
                    GROUP BY ALL HAVING count(*) >= ?) x
                JOIN (SELECT p.person_id, coalesce(hm.household_id, -p.person_id) AS hh FROM persons p
                      LEFT JOIN household_members hm ON hm.person_id = p.person_id) m USING (hh)"""
        parts.append(f"SELECT week, person_id FROM ({body})")
        params += bparams
    run(conn, "CREATE OR REPLACE TEMP TABLE _cal_weeks AS SELECT unnest(?::DATE[]) AS week", [weeks])
    found = rows(
        conn,
        f"SELECT week, count(DISTINCT person_id) AS n FROM ({' UNION ALL '.join(parts)}) GROUP BY week",
        params,
    )
    run(conn, "DROP TABLE IF EXISTS _cal_contacts")
    run(conn, "DROP TABLE IF EXISTS _cal_weeks")
    return {r["week"]: r["n"] for r in found}
