"""A publish definition (``SEGMENTS.toml``): which operational systems get a file of their own customer
keys with each person's segment, scores and treatment. Read strictly: an unknown key, an unknown
segment or source is an error naming the file and line.

    name = "ops_weekly"             # the publish's name: its history and delta state
    mode = "full"                   # full | delta (only keys whose values changed since the last publish)
    format = "csv"                  # csv | parquet
    brand = "ember"                 # RFM of one brand (default: all brands together)
    default_treatment = "none"      # the treatment of segments not listed below (default: empty)
    suppressed_treatment = "do not contact"  # persons suppressed on every channel (default shown)

    [treatments]                    # segment -> the treatment name operations act on
    at_risk = "offer retention call"
    champions = "priority queue"

    [systems.ecom_customers]        # a people source: the file is keyed by its source_key
    file = "ecom_segments.csv"      # relative to this TOML file's folder
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from workbench.config import toml
from workbench.errors import ConfigError

_SYSTEM = {"file"}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MODES = ("full", "delta")
FORMATS = ("csv", "parquet")


@dataclass
class System:
    source: str
    file: Path


@dataclass
class PublishDefinition:
    name: str
    mode: str = "full"
    format: str = "csv"
    brand: str | None = None
    default_treatment: str = ""
    suppressed_treatment: str = "do not contact"
    treatments: dict[str, str] = field(default_factory=dict)
    systems: list[System] = field(default_factory=list)
    label: str = "publish"
    text: str = ""

    def line(self, key: str) -> int | None:
        return _line(self.text, key)


def read_publish(path: str | Path) -> PublishDefinition:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such file.", "Name a publish definition TOML (see docs/segments.md).")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the file ({type(exc).__name__}).") from None
    return parse_publish(text, str(path), path.parent)


def parse_publish(text: str, label: str = "publish", base: Path | None = None) -> PublishDefinition:
    data = toml.parse(text, toml.PUBLISH, label).data  # known keys of the right types

    def fail(key: str, message: str, hint: str | None = None) -> ConfigError:
        return ConfigError(f"{label}:{_line(text, key) or 1}: {message}", hint)

    name = data.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise fail("name", 'name must be a short name (letters, digits, _ . -), e.g. name = "ops_weekly".')
    d = PublishDefinition(name=name, label=label, text=text)
    for key, allowed in (("mode", MODES), ("format", FORMATS)):
        value = data.get(key, getattr(d, key))
        if value not in allowed:
            raise fail(key, f"{key} must be one of {', '.join(allowed)} (got {value!r}).")
        setattr(d, key, value)
    for key in ("brand", "default_treatment", "suppressed_treatment"):
        if key in data:
            if not isinstance(data[key], str):
                raise fail(key, f"{key} must be text.")
            setattr(d, key, data[key].strip())
    d.brand = d.brand.lower() if d.brand else None
    treatments = data.get("treatments", {})
    if not isinstance(treatments, dict) or not all(isinstance(v, str) for v in treatments.values()):
        raise fail("treatments", "[treatments] maps segment names to treatment names (text).")
    d.treatments = {str(k): v.strip() for k, v in treatments.items()}
    systems = data.get("systems")
    if not isinstance(systems, dict) or not systems:
        raise ConfigError(
            f"{label}: no [systems.SOURCE] table found.",
            'Add one per operational system, e.g. [systems.ecom_customers] file = "ecom.csv".',
        )
    for source, body in systems.items():
        where = _line(text, f"systems.{source}", table=True) or 1
        if not isinstance(body, dict):
            raise ConfigError(f"{label}:{where}: systems.{source} must be a table.")
        def refuse(key: str, problem: str, table: str = f"systems.{source}", at_table: int = where) -> ConfigError:
            at = toml.line_of(text, key, table) or at_table
            return ConfigError(f"{label}:{at}: {table}: {problem}.", 'Each [systems.SOURCE] has file = "NAME.csv".')

        toml.check_keys(body, _SYSTEM, lambda key, problem, refuse=refuse: refuse(
            key, problem.replace("unknown key", f"unknown key {key!r}", 1)))
        file = body.get("file")
        if not isinstance(file, str) or not file.strip():
            raise refuse("file", f"file must name the file to write, not {file!r}")
        path = Path(file).expanduser()
        if not path.is_absolute() and base is not None:
            path = base / path
        d.systems.append(System(source, path))
    files = [s.file.absolute() for s in d.systems]
    if len(set(files)) != len(files):
        raise ConfigError(f"{label}: two systems write the same file.")
    return d


def _line(text: str, key: str, table: bool = False) -> int | None:
    pattern = (
        re.compile(rf"\s*\[\s*{re.escape(key)}\s*\]")
        if table
        else re.compile(rf"\s*\[?\s*\"?{re.escape(key)}\"?\s*[=\]]")
    )
    for i, line in enumerate(text.splitlines()):
        if pattern.match(line):
            return i + 1
    return None
