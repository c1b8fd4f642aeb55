"""Writing the audit log (one row per operation, in the operation's own transaction) and reading it back."""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb

from workbench import clock
from workbench.audit.chain import GENESIS, row_hash, row_hash_sql
from workbench.errors import WorkbenchError
from workbench.store.sql import rows, run, scalar

MAX_DETAILS_CHARS = 20_000  # a details object is a summary (ids, counts, hashes), never data


def actor_name() -> str:
    """The operating-system user running this workbench ("unknown" when there is none)."""
    try:
        return getpass.getuser() or "unknown"
    except Exception:  # no login name in some containers and services
        return "unknown"


def details_text(details: dict[str, Any] | None) -> str | None:
    """The JSON text stored for ``details`` (sorted keys, compact), or None. Keys whose value is None are
    left out (an absent key reads "not given"; the log never shows ``override_reason=None``)."""
    if details is None:
        return None
    details = {k: v for k, v in details.items() if v is not None}
    text = json.dumps(details, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    if len(text) > MAX_DETAILS_CHARS:
        raise WorkbenchError(f"Audit details of {len(text):,} characters: keep them to ids, counts and hashes.")
    return text


def record(conn: duckdb.DuckDBPyConnection, action: str, target: str | None = None,
           details: dict[str, Any] | None = None, actor: str | None = None) -> int:
    """Append one row to the audit log; returns its id.

    Call it inside the transaction of the operation it records (``store.transaction()``), after the
    operation's own writes, so the row exists exactly when the operation does. ``action`` is a dotted
    name (``load``, ``suppression.add``, ``erasure``, ``match.run``, ``export`` ...), ``target`` what
    it acted on (a source, a selection, an id), ``details`` a small JSON object of ids, counts, file
    names and hashes: never names, emails, phones or addresses.
    """
    if not action or not isinstance(action, str):
        raise ValueError("an audit row needs an action")
    last = rows(conn, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
    row_id = last[0]["id"] + 1 if last else 1
    prev = last[0]["hash"] if last else GENESIS
    at = clock.now()
    who = actor if actor is not None else actor_name()
    text = details_text(details)
    target = None if target is None else str(target)
    digest = row_hash(prev, row_id, at, action, who, target, text)
    run(conn, "INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [row_id, at, action, who, target, text, prev, digest])
    return row_id


def _filters(since: date | datetime | str | None, action: str | None,
             target: str | None) -> tuple[str, list[Any]]:
    conds, params = [], []
    if since is not None:
        conds.append("logged_at >= CAST(? AS TIMESTAMP)")
        params.append(str(since))
    if action:
        conds.append("(action = ? OR action LIKE ? || '.%')")
        params += [action, action]
    if target:
        conds.append("target = ?")
        params.append(target)
    return ("WHERE " + " AND ".join(conds)) if conds else "", params


def audit_entries(conn: duckdb.DuckDBPyConnection, since: date | datetime | str | None = None,
                  action: str | None = None, target: str | None = None, limit: int | None = 200,
                  offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Audit rows, newest first, and how many match in all. ``action`` matches itself and its dotted
    children (``suppression`` finds ``suppression.add`` and ``suppression.remove``); ``since`` is a date
    or timestamp (inclusive). ``details`` comes back parsed."""
    where, params = _filters(since, action, target)
    try:
        total = scalar(conn, f"SELECT count(*) FROM audit_log {where}", params)
        page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
        found = rows(conn, f"SELECT id, logged_at, action, actor, target, details, hash FROM audit_log {where} "
                           f"ORDER BY id DESC{page}", params)
    except duckdb.ConversionException:
        raise WorkbenchError(f"{since!r} is not a date.", "Use YYYY-MM-DD (or YYYY-MM-DD HH:MM).") from None
    for r in found:
        r["details"] = json.loads(r["details"]) if r["details"] else {}
    return found, total


def audit_actions(conn: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Each action in the log with its count and last time."""
    return rows(conn, "SELECT action, count(*) AS n, max(logged_at) AS last_at FROM audit_log GROUP BY action "
                      "ORDER BY action")


@dataclass
class ChainCheck:
    """The result of checking the whole log: its hash chain, its numbering and its completeness."""

    rows: int
    ok: bool
    head_hash: str  # the last row's hash: note it elsewhere to detect a rewrite of the whole chain
    # first problems: {id, problem}, plus ``where`` (rows 4-9, loads ...) when the problem is not one row's
    broken: list[dict[str, Any]] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)  # rows of loads / exports / erasures matched to the log

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "ok": self.ok, "head_hash": self.head_hash, "broken": self.broken,
                "checked": self.checked}


# Operations kept in their own tables, each of which must have its audit row: (what, table, id column, SQL of
# the audit row's id for it). ``erasure_tombstones`` carry their audit row's id; loads and exports are found
# by the id in their audit row's details.
_COVERED = (
    ("load", "loads", "load_id", "TRY_CAST(json_extract_string(a.details, '$.load_id') AS BIGINT)", "load"),
    ("export", "exports", "export_id", "TRY_CAST(json_extract_string(a.details, '$.export_id') AS BIGINT)",
     "export"),
)


def verify_chain(conn: duckdb.DuckDBPyConnection, show: int = 20) -> ChainCheck:
    """Check the whole log, set-based:

    - every row's hash and link: a changed row fails its own hash; a removed or inserted row breaks the
      link of the next one (its ``prev_hash`` is not the hash of the row numbered just before it);
    - the numbering: ids run 1, 2, 3 ... with no id twice (a replayed copy of a row keeps a valid hash and
      link, so only its repeated id shows it) and none missing;
    - completeness: every load, export and erasure recorded in its own table has its audit row (a log
      emptied or cut short keeps a valid chain; the operations it lost still show in their tables).
    What it cannot see: the newest rows removed when no load, export or erasure came after them; compare
    ``head_hash`` with a copy noted elsewhere for that.
    """
    show = max(1, int(show))
    broken: list[dict[str, Any]] = []
    for r in rows(conn, f"""
        SELECT id, CASE WHEN hash IS DISTINCT FROM expected THEN 'row changed (its hash does not match its fields)'
                        ELSE 'chain broken before this row (a row removed, inserted or changed)' END AS problem
        FROM (SELECT a.id, a.hash, a.prev_hash, {row_hash_sql('a')} AS expected,
                     coalesce(b.hash, '{GENESIS}') AS previous
              FROM audit_log a LEFT JOIN audit_log b ON b.id = a.id - 1)
        WHERE hash IS DISTINCT FROM expected OR prev_hash IS DISTINCT FROM previous
        ORDER BY id LIMIT {show}"""):
        broken.append({"id": r["id"], "problem": r["problem"]})
    for r in rows(conn, f"SELECT id, count(*) AS n FROM audit_log GROUP BY id HAVING count(*) > 1 ORDER BY id "
                        f"LIMIT {show}"):
        broken.append({"id": r["id"], "problem": f"id {r['id']} is there {r['n']} times (a row replayed or copied)"})
    for r in rows(conn, f"""SELECT prev + 1 AS first, id - 1 AS last FROM (
            SELECT id, coalesce(lag(id) OVER (ORDER BY id), 0) AS prev FROM (SELECT DISTINCT id FROM audit_log))
        WHERE id > prev + 1 ORDER BY id LIMIT {show}"""):
        span = f"row {r['first']}" if r["first"] == r["last"] else f"rows {r['first']}-{r['last']}"
        broken.append({"id": r["last"] + 1, "where": span,
                       "problem": f"{span} missing (ids must run 1, 2, 3 ... without gaps)"})
    checked = _check_coverage(conn, broken, show)
    broken.sort(key=lambda b: (b["id"] is None, b["id"] or 0))
    head = rows(conn, "SELECT count(*) AS n, arg_max(hash, id) AS head FROM audit_log")[0]
    return ChainCheck(rows=head["n"], ok=not broken, head_hash=head["head"] or GENESIS, broken=broken[:show],
                      checked=checked)


def _check_coverage(conn: duckdb.DuckDBPyConnection, broken: list[dict[str, Any]], show: int) -> dict[str, int]:
    """Add a problem for each kind of operation whose table holds rows without their audit row."""
    base = {r["what"]: r["last_unaudited"] for r in rows(conn, "SELECT what, last_unaudited FROM audit_baseline")} \
        if has_relation(conn, "audit_baseline") else {}
    checked: dict[str, int] = {}
    for what, table, key, audit_key, action in _COVERED:
        if not has_relation(conn, table):
            continue
        after = int(base.get(table, 0))
        found = rows(conn, f"""SELECT count(*) AS total, count(*) FILTER (WHERE NOT audited) AS missing,
                list({key} ORDER BY {key}) FILTER (WHERE NOT audited)[:{int(show)}] AS ids
            FROM (SELECT t.{key}, EXISTS (SELECT 1 FROM audit_log a WHERE a.action = ? AND {audit_key} = t.{key})
                         AS audited
                  FROM {table} t WHERE t.{key} > ?)""", [action, after])[0]
        checked[table] = found["total"]
        if found["missing"]:
            broken.append({"id": None, "where": table, "problem": _missing(what, table, found)})
    if has_relation(conn, "erasure_tombstones"):
        found = rows(conn, f"""SELECT count(DISTINCT t.audit_id) AS total,
                count(DISTINCT t.audit_id) FILTER (WHERE a.id IS NULL) + count(*) FILTER (WHERE t.audit_id IS NULL)
                    AS missing,
                list(DISTINCT t.audit_id ORDER BY t.audit_id) FILTER (WHERE a.id IS NULL)[:{int(show)}] AS ids
            FROM erasure_tombstones t
            LEFT JOIN (SELECT DISTINCT id FROM audit_log WHERE action = 'erasure') a ON a.id = t.audit_id""")[0]
        checked["erasures"] = found["total"]
        if found["missing"]:
            broken.append({"id": None, "where": "erasure_tombstones", "problem": (
                f"{found['missing']:,} erasure(s) kept in erasure_tombstones have no 'erasure' row in the log "
                f"(audit ids {', '.join(map(str, found['ids'] or []))}): rows were removed from the log")})
    return checked


def has_relation(conn: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(scalar(conn, "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main' "
                             "AND NOT temporary", [name]))


def _missing(what: str, table: str, found: dict[str, Any]) -> str:
    ids = ", ".join(map(str, found["ids"] or []))
    more = " ..." if found["missing"] > len(found["ids"] or []) else ""
    whole = " (every one of them: the log was emptied)" if found["missing"] == found["total"] else ""
    return (f"{found['missing']:,} of {found['total']:,} {table} have no '{what}' row in the log{whole}: "
            f"{what} {ids}{more}; rows were removed from the log or it was cut short")
