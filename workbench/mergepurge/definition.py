"""A merge/purge run, read strictly from TOML (``[mergepurge]``): the lists of one mailing in priority order.

::

    [mergepurge]
    name = "spring_prospects"       # names the run (audit log, report)
    channel = "mail"                # mail | email | phone
    brand = "northwind"             # optional: that brand's suppressions apply too (none: every brand's)
    lists = ["rented_a", "compiled_b"]   # prospects sources, highest priority first: it keeps a duplicate
    house = "remove"                # remove | flag: house-file matches taken out, or kept and flagged
    one_per = "household"           # person | household
    keycodes = { rented_a = "SP26A" }    # optional; a list's keycode defaults to its name

    [[mergepurge.seeds]]            # optional: this run's own seeds replace the database's seed list
    name = "Staff: Jo Park"
    first_name = "Jo"
    address_line1 = "8 Harbor Rd"
    zip5 = "01970"

An unknown key, a wrong type or a list named twice is an error naming the key and the file's line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.config import toml
from workbench.errors import ConfigError
from workbench.select.definition import SEED_FIELDS, SEED_NEEDS, Seed

CHANNELS = ("mail", "email", "phone")
HOUSE = ("remove", "flag")
ONE_PER = ("person", "household")
_KEYS = {"name", "channel", "brand", "lists", "house", "one_per", "keycodes", "seeds", "description"}
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_\-]{0,62}")


@dataclass
class MergePurgeRun:
    name: str
    channel: str
    lists: list[str]
    brand: str | None = None
    house: str = "remove"
    one_per: str = "household"
    keycodes: dict[str, str] = field(default_factory=dict)
    seeds: list[Seed] = field(default_factory=list)
    description: str | None = None
    text: str = ""  # the TOML as given (kept with the run)

    def keycode(self, source: str) -> str:
        return self.keycodes.get(source, source)


def parse_run_toml(path: str | Path) -> MergePurgeRun:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            f"{path}: no such file.", "Name the merge/purge run's TOML file (see docs/mergepurge.md)."
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a UTF-8 text file.") from None
    return parse_run_text(text, str(path))


def parse_run_text(text: str, label: str = "RUN.toml") -> MergePurgeRun:
    data = toml.parse(text, toml.MERGEPURGE, label).data

    def err(key: str, problem: str) -> ConfigError:
        line = _line_of(text, key)
        where = f"{label}:{line}" if line else label
        return ConfigError(f"{where}: [mergepurge] key {key!r}: {problem}")

    extra = sorted(set(data) - {"mergepurge"})
    if extra:
        raise ConfigError(
            f"{label}:{_line_of(text, extra[0]) or 1}: unknown table or key {extra[0]!r}; a run file "
            "holds one [mergepurge] table."
        )
    body = data.get("mergepurge")
    if not isinstance(body, dict):
        raise ConfigError(f"{label}: no [mergepurge] table found.", "See docs/mergepurge.md for the format.")
    for key in body:
        if key not in _KEYS:
            raise err(key, "unknown key (keys: " + ", ".join(sorted(_KEYS)) + ")")
    name = body.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise err("name", "is required: a letter, then letters, digits, _ or - (max 63)")
    channel = body.get("channel")
    if channel not in CHANNELS:
        raise err("channel", f"{channel!r} must be one of {', '.join(CHANNELS)}")
    brand = body.get("brand")
    if brand is not None and (not isinstance(brand, str) or not brand.strip()):
        raise err("brand", "must be a brand name")
    lists = body.get("lists")
    if not isinstance(lists, list) or not lists or not all(isinstance(x, str) and x for x in lists):
        raise err("lists", "is required: the prospects sources of the mailing, highest priority first")
    twice = sorted({x for x in lists if lists.count(x) > 1})
    if twice:
        raise err("lists", f"names {twice[0]!r} twice")
    house = body.get("house", "remove")
    if house not in HOUSE:
        raise err("house", f"{house!r} must be remove (house-file matches taken out) or flag (kept, flagged)")
    one_per = body.get("one_per", "household")
    if one_per not in ONE_PER:
        raise err("one_per", f"{one_per!r} must be person or household")
    keycodes = body.get("keycodes", {})
    if not isinstance(keycodes, dict) or not all(isinstance(v, str) and v.strip() for v in keycodes.values()):
        raise err("keycodes", 'must be a table of list = "KEYCODE"')
    unknown = sorted(set(keycodes) - set(lists))
    if unknown:
        raise err("keycodes", f"names {unknown[0]!r}, which is not one of the run's lists")
    seeds_body = body.get("seeds", [])
    if not isinstance(seeds_body, list):
        raise err("seeds", "is a list of tables ([[mergepurge.seeds]])")
    seeds = []
    for i, s in enumerate(seeds_body):
        if (
            not isinstance(s, dict)
            or any(k not in {"name", *SEED_FIELDS} for k in s)
            or not all(isinstance(v, str) and v.strip() for v in s.values())
        ):
            raise err("seeds", f"seed {i + 1}: a table of name and {', '.join(SEED_FIELDS)} (text values)")
        missing = [k for k in SEED_NEEDS[channel] if not s.get(k)]
        if missing:
            raise err("seeds", f"seed {i + 1} needs {' and '.join(missing)} for the {channel} channel")
        seeds.append(
            Seed(
                name=s.get("name", f"seed {i + 1}"),
                values={k: v.strip() for k, v in s.items() if k != "name"},
            )
        )
    description = body.get("description")
    return MergePurgeRun(
        name=name,
        channel=channel,
        lists=list(lists),
        brand=brand.strip().lower() if brand else None,
        house=house,
        one_per=one_per,
        keycodes={k: v.strip() for k, v in keycodes.items()},
        seeds=seeds,
        description=description if isinstance(description, str) else None,
        text=text,
    )


def _line_of(text: str, key: str) -> int | None:
    for i, ln in enumerate(text.splitlines()):
        if re.match(rf"\s*\"?{re.escape(key)}\"?\s*=", ln) or ln.strip() in (
            f"[{key}]",
            f"[[mergepurge.{key}]]",
        ):
            return i + 1
    return None


def as_dict(run: MergePurgeRun) -> dict[str, Any]:
    return {
        "name": run.name,
        "channel": run.channel,
        "brand": run.brand,
        "lists": run.lists,
        "house": run.house,
        "one_per": run.one_per,
        "keycodes": {s: run.keycode(s) for s in run.lists},
        "own_seeds": len(run.seeds),
    }
