"""How fresh each source is: age of its data against its cadence, and the volume of its last load.

Status per source (dbt's model): ``fresh`` while the age is under ``warn_after``, ``warn`` until
``error_after``, then ``error``; ``never`` when it was never loaded. The age is measured on the data's
as-of (the latest business date in the extracts) when the source has one, else on the last load time.
A last load far below the median of the source's recent loads (under half), or empty, is a volume
anomaly and makes a fresh source ``warn``.

Exit codes of ``workbench freshness``: 0 all fresh, 1 any warn, 2 any error or never loaded.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import duckdb

from workbench import clock
from workbench.store.sql import rows

HISTORY = 20  # loads kept for the sparkline
VOLUME_WINDOW = 10  # previous loads the median is taken over
LOW_VOLUME = 0.5  # last load under half the median is flagged
RANK = {"fresh": 0, "warn": 1, "error": 2, "never": 2}  # exit codes
_SEVERITY = {"fresh": 0, "warn": 1, "never": 2, "error": 3}  # which status the overall one shows


@dataclass
class SourceFreshness:
    name: str
    kind: str
    cadence: str
    warn_after_s: int
    error_after_s: int
    status: str
    measured_on: str | None = None  # "as_of" | "load"
    last_load_at: datetime | None = None
    as_of: datetime | None = None
    age_s: float | None = None
    loads: int = 0
    last_rows: int | None = None
    median_rows: float | None = None
    volume: str = "n/a"  # ok | low | empty | n/a
    history: list[int] = field(default_factory=list)

    @property
    def age_text(self) -> str:
        return format_age(self.age_s)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("last_load_at", "as_of"):
            d[k] = d[k].isoformat() if d[k] else None
        d["age"] = self.age_text
        return d


def source_freshness(conn: duckdb.DuckDBPyConnection, now: datetime | None = None) -> list[SourceFreshness]:
    now = now or clock.now()
    srcs = rows(conn, "SELECT name, kind, cadence, warn_after_s, error_after_s FROM sources ORDER BY name")
    hist = rows(conn, f"""
        SELECT source, list(rows_loaded ORDER BY load_id) AS counts, max(finished_at) AS last_load_at,
               max(as_of_max) AS as_of, count(*) AS loads
        FROM (SELECT *, row_number() OVER (PARTITION BY source ORDER BY load_id DESC) AS rn FROM loads
              WHERE status = 'loaded')
        WHERE rn <= {max(HISTORY, VOLUME_WINDOW + 1)} GROUP BY source""")
    by_source = {h["source"]: h for h in hist}
    totals = {r["source"]: r["n"] for r in rows(
        conn, "SELECT source, count(*) AS n FROM loads WHERE status = 'loaded' GROUP BY source")}
    out = []
    for s in srcs:
        h = by_source.get(s["name"])
        f = SourceFreshness(name=s["name"], kind=s["kind"], cadence=s["cadence"],
                            warn_after_s=s["warn_after_s"], error_after_s=s["error_after_s"], status="never")
        if h:
            counts = list(h["counts"])
            f.loads = totals.get(s["name"], len(counts))
            f.history = counts[-HISTORY:]
            f.last_load_at = h["last_load_at"]
            f.as_of = h["as_of"]
            reference = f.as_of or f.last_load_at
            f.measured_on = "as_of" if f.as_of else "load"
            f.age_s = max(0.0, (now - reference).total_seconds())
            f.status = ("fresh" if f.age_s < f.warn_after_s else "warn" if f.age_s < f.error_after_s
                        else "error")
            f.last_rows = counts[-1]
            previous = counts[-(VOLUME_WINDOW + 1):-1]
            if previous:
                f.median_rows = statistics.median(previous)
            if f.last_rows == 0:
                f.volume = "empty"
            elif f.median_rows and f.last_rows < LOW_VOLUME * f.median_rows:
                f.volume = "low"
            elif f.median_rows:
                f.volume = "ok"
            if f.volume in ("empty", "low") and f.status == "fresh":
                f.status = "warn"
        out.append(f)
    return out


def overall_status(items: list[SourceFreshness]) -> str:
    if not items:
        return "never"
    return max(items, key=lambda f: _SEVERITY[f.status]).status


def exit_code(items: list[SourceFreshness]) -> int:
    return max((RANK[f.status] for f in items), default=0)


def format_age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f}h"
    return f"{seconds / 86400:.1f}d"


def format_interval(seconds: int) -> str:
    """A threshold in the same units as ``format_age`` (minutes under an hour, hours under two days,
    else days), so a 252-hour threshold reads 10.5d beside an age of 13.4d."""
    if seconds < 3600:
        return f"{seconds / 60:g}m"
    if seconds < 2 * 86400:
        return f"{round(seconds / 3600, 1):g}h"
    return f"{round(seconds / 86400, 1):g}d"
