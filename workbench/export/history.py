"""What an export records in the database: the contact history of every person it placed in a cell
(``origin = 'export'``; control cells with ``is_control = true``) and one ``exports`` row."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import duckdb

from workbench import clock
from workbench.export.rows import CELLS
from workbench.select.definition import Selection
from workbench.select.saved import operator_name
from workbench.select.waterfall import PLACED
from workbench.store.sql import run, scalar


def next_export_id(conn: duckdb.DuckDBPyConnection) -> int:
    return (scalar(conn, "SELECT max(export_id) FROM exports") or 0) + 1


def record_contacts(conn: duckdb.DuckDBPyConnection, export_id: int, sel: Selection, campaign: str,
                    contact_date: date) -> int:
    """One contact-history row per person in a cell (needs the TEMP tables of ``rows.load_seeds`` and the
    waterfall). ``record_id`` is the person's first record, so the history follows the person through
    later match runs (view ``contact_history_persons``). Returns the rows written."""
    result = conn.execute(f"""INSERT INTO contact_history (source, load_id, export_id, origin, source_key, record_id,
            email_std, person_id, household_id, campaign, brand, channel, cell, keycode, is_control, contact_date)
        SELECT NULL, NULL, ?, 'export', NULL, a.anchor_record_id, NULL, c.person_id, a.household_id, ?, ?, ?,
               cl.history_cell, cl.history_keycode, NOT cl.contact, ?
        FROM {PLACED} c JOIN {CELLS} cl ON cl.cell_index = c.cell_index
        JOIN person_attributes a ON a.person_id = c.person_id""",
                          [export_id, campaign, sel.brand, sel.channel, contact_date]).fetchall()
    return int(result[0][0]) if result else 0


def record_export(conn: duckdb.DuckDBPyConnection, export_id: int, sel: Selection, campaign: str, data: Any,
                  fmt: str, wf: Any, result: Any, manifest: dict[str, Any]) -> None:
    run(conn, "INSERT INTO exports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [export_id, sel.name, sel.version, campaign, sel.channel, sel.brand, str(data.target), fmt,
         str(data.target) + ".manifest.json", data.sha256, data.rows, wf.net, wf.held_out, result.seeds,
         json.dumps([{"name": c.name, "keycode": c.keycode, "contact": c.contact, "persons": c.persons}
                     for c in wf.cells]),
         json.dumps(wf.to_dict(), default=str), result.allowed_stale or None,
         wf.overrides or None, clock.now(), operator_name(), sum(result.timings.values())])


def list_exports(conn: duckdb.DuckDBPyConnection, selection: str | None = None) -> list[dict[str, Any]]:
    from workbench.store.sql import rows

    cond, params = ("WHERE selection = ?", [selection]) if selection else ("", [])
    return rows(conn, f"""SELECT export_id, selection, version, campaign, channel, brand, file, format, rows_written,
            persons_contacted, persons_held_out, seeds, sha256, exported_at, exported_by, stale_sources, overrides
        FROM exports {cond} ORDER BY export_id DESC""", params)
