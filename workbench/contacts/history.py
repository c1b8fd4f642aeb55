"""Contact history: who was contacted, when, by which brand, channel, campaign and cell.

Rows come from exports (``origin = 'export'``, written by the selections capability with the person)
and from other divisions' systems (``origin = 'load'``, a source of kind ``contacts``), which name the
person by ``source_key`` (linked to a people record at load, see ``workbench.ingest.links``) or by
email (linked here, by :func:`link_contacts`). The person of a row today is the person of its people
record (stable across match runs), else the person the export wrote: view ``contact_history_persons``
column ``contact_person_id``. A person's household is their household of the last households run, or
(before any run, or for a person formed since) the person alone.
"""

from __future__ import annotations

from typing import Any

import duckdb

from workbench.errors import NotFoundError
from workbench.store.sql import rows, run, scalar

# The cell of a row: its cell, else (a loaded row: contacts sources carry no cell) its keycode.
CELL = "coalesce({a}cell, {a}keycode, '(none)')"
PERSON_HISTORY_ROWS = 200  # contact-history rows fetched for one person
CAMPAIGN_PERSONS_PAGE = 200  # persons of a campaign fetched per page


def has_relation(conn: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether a table or view exists in the main schema (another capability's, maybe not built yet)."""
    return bool(scalar(conn, """SELECT (SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'
                                         AND NOT temporary)
                                     + (SELECT count(*) FROM duckdb_views() WHERE view_name = ? AND schema_name = 'main'
                                         AND NOT temporary)""", [name, name]))


def household_join(conn: duckdb.DuckDBPyConnection, person_col: str, alias: str = "hm") -> tuple[str, str]:
    """(``LEFT JOIN ...``, household key expression) giving the household of ``person_col``: the last
    households run's household, else ``-person_id`` (the person alone; negative, so it never collides)."""
    if has_relation(conn, "household_members"):
        return (f"LEFT JOIN household_members {alias} ON {alias}.person_id = {person_col}",
                f"coalesce({alias}.household_id, -{person_col})")
    return "", f"-{person_col}"


def link_contacts(conn: duckdb.DuckDBPyConnection) -> int:
    """Give loaded contact-history rows known only by email the people record holding that email (the
    best-priority source's, then the oldest record). Rows linked by source_key are left alone. Returns
    the number of rows linked; needs a writable connection. Cheap when nothing is pending."""
    pending = scalar(conn, "SELECT count(*) FROM contact_history WHERE record_id IS NULL AND email_std IS NOT NULL "
                           "AND person_id IS NULL")
    if not pending:
        return 0
    before = scalar(conn, "SELECT count(*) FROM contact_history WHERE record_id IS NOT NULL")
    run(conn, """UPDATE contact_history ch SET record_id = best.record_id FROM (
            SELECT r.email_std, arg_min(r.record_id, (coalesce(s.priority, 999), r.record_id)) AS record_id
            FROM records r LEFT JOIN sources s ON s.name = r.source
            WHERE r.email_std IN (SELECT email_std FROM contact_history
                                  WHERE record_id IS NULL AND email_std IS NOT NULL AND person_id IS NULL)
            GROUP BY r.email_std) best
        WHERE ch.record_id IS NULL AND ch.person_id IS NULL AND ch.email_std = best.email_std""")
    return scalar(conn, "SELECT count(*) FROM contact_history WHERE record_id IS NOT NULL") - before


def ensure_contact_links(conn: duckdb.DuckDBPyConnection) -> int:
    """:func:`link_contacts` unless nothing was loaded since the last time (a stamp in ``settings``);
    needs a writable connection. Returns the rows linked now."""
    stamp = str(scalar(conn, "SELECT count(*) || ':' || coalesce(max(load_id), 0) FROM loads"))
    if scalar(conn, "SELECT value FROM settings WHERE key = 'contacts.link_stamp'") == stamp:
        return 0
    linked = link_contacts(conn)
    run(conn, "DELETE FROM settings WHERE key = 'contacts.link_stamp'")
    run(conn, "INSERT INTO settings VALUES ('contacts.link_stamp', ?)", [stamp])
    return linked


def unlinked_contacts(conn: duckdb.DuckDBPyConnection) -> int:
    """Contact-history rows whose person is unknown (no people record with that key or email yet)."""
    return scalar(conn, "SELECT count(*) FROM contact_history_persons WHERE contact_person_id IS NULL") or 0


def list_campaigns(conn: duckdb.DuckDBPyConnection, limit: int | None = None) -> list[dict[str, Any]]:
    """Every campaign, newest first: brand, channel, first and last contact date, cells, contacts made
    and persons held out (control), and where its rows came from (export, load)."""
    found = rows(conn, "SELECT * FROM campaign_summary ORDER BY first_contact DESC, campaign"
                 + (" LIMIT ?" if limit else ""), [limit] if limit else None)
    for c in found:
        c["origins"] = sorted(c["origins"] or [])
    return found


def campaign_cells(conn: duckdb.DuckDBPyConnection, campaign: str) -> list[dict[str, Any]]:
    """The cells of one campaign: keycode, control or not, dates, contacts and persons."""
    found = rows(conn, f"""SELECT {CELL.format(a='')} AS cell, string_agg(DISTINCT keycode, ', ') AS keycode,
               bool_or(is_control) AS is_control, min(contact_date) AS first_contact,
               max(contact_date) AS last_contact, count(*) AS contacts,
               count(DISTINCT contact_person_id) AS persons, count(*) FILTER (WHERE contact_person_id IS NULL) AS unlinked
        FROM contact_history_persons WHERE campaign = ? GROUP BY ALL ORDER BY bool_or(is_control), cell""", [campaign])
    if not found:
        raise campaign_not_found(conn, campaign)
    return found


def campaign_persons(conn: duckdb.DuckDBPyConnection, campaign: str, cell: str | None = None,
                     offset: int = 0, limit: int = CAMPAIGN_PERSONS_PAGE) -> tuple[list[dict[str, Any]], int]:
    """One page of the persons of a campaign (optionally one cell) with their golden name, and the total."""
    cond, params = "ch.campaign = ?", [campaign]
    if cell is not None:
        cond += f" AND {CELL.format(a='ch.')} = ?"
        params.append(cell)
    total = scalar(conn, f"SELECT count(DISTINCT contact_person_id) FROM contact_history_persons ch WHERE {cond}",
                   params)
    page = rows(conn, f"""SELECT ch.contact_person_id AS person_id, any_value({CELL.format(a='ch.')}) AS cell,
               any_value(ch.keycode) AS keycode, bool_or(ch.is_control) AS is_control,
               min(ch.contact_date) AS contact_date, any_value(p.first_name) AS first_name,
               any_value(p.last_name) AS last_name, any_value(p.city) AS city, any_value(p.zip5) AS zip5
        FROM contact_history_persons ch LEFT JOIN persons p ON p.person_id = ch.contact_person_id
        WHERE {cond} AND ch.contact_person_id IS NOT NULL
        GROUP BY ch.contact_person_id ORDER BY ch.contact_person_id LIMIT ? OFFSET ?""", [*params, limit, offset])
    return page, total or 0


def person_contacts(conn: duckdb.DuckDBPyConnection, person_id: int,
                    limit: int = PERSON_HISTORY_ROWS) -> list[dict[str, Any]]:
    """A person's contact history, newest first (through any of their records, or, for rows without a
    record, the person an export wrote)."""
    cols = "contact_date, campaign, brand, channel, cell, keycode, is_control, origin, coalesce(source, 'export') AS source"
    return rows(conn, f"""SELECT * FROM (
            SELECT {cols} FROM contact_history
            WHERE record_id IN (SELECT record_id FROM person_records WHERE person_id = ?)
            UNION ALL
            SELECT {cols} FROM contact_history WHERE record_id IS NULL AND person_id = ?)
        ORDER BY contact_date DESC, campaign LIMIT ?""", [person_id, person_id, limit])


def campaign_not_found(conn: duckdb.DuckDBPyConnection, campaign: str) -> NotFoundError:
    from workbench.contacts.definitions import nearest

    names = [r["campaign"] for r in rows(conn, "SELECT DISTINCT campaign FROM contact_history ORDER BY 1")]
    near = nearest(campaign, names) or nearest(campaign.upper(), names)
    return NotFoundError(f"No contact history for campaign {campaign!r}." + (f" Did you mean {near!r}?" if near else ""),
                         "List the campaigns with `workbench campaigns`.")
