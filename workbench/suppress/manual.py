"""Opt-outs an operator adds by hand (a customer who phoned, a letter, a complaint), kept with reason and time.

A manual opt-out names the contact by email, phone, a person id, a name and address, or an address
alone (everyone at it); it goes into the same matching as the loaded suppression files, under the
suppression name ``manual``. Removing one keeps it, marked removed, so the history stays.
"""

from __future__ import annotations

from typing import Any

import duckdb

from workbench import audit, clock
from workbench.errors import NotFoundError, WorkbenchError
from workbench.ingest.fields import CHANNELS
from workbench.store.sql import rows, run, scalar
from workbench.suppress.build import manual_suppression_persons

MANUAL_COLUMNS = ("manual_id", "channel", "brand", "reason", "email", "phone", "person_id", "first_name",
                  "last_name", "address_line1", "postal_code", "effective_date", "added_at", "added_by",
                  "removed_at", "removed_reason")


def _blank(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def add_manual_suppression(conn: duckdb.DuckDBPyConnection, *, email: str | None = None, phone: str | None = None,
                           person_id: int | None = None, first_name: str | None = None,
                           last_name: str | None = None, address_line1: str | None = None,
                           postal_code: str | None = None, channel: str, brand: str | None = None, reason: str,
                           effective_date: Any = None, added_by: str | None = None) -> dict[str, Any]:
    """Add one opt-out; returns the stored row (with ``manual_id``, ``match_on``: the rules it uses, and
    ``persons``: the person ids it reaches now).

    Give at least one of: ``email``, ``phone``, ``person_id``, or ``address_line1`` + ``postal_code``
    (with ``last_name``: that person at the address, name_address rule; without: everyone at it).
    ``effective_date`` defaults to today; a later date makes it apply from that date.
    """
    channel = (_blank(channel) or "").lower()
    if channel not in CHANNELS:
        raise WorkbenchError(f"{channel or '(blank)'!r} is not a channel.", f"Use one of: {', '.join(CHANNELS)}.",
                             field="channel")
    reason = _blank(reason)
    if not reason:
        raise WorkbenchError("A manual opt-out needs a reason.", "Say why, e.g. \"phoned the call centre\".",
                             field="reason")
    brand = (_blank(brand) or "").lower() or None
    email, phone, first_name, last_name = map(_blank, (email, phone, first_name, last_name))
    address_line1, postal_code = _blank(address_line1), _blank(postal_code)
    std = rows(conn, """SELECT wb_email(?) AS email_std, wb_phone(?) AS phone_std, wb_name_key(?) AS first_name_key,
            wb_first_name_root(wb_name_key(?)) AS first_name_root, wb_name_key(?) AS last_name_key,
            wb_addr_street(?, NULL) AS addr_street, wb_addr_unit(?, NULL) AS addr_unit,
            wb_addr_key(?, NULL, ?) AS addr_key, wb_zip5(?) AS zip5, wb_date(?) AS effective_date""",
               [email, phone, first_name, first_name, last_name, address_line1, address_line1, address_line1,
                postal_code, postal_code, None if effective_date is None else str(effective_date)])[0]
    if email and not std["email_std"]:
        raise WorkbenchError(f"{email!r} is not a usable email address.", field="email")
    if phone and not std["phone_std"]:
        raise WorkbenchError(f"{phone!r} is not a usable phone number.", "Give 10 digits (any format).", field="phone")
    if (address_line1 or postal_code) and not (std["addr_street"] and std["zip5"]):
        raise WorkbenchError("The address needs a street line and a ZIP code that can be read.",
                             field="address_line1" if not std["addr_street"] else "postal_code")
    if last_name and not std["last_name_key"]:
        raise WorkbenchError(f"{last_name!r} is not a usable last name.", field="last_name")
    if effective_date is not None and std["effective_date"] is None:
        raise WorkbenchError(f"{effective_date!r} is not a date.", "Use YYYY-MM-DD.", field="effective_date")
    record_ids = None
    if person_id is not None:
        record_ids = [r["record_id"] for r in rows(
            conn, "SELECT record_id FROM person_records WHERE person_id = ? ORDER BY record_id", [int(person_id)])]
        if not record_ids:
            raise NotFoundError(f"There is no person {person_id}.", "Find the person id in the Persons screen.",
                                field="person_id")
    if not (std["email_std"] or std["phone_std"] or record_ids or std["addr_street"]):
        raise WorkbenchError("Say who opts out: an email, a phone, a person id, or an address with a ZIP code.")
    if first_name and not last_name:
        raise WorkbenchError("A first name needs a last name (and an address) to match anyone.", field="last_name")
    if last_name and not std["addr_street"]:
        raise WorkbenchError("A name matches only with an address and ZIP code (name_address rule).",
                             field="address_line1")
    now = clock.now()
    manual_id = (scalar(conn, "SELECT coalesce(max(manual_id), 0) FROM manual_suppressions") or 0) + 1
    run(conn, """INSERT INTO manual_suppressions (manual_id, channel, brand, reason, email, phone, person_id,
            record_ids, first_name, last_name, address_line1, postal_code, email_std, phone_std, first_name_key,
            first_name_root, last_name_key, addr_street, addr_unit, addr_key, zip5, effective_date, added_at,
            added_by)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [manual_id, channel, brand, reason, email, phone, person_id, record_ids, first_name, last_name,
         address_line1, postal_code, std["email_std"], std["phone_std"], std["first_name_key"],
         std["first_name_root"], std["last_name_key"], std["addr_street"], std["addr_unit"], std["addr_key"],
         std["zip5"], std["effective_date"] or now.date(), now, added_by])
    added = {**get_manual_suppression(conn, manual_id), "persons": manual_suppression_persons(conn, manual_id)}
    audit.record(conn, "suppression.add", f"manual {manual_id}", {  # the rules, not the contact details
        "manual_id": manual_id, "channel": channel, "brand": brand, "match_on": added["match_on"],
        "persons": len(added["persons"]), "effective_date": added["effective_date"]})
    return added


def _match_on(row: dict[str, Any]) -> list[str]:
    out = [k for k, col in (("email", "email"), ("phone", "phone"), ("person", "person_id")) if row.get(col) is not None]
    if row.get("address_line1"):
        out.append("name_address" if row.get("last_name") else "address")
    return out


def get_manual_suppression(conn: duckdb.DuckDBPyConnection, manual_id: int) -> dict[str, Any]:
    found = rows(conn, f"SELECT {', '.join(MANUAL_COLUMNS)} FROM manual_suppressions WHERE manual_id = ?",
                 [manual_id])
    if not found:
        raise NotFoundError(f"There is no manual opt-out {manual_id}.")
    return {**found[0], "match_on": _match_on(found[0])}


def list_manual_suppressions(conn: duckdb.DuckDBPyConnection, include_removed: bool = False,
                             limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
    """Manual opt-outs, newest first (``match_on`` lists the rules each uses)."""
    where = "" if include_removed else "WHERE removed_at IS NULL"
    page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
    found = rows(conn, f"SELECT {', '.join(MANUAL_COLUMNS)} FROM manual_suppressions {where} "
                       f"ORDER BY added_at DESC, manual_id DESC{page}")
    return [{**r, "match_on": _match_on(r)} for r in found]


def count_manual_suppressions(conn: duckdb.DuckDBPyConnection, include_removed: bool = False) -> int:
    """How many manual opt-outs there are (in effect, or all with ``include_removed``)."""
    where = "" if include_removed else "WHERE removed_at IS NULL"
    return int(scalar(conn, f"SELECT count(*) FROM manual_suppressions {where}"))


def remove_manual_suppression(conn: duckdb.DuckDBPyConnection, manual_id: int, reason: str) -> dict[str, Any]:
    """Withdraw a manual opt-out (kept, marked removed with the reason and time)."""
    if not _blank(reason):
        raise WorkbenchError("Removing an opt-out needs a reason.")
    row = get_manual_suppression(conn, manual_id)
    if row["removed_at"] is not None:
        raise WorkbenchError(f"Manual opt-out {manual_id} was already removed on {row['removed_at']:%Y-%m-%d}.")
    run(conn, "UPDATE manual_suppressions SET removed_at = ?, removed_reason = ? WHERE manual_id = ?",
        [clock.now(), _blank(reason), manual_id])
    audit.record(conn, "suppression.remove", f"manual {manual_id}", {
        "manual_id": manual_id, "channel": row["channel"], "brand": row["brand"], "match_on": row["match_on"]})
    return get_manual_suppression(conn, manual_id)
