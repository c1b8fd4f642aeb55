"""The rules that name RFM segments, read from TOML (a default ships in the package).

A rules file holds ``lookback_days`` (the window of frequency and monetary) and ``[segments.NAME]``
tables in priority order: a person gets the first segment whose every condition holds, else
``other``. Conditions are inclusive ranges ``[low, high]`` over the scores (``recency``,
``frequency``, ``monetary``: 1-5) or raw figures (``orders``, ``days_since_last``,
``days_since_first``). See ``default_rules.toml`` and docs/segments.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from workbench.config import toml
from workbench.errors import ConfigError

# condition key -> column of the scores table (alias s in the segment CASE)
CONDITIONS = {
    "recency": "recency_score",
    "frequency": "frequency_score",
    "monetary": "monetary_score",
    "orders": "frequency",
    "days_since_last": "recency_days",
    "days_since_first": "tenure_days",
}
SCORE_KEYS = ("recency", "frequency", "monetary")
OTHER = "other"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class SegmentRule:
    name: str
    description: str
    ranges: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class SegmentRules:
    lookback_days: int
    segments: tuple[SegmentRule, ...]
    text: str  # the TOML they were read from (stored with each run)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.segments] + [OTHER]

    def case_sql(self, alias: str = "s") -> tuple[str, list[Any]]:
        """``CASE WHEN ... THEN 'name' ... ELSE 'other' END`` over the scores (values bound)."""
        parts, params = [], []
        for seg in self.segments:
            conds = []
            for key, (low, high) in seg.ranges.items():
                conds.append(f"{alias}.{CONDITIONS[key]} BETWEEN ? AND ?")
                params += [low, high]
            parts.append(f"WHEN {' AND '.join(conds) or 'true'} THEN ?")
            params.append(seg.name)
        params.append(OTHER)
        return "CASE " + " ".join(parts) + " ELSE ? END", params


def default_rules() -> SegmentRules:
    text = resources.files("workbench.segments").joinpath("default_rules.toml").read_text(encoding="utf-8")
    return parse_rules(text, "default_rules.toml")


def read_rules(path: str | Path) -> SegmentRules:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such file.", "Name a segment rules TOML file (see docs/segments.md).")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the file ({type(exc).__name__}).") from None
    return parse_rules(text, str(path))


def parse_rules(text: str, label: str = "rules") -> SegmentRules:
    """Check the rules strictly: an unknown key, a bad range or a bad name is an error with its line."""
    data = toml.parse(text, toml.SEGMENT_RULES, label).data  # known keys of the right types
    lookback = data.get("lookback_days", 730)
    if not isinstance(lookback, int) or isinstance(lookback, bool) or not 1 <= lookback <= 36500:
        raise ConfigError(
            f"{label}:{_line(text, 'lookback_days') or 1}: lookback_days must be a whole number of "
            "days from 1 to 36500."
        )
    tables = data.get("segments")
    if not isinstance(tables, dict) or not tables:
        raise ConfigError(f"{label}: no [segments.NAME] table found.")
    out = []
    for name, body in tables.items():
        where = _line(text, name, table=True) or 1
        if not _NAME.match(name) or name == OTHER:
            raise ConfigError(
                f"{label}:{where}: segment name {name!r} must be lower case letters, digits and _ "
                f"(up to 40), and not {OTHER!r}."
            )
        if not isinstance(body, dict):
            raise ConfigError(f"{label}:{where}: segments.{name} must be a table.")
        ranges: dict[str, tuple[int, int]] = {}
        description = ""
        for key, value in body.items():
            if key == "description":
                if not isinstance(value, str):
                    raise ConfigError(f"{label}:{where}: segments.{name}.description must be text.")
                description = value
                continue
            at = _key_line(text, where, key)
            if key not in CONDITIONS:
                raise ConfigError(
                    f"{label}:{at}: segments.{name}: unknown key {key!r}.",
                    "Conditions: " + ", ".join(CONDITIONS) + " (each [low, high]), and description.",
                )
            ok = (
                isinstance(value, list)
                and len(value) == 2
                and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
                and value[0] <= value[1]
            )
            if ok and key in SCORE_KEYS:
                ok = 1 <= value[0] and value[1] <= 5
            if ok and key not in SCORE_KEYS:
                ok = value[0] >= 0
            if not ok:
                span = "scores from 1 to 5" if key in SCORE_KEYS else "whole numbers from 0"
                raise ConfigError(
                    f"{label}:{at}: segments.{name}.{key} must be [low, high], {span}, "
                    f"low <= high (got {value!r})."
                )
            ranges[key] = (value[0], value[1])
        out.append(SegmentRule(name, description, ranges))
    return SegmentRules(lookback, tuple(out), text)


def _key_line(text: str, table_line: int, key: str) -> int:
    """The line of ``key = ...`` inside the table that starts on ``table_line`` (else the table's line)."""
    pattern = re.compile(rf"\s*\"?{re.escape(key)}\"?\s*=")
    lines = text.splitlines()
    for i in range(table_line, len(lines)):
        if lines[i].lstrip().startswith("["):
            break
        if pattern.match(lines[i]):
            return i + 1
    return table_line


def _line(text: str, key: str, table: bool = False) -> int | None:
    pattern = (
        re.compile(rf"\s*\[\s*segments\s*\.\s*\"?{re.escape(key)}\"?\s*\]")
        if table
        else re.compile(rf"\s*\"?{re.escape(key)}\"?\s*=")
    )
    for i, line in enumerate(text.splitlines()):
        if pattern.match(line):
            return i + 1
    return None
