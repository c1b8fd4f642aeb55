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
    """The JSON text stored for ``details`` (sorted keys, compact), or None."""
    if details is None:
        return None
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
    """The result of checking the hash chain of the whole log."""

    rows: int
    ok: bool
    head_hash: str  # the last row's hash: note it elsewhere to detect a rewrite of the whole chain
    broken: list[dict[str, Any]] = field(default_factory=list)  # first problems: id, problem

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "ok": self.ok, "head_hash": self.head_hash, "broken": self.broken}


def verify_chain(conn: duckdb.DuckDBPyConnection, show: int = 20) -> ChainCheck:
    """Recompute every row's hash and link in one query. A changed row fails its own hash; a removed or
    inserted row breaks the link of the next one (its ``prev_hash`` is not the hash of the row numbered
    just before it)."""
    found = rows(conn, f"""
        SELECT id, CASE WHEN hash IS DISTINCT FROM expected THEN 'row changed (its hash does not match its fields)'
                        ELSE 'chain broken before this row (a row removed, inserted or changed)' END AS problem
        FROM (SELECT a.id, a.hash, a.prev_hash, {row_hash_sql('a')} AS expected,
                     coalesce(b.hash, '{GENESIS}') AS previous
              FROM audit_log a LEFT JOIN audit_log b ON b.id = a.id - 1)
        WHERE hash IS DISTINCT FROM expected OR prev_hash IS DISTINCT FROM previous
        ORDER BY id LIMIT {int(show)}""")
    head = rows(conn, "SELECT count(*) AS n, arg_max(hash, id) AS head FROM audit_log")[0]
    broken = [{"id": r["id"], "problem": r["problem"]} for r in found]
    return ChainCheck(rows=head["n"], ok=not broken, head_hash=head["head"] or GENESIS, broken=broken)
