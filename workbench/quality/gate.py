"""The current estimates, their age, and the export gate.

Settings (``settings`` table; migration 017 sets the defaults, docs/quality.md documents them):

- ``quality.max_loads`` (20) / ``quality.max_days`` (30): an estimate is stale once this many loads
  happened, or days passed, since its sample was drawn (empty: no limit);
- ``quality.floor.persons`` (0.98), ``quality.floor.suppressions`` (0.98), ``quality.floor.households``
  (empty: not gated): an export refuses when the area's lower 95% bound is under its floor;
- ``quality.when_unmeasured`` (``allow``): what an export does on a database that was never sampled
  (or whose last sample has no answered item in a gated area). ``allow`` exports and writes "unmeasured"
  in the manifest; ``refuse`` refuses like a stale estimate.

:func:`check_export` is what the export path calls; ``--allow-unmeasured`` exports anyway, recorded in the
manifest and in the audit log (action ``quality.override``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb

from workbench import clock
from workbench.errors import ConfigError
from workbench.store.sql import rows, scalar

GATED_AREAS = ("persons", "households", "suppressions")
DEFAULTS = {
    "quality.max_loads": "20",
    "quality.max_days": "30",
    "quality.floor.persons": "0.98",
    "quality.floor.suppressions": "0.98",
    "quality.floor.households": "",
    "quality.when_unmeasured": "allow",
}


def settings(conn: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    got = {
        r["key"]: r["value"] for r in rows(conn, "SELECT key, value FROM settings WHERE key LIKE 'quality.%'")
    }
    values = {k: got.get(k, v) for k, v in DEFAULTS.items()}

    def number(key: str, kind=float):
        text = (values[key] or "").strip()
        if not text:
            return None
        try:
            return kind(text)
        except ValueError:
            raise ConfigError(
                f"Setting {key} is {text!r}, not a number.",
                f"Set it to a number, or empty for no limit ({DEFAULTS[key]!r} by default).",
            ) from None

    when = (values["quality.when_unmeasured"] or "allow").strip().lower()
    if when not in ("allow", "refuse"):
        raise ConfigError(f"Setting quality.when_unmeasured is {when!r}.", "Set it to allow or refuse.")
    return {
        "max_loads": number("quality.max_loads", int),
        "max_days": number("quality.max_days"),
        "floors": {a: number(f"quality.floor.{a}") for a in GATED_AREAS},
        "when_unmeasured": when,
    }


def current(conn: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The estimates of the latest sample with any, with their age (days, loads since it was drawn)."""
    sample = rows(
        conn,
        """SELECT s.sample_id, s.drawn_at, s.loads_before, s.seed,
            (SELECT count(*) FROM quality_items i WHERE i.sample_id = s.sample_id) AS items,
            (SELECT count(answer) FROM quality_items i WHERE i.sample_id = s.sample_id) AS answered
        FROM quality_samples s ORDER BY sample_id DESC LIMIT 1""",
    )
    if not sample:
        return {"status": "unmeasured", "sample_id": None, "estimates": {}}
    s = sample[0]
    loads_since = (scalar(conn, "SELECT count(*) FROM loads") or 0) - s["loads_before"]
    age_days = (clock.now() - s["drawn_at"]).total_seconds() / 86400
    estimates = {
        f"{r['area']}.{r['measure']}": r
        for r in rows(
            conn,
            """SELECT area, measure, estimate, low, high,
            answered, population, computed_at FROM quality_estimates WHERE sample_id = ? ORDER BY area, measure""",
            [s["sample_id"]],
        )
    }
    return {
        "status": "measured" if estimates else "unmeasured",
        "sample_id": s["sample_id"],
        "drawn_at": s["drawn_at"],
        "seed": s["seed"],
        "items": s["items"],
        "answered": s["answered"],
        "age_days": round(age_days, 1),
        "age_loads": loads_since,
        "estimates": estimates,
    }


def history(conn: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """One point per sample: duplicate rate, household precision, suppression precision (for the profile)."""
    return rows(
        conn,
        """SELECT s.sample_id, s.drawn_at,
            max(e.estimate) FILTER (WHERE e.area = 'persons' AND e.measure = 'duplicate_rate') AS duplicate_rate,
            max(e.estimate) FILTER (WHERE e.area = 'persons' AND e.measure = 'precision') AS person_precision,
            max(e.estimate) FILTER (WHERE e.area = 'households' AND e.measure = 'precision') AS household_precision,
            max(e.estimate) FILTER (WHERE e.area = 'suppressions' AND e.measure = 'precision')
                AS suppression_precision
        FROM quality_samples s JOIN quality_estimates e USING (sample_id)
        GROUP BY s.sample_id, s.drawn_at ORDER BY s.sample_id""",
    )


@dataclass
class QualityGate:
    status: str  # measured | unmeasured
    problems: list[str] = field(default_factory=list)  # why an export should refuse
    notes: list[str] = field(default_factory=list)  # said, not refused
    overridden: bool = False
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def blocked(self) -> bool:
        return bool(self.problems)

    def to_manifest(self) -> dict[str, Any]:
        est = self.summary.get("estimates", {})
        return {
            "status": self.status,
            "sample_id": self.summary.get("sample_id"),
            "drawn_at": self.summary.get("drawn_at"),
            "age_days": self.summary.get("age_days"),
            "age_loads": self.summary.get("age_loads"),
            "estimates": {
                k: {
                    "estimate": v["estimate"],
                    "low": v["low"],
                    "high": v["high"],
                    "sample_size": v["answered"],
                }
                for k, v in est.items()
            },
            "problems": self.problems,
            "notes": self.notes,
            "allowed_unmeasured": self.overridden,
        }


def check_export(conn: duckdb.DuckDBPyConnection) -> QualityGate:
    """Whether the last estimates let an export go (see the module docstring)."""
    cfg = settings(conn)
    summary = current(conn)
    gate = QualityGate(summary["status"], summary=summary)
    est = summary.get("estimates", {})
    if summary["sample_id"] is None or not est:
        text = "no accuracy estimate yet (`workbench quality sample`, then review it on the Quality screen)"
        (gate.problems if cfg["when_unmeasured"] == "refuse" else gate.notes).append(text)
        return gate
    if cfg["max_loads"] is not None and summary["age_loads"] > cfg["max_loads"]:
        gate.problems.append(
            f"the last estimate is {summary['age_loads']} loads old (limit {cfg['max_loads']})"
        )
    if cfg["max_days"] is not None and summary["age_days"] > cfg["max_days"]:
        gate.problems.append(
            f"the last estimate is {summary['age_days']:g} days old (limit {cfg['max_days']:g})"
        )
    for area, floor in cfg["floors"].items():
        if floor is None:
            continue
        e = est.get(f"{area}.precision")
        if e is None or e["low"] is None:
            text = f"{area} precision is not measured (no answered item in the last sample)"
            (gate.problems if cfg["when_unmeasured"] == "refuse" else gate.notes).append(text)
        elif e["low"] < floor:
            gate.problems.append(
                f"{area} precision {e['estimate']:.3f} (95% interval {e['low']:.3f}-{e['high']:.3f}, "
                f"{e['answered']} reviewed) is under the floor {floor:g}"
            )
    return gate
