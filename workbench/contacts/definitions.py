"""Reading the contact-strategy TOML files strictly: one ``[TABLE.NAME]`` per rule or trigger, unknown
keys are errors that name the key, the file's line and the nearest known key."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench.config import toml
from workbench.errors import ConfigError

NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_\-]{0,62}")


class Checker:
    """Checks one ``[table.name]`` body; every error says file:line, the definition and the key."""

    def __init__(self, what: str, name: str, body: dict[str, Any], known: set[str],
                 line_of: Callable[[str], int | None] | None = None) -> None:
        self.what, self.name, self.body = what, name, body
        self._line_of = line_of or (lambda _k: None)
        if not NAME_RE.fullmatch(name):
            raise self.error("name", "a name is a letter then letters, digits, _ or - (max 63 characters)")
        toml.check_keys(body, known, self.error)

    def error(self, key: str, problem: str) -> ConfigError:
        line = self._line_of(key)
        where = f"{line}: " if line else ""
        return ConfigError(f"{where}{self.what} {self.name!r}, key {key!r}: {problem}")

    def choice(self, key: str, allowed: tuple[str, ...], default: str | None = None) -> str | None:
        value = self.body.get(key, default)
        if value is None:
            return None
        if not isinstance(value, str) or value.strip().lower() not in allowed:
            raise self.error(key, f"{value!r} is not one of {', '.join(allowed)}")
        return value.strip().lower()

    def integer(self, key: str, low: int, high: int, required: bool = False) -> int | None:
        value = self.body.get(key)
        if value is None:
            if required:
                raise self.error(key, f"is required (a whole number from {low} to {high})")
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise self.error(key, f"{value!r} must be a whole number from {low} to {high}")
        return value

    def text(self, key: str) -> str | None:
        value = self.body.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, "must be a non-empty string")
        return value.strip()

    def words(self, key: str) -> list[str] | None:
        """A list of non-empty strings, lower-cased (event types, brands, categories, source names)."""
        value = self.body.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(key, 'must be a list of names, e.g. ["support_call", "complaint"]')
        return [v.strip().lower() for v in value]

    def boolean(self, key: str, default: bool) -> bool:
        value = self.body.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, "must be true or false")
        return value


def read_tables(path: str | Path, table: str) -> tuple[dict[str, dict[str, Any]], Callable[[str, str], int | None]]:
    """The ``[table.NAME]`` bodies of a TOML file, and ``line_of(name, key)`` for error messages."""
    doc = toml.read(path, toml.KINDS[table])
    return doc.tables(table), lambda name, key: _line(doc.text, key, f"{table}.{name}")


def tables_from_text(text: str, table: str, label: str = "definition"
                     ) -> tuple[dict[str, dict[str, Any]], Callable[[str, str], int | None]]:
    """The same for TOML text (the TUI's editor); errors start with ``label``."""
    tables = toml.parse(text, toml.KINDS[table], label).tables(table)
    return tables, lambda name, key: _line(text, key, f"{table}.{name}")


def with_file(label: str | Path, exc: ConfigError) -> ConfigError:
    """The same error, prefixed by the file name (the line is already in the message)."""
    return ConfigError(f"{label}:{exc.message}" if exc.message[:1].isdigit() else f"{label}: {exc.message}",
                       exc.hint)


def nearest(word: str, candidates) -> str | None:
    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


def _line(text: str, key: str, table: str | None) -> int | None:
    lines = text.splitlines()
    start = 0
    if table:
        header = re.compile(rf"\s*\[\s*{re.escape(table)}\s*\]")
        for i, ln in enumerate(lines):
            if header.match(ln):
                start = i
                break
        else:
            return None
    for i in range(start + (1 if table else 0), len(lines)):
        if table and lines[i].lstrip().startswith("[") and i > start:
            break
        if re.match(rf"\s*\"?{re.escape(key)}\"?\s*[=.\]]", lines[i]) or re.match(
                rf"\s*\[\s*{re.escape(key)}\b", lines[i]):
            return i + 1
    return start + 1 if table else None
