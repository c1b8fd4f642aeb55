"""Source definitions: parsed strictly from TOML, stored in the ``sources`` table."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from workbench import clock
from workbench.config import toml
from workbench.errors import ConfigError, NotFoundError
from workbench.formatting import article
from workbench.ingest.fields import APPEND_REQUIRED, CANONICAL, CHANNELS, FORMATS, KINDS, MATCH_RULES, MODES
from workbench.store.sql import rows, run

CADENCES = {"hourly": 3600, "daily": 86400, "weekly": 7 * 86400, "monthly": 30 * 86400}
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d|w)\s*$", re.IGNORECASE)
_UNIT_S = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
WARN_FACTOR = 1.5  # default warn_after = 1.5 x cadence
ERROR_FACTOR = 3.0  # default error_after = 3 x cadence
ENCODINGS = ("utf-8", "latin-1", "cp1252")

_KEYS = {
    "kind", "cadence", "warn_after", "error_after", "format", "priority", "mode", "as_of", "encoding",
    "delimiter", "header", "column_names", "columns", "channel", "match_on", "brand", "reason", "people_source",
    "keep_when", "max_shrink", "supplier", "one_time", "expires", "cpm",
}
PROSPECT_KEYS = ("supplier", "one_time", "expires", "cpm")  # rental terms of a prospects source
DEFAULT_MAX_SHRINK = 0.10  # a full load of a suppression source may remove at most this share of its entries


@dataclass
class Source:
    """A source system that feeds the marketing database, and how its extracts are read."""

    name: str
    kind: str
    cadence: str
    cadence_s: int
    warn_after_s: int
    error_after_s: int
    format: str | None = None
    priority: int = 10
    mode: str = "full"
    as_of: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    header: bool = True
    column_names: list[str] | None = None
    columns: dict[str, str] = field(default_factory=dict)
    channel: str | None = None
    match_on: str | None = None
    brand: str | None = None
    reason: str | None = None
    people_source: str | None = None  # the people source whose source_key this source's source_key refers to
    keep_when: dict[str, list[str]] = field(default_factory=dict)  # load only rows whose column has one of these
    # suppression sources, full mode: the largest share of the entries a load may remove without --allow-shrink
    max_shrink: float | None = None
    # prospects sources (rented or bought lists): who supplied it, the rental terms and the price
    supplier: str | None = None
    one_time: bool | None = None  # a one-time rental: a second merge/purge use of a delivery is refused
    expires: str | None = None  # ISO date after which the list may not be used
    cpm: float | None = None  # cost per thousand names (net names, see workbench.mergepurge)

    def column_for(self, canonical: str) -> str:
        """The extract's column that holds ``canonical`` (the canonical name when unmapped)."""
        return self.columns.get(canonical, canonical)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_interval(value: Any, *, source: str, key: str, line: int | None = None) -> int:
    """Seconds in a cadence word or an interval such as "36h", "10d", "90m", "2w"."""
    if isinstance(value, str) and value.strip().lower() in CADENCES:
        return CADENCES[value.strip().lower()]
    match = _INTERVAL.match(value) if isinstance(value, str) else None
    if not match:
        raise _error(source, key, f"{value!r} is not a cadence (hourly, daily, weekly, monthly) "
                     "or an interval such as \"36h\", \"10d\", \"90m\"", line)
    seconds = int(float(match.group(1)) * _UNIT_S[match.group(2).lower()])
    if seconds <= 0:
        raise _error(source, key, "must be longer than zero", line)
    return seconds


def parse_sources_toml(path: str | Path) -> list[Source]:
    """Read and check every ``[sources.NAME]`` table of a TOML file."""
    doc = toml.read(path, toml.SOURCES)  # UTF-8, valid TOML, only [sources.NAME] tables
    out = []
    for name, body in doc.tables("sources").items():
        try:
            out.append(source_from_dict(name, body, text=doc.text))
        except ConfigError as exc:
            raise ConfigError(f"{path}:{exc.message}", exc.hint) from None
    return out


def source_from_dict(name: str, body: dict[str, Any], text: str | None = None) -> Source:
    def line(key: str) -> int | None:
        return _line_of(text, key, f"sources.{name}") if text else None

    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_\-]{0,62}", name):
        raise _error(name, "name", "a source name is a letter then letters, digits, _ or - (max 63)")
    toml.check_keys(body, _KEYS, lambda key, problem: _error(name, key, problem, line(key)))
    kind = _choice(name, body, "kind", KINDS, line, required=True)
    cadence = body.get("cadence")
    if cadence is None:
        raise _error(name, "cadence", "is required (hourly, daily, weekly, monthly or an interval)", None)
    cadence_s = parse_interval(cadence, source=name, key="cadence", line=line("cadence"))
    warn = body.get("warn_after")
    err = body.get("error_after")
    warn_s = parse_interval(warn, source=name, key="warn_after", line=line("warn_after")) if warn else int(
        cadence_s * WARN_FACTOR)
    err_s = parse_interval(err, source=name, key="error_after", line=line("error_after")) if err else int(
        cadence_s * ERROR_FACTOR)
    if err_s < warn_s:
        raise _error(name, "error_after", f"({err_s}s) must not be shorter than warn_after ({warn_s}s)",
                     line("error_after"))
    priority = body.get("priority", 10)
    if not isinstance(priority, int) or isinstance(priority, bool):
        raise _error(name, "priority", f"{priority!r} must be a whole number (lower wins)", line("priority"))
    header = body.get("header", True)
    if not isinstance(header, bool):
        raise _error(name, "header", "must be true or false", line("header"))
    column_names = body.get("column_names")
    if column_names is not None and (not isinstance(column_names, list) or not all(
            isinstance(c, str) and c for c in column_names)):
        raise _error(name, "column_names", "must be a list of column names", line("column_names"))
    if not header and not column_names:
        raise _error(name, "column_names", "is required when header = false", line("header"))
    columns = body.get("columns", {})
    if not isinstance(columns, dict):
        raise _error(name, "columns", "must be a table: canonical field = \"extract column\"", line("columns"))
    for canon, col in columns.items():
        if canon not in CANONICAL[kind]:
            near = _nearest(canon, CANONICAL[kind])
            raise _error(name, f"columns.{canon}",
                         f"is not a canonical field of {article(kind)} source"
                         + (f"; did you mean {near!r}?" if near else "")
                         + f" (fields: {', '.join(CANONICAL[kind])})", line(canon))
        if not isinstance(col, str) or not col:
            raise _error(name, f"columns.{canon}", "must name a column of the extract", line(canon))
    delimiter = body.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise _error(name, "delimiter", "must be one character, e.g. \",\", \";\", \"|\" or \"\\t\"",
                     line("delimiter"))
    encoding = body.get("encoding")
    if encoding is not None:
        encoding = str(encoding).lower().replace("_", "-")
        encoding = {"utf8": "utf-8", "latin1": "latin-1", "iso-8859-1": "latin-1", "windows-1252": "cp1252",
                    "utf-8-sig": "utf-8"}.get(encoding, encoding)
        if encoding not in ENCODINGS:
            raise _error(name, "encoding", f"{body['encoding']!r} is not one of {', '.join(ENCODINGS)}",
                         line("encoding"))
    keep_when = body.get("keep_when", {})
    if not isinstance(keep_when, dict) or not all(
            isinstance(v, list) and v and all(isinstance(x, str) for x in v) for v in keep_when.values()):
        raise _error(name, "keep_when", 'must be a table of column = ["value", ...], e.g. '
                     'keep_when = { bounce_type = ["hard"] }', line("keep_when"))
    people_source = _text(name, body, "people_source", line)
    max_shrink = body.get("max_shrink")
    if max_shrink is not None:
        if isinstance(max_shrink, bool) or not isinstance(max_shrink, (int, float)) or not 0 <= max_shrink <= 1:
            raise _error(name, "max_shrink", f"{max_shrink!r} must be a share between 0 and 1 (0.1 = 10%)",
                         line("max_shrink"))
        if kind != "suppression":
            raise _error(name, "max_shrink", "only applies to suppression sources", line("max_shrink"))
    terms = _prospect_terms(name, kind, body, line)
    if kind == "prospects" and body.get("mode", "full") != "full":
        raise _error(name, "mode", "a prospects source is loaded in full (each delivery replaces the last)",
                     line("mode"))
    if people_source and kind not in ("transactions", "events", "contacts"):
        raise _error(name, "people_source", "only applies to transactions, events and contacts sources",
                     line("people_source"))
    source = Source(
        name=name, kind=kind, cadence=str(cadence), cadence_s=cadence_s, warn_after_s=warn_s,
        error_after_s=err_s, format=_choice(name, body, "format", FORMATS, line),
        priority=priority, mode=_choice(name, body, "mode", MODES, line) or "full",
        as_of=_text(name, body, "as_of", line), encoding=encoding, delimiter=delimiter, header=header,
        column_names=column_names, columns=dict(columns), channel=_choice(name, body, "channel", CHANNELS, line),
        match_on=_choice(name, body, "match_on", tuple(APPEND_REQUIRED) if kind == "appends" else MATCH_RULES,
                         line), brand=_text(name, body, "brand", line),
        reason=_text(name, body, "reason", line), people_source=people_source,
        keep_when={k: list(v) for k, v in keep_when.items()},
        max_shrink=None if max_shrink is None else float(max_shrink), **terms,
    )
    if kind == "suppression":
        if not source.channel:
            raise _error(name, "channel", f"is required for a suppression source ({', '.join(CHANNELS)})")
        if not source.match_on:
            raise _error(name, "match_on", f"is required for a suppression source ({', '.join(MATCH_RULES)})")
    elif kind == "appends":
        if not source.match_on:
            raise _error(name, "match_on", f"is required for an appends source ({', '.join(APPEND_REQUIRED)})")
        if body.get("channel") is not None:
            raise _error(name, "channel", "only applies to suppression sources", line("channel"))
    else:
        for key in ("channel", "match_on"):
            if body.get(key) is not None:
                raise _error(name, key, "only applies to suppression sources", line(key))
    return source


# -- the store -------------------------------------------------------------------------------------
def save_sources(conn: duckdb.DuckDBPyConnection, sources: list[Source]) -> dict[str, str]:
    """Insert or replace source definitions; returns {name: "added" | "updated"}."""
    now = clock.now()
    existing = {r["name"]: r["created_at"] for r in rows(conn, "SELECT name, created_at FROM sources")}
    result = {}
    for s in sources:
        run(conn, "DELETE FROM sources WHERE name = ?", [s.name])
        run(
            conn,
            "INSERT INTO sources (name, kind, cadence, cadence_s, warn_after_s, error_after_s, format, priority,"
            " mode, as_of, encoding, delimiter, header, column_names, columns, channel, match_on, brand, reason,"
            " people_source, keep_when, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, MAP(?::VARCHAR[], ?::VARCHAR[]), ?, ?, ?, ?, ?, MAP(?::VARCHAR[], ?::VARCHAR[][]), ?, ?, ?)",
            [s.name, s.kind, s.cadence, s.cadence_s, s.warn_after_s, s.error_after_s, s.format, s.priority,
             s.mode, s.as_of, s.encoding, s.delimiter, s.header, s.column_names, list(s.columns),
             list(s.columns.values()), s.channel, s.match_on, s.brand, s.reason, s.people_source,
             list(s.keep_when), list(s.keep_when.values()), json.dumps(s.to_dict()),
             existing.get(s.name, now), now],
        )
        result[s.name] = "updated" if s.name in existing else "added"
    if result:
        from workbench import audit

        audit.record(conn, "sources.save", ", ".join(sorted(result))[:200], {"sources": result})
    return result


def list_sources(conn: duckdb.DuckDBPyConnection) -> list[Source]:
    return [_from_row(r) for r in rows(conn, "SELECT * FROM sources ORDER BY kind, priority, name")]


def get_source(conn: duckdb.DuckDBPyConnection, name: str) -> Source:
    found = rows(conn, "SELECT * FROM sources WHERE name = ?", [name])
    if not found:
        names = [r["name"] for r in rows(conn, "SELECT name FROM sources ORDER BY name")]
        near = _nearest(name, names)
        raise NotFoundError(
            f"Unknown source {name!r}." + (f" Did you mean {near!r}?" if near else ""),
            "Known sources: " + (", ".join(names) if names else "none yet; add them with "
                                 "`workbench sources import FILE.toml`."),
        )
    return _from_row(found[0])


def delete_source(conn: duckdb.DuckDBPyConnection, name: str) -> None:
    get_source(conn, name)
    run(conn, "DELETE FROM sources WHERE name = ?", [name])


def _from_row(r: dict[str, Any]) -> Source:
    return Source(
        name=r["name"], kind=r["kind"], cadence=r["cadence"], cadence_s=r["cadence_s"],
        warn_after_s=r["warn_after_s"], error_after_s=r["error_after_s"], format=r["format"],
        priority=r["priority"], mode=r["mode"], as_of=r["as_of"], encoding=r["encoding"],
        delimiter=r["delimiter"], header=r["header"], column_names=r["column_names"],
        columns=dict(r["columns"] or {}), channel=r["channel"], match_on=r["match_on"], brand=r["brand"],
        reason=r["reason"], people_source=r["people_source"],
        keep_when={k: list(v) for k, v in (r["keep_when"] or {}).items()},
        max_shrink=_definition(r).get("max_shrink"),  # kept in the definition JSON (no column of its own)
        **{k: _definition(r).get(k) for k in PROSPECT_KEYS},
    )


def _definition(r: dict[str, Any]) -> dict[str, Any]:
    try:
        found = json.loads(r.get("definition") or "{}")
    except (TypeError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _prospect_terms(name: str, kind: str, body: dict[str, Any], line) -> dict[str, Any]:
    """supplier, one_time, expires, cpm of a prospects source (an error on any other kind)."""
    given = [k for k in PROSPECT_KEYS if body.get(k) is not None]
    if kind != "prospects":
        if given:
            raise _error(name, given[0], "only applies to prospects sources (rented or bought lists)",
                         line(given[0]))
        return {}
    one_time = body.get("one_time", True)
    if not isinstance(one_time, bool):
        raise _error(name, "one_time", "must be true (a one-time rental) or false (bought: unlimited use)",
                     line("one_time"))
    expires = body.get("expires")
    if expires is not None:
        import datetime as _dt

        if isinstance(expires, str):
            try:
                expires = _dt.date.fromisoformat(expires.strip())
            except ValueError:
                expires = None
        if not isinstance(expires, _dt.date) or isinstance(expires, _dt.datetime):
            raise _error(name, "expires", f"{body['expires']!r} must be a date (expires = 2026-12-31)",
                         line("expires"))
        expires = expires.isoformat()
    cpm = body.get("cpm")
    if cpm is not None and (isinstance(cpm, bool) or not isinstance(cpm, (int, float)) or cpm < 0):
        raise _error(name, "cpm", f"{cpm!r} must be a price per thousand names (cpm = 85.0)", line("cpm"))
    return {"supplier": _text(name, body, "supplier", line), "one_time": one_time, "expires": expires,
            "cpm": None if cpm is None else float(cpm)}


# -- checking helpers ------------------------------------------------------------------------------
def _error(source: str, key: str, problem: str, line: int | None = None) -> ConfigError:
    where = f"{line}: " if line else " "
    return ConfigError(f"{where}source {source!r}, key {key!r}: {problem}".lstrip())


def _choice(name, body, key, allowed, line, required=False):
    value = body.get(key)
    if value is None:
        if required:
            raise _error(name, key, f"is required (one of {', '.join(allowed)})")
        return None
    if not isinstance(value, str) or value.lower() not in allowed:
        raise _error(name, key, f"{value!r} is not one of {', '.join(allowed)}", line(key))
    return value.lower()


def _text(name, body, key, line):
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _error(name, key, "must be a non-empty string", line(key))
    return value


def _line_of(text: str | None, key: str, table: str | None = None) -> int | None:
    if not text:
        return None
    lines = text.splitlines()
    start = 0
    if table:
        for i, ln in enumerate(lines):
            if ln.strip().startswith(f"[{table}"):
                start = i
                break
    for i in range(start, len(lines)):
        if re.match(rf"\s*\"?{re.escape(key)}\"?\s*=", lines[i]):
            return i + 1
    return start + 1 if table else None


def _nearest(word: str, candidates) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None
