"""Operators' decisions on merge candidates, applied at once and honoured by every later run.

accept = must-link (same person), reject = cannot-link (different people, never joined, not even through a
chain of other links). Each decision is stored with its time and reason and never deleted: undo marks it
undone. A decided pair never comes back to the review queue.

Each function runs on an open write connection; callers wrap it in a transaction (``Store.transaction``).
They are cheap on a 1M-record database: accept merges two persons directly; reject, undo, split and bulk
accept re-cluster only the records of the persons involved. Golden records of the persons they touch are
left in ``golden_pending`` (refreshed by ``ensure_derived`` before the next reader that needs them).
"""

from __future__ import annotations

from typing import Any

import duckdb

from workbench import clock
from workbench.errors import NotFoundError, RefusedError
from workbench.identity.clusters import Changes, cluster
from workbench.store.sql import rows, run, scalar

QUEUE = "('review', 'held', 'conflict')"
ACTIVE = "undone_at IS NULL"
SORTS = {
    "uncertain": "abs(p.probability - 0.5), p.record_id_l, p.record_id_r",
    "high": "p.probability DESC, p.record_id_l, p.record_id_r",
    "low": "p.probability, p.record_id_l, p.record_id_r",
}


def _pair(a: int, b: int) -> tuple[int, int]:
    if a == b:
        raise RefusedError("A record cannot be paired with itself.")
    return (a, b) if a < b else (b, a)


def person_of(conn: duckdb.DuckDBPyConnection, record_id: int) -> int:
    pid = scalar(conn, "SELECT person_id FROM person_records WHERE record_id = ?", [record_id])
    if pid is None:
        raise NotFoundError(f"Record {record_id} does not exist (or belongs to no person).")
    return pid


def _decide(conn: duckdb.DuckDBPyConnection, lo: int, r: int, decision: str, reason: str | None,
            by: str | None, batch_id: int | None = None) -> int:
    prob = scalar(conn, "SELECT probability FROM match_pairs WHERE record_id_l = ? AND record_id_r = ?", [lo, r])
    decision_id = scalar(conn, "SELECT nextval('match_decision_seq')")
    run(conn, "INSERT INTO match_decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
        [decision_id, lo, r, decision, reason, prob, clock.now(), by, batch_id or decision_id])
    from workbench import audit

    audit.record(conn, "match.decision", f"{lo}-{r}", {"decision_id": decision_id, "decision": decision,
                                                        "records": [lo, r], "probability": prob,
                                                        "batch_id": batch_id or decision_id,
                                                        "reason_given": bool(reason)})
    return decision_id


def _persons_of(conn: duckdb.DuckDBPyConnection, lo: int, r: int) -> tuple[int, int, dict[int, int]]:
    """(person of lo, person of r, {person: record count}) in one statement."""
    found = dict(conn.execute("SELECT record_id, person_id FROM person_records WHERE record_id IN (?, ?)",
                              [lo, r]).fetchall())
    for rid in (lo, r):
        if rid not in found:
            raise NotFoundError(f"Record {rid} does not exist (or belongs to no person).")
    sizes = dict(conn.execute("SELECT person_id, count(*) FROM person_records WHERE person_id IN (?, ?) "
                              "GROUP BY person_id", [found[lo], found[r]]).fetchall())
    return found[lo], found[r], sizes


def _apart_between(conn: duckdb.DuckDBPyConnection, person_a: int, person_b: int) -> list[tuple[int, int]]:
    """Reject decisions between a member of one person and a member of the other."""
    got = conn.execute("""WITH m AS (SELECT record_id, person_id FROM person_records WHERE person_id IN (?, ?))
        SELECT d.record_id_l, d.record_id_r FROM match_decisions d
        JOIN m a ON a.record_id = d.record_id_l JOIN m b ON b.record_id = d.record_id_r
        WHERE d.decision = 'reject' AND d.undone_at IS NULL AND a.person_id <> b.person_id""",
                       [person_a, person_b]).fetchall()
    return [(a, b) for a, b in got]


def accept_pair(conn: duckdb.DuckDBPyConnection, record_a: int, record_b: int, reason: str | None = None,
                by: str | None = None) -> int:
    """Same person: merge the two records' persons (the larger keeps its id). Returns the person id.
    Refused when a member of one was rejected against a member of the other."""
    lo, r = _pair(record_a, record_b)
    pa, pb, sizes = _persons_of(conn, lo, r)
    if pa != pb and (apart := _apart_between(conn, pa, pb)):
        raise RefusedError(
            f"Records {lo} and {r} cannot be merged: records {apart[0][0]} and {apart[0][1]} "
            "of these persons were kept apart by an earlier decision.",
            "Undo that decision first, or reject this pair.")
    _decide(conn, lo, r, "accept", reason, by)
    if pa == pb:
        return pa
    keep, gone = (pa, pb) if (sizes[pa], -pa) >= (sizes[pb], -pb) else (pb, pa)
    run(conn, "UPDATE person_records SET person_id = ?, assigned_at = ? WHERE person_id = ?", [keep, clock.now(), gone])
    run(conn, "INSERT INTO golden_pending VALUES (?), (?)", [keep, gone])
    return keep


def reject_pair(conn: duckdb.DuckDBPyConnection, record_a: int, record_b: int, reason: str | None = None,
                by: str | None = None) -> Changes:
    """Different people: never in one person. Splits their person if they are together now."""
    lo, r = _pair(record_a, record_b)
    together = person_of(conn, lo) == person_of(conn, r)
    _decide(conn, lo, r, "reject", reason, by)
    return _recluster_persons(conn, [lo, r]) if together else Changes()


def _recluster_persons(conn: duckdb.DuckDBPyConnection, record_ids: list[int]) -> Changes:
    """Re-cluster the records of the persons these records belong to (their links only)."""
    run(conn, """CREATE OR REPLACE TEMP TABLE _scope AS SELECT record_id FROM person_records WHERE person_id IN
        (SELECT person_id FROM person_records WHERE record_id IN (SELECT unnest(?::BIGINT[])))""", [record_ids])
    changes = cluster(conn, "_scope", golden_now=False)
    run(conn, "DROP TABLE IF EXISTS _scope")
    return changes


def undo_last(conn: duckdb.DuckDBPyConnection, by: str | None = None) -> dict[str, Any] | None:
    """Undo the most recent decision still in force (optionally only one made by ``by``). Returns it."""
    scope = "AND decided_by = ?" if by else ""
    got = rows(conn, f"""SELECT decision_id, record_id_l, record_id_r, decision, reason, batch_id FROM match_decisions
        WHERE undone_at IS NULL {scope} ORDER BY decision_id DESC LIMIT 1""", [by] if by else None)
    if not got:
        return None
    d = got[0]
    batch = d["batch_id"] or d["decision_id"]  # a split or a bulk accept is undone as a whole
    ids = [x for row in rows(conn, "SELECT record_id_l, record_id_r FROM match_decisions WHERE batch_id = ? "
                                   "AND undone_at IS NULL", [batch]) for x in (row["record_id_l"], row["record_id_r"])]
    run(conn, "UPDATE match_decisions SET undone_at = ? WHERE batch_id = ? AND undone_at IS NULL", [clock.now(), batch])
    _recluster_persons(conn, ids or [d["record_id_l"], d["record_id_r"]])
    d["decisions"] = len(ids) // 2
    from workbench import audit

    audit.record(conn, "match.undo", f"{d['record_id_l']}-{d['record_id_r']}", {
        "decision_id": d["decision_id"], "decision": d["decision"], "batch_id": batch, "decisions": d["decisions"],
        "records": [d["record_id_l"], d["record_id_r"]]})
    return d


def split_record(conn: duckdb.DuckDBPyConnection, record_id: int, reason: str | None = None,
                 by: str | None = None) -> int:
    """Take a record out of its person: rejected against every other member. Returns its new person id."""
    pid = person_of(conn, record_id)
    others = [r["record_id"] for r in rows(conn, "SELECT record_id FROM person_records WHERE person_id = ? "
                                                 "AND record_id <> ?", [pid, record_id])]
    batch = None
    for other in others:
        lo, r = _pair(record_id, other)
        first = _decide(conn, lo, r, "reject", reason or "split", by, batch)
        batch = batch or first
    if others:
        _recluster_persons(conn, [record_id])
    return person_of(conn, record_id)


def merge_persons(conn: duckdb.DuckDBPyConnection, person_a: int, person_b: int, reason: str | None = None,
                  by: str | None = None) -> int:
    """Merge two persons by hand (an accept between a record of each). Returns the surviving person id."""
    reps = []
    for pid in (person_a, person_b):
        rid = scalar(conn, "SELECT min(record_id) FROM person_records WHERE person_id = ?", [pid])
        if rid is None:
            raise NotFoundError(f"Person {pid} does not exist.")
        reps.append(rid)
    if person_a == person_b:
        return person_a
    return accept_pair(conn, reps[0], reps[1], reason or "merge", by)


def _queue_where(min_probability: float | None = None) -> str:
    extra = f"AND p.probability >= {float(min_probability)!r}" if min_probability is not None else ""
    return f"""p.status IN {QUEUE} {extra}
        AND NOT EXISTS (SELECT 1 FROM match_decisions d WHERE d.record_id_l = p.record_id_l
                        AND d.record_id_r = p.record_id_r AND d.undone_at IS NULL)"""


def next_pairs(conn: duckdb.DuckDBPyConnection, limit: int = 50, sort: str = "uncertain",
               offset: int = 0) -> list[dict[str, Any]]:
    """Pairs waiting for review (not decided, records not already in one person), in ``sort`` order."""
    order = SORTS.get(sort, SORTS["uncertain"])
    return rows(conn, f"""SELECT p.record_id_l, p.record_id_r, p.probability, p.match_weight, p.status, p.reason,
            a.person_id AS person_l, b.person_id AS person_r
        FROM match_pairs p JOIN person_records a ON a.record_id = p.record_id_l
        JOIN person_records b ON b.record_id = p.record_id_r
        WHERE {_queue_where()} AND a.person_id <> b.person_id
        ORDER BY {order} LIMIT ? OFFSET ?""", [limit, offset])


def queue_counts(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """reviewed: decisions in force; left: pairs still waiting."""
    left = scalar(conn, f"""SELECT count(*) FROM match_pairs p JOIN person_records a ON a.record_id = p.record_id_l
        JOIN person_records b ON b.record_id = p.record_id_r WHERE {_queue_where()} AND a.person_id <> b.person_id""")
    reviewed = scalar(conn, "SELECT count(*) FROM match_decisions WHERE undone_at IS NULL")
    return {"reviewed": reviewed or 0, "left": left or 0}


def bulk_preview(conn: duckdb.DuckDBPyConnection, min_probability: float,
                 guard: bool | None = None) -> dict[str, int]:
    """What accepting every waiting pair at or above ``min_probability`` would do: pairs, persons involved,
    persons after (so persons merged away = involved - after), and pairs held back.

    Held back, never bulk accepted (each waits to be accepted by hand, an explicit must-link): pairs the
    guards held (status ``held``: one household, or two people by the cluster guard), pairs joining records
    kept apart (``conflict``), and every pair of a group of persons the bulk accept would merge into one
    when that group holds two people by the cluster guard (a chain A~B~C where A and C conflict). ``guard``
    defaults to the setting ``identity.cluster_guard``."""
    from workbench.identity.guard import guard_on

    run(conn, f"""CREATE OR REPLACE TEMP TABLE _bulk_all AS SELECT p.record_id_l, p.record_id_r, p.status,
            a.person_id AS pl, b.person_id AS pr FROM match_pairs p
        JOIN person_records a ON a.record_id = p.record_id_l JOIN person_records b ON b.record_id = p.record_id_r
        WHERE {_queue_where(min_probability)} AND a.person_id <> b.person_id""")
    run(conn, "CREATE OR REPLACE TEMP TABLE _bulk AS SELECT record_id_l, record_id_r, pl, pr FROM _bulk_all "
              "WHERE status = 'review'")
    _drop_conflicting_groups(conn, guard_on(conn) if guard is None else guard)
    pairs = scalar(conn, "SELECT count(*) FROM _bulk") or 0
    held_back = (scalar(conn, "SELECT count(*) FROM _bulk_all") or 0) - pairs
    involved = scalar(conn, "SELECT count(DISTINCT p) FROM (SELECT pl AS p FROM _bulk UNION ALL SELECT pr FROM _bulk)") or 0
    after = _person_components(conn)
    run(conn, "DROP TABLE IF EXISTS _bulk_all")
    return {"pairs": pairs, "persons_involved": involved, "persons_after": after,
            "persons_merged": involved - after, "held_back": held_back}


def _drop_conflicting_groups(conn: duckdb.DuckDBPyConnection, guard: bool) -> None:
    """Remove from ``_bulk`` every pair of a group of persons (joined by ``_bulk``'s pairs) in which two
    records of different persons conflict (guard.conflict_sql) or were kept apart by an operator."""
    from workbench.identity.clusters import constrained_components
    from workbench.identity.guard import conflict_sql, profile_sql

    links = conn.execute("SELECT pl, pr, 1.0, false FROM _bulk").fetchall()
    if not links:
        return
    labels, _ = constrained_components(links, [])
    run(conn, "CREATE OR REPLACE TEMP TABLE _bulk_grp AS SELECT unnest(?::BIGINT[]) AS person_id, "
              "unnest(?::BIGINT[]) AS grp", [list(labels), list(labels.values())])
    run(conn, """CREATE OR REPLACE TEMP TABLE _bulk_mem AS SELECT g.grp, pr.person_id, pr.record_id
        FROM _bulk_grp g JOIN person_records pr USING (person_id)""")
    run(conn, f"CREATE OR REPLACE TEMP TABLE _bulk_prof AS "
              f"{profile_sql('r.record_id IN (SELECT record_id FROM _bulk_mem)')}")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _bulk_bad AS
        SELECT DISTINCT m1.grp FROM _bulk_mem m1 JOIN _bulk_mem m2
            ON m1.grp = m2.grp AND m1.person_id <> m2.person_id AND m1.record_id < m2.record_id
        JOIN _bulk_prof x ON x.node = m1.record_id JOIN _bulk_prof y ON y.node = m2.record_id
        WHERE {conflict_sql(guard)} IS NOT NULL OR (m1.record_id, m2.record_id) IN
            (SELECT (record_id_l, record_id_r) FROM match_decisions WHERE decision = 'reject' AND {ACTIVE})""")
    run(conn, """DELETE FROM _bulk WHERE pl IN (SELECT person_id FROM _bulk_grp
        WHERE grp IN (SELECT grp FROM _bulk_bad))""")
    for t in ("_bulk_grp", "_bulk_mem", "_bulk_prof", "_bulk_bad"):
        run(conn, f"DROP TABLE IF EXISTS {t}")


def _person_components(conn: duckdb.DuckDBPyConnection) -> int:
    from workbench.identity.clusters import constrained_components

    links = conn.execute("SELECT pl, pr, 1.0, false FROM _bulk").fetchall()
    labels, _ = constrained_components(links, [])
    return len(set(labels.values()))


def bulk_accept(conn: duckdb.DuckDBPyConnection, min_probability: float, reason: str | None = None,
                by: str | None = None) -> dict[str, int]:
    """Accept every waiting pair at or above ``min_probability`` except those held back (see bulk_preview:
    they stay in the queue, to be decided one by one). Undone as a whole by undo_last."""
    preview = bulk_preview(conn, min_probability)
    if not preview["pairs"]:
        return {**preview, "accepted": 0}
    tag = f"bulk >= {min_probability:g} at {clock.now():%Y-%m-%d %H:%M:%S}" + (f": {reason}" if reason else "")
    batch = scalar(conn, "SELECT nextval('match_decision_seq')")
    run(conn, """INSERT INTO match_decisions SELECT nextval('match_decision_seq'), b.record_id_l, b.record_id_r,
            'accept', ?, p.probability, ?, ?, NULL, ? FROM _bulk b JOIN match_pairs p USING (record_id_l, record_id_r)
        ORDER BY p.probability DESC""", [tag, clock.now(), by, batch])
    ids = [x for row in conn.execute("SELECT record_id_l, record_id_r FROM _bulk").fetchall() for x in row]
    changes = _recluster_persons(conn, ids)
    return {**preview, "accepted": preview["pairs"], "conflicts": changes.conflicts}
