"""The freshness gate: which sources a selection reads, and whether any is too old to export from.

A selection reads: every people source (the golden fields and the channel's universe), the sources
of the kinds its attributes and functions come from (transactions for orders and spend, moves for
deliverability and households, ...), the sources ``in_source()`` names, and the suppression sources
it applies (an old do-not-call file is a legal risk). A source in ``error`` (or never loaded) refuses
the export unless the operator allows it (``--allow-stale``, a confirmation in the TUI); ``warn``
is a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb

from workbench.freshness import source_freshness
from workbench.store.sql import rows


@dataclass
class FreshnessGate:
    sources: list[Any] = field(default_factory=list)  # SourceFreshness of every source the selection reads
    errors: list[Any] = field(default_factory=list)  # status error or never
    warnings: list[Any] = field(default_factory=list)  # status warn

    @property
    def blocked(self) -> bool:
        return bool(self.errors)

    def describe(self, items: list[Any]) -> str:
        return ", ".join(f"{f.name} ({'never loaded' if f.status == 'never' else f'{f.status}, {f.age_text} old'})"
                         for f in items)

    def to_dict(self) -> list[dict[str, Any]]:
        return [{"source": f.name, "kind": f.kind, "status": f.status, "age": f.age_text,
                 "age_s": f.age_s, "as_of": f.as_of.isoformat() if f.as_of else None,
                 "last_load_at": f.last_load_at.isoformat() if f.last_load_at else None,
                 "measured_on": f.measured_on} for f in self.sources]


def selection_sources(conn: duckdb.DuckDBPyConnection, channel: str, depends: set[str],
                      suppressions: list[str]) -> list[str]:
    """Names of the sources a selection reads (see the module docstring)."""
    kinds = {d for d in depends if not d.startswith("source:")} | {"people"}
    if channel == "mail":
        kinds.add("moves")
    named = {d.split(":", 1)[1] for d in depends if d.startswith("source:")} | set(suppressions)
    found = rows(conn, "SELECT name, kind FROM sources ORDER BY name")
    return [r["name"] for r in found if r["kind"] in kinds or r["name"] in named]


def check_freshness(conn: duckdb.DuckDBPyConnection, channel: str, depends: set[str],
                    suppressions: list[str]) -> FreshnessGate:
    wanted = set(selection_sources(conn, channel, depends, suppressions))
    gate = FreshnessGate()
    for f in source_freshness(conn):
        if f.name not in wanted:
            continue
        gate.sources.append(f)
        if f.status in ("error", "never"):
            gate.errors.append(f)
        elif f.status == "warn":
            gate.warnings.append(f)
    return gate
