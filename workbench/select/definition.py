"""Selection definitions: read strictly from TOML (``[selections.NAME]`` tables), written back as TOML.

An unknown key, a wrong type or a value out of range is a :class:`SelectionError` naming the
selection, the key and the line. Whether the ``where`` expressions check (attribute and function
names, brands, sources) is a second step, :func:`workbench.select.waterfall.check_selection`, since it
needs the database. docs/selections.md is the reference of the format.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from workbench.config import toml
from workbench.errors import ConfigError
from workbench.formatting import article
from workbench.select.attributes import ATTRIBUTES, DEFAULT_FIELDS, FIELD_ALIASES, field_attribute

CHANNELS = ("mail", "email", "phone")
ONE_PER = ("person", "household", "address")
LIMIT_METHODS = ("first", "nth", "random")
SEED_FIELDS = ("first_name", "last_name", "address_line1", "address_line2", "city", "state", "zip5", "zip4",
               "email", "phone")
SEED_NEEDS = {"mail": ("address_line1", "zip5"), "email": ("email",), "phone": ("phone",)}
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_\-]{0,62}")
_KEYS = {"description", "channel", "brand", "where", "one_per", "suppress", "override_suppress", "override_reason",
         "limit", "cells", "seeds", "fields", "priority", "seed"}
_LIMIT_KEYS = {"n", "method", "order", "seed"}
_CELL_KEYS = {"name", "share", "count", "keycode", "contact", "where"}


class SelectionError(ConfigError):
    """A selection that does not check. Commands refuse it (exit 1)."""

    exit_code = 1


@dataclass
class Limit:
    n: int
    method: str = "first"  # first | nth | random
    order: str | None = None  # for first and nth: 'spend(days=365) desc, person_id'
    seed: int | None = None  # for random (default: the selection's seed)


@dataclass
class Cell:
    name: str
    keycode: str | None = None
    share: float | None = None  # of the persons reaching the cells
    count: int | None = None
    contact: bool = True  # false: a control (hold-out) cell, recorded but not written to the file
    where: str | None = None  # only persons matching it (cascade: the first cell that takes a person keeps them)


@dataclass
class Seed:
    name: str
    values: dict[str, str] = field(default_factory=dict)  # export field -> value


@dataclass
class Selection:
    name: str
    channel: str
    brand: str | None = None
    description: str | None = None
    where: str = ""
    one_per: str = "person"
    suppress: str | list[str] = "default"
    override_suppress: list[str] = field(default_factory=list)
    override_reason: str | None = None
    limit: Limit | None = None
    cells: list[Cell] = field(default_factory=list)
    seeds: list[Seed] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    priority: int | None = None
    seed: int | None = None  # of random splits and random limits (default: derived from the name)
    version: int | None = None  # set when read from the database

    @property
    def export_fields(self) -> list[str]:
        return list(self.fields) or list(DEFAULT_FIELDS[self.channel])

    @property
    def effective_seed(self) -> int:
        if self.seed is not None:
            return self.seed
        import zlib

        return zlib.crc32(self.name.encode("utf-8"))

    @property
    def effective_cells(self) -> list[Cell]:
        return self.cells or [Cell(name="all")]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("version")
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    def to_toml(self) -> str:
        return selection_toml(self)


# -- reading ----------------------------------------------------------------------------------------
def parse_selections_toml(path: str | Path) -> list[Selection]:
    path = Path(path)
    if not path.is_file():
        raise SelectionError(f"{path}: no such file.")
    try:
        return parse_selections_text(path.read_text(encoding="utf-8-sig"), label=str(path))
    except UnicodeDecodeError:
        raise SelectionError(f"{path}: not a UTF-8 text file.") from None


def parse_selections_text(text: str, label: str = "selections") -> list[Selection]:
    """Every ``[selections.NAME]`` table of a TOML text, checked strictly."""
    try:
        tables = toml.parse(text, toml.SELECTIONS, label).tables("selections")
    except ConfigError as exc:  # a selection that does not check is refused with exit 1
        raise SelectionError(exc.message, exc.hint) from None
    out = []
    for name, body in tables.items():
        try:
            out.append(selection_from_dict(name, body, text))
        except SelectionError as exc:
            raise SelectionError(f"{label}:{exc.message}", exc.hint) from None
    return out


def selection_from_dict(name: str, body: Any, text: str | None = None) -> Selection:
    r = _Reader(name, text)
    if not _NAME.fullmatch(name):
        raise r.error("name", None, "a selection name is a letter then letters, digits, _ or - (max 63)")
    if not isinstance(body, dict):
        raise r.error("name", None, "must be a table")
    r.keys(body, _KEYS, None)
    channel = r.choice(body, "channel", CHANNELS, None, required=True)
    sel = Selection(name=name, channel=channel)
    sel.brand = (r.text(body, "brand", None) or "").strip().lower() or None
    sel.description = r.text(body, "description", None)
    sel.where = r.text(body, "where", None, allow_empty=True) or ""
    sel.one_per = r.choice(body, "one_per", ONE_PER, None) or "person"
    suppress = body.get("suppress", "default")
    if suppress != "default" and not (isinstance(suppress, list) and all(isinstance(s, str) and s for s in suppress)):
        raise r.error("suppress", None, 'is "default" (every suppression that applies) or a list of names')
    sel.suppress = suppress if suppress == "default" else list(suppress)
    sel.override_suppress = r.names(body, "override_suppress", None)
    sel.override_reason = r.text(body, "override_reason", None)
    if sel.override_suppress and not sel.override_reason:
        raise r.error("override_reason", None, "is required with override_suppress: say why these suppressions "
                      "do not apply (it is logged)")
    sel.priority = r.integer(body, "priority", None, low=-1_000_000, high=1_000_000)
    sel.seed = r.integer(body, "seed", None, low=0, high=2**31 - 1)
    sel.fields = r.names(body, "fields", None)
    for f in sel.fields:
        attr = field_attribute(f)
        if attr is None or not attr.exportable:
            raise r.error("fields", None, f"{f!r} is not an attribute" + _near(f, [*ATTRIBUTES, *FIELD_ALIASES]))
    if len(set(sel.fields)) != len(sel.fields):
        raise r.error("fields", None, "lists a field twice")
    if "limit" in body:
        sel.limit = _limit(r, body["limit"])
    sel.cells = [_cell(r, c, i) for i, c in enumerate(_array(r, body, "cells"))]
    _check_cells(r, sel.cells)
    sel.seeds = [_seed(r, s, i, channel) for i, s in enumerate(_array(r, body, "seeds"))]
    return sel


def _limit(r: _Reader, body: Any) -> Limit:
    section = "limit"
    if not isinstance(body, dict):
        raise r.error("limit", None, "must be a table: limit = { n = 5000, method = \"random\" }")
    r.keys(body, _LIMIT_KEYS, section)
    n = r.integer(body, "n", section, low=1, high=10**9, required=True)
    method = r.choice(body, "method", LIMIT_METHODS, section) or "first"
    order = r.text(body, "order", section)
    if order and method == "random":
        raise r.error("order", section, "does not apply to method = \"random\" (the order is the seeded draw)")
    return Limit(n=n, method=method, order=order, seed=r.integer(body, "seed", section, low=0, high=2**31 - 1))


def _cell(r: _Reader, body: Any, i: int) -> Cell:
    section = ("cells", i)
    if not isinstance(body, dict):
        raise r.error("cells", None, "each cell is a table ([[selections.NAME.cells]])")
    r.keys(body, _CELL_KEYS, section)
    name = r.text(body, "name", section, required=True)
    cell = Cell(name=name, keycode=r.text(body, "keycode", section), contact=r.boolean(body, "contact", section, True),
                where=r.text(body, "where", section))
    share, count = body.get("share"), body.get("count")
    if share is not None and count is not None:
        raise r.error("share", section, "give a share or a count, not both")
    if share is not None:
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1:
            raise r.error("share", section, f"{share!r} must be a fraction above 0 and at most 1 (0.1 = 10%)")
        cell.share = float(share)
    cell.count = r.integer(body, "count", section, low=1, high=10**9)
    return cell


def _check_cells(r: _Reader, cells: list[Cell]) -> None:
    names = [c.name for c in cells]
    for c in cells:
        if names.count(c.name) > 1:
            raise r.error("cells", None, f"two cells are named {c.name!r}")
        if c.name.strip().lower() == "seed":
            raise r.error("cells", None, "'seed' is kept for the seed rows of the file")
    codes = [c.keycode for c in cells if c.keycode]
    if len(set(codes)) != len(codes):
        raise r.error("cells", None, "two cells have the same keycode")
    if sum(c.share or 0 for c in cells) > 1 + 1e-9:
        raise r.error("cells", None, "the shares add up to more than 1")
    if cells and not any(c.contact for c in cells):
        raise r.error("cells", None, "every cell is a control cell (contact = false): nobody would be contacted")


def _seed(r: _Reader, body: Any, i: int, channel: str) -> Seed:
    section = ("seeds", i)
    if not isinstance(body, dict):
        raise r.error("seeds", None, "each seed is a table ([[selections.NAME.seeds]])")
    r.keys(body, {"name", *SEED_FIELDS}, section)
    name = r.text(body, "name", section, required=True)
    values = {k: r.text(body, k, section) for k in SEED_FIELDS if k in body}
    missing = [k for k in SEED_NEEDS[channel] if not values.get(k)]
    if missing:
        raise r.error(missing[0], section, f"seed {name!r} needs {' and '.join(missing)} for {article(channel)} selection")
    return Seed(name=name, values={k: v for k, v in values.items() if v})


def _array(r: _Reader, body: dict[str, Any], key: str) -> list[Any]:
    value = body.get(key, [])
    if not isinstance(value, list):
        raise r.error(key, None, f"is a list of tables ([[selections.NAME.{key}]])")
    return value


class _Reader:
    """Typed access to one selection's keys; errors name the selection, the key and the line."""

    def __init__(self, name: str, text: str | None) -> None:
        self.name, self.text_ = name, text

    def error(self, key: str, section, problem: str) -> SelectionError:
        line = _line(self.text_, self.name, key, section) if self.text_ else None
        where = f"{line}: " if line else " "
        label = {None: key, "limit": f"limit.{key}"}.get(section) if not isinstance(section, tuple) else \
            f"{section[0]}[{section[1] + 1}].{key}"
        return SelectionError(f"{where}selection {self.name!r}, key {label!r}: {problem}".lstrip())

    def keys(self, body: dict[str, Any], known: set[str], section) -> None:
        for key in body:
            if key not in known:
                raise self.error(key, section, "unknown key" + _near(key, known))

    def choice(self, body, key, allowed, section, required=False) -> str | None:
        value = body.get(key)
        if value is None:
            if required:
                raise self.error(key, section, f"is required ({', '.join(allowed)})")
            return None
        if not isinstance(value, str) or value.strip().lower() not in allowed:
            raise self.error(key, section, f"{value!r} is not one of {', '.join(allowed)}")
        return value.strip().lower()

    def text(self, body, key, section, required=False, allow_empty=False) -> str | None:
        value = body.get(key)
        if value is None:
            if required:
                raise self.error(key, section, "is required")
            return None
        if not isinstance(value, str) or (not allow_empty and not value.strip()):
            raise self.error(key, section, "must be a non-empty string")
        return value.strip()

    def integer(self, body, key, section, low: int, high: int, required=False) -> int | None:
        value = body.get(key)
        if value is None:
            if required:
                raise self.error(key, section, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.error(key, section, f"{value!r} must be a whole number from {low:,} to {high:,}")
        return value

    def boolean(self, body, key, section, default: bool) -> bool:
        value = body.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, section, "must be true or false")
        return value

    def names(self, body, key, section) -> list[str]:
        value = body.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(key, section, "must be a list of names")
        return [v.strip() for v in value]


def _near(word: str, candidates) -> str:
    import difflib

    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {found[0]!r}?" if found else ""


def _line(text: str | None, name: str | None, key: str, section=None) -> int | None:
    """The line of ``key`` in selection ``name`` (in its limit table, or its n-th cell / seed)."""
    if not text:
        return None
    lines = text.splitlines()
    key_re = re.compile(rf"(^|[\s{{,])\"?{re.escape(key)}\"?\s*=")
    if name is None:
        return next((i + 1 for i, ln in enumerate(lines) if key_re.search(ln)), None)
    base = rf"selections\.(\"{re.escape(name)}\"|{re.escape(name)})"
    if isinstance(section, tuple):
        header, nth = re.compile(rf"^\s*\[\[\s*{base}\.{section[0]}\s*\]\]"), section[1]
    elif section == "limit":
        header, nth = re.compile(rf"^\s*\[\s*{base}(\.limit)?\s*\]"), None
    else:
        header, nth = re.compile(rf"^\s*\[\s*{base}\s*\]"), 0
    seen, start = -1, None
    for i, ln in enumerate(lines):
        if header.match(ln):
            seen += 1
            if nth is None or seen == nth:
                start = i
                if nth is None and ".limit" not in ln:
                    continue  # prefer [selections.NAME.limit]; the inline form is found from the main table
                break
    if start is None:
        return None
    for j in range(start + 1, len(lines)):
        if lines[j].lstrip().startswith("["):
            break
        if key_re.search(lines[j]):
            return j + 1
    return start + 1


# -- writing ----------------------------------------------------------------------------------------
def selection_toml(sel: Selection) -> str:
    """The TOML text of one selection (what `selections show` prints and the TUI edits)."""
    head = sel.name if _NAME.fullmatch(sel.name) else json.dumps(sel.name)
    out = [f"[selections.{head}]"]

    def put(key: str, value: Any) -> None:
        if value is None or value == [] or value == "":
            return
        out.append(f"{key} = {_value(value)}")

    put("description", sel.description)
    put("channel", sel.channel)
    put("brand", sel.brand)
    put("where", sel.where)
    put("one_per", sel.one_per)
    put("suppress", sel.suppress)
    put("override_suppress", sel.override_suppress)
    put("override_reason", sel.override_reason)
    put("priority", sel.priority)
    put("seed", sel.seed)
    put("fields", sel.fields)
    if sel.limit:
        out += ["", f"[selections.{head}.limit]"]
        for key in ("n", "method", "order", "seed"):
            put(key, getattr(sel.limit, key))
    for cell in sel.cells:
        out += ["", f"[[selections.{head}.cells]]"]
        put("name", cell.name)
        put("share", cell.share)
        put("count", cell.count)
        put("keycode", cell.keycode)
        out.append(f"contact = {_value(cell.contact)}")
        put("where", cell.where)
    for seed in sel.seeds:
        out += ["", f"[[selections.{head}.seeds]]"]
        put("name", seed.name)
        for key, value in seed.values.items():
            put(key, value)
    return "\n".join(out) + "\n"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")


def selection_from_json(text: str, version: int | None = None) -> Selection:
    d = json.loads(text)
    d["limit"] = Limit(**d["limit"]) if d.get("limit") else None
    d["cells"] = [Cell(**c) for c in d.get("cells") or []]
    d["seeds"] = [Seed(**s) for s in d.get("seeds") or []]
    return Selection(**d, version=version)
