"""The one strict TOML reader for every kind of definition file: sources, selections, contact rules,
triggers, segment rules, publish definitions, contact plans, seed lists and merge/purge runs.

Each kind declares its top-level keys and their types (:class:`Kind`); :func:`read` / :func:`parse`
refuse a file that is not UTF-8, not valid TOML, has a key the kind does not know (naming the nearest) or
a value of the wrong type, with ``file:line``, the key and what to do. The kind's own module then checks
each ``[KIND.NAME]`` body, using :meth:`TomlFile.line` and :func:`check_keys` for its messages.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import ConfigError

TABLES = "tables"  # a top-level key that holds [KEY.NAME] tables
_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "text": ((str,), "text in quotes"),
    "integer": ((int,), "a whole number"),
    "table": ((dict,), "a table"),
    "array": ((list,), "a list of tables ([[KEY]])"),
    TABLES: ((dict,), "[KEY.NAME] tables"),
}


@dataclass(frozen=True)
class Kind:
    """What one kind of file may hold at its top level: {key: "text" | "integer" | "table" | TABLES}."""

    name: str  # "sources", "selections", ...: how errors call the file
    keys: dict[str, str]
    hint: str  # what such a file holds, said when a key is refused
    required: tuple[str, ...] = ()


SOURCES = Kind("sources", {"sources": TABLES}, "A sources file holds [sources.NAME] tables.", ("sources",))
SELECTIONS = Kind(
    "selections", {"selections": TABLES}, "A selections file holds [selections.NAME] tables.", ("selections",)
)
RULES = Kind("rules", {"rules": TABLES}, "A rules file holds [rules.NAME] tables.", ("rules",))
TRIGGERS = Kind(
    "triggers", {"triggers": TABLES}, "A triggers file holds [triggers.NAME] tables.", ("triggers",)
)
SEGMENT_RULES = Kind(
    "segment rules",
    {"lookback_days": "integer", "segments": TABLES},
    "A rules file holds lookback_days and [segments.NAME] tables.",
    ("segments",),
)
PUBLISH = Kind(
    "publish",
    {
        "name": "text",
        "mode": "text",
        "format": "text",
        "brand": "text",
        "default_treatment": "text",
        "suppressed_treatment": "text",
        "treatments": "table",
        "systems": TABLES,
    },
    "A publish definition holds name, mode, format, brand, default_treatment, suppressed_treatment, "
    "[treatments] and [systems.SOURCE] tables.",
)
PLANS = Kind("plans", {"plans": TABLES}, "A plan file holds one [plans.NAME] table.", ("plans",))
SEEDS = Kind("seeds", {"seeds": "array"}, "A seed file holds [[seeds]] tables.")
MERGEPURGE = Kind("merge/purge run", {"mergepurge": "table"}, "A run file holds one [mergepurge] table.")
KINDS = {k.name: k for k in (SOURCES, SELECTIONS, RULES, TRIGGERS, SEGMENT_RULES, PUBLISH, PLANS, SEEDS, MERGEPURGE)}


@dataclass
class TomlFile:
    label: str  # the file's path, or what the text is ("rule" typed in the TUI)
    text: str
    data: dict[str, Any] = field(default_factory=dict)

    def line(self, key: str, table: str | None = None) -> int | None:
        """The line of ``key`` (inside ``[table]`` when given; the header's line when the key is not there)."""
        return line_of(self.text, key, table)

    def error(self, key: str, problem: str, hint: str | None = None, table: str | None = None) -> ConfigError:
        return ConfigError(f"{self.label}:{self.line(key, table) or 1}: {problem}", hint)

    def tables(self, key: str) -> dict[str, dict[str, Any]]:
        """The ``[key.NAME]`` bodies (checked to be tables; at least one)."""
        found = self.data.get(key)
        if not found:
            raise ConfigError(
                f"{self.label}: no [{key}.NAME] table found.", f"Add one, e.g. [{key}.example]."
            )
        for name, body in found.items():
            if not isinstance(body, dict):
                raise self.error(
                    name,
                    f"{key}.{name} must be a table, not {_type_name(body)}.",
                    f"Write it as [{key}.{name}] with its keys below.",
                    table=None,
                )
        return found


def read(path: str | Path, kind: Kind) -> TomlFile:
    """Read and check the top level of a definition file of ``kind``."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such file.", f"Name a {kind.name} TOML file.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a UTF-8 text file.", "Save it as UTF-8 text.") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the file ({type(exc).__name__}).") from None
    return parse(text, kind, str(path))


def parse(text: str, kind: Kind, label: str | None = None) -> TomlFile:
    """Check the top level of ``text`` as a file of ``kind``: valid TOML, known keys, right types."""
    label = label or kind.name
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{label}: not valid TOML: {exc}",
            "Fix the syntax at that line: text in quotes, each key once, tables as [KIND.NAME].",
        ) from None
    doc = TomlFile(label, text, data)
    only_tables = all(t == TABLES for t in kind.keys.values())
    for key, value in data.items():
        if key not in kind.keys:
            near = nearest(key, kind.keys)
            raise doc.error(
                key,
                f"unknown {'top-level ' if only_tables else ''}key {key!r}"
                + (f"; did you mean {near!r}?" if near else "."),
                kind.hint,
            )
        types, words = _TYPES[kind.keys[key]]
        ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
        if ok and kind.keys[key] == TABLES:
            ok = all(isinstance(v, dict) for v in value.values())
        if not ok:
            raise doc.error(key, f"{key} must be {words}, not {_type_name(value)}.", kind.hint)
    for key in kind.required:
        if not data.get(key):
            raise ConfigError(f"{label}: no [{key}.NAME] table found.", kind.hint)
    return doc


def check_keys(body: dict[str, Any], known: set[str] | dict[str, Any], refuse) -> None:
    """Refuse the first key of ``body`` that is not ``known``: ``refuse(key, problem)`` builds the error."""
    for key in body:
        if key not in known:
            near = nearest(key, known)
            raise refuse(
                key,
                "unknown key"
                + (f"; did you mean {near!r}?" if near else "")
                + f" (keys: {', '.join(sorted(known))})",
            )


def nearest(word: str, candidates) -> str | None:
    found = difflib.get_close_matches(str(word), list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


def line_of(text: str, key: str, table: str | None = None) -> int | None:
    """The 1-based line that sets ``key`` (in ``[table]`` when given), or opens a table of that name."""
    lines = text.splitlines()
    start = 0
    if table:
        header = re.compile(rf"\s*\[\[?\s*{re.escape(table)}\s*\]")
        for i, ln in enumerate(lines):
            if header.match(ln):
                start = i
                break
        else:
            return None
    for i in range(start + (1 if table else 0), len(lines)):
        if table and lines[i].lstrip().startswith("[") and i > start:
            break
        if re.match(rf"\s*[\"']?{re.escape(key)}[\"']?\s*[=.\]]", lines[i]) or re.match(
            rf"\s*\[\[?\s*(?:[\w\-]+\.)?{re.escape(key)}\b", lines[i]
        ):
            return i + 1
    return start + 1 if table else None


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    return {str: "text", int: "a number", float: "a number", list: "a list", dict: "a table"}.get(
        type(value), type(value).__name__
    )
