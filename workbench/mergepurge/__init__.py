"""Merge/purge: the prospect lists of one mailing combined, purged and de-duplicated, with the net-name report.

Public surface:

- :func:`run_mergepurge(store, RUN.toml, out, force=, dry_run=, no_seeds=) -> MergePurgeResult`: one run
  (the lists in priority order; house-file matches removed or flagged; every suppression; duplicates to
  the list of highest priority, one per person or household); the file, ``FILE.report.json`` and the
  records of the run, all or nothing.
- :func:`parse_run_toml`, :class:`MergePurgeRun`: the run's definition.
- :func:`mark_responders(conn) -> int`: persons who came from a list (``customer_origins``).
- :func:`list_runs(conn)`, :func:`prospect_lists(conn)`: what the TUI and ``workbench mergepurge lists`` show.

Prospects are a source kind (``kind = "prospects"``: supplier, one_time, expires, cpm); their rows live
in ``prospects`` and are never linked to persons. See docs/mergepurge.md.
"""

from __future__ import annotations

from typing import Any

import duckdb

from workbench.mergepurge.definition import MergePurgeRun, parse_run_text, parse_run_toml
from workbench.mergepurge.origins import mark_responders, origins_by_list
from workbench.mergepurge.report import ListReport, report_lines
from workbench.mergepurge.run import MergePurgeResult, run_mergepurge
from workbench.store.sql import rows


def list_runs(conn: duckdb.DuckDBPyConnection, limit: int = 50) -> list[dict[str, Any]]:
    return rows(
        conn,
        f"""SELECT run_id, name, channel, brand, file, rows_written, seeds, owner_seeds, no_seeds, run_at,
                                run_by FROM mergepurge_runs ORDER BY run_id DESC LIMIT {int(limit)}""",
    )


def prospect_lists(conn: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every prospects source with its terms, its current delivery and its earlier one-time uses."""
    found = rows(
        conn,
        """SELECT s.name, s.definition, p.names, p.seeds, p.load_id,
            (SELECT count(*) FROM mergepurge_lists l WHERE l.source = s.name AND l.load_id = p.load_id) AS uses
        FROM sources s LEFT JOIN (SELECT source, count(*) AS names, count(*) FILTER (WHERE is_seed) AS seeds,
                                         max(load_id) AS load_id FROM prospects GROUP BY source) p ON p.source = s.name
        WHERE s.kind = 'prospects' ORDER BY s.name""",
    )
    import json

    out = []
    for r in found:
        d = json.loads(r.pop("definition") or "{}")
        out.append(
            {
                **r,
                "supplier": d.get("supplier"),
                "one_time": d.get("one_time"),
                "expires": d.get("expires"),
                "cpm": d.get("cpm"),
            }
        )
    return out


__all__ = [
    "ListReport",
    "MergePurgeResult",
    "MergePurgeRun",
    "list_runs",
    "mark_responders",
    "origins_by_list",
    "parse_run_text",
    "parse_run_toml",
    "prospect_lists",
    "report_lines",
    "run_mergepurge",
]
