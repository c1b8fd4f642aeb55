"""Operators' household decisions: accept, move a member, split, merge. Stored and honoured by later runs.

Each decision is kept in ``household_decisions`` and turned into links (``household_links``) on the
persons' anchor records (their lowest record_id), so a later match run that renumbers persons keeps it:

- accept: the household is right as it is: its members are linked 'together' and its review items close;
- move a member to another household at the same address: the person is 'pinned' (placed by decisions
  only, no longer by the surname rule) and linked to every member of the target household;
- split: the chosen members leave together into a household of their own (pinned, linked to each other);
- merge two households at the same address: every member of one is linked to every member of the other.

A link holds while its persons live at the decision's address; a later pin of a person cancels that
person's earlier links. After a decision the households are recomputed (same transaction) and the
households it shaped count as reviewed (``household_accepts``).
"""

from __future__ import annotations

from typing import Any

import duckdb

from workbench import clock
from workbench.errors import NotFoundError, RefusedError
from workbench.store import Store
from workbench.store.sql import rows, run, scalar

ACTIONS = ("accept", "move", "split", "merge")


def accept(store: Store, household_id: int, note: str | None = None) -> dict[str, Any]:
    """Accept a household as it is (its review items close while its members stay the same)."""
    with store.transaction() as conn:
        members = _members(conn, household_id)
        decision = _record(conn, "accept", household_id, None, [m["person_id"] for m in members],
                           members[0]["addr_key"], note)
        anchors = [m["anchor"] for m in members]
        _links(conn, decision, "together", [(anchors[0], a) for a in anchors[1:]], members[0]["addr_key"])
        return _recompute(conn, decision, [m["person_id"] for m in members])


def move_member(store: Store, person_id: int, to_household_id: int, note: str | None = None) -> dict[str, Any]:
    """Move a person into another household at the same address."""
    with store.transaction() as conn:
        source = _household_of(conn, person_id)
        if source == to_household_id:
            raise RefusedError(f"Person {person_id} is already in household {to_household_id}.")
        target = _members(conn, to_household_id)
        mover = next(m for m in _members(conn, source) if m["person_id"] == person_id)
        _same_door(mover, target[0], f"household {to_household_id}")
        decision = _record(conn, "move", source, to_household_id, [person_id], target[0]["addr_key"], note)
        _links(conn, decision, "pin", [(mover["anchor"], None)], target[0]["addr_key"])
        _links(conn, decision, "together", [(mover["anchor"], t["anchor"]) for t in target], target[0]["addr_key"])
        before = [m["person_id"] for m in _members(conn, source)] + [t["person_id"] for t in target]
        return _recompute(conn, decision, before)


def split(store: Store, household_id: int, person_ids: list[int], note: str | None = None) -> dict[str, Any]:
    """Take the given members out of a household into a household of their own."""
    with store.transaction() as conn:
        members = _members(conn, household_id)
        chosen = [m for m in members if m["person_id"] in set(person_ids)]
        missing = set(person_ids) - {m["person_id"] for m in chosen}
        if missing:
            raise NotFoundError(f"Person {sorted(missing)[0]} is not a member of household {household_id}.")
        if not chosen or len(chosen) == len(members):
            raise RefusedError("A split takes some members out of the household and leaves the others: "
                               "choose at least one member, and not all of them.")
        addr = members[0]["addr_key"]
        decision = _record(conn, "split", household_id, None, [m["person_id"] for m in chosen], addr, note)
        _links(conn, decision, "pin", [(m["anchor"], None) for m in chosen], addr)
        _links(conn, decision, "together", [(chosen[0]["anchor"], m["anchor"]) for m in chosen[1:]], addr)
        return _recompute(conn, decision, [m["person_id"] for m in members])


def merge(store: Store, household_id: int, other_household_id: int, note: str | None = None) -> dict[str, Any]:
    """Merge two households at the same address into one (for example, partners with different surnames)."""
    if household_id == other_household_id:
        raise RefusedError("Choose two different households to merge.")
    with store.transaction() as conn:
        first, second = _members(conn, household_id), _members(conn, other_household_id)
        _same_door(second[0], first[0], f"household {household_id}")
        addr = first[0]["addr_key"]
        decision = _record(conn, "merge", household_id, other_household_id,
                           [m["person_id"] for m in first + second], addr, note)
        _links(conn, decision, "together", [(a["anchor"], b["anchor"]) for a in first for b in second], addr)
        return _recompute(conn, decision, [m["person_id"] for m in first + second])


def list_decisions(conn: duckdb.DuckDBPyConnection, limit: int = 200) -> list[dict[str, Any]]:
    return rows(conn, "SELECT * FROM household_decisions ORDER BY decision_id DESC LIMIT ?", [limit])


# -- helpers ---------------------------------------------------------------------------------------
def _members(conn: duckdb.DuckDBPyConnection, household_id: int) -> list[dict[str, Any]]:
    found = rows(conn, """SELECT m.person_id, h.addr_key, p.addr_key AS person_addr, p.first_name, p.last_name,
            (SELECT min(record_id) FROM person_records pr WHERE pr.person_id = m.person_id) AS anchor
        FROM household_members m JOIN households h USING (household_id) JOIN persons p USING (person_id)
        WHERE m.household_id = ? ORDER BY m.head_rank""", [household_id])
    if not found:
        raise NotFoundError(f"There is no household {household_id}.",
                            "Household ids come from the last households run (workbench households).")
    return found


def _household_of(conn: duckdb.DuckDBPyConnection, person_id: int) -> int:
    found = scalar(conn, "SELECT household_id FROM household_members WHERE person_id = ?", [person_id])
    if found is None:
        raise NotFoundError(f"Person {person_id} is in no household.",
                            "Run `workbench households` after loading or matching.")
    return found


def _same_door(person: dict[str, Any], target: dict[str, Any], what: str) -> None:
    if person["addr_key"] is None or target["addr_key"] is None or person["addr_key"] != target["addr_key"]:
        raise RefusedError(
            f"{what} is at another address ({_addr(target['addr_key'])}) than "
            f"{person['first_name'] or ''} {person['last_name'] or ''} ({_addr(person['addr_key'])}).",
            "A household lives at one address. Change the address first (a moves file), or merge the "
            "persons on the Matches screen if they are one person.")


def _addr(key: str | None) -> str:
    return key.replace("||", " ").replace("|", " ") if key else "no address"


def _record(conn, action: str, household_id: int | None, other: int | None, person_ids: list[int],
            addr_key: str | None, note: str | None) -> int:
    if addr_key is None:
        raise RefusedError("This household has no address: there is nothing to decide about who lives there.")
    decision_id = scalar(conn, "SELECT nextval('household_decision_id_seq')")
    run(conn, "INSERT INTO household_decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [decision_id, action, household_id, other, person_ids, addr_key, note, clock.now(), _operator()])
    from workbench import audit

    audit.record(conn, "household.decision", action, {"decision_id": decision_id, "household_id": household_id,
                                                       "other_household_id": other, "persons": len(person_ids),
                                                       "note_given": bool(note)})
    return decision_id


def _links(conn, decision_id: int, link: str, pairs: list[tuple[int, int | None]], addr_key: str) -> None:
    for a, b in pairs:  # a handful of members: one insert each is fine
        run(conn, "INSERT INTO household_links VALUES (?, ?, ?, ?, ?)", [decision_id, link, a, b, addr_key])


def _recompute(conn, decision_id: int, persons_before: list[int]) -> dict[str, Any]:
    from workbench.households.build import compute_households

    summary = compute_households(conn)
    run(conn, "CREATE OR REPLACE TEMP TABLE _hh_touched AS SELECT unnest(?::BIGINT[]) AS person_id", [persons_before])
    run(conn, """INSERT INTO household_accepts
        SELECT DISTINCT h.signature, ? FROM household_members m JOIN households h USING (household_id)
        WHERE m.person_id IN (SELECT person_id FROM _hh_touched)""", [decision_id])
    touched = [r["household_id"] for r in rows(conn, "SELECT DISTINCT household_id FROM household_members "
                                                     "WHERE person_id IN (SELECT person_id FROM _hh_touched) "
                                                     "ORDER BY household_id")]
    run(conn, """UPDATE household_review_items SET status = 'accepted'
        WHERE household_id IN (SELECT household_id FROM household_members WHERE person_id IN
                               (SELECT person_id FROM _hh_touched))""")
    run(conn, """UPDATE households SET needs_review = EXISTS (SELECT 1 FROM household_review_items i
                    WHERE i.household_id = households.household_id AND i.status = 'open'),
                review_reasons = (SELECT list(DISTINCT reason ORDER BY reason) FROM household_review_items i
                    WHERE i.household_id = households.household_id AND i.status = 'open')
        WHERE household_id IN (SELECT unnest(?::BIGINT[]))""", [touched])
    run(conn, "DROP TABLE IF EXISTS _hh_touched")
    return {"decision_id": decision_id, "households": touched, "review_open": scalar(
        conn, "SELECT count(*) FROM household_review_items WHERE status = 'open'"), "seconds": summary["seconds"]}


def _operator() -> str | None:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment
        return None
