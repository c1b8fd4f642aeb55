"""One cheap stamp of the inputs every derived table reads (loads, persons' records, golden records,
households runs, applied moves): it changes whenever one of them does. The attribute tables
(:mod:`workbench.select.attributes`) and the agency traits (:mod:`workbench.appends.traits`) rebuild when
it changes."""

from __future__ import annotations

import duckdb

from workbench import clock
from workbench.store.sql import has_relation, rows


def inputs_stamp(conn: duckdb.DuckDBPyConnection) -> str:
    """Today's date and cheap aggregates over the inputs, joined by ``|``."""
    parts = [
        "(SELECT count(*) || ':' || coalesce(max(load_id), 0) FROM loads)",
        "(SELECT count(*) || ':' || coalesce(sum(hash(record_id, person_id)), 0) FROM person_records)",
        "(SELECT count(*) || ':' || coalesce(max(updated_at)::VARCHAR, '') FROM persons)",
    ]
    if has_relation(conn, "household_runs"):
        parts.append("(SELECT count(*) || ':' || coalesce(max(run_id), 0) FROM household_runs)")
    if has_relation(conn, "applied_moves"):
        parts.append("(SELECT count(*) || ':' || coalesce(max(applied_at)::VARCHAR, '') FROM applied_moves)")
    values = rows(conn, "SELECT " + ", ".join(f"{p} AS p{i}" for i, p in enumerate(parts)))[0]
    return "|".join([str(clock.now().date()), *map(str, values.values())])
