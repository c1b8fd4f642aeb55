"""What the suppressions are and whom they remove: the summary, the ones a selection must apply, a check.

Which suppressions apply to a selection: the channel's own entries and the ``all`` ones; global entries
and those scoped to the selection's brand. A selection without a brand (a company-wide mailing) gets
every brand's entries too: someone who opted out of one brand's mail gets no unbranded mail either.
"""

from __future__ import annotations

from typing import Any

import duckdb

from workbench.errors import WorkbenchError
from workbench.ingest.fields import CHANNELS
from workbench.store.sql import rows
from workbench.suppress.build import ERASURE, MANUAL, NCOA_STEP, ensure_person_suppressions, has_relation

SELECTION_CHANNELS = ("mail", "email", "phone")


def _check_channel(channel: str) -> str:
    ch = (channel or "").strip().lower()
    if ch not in SELECTION_CHANNELS:
        raise WorkbenchError(f"{channel!r} is not a selection channel.", f"Use one of: {', '.join(SELECTION_CHANNELS)}.")
    return ch


def suppression_filter(channel: str, brand: str | None, alias: str = "ps") -> tuple[str, list[Any]]:
    """SQL condition (and its parameters) over a ``person_suppressions`` alias: the rows that apply to a
    selection of ``channel`` and ``brand``. Use it to remove persons, one suppression at a time or all."""
    ch = _check_channel(channel)
    cond = f"{alias}.channel IN (?, 'all')"
    params: list[Any] = [ch]
    if brand:
        cond += f" AND ({alias}.brand IS NULL OR {alias}.brand = ?)"
        params.append(brand.strip().lower())
    return cond, params


def suppressed_persons_sql(channel: str, brand: str | None, names: list[str] | None = None) -> tuple[str, list[Any]]:
    """``SELECT DISTINCT person_id`` of the persons the named suppressions (default: all that apply)
    remove from a selection of ``channel`` / ``brand``, with its parameters."""
    cond, params = suppression_filter(channel, brand)
    if names is not None:
        cond += f" AND ps.suppression IN ({', '.join('?' for _ in names) or 'NULL'})"
        params += list(names)
    return f"SELECT DISTINCT ps.person_id FROM person_suppressions ps WHERE {cond}", params


def _entries_by_name(conn: duckdb.DuckDBPyConnection, channel: str | None, brand: str | None) -> dict[str, int]:
    """Entries in effect per suppression name (loaded and manual), optionally only those that apply."""
    cond, params = ("true", []) if channel is None else suppression_filter(channel, brand, alias="e")
    today = [_today()]
    found = rows(conn, f"""SELECT name, sum(n)::BIGINT AS n FROM (
            SELECT e.source AS name, count(*) AS n FROM suppression_entries e
            WHERE (e.effective_date IS NULL OR e.effective_date <= ?) AND {cond} GROUP BY ALL
            UNION ALL
            SELECT '{MANUAL}', count(*) FROM manual_suppressions e
            WHERE e.removed_at IS NULL AND (e.effective_date IS NULL OR e.effective_date <= ?) AND {cond}
            {_tombstone_entries(conn, cond)}
        ) GROUP BY name""", today + params + today + params + (params if _has_tombstones(conn) else []))
    return {r["name"]: r["n"] for r in found}


def _has_tombstones(conn: duckdb.DuckDBPyConnection) -> bool:
    from workbench.privacy.tombstones import has_tombstones

    return has_tombstones(conn)


def _tombstone_entries(conn: duckdb.DuckDBPyConnection, cond: str) -> str:
    if not _has_tombstones(conn):
        return ""
    return f"UNION ALL SELECT '{ERASURE}', count(*) FROM erasure_tombstones e WHERE {cond}"


def _tombstone_stats(conn: duckdb.DuckDBPyConnection) -> str:
    if not _has_tombstones(conn):
        return ""
    return f"""
        UNION ALL
        SELECT '{ERASURE}', count(*), 0, min(erased_at)::DATE, max(erased_at)::DATE,
               list(DISTINCT channel ORDER BY channel), list(DISTINCT brand ORDER BY brand),
               count(*) FILTER (WHERE brand IS NULL)
        FROM erasure_tombstones"""


def _today():
    from workbench import clock

    return clock.now().date()


def applicable_suppressions(conn: duckdb.DuckDBPyConnection, channel: str, brand: str | None) -> list[dict[str, Any]]:
    """The suppressions a selection of ``channel`` (mail | email | phone) and ``brand`` must apply, by
    name: ``[{name, channel, brand, reason, match_on, entries, persons}]`` where ``entries`` are the
    entries in effect that apply and ``persons`` the persons they remove (overlaps counted in each).
    Always lists ``manual`` (and ``ncoa_undeliverable`` for mail when households are installed), so
    a selection's list of steps does not change shape when one becomes empty."""
    ch = _check_channel(channel)
    ensure_person_suppressions(conn)
    cond, params = suppression_filter(ch, brand)
    persons = {r["suppression"]: r["n"] for r in rows(
        conn, f"SELECT suppression, count(DISTINCT person_id) AS n FROM person_suppressions ps WHERE {cond} "
              "GROUP BY suppression", params)}
    entries = _entries_by_name(conn, ch, brand)
    defined = {r["name"]: r for r in rows(conn, "SELECT name, channel, brand, reason, match_on FROM sources "
                                                "WHERE kind = 'suppression'")}
    out = []
    names = set(entries) | set(persons) | {MANUAL}
    if _has_tombstones(conn):
        names.add(ERASURE)  # listed once any exists: an erasure is an absolute objection (never overridden)
    names |= {n for n, d in defined.items() if d["channel"] in (ch, "all") and (not brand or not d["brand"]
                                                                               or d["brand"] == brand.lower())}
    if ch == "mail" and has_relation(conn, "person_deliverability"):
        names.add(NCOA_STEP)
    for name in sorted(names):
        d = defined.get(name) or _builtin(name)
        out.append({"name": name, "channel": d["channel"], "brand": d["brand"], "reason": d["reason"],
                    "match_on": d["match_on"], "entries": entries.get(name, 0), "persons": persons.get(name, 0)})
    return out


def _builtin(name: str) -> dict[str, Any]:
    if name == MANUAL:
        return {"channel": "any", "brand": None, "reason": "opt-out added by hand", "match_on": "email, phone, "
                "person, name_address, address"}
    if name == ERASURE:
        return {"channel": "all", "brand": None, "reason": "erased on request (tombstone)",
                "match_on": "tombstone: email, phone, name_address (salted hashes)"}
    if name == NCOA_STEP:
        return {"channel": "mail", "brand": None, "reason": "moved, no new address (NCOA 01/02/03)",
                "match_on": "ncoa (households)"}
    return {"channel": "any", "brand": None, "reason": name, "match_on": "-"}


def suppression_summary(conn: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """One row per suppression (every suppression source, ``manual``, ``ncoa_undeliverable`` and any
    other name in person_suppressions): channel, brand, scope (the source's brand, else "global" and/or the
    brands its rows name), match rule, reason, entries in effect,
    entries not yet in effect, persons removed (any channel or brand), last load, effective dates range."""
    ensure_person_suppressions(conn)
    persons = {r["suppression"]: r["n"] for r in rows(
        conn, "SELECT suppression, count(DISTINCT person_id) AS n FROM person_suppressions GROUP BY ALL")}
    today = _today()
    stats = {r["name"]: r for r in rows(conn, """
        SELECT source AS name, count(*) FILTER (WHERE effective_date IS NULL OR effective_date <= ?) AS entries,
               count(*) FILTER (WHERE effective_date > ?) AS future, min(effective_date) AS first_effective,
               max(effective_date) AS last_effective,
               list(DISTINCT channel ORDER BY channel) AS channels, list(DISTINCT brand ORDER BY brand) AS brands,
               count(*) FILTER (WHERE brand IS NULL) AS global_entries
        FROM suppression_entries GROUP BY source
        UNION ALL
        SELECT 'manual', count(*) FILTER (WHERE effective_date IS NULL OR effective_date <= ?),
               count(*) FILTER (WHERE effective_date > ?), min(effective_date), max(effective_date),
               list(DISTINCT channel ORDER BY channel), list(DISTINCT brand ORDER BY brand),
               count(*) FILTER (WHERE brand IS NULL)
        FROM manual_suppressions WHERE removed_at IS NULL""" + _tombstone_stats(conn), [today, today, today, today])}
    loads = {r["source"]: r for r in rows(conn, """SELECT source, arg_max(load_id, load_id) AS last_load_id,
            max(finished_at) AS last_loaded_at, arg_max(file, load_id) AS last_file
        FROM loads WHERE status = 'loaded' GROUP BY source""")}
    defined = {r["name"]: r for r in rows(conn, "SELECT name, channel, brand, reason, match_on FROM sources "
                                                "WHERE kind = 'suppression'")}
    names = set(defined) | set(persons) | {MANUAL}
    if has_relation(conn, "person_deliverability"):
        names.add(NCOA_STEP)
    if _has_tombstones(conn):
        names.add(ERASURE)
    out = []
    for name in sorted(names):
        d = defined.get(name) or _builtin(name)
        s = stats.get(name, {})
        ld = loads.get(name, {})
        brands = [b for b in s.get("brands") or [] if b]
        scope = d["brand"] or ", ".join((["global"] if s.get("global_entries") or not brands else []) + brands)
        out.append({
            "name": name, "channel": d["channel"], "brand": d["brand"], "scope": scope, "match_on": d["match_on"],
            "reason": d["reason"], "entries": s.get("entries") or 0, "entries_future": s.get("future") or 0,
            "persons": persons.get(name, 0),
            "row_channels": [c for c in s.get("channels") or [] if c], "row_brands": brands,
            "first_effective": s.get("first_effective"), "last_effective": s.get("last_effective"),
            "last_load_id": ld.get("last_load_id"), "last_loaded_at": ld.get("last_loaded_at"),
            "last_file": ld.get("last_file"), "kind": "source" if name in defined else "built-in",
        })
    return out


def check_contact(conn: duckdb.DuckDBPyConnection, *, email: str | None = None, phone: str | None = None,
                  person_id: int | None = None) -> dict[str, Any]:
    """Is this contact suppressed, and by what: the entries that name the email or phone directly
    (including ones not in effect yet), and every person holding it with their suppressions (each with
    ``matched_by``, the rule, and ``explanation``: which list entry reached which record, and how);
    ``by_channel`` (bool) and ``brands_by_channel`` (["every brand"] or the brands) sum them up."""
    if not (email or phone or person_id is not None):
        raise WorkbenchError("Give an email, a phone or a person id to check.")
    ensure_person_suppressions(conn)
    std = rows(conn, "SELECT wb_email(?) AS email_std, wb_phone(?) AS phone_std", [email, phone])[0]
    if email and not std["email_std"]:
        raise WorkbenchError(f"{email!r} is not a usable email address.")
    if phone and not std["phone_std"]:
        raise WorkbenchError(f"{phone!r} is not a usable phone number.")
    today = _today()
    entries = rows(conn, """
        SELECT source AS suppression, channel, brand, reason, match_on, effective_date,
               coalesce(effective_date <= ?, true) AS in_effect
        FROM suppression_entries WHERE (email_std = ? AND match_on = 'email') OR (phone_std = ? AND match_on = 'phone')
        UNION ALL
        SELECT 'manual', channel, brand, reason, CASE WHEN email_std = ? THEN 'email' ELSE 'phone' END,
               effective_date, coalesce(effective_date <= ?, true)
        FROM manual_suppressions WHERE removed_at IS NULL AND (email_std = ? OR phone_std = ?)
        ORDER BY 1, 2, 3""", [today, std["email_std"], std["phone_std"], std["email_std"], today,
                               std["email_std"], std["phone_std"]])
    from workbench.privacy.tombstones import contact_tombstones

    entries += [{"suppression": ERASURE, "channel": t["channel"], "brand": None,
                 "reason": "erased on request (tombstone)", "match_on": t["kind"],
                 "effective_date": t["erased_at"].date() if t["erased_at"] else None, "in_effect": True}
                for t in contact_tombstones(conn, std["email_std"], std["phone_std"])]
    holders = rows(conn, """SELECT DISTINCT pr.person_id FROM records r JOIN person_records pr USING (record_id)
        WHERE r.email_std = ? OR r.phone_std = ? UNION SELECT person_id FROM person_records WHERE person_id = ?
        ORDER BY 1 LIMIT 50""", [std["email_std"], std["phone_std"], person_id])
    persons = []
    for h in holders:
        sup = rows(conn, """SELECT suppression, channel, brand, reason, match_on, record_id, effective_date,
                   matched_by, explanation
            FROM person_suppressions WHERE person_id = ? ORDER BY suppression, channel, brand""", [h["person_id"]])
        persons.append({"person_id": h["person_id"], "suppressions": sup})
    scopes: dict[str, set[str]] = {ch: set() for ch in SELECTION_CHANNELS}
    hits = [s for p in persons for s in p["suppressions"]] + [e for e in entries if e["in_effect"]]
    for ch in SELECTION_CHANNELS:
        scopes[ch] = {h["brand"] or "every brand" for h in hits if h["channel"] in (ch, "all")}
    brands = {ch: ["every brand"] if "every brand" in b else sorted(b) for ch, b in scopes.items()}
    by_channel = {ch: bool(b) for ch, b in brands.items()}
    return {"email_std": std["email_std"], "phone_std": std["phone_std"], "person_id": person_id,
            "suppressed": any(by_channel.values()), "by_channel": by_channel, "brands_by_channel": brands,
            "entries": entries, "persons": persons}


__all__ = ["CHANNELS", "applicable_suppressions", "check_contact", "suppressed_persons_sql", "suppression_filter",
           "suppression_summary"]
