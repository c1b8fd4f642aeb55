"""The database-wide seed (decoy) list: staff names and addresses mixed into every file that leaves.

A seed is kept per channel (mail, email, phone) and brand (none: every brand). Every export and every
merge/purge file carries the seeds of its channel and brand, unless a selection names its own seeds
(``[[selections.NAME.seeds]]``) or a merge/purge run does (``[[mergepurge.seeds]]``): those replace the
database's. A file may leave without seeds only with an explicit ``--no-seeds``, which is written to the
audit log (``seeds.skipped``) and the manifest.

Exports refuse a file without seeds once the database keeps a seed list (``workbench seeds import``); a
database with no seed list at all exports as before, with a warning (so databases made before the seed
list keep working). A merge/purge run always refuses a file without seeds unless ``--no-seeds``.

The seed file (TOML)::

    [[seeds]]
    name = "Staff: Jo Park"       # a label, never written to the file
    channel = "mail"              # mail | email | phone
    brand = "northwind"           # optional: every brand when omitted
    first_name = "Jo"
    last_name = "Park"
    address_line1 = "8 Harbor Rd"
    city = "Salem"
    state = "MA"
    zip5 = "01970"
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from workbench import audit, clock
from workbench.config import toml
from workbench.errors import ConfigError, RefusedError
from workbench.select.definition import SEED_FIELDS, SEED_NEEDS, Seed
from workbench.store.sql import rows, run, scalar

CHANNELS = tuple(SEED_NEEDS)
_KEYS = {"name", "channel", "brand", *SEED_FIELDS}


def parse_seeds_toml(path: str | Path) -> list[dict[str, Any]]:
    """The ``[[seeds]]`` of a TOML file, checked: an unknown key, a missing channel or the field a channel
    needs (mail: address_line1 and zip5; email: email; phone: phone) names the seed and its line."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such file.")
    text = path.read_text(encoding="utf-8-sig")
    data = toml.parse(text, toml.SEEDS, str(path)).data
    found = data.get("seeds")
    if not isinstance(found, list) or not found:
        raise ConfigError(f"{path}: no [[seeds]] table found.")
    starts = [i + 1 for i, ln in enumerate(text.splitlines()) if ln.strip() == "[[seeds]]"]
    out = []
    for i, body in enumerate(found):
        where = f"{path}:{starts[i]}" if i < len(starts) else str(path)
        if not isinstance(body, dict):
            raise ConfigError(f"{where}: each seed is a [[seeds]] table.")
        for key, value in body.items():
            if key not in _KEYS:
                raise ConfigError(
                    f"{where}: seed {i + 1}: unknown key {key!r} (keys: {', '.join(sorted(_KEYS))})."
                )
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{where}: seed {i + 1}, key {key!r}: must be a non-empty string.")
        name = body.get("name") or f"seed {i + 1}"
        channel = (body.get("channel") or "").strip().lower()
        if channel not in CHANNELS:
            raise ConfigError(f"{where}: seed {name!r}: channel must be one of {', '.join(CHANNELS)}.")
        missing = [k for k in SEED_NEEDS[channel] if not body.get(k)]
        if missing:
            raise ConfigError(
                f"{where}: seed {name!r} needs {' and '.join(missing)} for the {channel} channel."
            )
        out.append(
            {
                "name": name.strip(),
                "channel": channel,
                "brand": body["brand"].strip().lower() if body.get("brand") else None,
                **{k: body[k].strip() for k in SEED_FIELDS if body.get(k)},
            }
        )
    return out


def import_seeds(conn: duckdb.DuckDBPyConnection, seeds: list[dict[str, Any]]) -> dict[str, int]:
    """Replace the database's seed list with ``seeds`` (audited: counts only). Returns the counts."""
    before = scalar(conn, "SELECT count(*) FROM seed_names")
    run(conn, "DELETE FROM seed_names")
    now = clock.now()
    for i, s in enumerate(seeds, start=1):
        run(
            conn,
            f"INSERT INTO seed_names (seed_id, name, channel, brand, {', '.join(SEED_FIELDS)}, added_at) "
            f"VALUES (?, ?, ?, ?, {', '.join('?' for _ in SEED_FIELDS)}, ?)",
            [i, s["name"], s["channel"], s["brand"], *[s.get(k) for k in SEED_FIELDS], now],
        )
    counts = {"seeds": len(seeds), "replaced": before}
    audit.record(conn, "seeds.import", None, counts)
    return counts


def list_seeds(conn: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return rows(conn, "SELECT * FROM seed_names ORDER BY channel, brand NULLS FIRST, seed_id")


def keeps_seed_list(conn: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database keeps a seed list at all (then every export must carry seeds or --no-seeds)."""
    return bool(scalar(conn, "SELECT count(*) FROM seed_names"))


def seeds_for(conn: duckdb.DuckDBPyConnection, channel: str, brand: str | None) -> list[Seed]:
    """The database's seeds of a file of ``channel`` and ``brand``: the seeds of every brand, and of that
    brand (a file without a brand: only the seeds of every brand)."""
    found = rows(
        conn,
        f"SELECT name, {', '.join(SEED_FIELDS)} FROM seed_names WHERE channel = ? AND "
        "(brand IS NULL OR brand = ?) ORDER BY brand NULLS FIRST, seed_id",
        [channel, (brand or "").strip().lower() or None],
    )
    return [Seed(name=r["name"], values={k: r[k] for k in SEED_FIELDS if r[k]}) for r in found]


def file_seeds(
    conn: duckdb.DuckDBPyConnection,
    own: list[Seed],
    channel: str,
    brand: str | None,
    no_seeds: bool,
    what: str,
    target: str,
    strict: bool,
) -> tuple[list[Seed], str]:
    """The seeds a file carries and where they come from ('own', 'database', 'none'). ``own`` (a
    selection's or a run's seeds) replace the database's. ``no_seeds``: none at all, and an audit row
    ``seeds.skipped`` names the file. A file that would carry none without ``no_seeds`` is refused when
    ``strict`` or when the database keeps a seed list."""
    if no_seeds:
        audit.record(conn, "seeds.skipped", target, {"what": what, "channel": channel, "brand": brand})
        return [], "none"
    if own:
        return list(own), "own"
    found = seeds_for(conn, channel, brand)
    if found:
        return found, "database"
    if strict or keeps_seed_list(conn):
        label = f"{channel}" + (f" / {brand}" if brand else "")
        raise RefusedError(
            f"{what} {target!r} would leave without seeds: the seed list has none for {label}.",
            "Add seeds for it (`workbench seeds import FILE.toml`), name the file's own seeds, "
            "or leave without seeds on purpose with --no-seeds (recorded in the audit log).",
        )
    return [], "none"
