"""The customer view: everything the database knows about one person, on one page.

Golden record with the source of each field, every source record, household and its members,
transactions by brand (and the latest ones), contact history, the suppressions that apply and why,
the triggers that fire now, and the merge decisions and open merge candidates on the person's
records. Read-only; parts whose capability has not been built yet (households, identity,
suppressions) come back empty, with ``available`` saying so.
"""

from __future__ import annotations

from typing import Any

import duckdb

from workbench.contacts.history import has_relation, person_contacts
from workbench.errors import NotFoundError
from workbench.store.sql import rows, scalar

GOLDEN_FIELDS = ("first_name", "last_name", "address", "email", "phone", "birth_date")
RECENT_TRANSACTIONS = 20


def customer_view(conn: duckdb.DuckDBPyConnection, person_id: int, with_triggers: bool = True) -> dict[str, Any]:
    """Everything about ``person_id`` as plain data (JSON-ready apart from dates and decimals)."""
    found = rows(conn, "SELECT * FROM persons WHERE person_id = ?", [person_id])
    if not found:
        raise _not_found(conn, person_id)
    person = found[0]
    golden_from = person.pop("golden_from") or {}
    available = {name: has_relation(conn, table) for name, table in (
        ("households", "household_runs"), ("suppressions", "suppression_builds"),
        ("identity", "match_runs"), ("deliverability", "person_deliverability"))}
    for name, table in (("households", "household_runs"), ("suppressions", "suppression_builds"),
                        ("identity", "match_runs")):  # built at least once
        available[name] = available[name] and bool(scalar(conn, f"SELECT count(*) > 0 FROM {table}"))
    view: dict[str, Any] = {
        "person_id": person_id,
        "golden": person,
        "golden_sources": _golden_sources(conn, person, golden_from) + _traits(conn, person_id),
        "records": _records(conn, person_id),
        "household": _household(conn, person_id) if available["households"] else None,
        "transactions_by_brand": _transactions_by_brand(conn, person_id),
        "recent_transactions": _recent_transactions(conn, person_id),
        "contacts": person_contacts(conn, person_id),
        "suppressions": _suppressions(conn, person_id) if available["suppressions"] else [],
        "deliverability": (rows(conn, "SELECT mail_deliverable, reason, since FROM person_deliverability "
                                      "WHERE person_id = ?", [person_id]) or [None])[0]
        if available["deliverability"] else None,
        "triggers": [],
        "merge_decisions": _merge_decisions(conn, person_id) if available["identity"] else [],
        "merge_candidates": _merge_candidates(conn, person_id) if available["identity"] else [],
        "available": available,
        **_value_and_risk(conn, person_id),
        "origin": _origin(conn, person_id),
    }
    if with_triggers:
        from workbench.contacts.trigger_sql import person_triggers

        view["triggers"] = person_triggers(conn, person_id)
    return view


def _origin(conn, person_id: int) -> dict[str, Any] | None:
    """Issue 15: the prospect list the person came from (they responded to a mailing of it), if any."""
    if not has_relation(conn, "customer_origins"):
        return None
    found = rows(conn, "SELECT source, run_id, source_key, matched_by, first_seen FROM customer_origins "
                       "WHERE person_id = ?", [person_id])
    return found[0] if found else None


def _value_and_risk(conn, person_id: int) -> dict[str, Any]:
    """Issue 14: the person's RFM segment and scores (every brand, each brand) and churn score."""
    try:
        from workbench.segments.view import person_churn, person_rfm
    except ImportError:
        return {"rfm": [], "churn": None}
    return {"rfm": person_rfm(conn, person_id), "churn": person_churn(conn, person_id)}


def _traits(conn, person_id: int) -> list[dict[str, Any]]:
    """Issue 15: appended or customer-given traits, each with where it came from (a customer's word wins)."""
    from workbench.identity.golden import golden_traits

    return golden_traits(conn, person_id)


def _not_found(conn, person_id: int) -> NotFoundError:
    top = scalar(conn, "SELECT max(person_id) FROM persons")
    if not top:
        return NotFoundError(f"No person {person_id}.", "There are no persons yet: load a people source first.")
    return NotFoundError(f"No person {person_id}.",
                         f"Person ids run up to {top:,}; a match run may have merged this person into another.")


def _golden_sources(conn, person: dict[str, Any], golden_from: dict[str, Any]) -> list[dict[str, Any]]:
    ids = [v for v in golden_from.values() if v is not None]
    by_id = {r["record_id"]: r for r in rows(
        conn, "SELECT record_id, source, source_key, as_of FROM records WHERE record_id IN (SELECT unnest(?))",
        [ids])} if ids else {}
    out = []
    for field in GOLDEN_FIELDS:
        rid = golden_from.get(field)
        value = (", ".join(str(person[k]) for k in ("address_line1", "address_line2", "city", "state", "zip5")
                           if person.get(k)) if field == "address" else person.get(field))
        rec = by_id.get(rid, {})
        out.append({"field": field, "value": value, "record_id": rid, "source": rec.get("source"),
                    "source_key": rec.get("source_key"), "as_of": rec.get("as_of")})
    return out


def _records(conn, person_id: int) -> list[dict[str, Any]]:
    return rows(conn, """SELECT r.record_id, r.source, r.source_key, s.priority, r.first_name, r.last_name,
               r.address_line1, r.address_line2, r.city, r.state, r.postal_code, r.email, r.phone, r.birth_date,
               r.as_of, r.first_seen, pr.assigned_at
        FROM person_records pr JOIN records r USING (record_id) LEFT JOIN sources s ON s.name = r.source
        WHERE pr.person_id = ? ORDER BY s.priority NULLS LAST, r.record_id""", [person_id])


def _household(conn, person_id: int) -> dict[str, Any] | None:
    hh = rows(conn, """SELECT h.* FROM households h JOIN household_members m USING (household_id)
        WHERE m.person_id = ?""", [person_id])
    if not hh:
        return None
    house = hh[0]
    house["members"] = rows(conn, """SELECT m.person_id, m.is_head, m.joined_by, m.spend_12m, m.orders_12m,
               p.first_name, p.last_name, p.birth_date, p.email
        FROM household_members m LEFT JOIN persons p USING (person_id)
        WHERE m.household_id = ? ORDER BY m.head_rank, m.person_id""", [house["household_id"]])
    return house


def _person_transactions(alias: str = "t") -> str:
    return f"{alias}.record_id IN (SELECT record_id FROM person_records WHERE person_id = ?)"


def _transactions_by_brand(conn, person_id: int) -> list[dict[str, Any]]:
    return rows(conn, f"""SELECT coalesce(t.brand, '(none)') AS brand, count(*) AS orders,
               sum(t.amount) FILTER (WHERE NOT t.returned) AS spend, count(*) FILTER (WHERE t.returned) AS returns,
               min(t.order_date) AS first_order, max(t.order_date) AS last_order,
               string_agg(DISTINCT t.channel, ', ') AS channels
        FROM transactions t WHERE {_person_transactions()} GROUP BY ALL ORDER BY spend DESC NULLS LAST""",
                [person_id])


def _recent_transactions(conn, person_id: int) -> list[dict[str, Any]]:
    return rows(conn, f"""SELECT t.order_date, t.source, t.order_id, t.brand, t.channel, t.category, t.amount,
               t.returned FROM transactions t WHERE {_person_transactions()}
        ORDER BY t.order_date DESC LIMIT ?""", [person_id, RECENT_TRANSACTIONS])


def _suppressions(conn, person_id: int) -> list[dict[str, Any]]:
    """The suppressions that apply, with why: the rule that matched, the record that matched, since when."""
    built = scalar(conn, "SELECT max(built_at) FROM suppression_builds") if has_relation(
        conn, "suppression_builds") else None
    found = rows(conn, """SELECT ps.suppression, ps.channel, coalesce(ps.brand, 'every brand') AS brand, ps.reason,
               ps.match_on, ps.record_id, r.source AS record_source, r.source_key AS record_source_key,
               ps.effective_date, ps.matched_by, ps.explanation
        FROM person_suppressions ps LEFT JOIN records r USING (record_id)
        WHERE ps.person_id = ? ORDER BY ps.channel, ps.suppression""", [person_id])
    for s in found:
        how = {"email": "the email", "phone": "the phone number", "name_address": "name and address",
               "address": "the address", "person": "chosen by hand", "ncoa": "NCOA move"}.get(s["match_on"],
                                                                                           s["match_on"])
        via = f" of record {s['record_source']}:{s['record_source_key']}" if s["record_source"] else ""
        s["why"] = f"{s['reason'] or s['suppression']}: matched on {how}{via}"
        if s["explanation"]:  # which list entry reached which record, by which rule and tolerances
            s["why"] = f"{s['reason'] or s['suppression']}: {s['explanation']}"
        s["as_of_build"] = built
    return found


def _merge_decisions(conn, person_id: int) -> list[dict[str, Any]]:
    return rows(conn, """WITH mine AS (SELECT record_id FROM person_records WHERE person_id = ?)
        SELECT d.decision_id, d.decision, d.reason, d.probability, d.decided_at, d.decided_by, d.undone_at,
               d.record_id_l, rl.source AS source_l, rl.source_key AS key_l,
               d.record_id_r, rr.source AS source_r, rr.source_key AS key_r,
               (SELECT person_id FROM person_records WHERE record_id = CASE WHEN d.record_id_l IN (SELECT * FROM mine)
                    THEN d.record_id_r ELSE d.record_id_l END) AS other_person_id
        FROM match_decisions d
        LEFT JOIN records rl ON rl.record_id = d.record_id_l LEFT JOIN records rr ON rr.record_id = d.record_id_r
        WHERE d.record_id_l IN (SELECT * FROM mine) OR d.record_id_r IN (SELECT * FROM mine)
        ORDER BY d.decided_at DESC""", [person_id])


def _merge_candidates(conn, person_id: int) -> list[dict[str, Any]]:
    if not has_relation(conn, "match_pairs"):
        return []
    return rows(conn, """WITH mine AS (SELECT record_id FROM person_records WHERE person_id = ?)
        SELECT p.record_id_l, p.record_id_r, p.probability, p.status,
               (SELECT person_id FROM person_records WHERE record_id = CASE WHEN p.record_id_l IN (SELECT * FROM mine)
                    THEN p.record_id_r ELSE p.record_id_l END) AS other_person_id
        FROM match_pairs p
        WHERE (p.record_id_l IN (SELECT * FROM mine) OR p.record_id_r IN (SELECT * FROM mine))
          AND p.status IN ('review', 'conflict', 'held')
        ORDER BY p.probability DESC LIMIT 20""", [person_id])
