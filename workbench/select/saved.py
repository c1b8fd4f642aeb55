"""Selections kept in the database: the current version of each, every earlier version, logged overrides."""

from __future__ import annotations

import getpass
import json
from typing import Any

import duckdb

from workbench import clock
from workbench.errors import NotFoundError
from workbench.select.definition import Selection, selection_from_json
from workbench.store.sql import rows, run, scalar


def operator_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment (a container, a service)
        return "unknown"


def audit_record(conn: duckdb.DuckDBPyConnection, action: str, target: str, details: dict[str, Any]) -> None:
    """A row in the audit log (workbench.audit), when that capability is installed."""
    try:
        from workbench import audit
    except ImportError:
        return
    audit.record(conn, action, target, details)


def save_selection(conn: duckdb.DuckDBPyConnection, sel: Selection, origin: str) -> dict[str, Any]:
    """Store ``sel`` as a new version when it differs from the current one.

    Returns ``{name, version, status}`` with status ``added``, ``updated`` or ``unchanged``. A version
    that leaves out default suppressions (``override_suppress``) is written to ``selection_overrides``
    with its reason, the operator and the time."""
    now, who = clock.now(), operator_name()
    definition = sel.to_json()
    current = rows(conn, "SELECT version, definition, created_at FROM selections WHERE name = ?", [sel.name])
    if current and json.loads(current[0]["definition"]) == json.loads(definition):
        sel.version = current[0]["version"]
        return {"name": sel.name, "version": sel.version, "status": "unchanged"}
    version = (scalar(conn, "SELECT max(version) FROM selection_versions WHERE name = ?", [sel.name]) or 0) + 1
    toml = sel.to_toml()
    run(conn, "DELETE FROM selections WHERE name = ?", [sel.name])
    run(conn, "INSERT INTO selections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [sel.name, version, sel.channel, sel.brand, sel.priority, sel.description, definition, toml,
         current[0]["created_at"] if current else now, now, who])
    run(conn, "INSERT INTO selection_versions VALUES (?, ?, ?, ?, ?, ?, ?)",
        [sel.name, version, definition, toml, now, who, origin])
    if sel.override_suppress:
        run(conn, "INSERT INTO selection_overrides VALUES (?, ?, ?, ?, ?, ?, ?)",
            [sel.name, version, sel.override_suppress, sel.override_reason, now, who, origin])
    audit_record(conn, "selection.save", sel.name, {
        "version": version, "origin": origin, "channel": sel.channel, "brand": sel.brand,
        "override_suppress": sel.override_suppress or None, "override_reason": sel.override_reason})
    sel.version = version
    return {"name": sel.name, "version": version, "status": "updated" if current else "added"}


def list_selections(conn: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    found = rows(conn, """SELECT s.name, s.version, s.channel, s.brand, s.priority, s.description, s.updated_at,
               s.updated_by, s.definition,
               (SELECT count(*) FROM exports e WHERE e.selection = s.name) AS exports,
               (SELECT max(exported_at) FROM exports e WHERE e.selection = s.name) AS last_export
        FROM selections s ORDER BY s.name""")
    for r in found:
        d = json.loads(r.pop("definition"))
        r["where"] = d.get("where") or ""
        r["cells"] = [c["name"] for c in d.get("cells") or []]
        r["one_per"] = d.get("one_per")
    return found


def selection_names(conn: duckdb.DuckDBPyConnection) -> list[str]:
    return [r["name"] for r in rows(conn, "SELECT name FROM selections ORDER BY name")]


def get_selection(conn: duckdb.DuckDBPyConnection, name: str, version: int | None = None) -> Selection:
    if version is None:
        found = rows(conn, "SELECT definition, version FROM selections WHERE name = ?", [name])
    else:
        found = rows(conn, "SELECT definition, version FROM selection_versions WHERE name = ? AND version = ?",
                     [name, version])
    if not found:
        names = selection_names(conn)
        import difflib

        near = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
        raise NotFoundError(
            f"Unknown selection {name!r}" + (f" (version {version})" if version else "")
            + (f"; did you mean {near[0]!r}?" if near else "."),
            "Selections: " + (", ".join(names) if names else
                              "none yet; add them with `workbench selections import FILE.toml`."))
    return selection_from_json(found[0]["definition"], version=found[0]["version"])


def selection_history(conn: duckdb.DuckDBPyConnection, name: str) -> list[dict[str, Any]]:
    """Every version of ``name`` (newest first) with the override logged with it, if any."""
    get_selection(conn, name)
    return rows(conn, """SELECT v.version, v.saved_at, v.saved_by, v.origin, o.suppressions AS overrides,
               o.reason AS override_reason
        FROM selection_versions v
        LEFT JOIN selection_overrides o ON o.name = v.name AND o.version = v.version
        WHERE v.name = ? ORDER BY v.version DESC""", [name])


def delete_selection(conn: duckdb.DuckDBPyConnection, name: str) -> None:
    """Remove the current version (its history, overrides and exports stay)."""
    get_selection(conn, name)
    run(conn, "DELETE FROM selections WHERE name = ?", [name])
