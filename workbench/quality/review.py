"""Answering a sample's items. An answer is an ordinary review decision, audited and honoured later:

- persons (two records in one person): same -> accept (must-link); different -> reject (cannot-link: the
  person is split at once, and every later match run keeps the two apart);
- near_miss (a scored pair left in two persons): same -> accept (the persons merge); different -> reject;
- households (two persons in one household): same -> a household decision linking the two ('together');
  different -> the second person is split out of the household (a household 'split' decision);
- suppressions: there is no decision to make on a hit (a suppression is the customer's own request and is
  never undone by a sample); the answer is kept and audited.

skip leaves the item out of every estimate. Every answer recomputes the sample's estimates.
"""

from __future__ import annotations

from typing import Any

import duckdb

from workbench import clock
from workbench.errors import NotFoundError, RefusedError
from workbench.store.sql import rows, run

ANSWERS = ("same", "different", "skip")
AREA_LABEL = {
    "persons": "merged pair",
    "near_miss": "near miss",
    "households": "household pair",
    "suppressions": "suppression hit",
}


def latest_sample_id(conn: duckdb.DuckDBPyConnection) -> int | None:
    got = rows(conn, "SELECT max(sample_id) AS s FROM quality_samples")
    return got[0]["s"] if got else None


def queue(
    conn: duckdb.DuckDBPyConnection, sample_id: int | None = None, limit: int = 200, waiting_only: bool = True
) -> list[dict[str, Any]]:
    """The items of a sample (default: the latest), waiting ones first, in a stable order."""
    sample_id = sample_id if sample_id is not None else latest_sample_id(conn)
    if sample_id is None:
        return []
    where = "AND answer IS NULL" if waiting_only else ""
    return rows(
        conn,
        f"""SELECT item_id, sample_id, area, stratum, record_l, record_r, person_l, person_r,
            household_id, suppression, match_on, score, answer
        FROM quality_items WHERE sample_id = ? {where}
        ORDER BY answer IS NOT NULL, CASE area WHEN 'persons' THEN 1 WHEN 'near_miss' THEN 2
                 WHEN 'households' THEN 3 ELSE 4 END, item_id LIMIT ?""",
        [sample_id, limit],
    )


def record_names(conn: duckdb.DuckDBPyConnection, record_ids: list[int]) -> dict[int, str]:
    """First and last name of each record (for the queue's columns)."""
    got = rows(
        conn,
        "SELECT record_id, first_name, last_name FROM records WHERE record_id IN (SELECT unnest(?::BIGINT[]))",
        [record_ids],
    )
    return {r["record_id"]: f"{r['first_name'] or ''} {r['last_name'] or ''}".strip() for r in got}


def counts(conn: duckdb.DuckDBPyConnection, sample_id: int | None = None) -> dict[str, int]:
    sample_id = sample_id if sample_id is not None else latest_sample_id(conn)
    if sample_id is None:
        return {"items": 0, "answered": 0, "waiting": 0}
    got = rows(
        conn,
        """SELECT count(*) AS items, count(answer) AS answered FROM quality_items
        WHERE sample_id = ?""",
        [sample_id],
    )[0]
    return {"items": got["items"], "answered": got["answered"], "waiting": got["items"] - got["answered"]}


def evidence(conn: duckdb.DuckDBPyConnection, item_id: int) -> dict[str, Any]:
    """What the screen shows side by side: the two records field by field (a suppression hit: the
    person's record and the rule's explanation of the hit)."""
    from workbench.identity.explain import FIELDS, record_rows

    item = _item(conn, item_id)
    ids = [x for x in (item["record_l"], item["record_r"]) if x is not None]
    recs = record_rows(conn, ids)
    left, right = recs.get(item["record_l"], {}), recs.get(item["record_r"], {}) if item["record_r"] else {}
    fields = [
        {"field": label, "left": _text(left.get(col)), "right": _text(right.get(col))}
        for label, col in FIELDS
    ]
    note = ""
    if item["area"] == "suppressions":
        got = rows(
            conn,
            """SELECT explanation FROM person_suppressions WHERE person_id = ? AND suppression = ?
            AND match_on = ? AND explanation IS NOT NULL LIMIT 1""",
            [item["person_l"], item["suppression"], item["match_on"]],
        )
        note = f"{item['suppression']} ({item['match_on']}): " + (
            got[0]["explanation"] if got else "no explanation kept"
        )
    elif item["score"] is not None:
        note = f"match probability {item['score']:.3f}"
    return {"item": item, "fields": fields, "note": note}


def answer(
    conn: duckdb.DuckDBPyConnection, item_id: int, given: str, by: str | None = None
) -> dict[str, Any]:
    """Record ``given`` (same / different / skip) for ``item_id``, make its review decision, recompute the
    sample's estimates. Runs in the caller's transaction."""
    from workbench import audit
    from workbench.quality.estimate import compute

    if given not in ANSWERS:
        raise RefusedError(f"{given!r} is not an answer.", "Answer same, different or skip.")
    item = _item(conn, item_id)
    decision_id, note = None, ""
    if given != "skip":
        decision_id, note = _decide(conn, item, given, by)
    run(
        conn,
        """UPDATE quality_items SET answer = ?, answered_at = ?, answered_by = ?, decision_id = ?
        WHERE item_id = ?""",
        [given, clock.now(), by, decision_id, item_id],
    )
    audit.record(
        conn,
        "quality.answer",
        str(item_id),
        {"sample_id": item["sample_id"], "area": item["area"], "answer": given, "decision_id": decision_id},
    )
    compute(conn, item["sample_id"])
    return {"item_id": item_id, "answer": given, "decision_id": decision_id, "note": note}


def _decide(conn, item: dict[str, Any], given: str, by: str | None) -> tuple[int | None, str]:
    area = item["area"]
    if item["record_l"] is None and area != "suppressions":
        return None, "the person was erased since the sample was drawn: answer kept"
    if area in ("persons", "near_miss"):
        from workbench.identity import decisions

        lo, hi = item["record_l"], item["record_r"]
        if given == "same":
            pid = decisions.accept_pair(conn, lo, hi, "quality sample", by)
            note = f"same person: person {pid}"
        else:
            decisions.reject_pair(conn, lo, hi, "quality sample", by)
            note = "different people: kept apart"
        got = rows(
            conn,
            """SELECT max(decision_id) AS d FROM match_decisions WHERE record_id_l = ?
            AND record_id_r = ? AND undone_at IS NULL""",
            [lo, hi],
        )
        return got[0]["d"], note
    if area == "households":
        return _household_decision(conn, item, given)
    return None, "suppression hit " + (
        "confirmed" if given == "same" else "marked wrong (kept: see docs/quality.md)"
    )


def _household_decision(conn, item: dict[str, Any], given: str) -> tuple[int | None, str]:
    """A household decision on the two persons, while they still share a household (else the answer only)."""
    from workbench.households import decisions as hd

    got = rows(
        conn,
        """SELECT a.household_id FROM household_members a JOIN household_members b USING (household_id)
        JOIN person_records ra ON ra.person_id = a.person_id JOIN person_records rb ON rb.person_id = b.person_id
        WHERE ra.record_id = ? AND rb.record_id = ? LIMIT 1""",
        [item["record_l"], item["record_r"]],
    )
    if not got:
        return None, "the two persons no longer share a household: answer kept"
    household = got[0]["household_id"]
    members = hd._members(conn, household)
    anchor = {m["anchor"]: m for m in members}
    one, two = anchor.get(item["record_l"]), anchor.get(item["record_r"])
    if one is None or two is None:
        return None, "the household changed since the sample was drawn: answer kept"
    addr = members[0]["addr_key"]
    if given == "same":
        decision = hd._record(
            conn,
            "accept",
            household,
            None,
            [one["person_id"], two["person_id"]],
            addr,
            "quality sample: same household",
        )
        hd._links(conn, decision, "together", [(one["anchor"], two["anchor"])], addr)
        hd._recompute(conn, decision, [one["person_id"], two["person_id"]])
        return decision, "same household: kept together"
    decision = hd._record(
        conn, "split", household, None, [two["person_id"]], addr, "quality sample: different household"
    )
    hd._links(conn, decision, "pin", [(two["anchor"], None)], addr)
    hd._recompute(conn, decision, [m["person_id"] for m in members])
    return decision, f"different household: person {two['person_id']} split out"


def _item(conn, item_id: int) -> dict[str, Any]:
    got = rows(conn, "SELECT * FROM quality_items WHERE item_id = ?", [item_id])
    if not got:
        raise NotFoundError(
            f"There is no sample item {item_id}.", "`workbench quality sample` draws a sample."
        )
    return got[0]


def _text(value: Any) -> str:
    return "" if value is None else str(value)
