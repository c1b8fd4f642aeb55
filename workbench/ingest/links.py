"""Linking activity (transactions, events, loaded contact history) to people records.

An activity row's ``source_key`` is the buyer's key in a people source: the activity source's
``people_source``, or, when it names none, any people source holding that key (the best priority wins).
``record_id`` is filled at load time and again whenever a people source loads, so orders that arrive
before their customer are linked later. Persons are reached through ``person_records``.
"""

from __future__ import annotations

import duckdb

from workbench.ingest.sources import Source
from workbench.store.sql import run

ACTIVITY_TABLES = {"transactions": "transactions", "events": "events", "contacts": "contact_history"}


def _link(conn: duckdb.DuckDBPyConnection, table: str, activity_source: str, people_source: str | None) -> None:
    if people_source:
        run(conn, f"""UPDATE {table} t SET record_id = r.record_id FROM records r
            WHERE t.source = ? AND t.record_id IS NULL AND t.source_key IS NOT NULL
              AND r.source = ? AND r.source_key = t.source_key""", [activity_source, people_source])
        return
    run(conn, f"""UPDATE {table} t SET record_id = best.record_id FROM (
            SELECT r.source_key, arg_min(r.record_id, coalesce(s.priority, 999)) AS record_id
            FROM records r LEFT JOIN sources s ON s.name = r.source
            WHERE r.source_key IN (SELECT source_key FROM {table} WHERE source = ? AND record_id IS NULL)
            GROUP BY r.source_key) best
        WHERE t.source = ? AND t.record_id IS NULL AND t.source_key = best.source_key""",
        [activity_source, activity_source])


def link_activity(conn: duckdb.DuckDBPyConnection, source: Source) -> None:
    """After a load of ``source``: link its activity rows, or (a people source) the activity waiting for it."""
    if source.kind in ACTIVITY_TABLES:
        _link(conn, ACTIVITY_TABLES[source.kind], source.name, source.people_source)
    elif source.kind == "people":
        from workbench.store.sql import rows

        for other in rows(conn, "SELECT name, kind, people_source FROM sources WHERE kind IN "
                                "('transactions', 'events', 'contacts') AND (people_source = ? OR people_source IS NULL)",
                          [source.name]):
            _link(conn, ACTIVITY_TABLES[other["kind"]], other["name"], other["people_source"])
