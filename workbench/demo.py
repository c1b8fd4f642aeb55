"""Build the demo database from ``demo_db/`` (sample extracts of a fictional retailer) via the real loaders.

The demo keeps a frozen clock (``settings.clock.frozen_at`` = the manifest's ``demo_now``) so its
freshness states, triggers and screenshots look the same whenever it is opened.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench import clock
from workbench.errors import InputFileError

DEMO_DIR = Path(__file__).resolve().parents[1] / "demo_db"


def post_load_steps() -> list[tuple[str, Callable[[Any], Any]]]:
    """What the demo runs after the extracts are loaded, in order: (label, callable(store))."""
    from workbench.contacts import demo_step as contacts_step
    from workbench.households import run_households
    from workbench.select.counts import import_demo_selections
    from workbench.suppress import run_suppressions

    def match(store):
        from workbench.identity.run import match

        return match(store)

    return [
        ("matching people into persons", match),
        ("forming households", run_households),
        ("matching suppressions", run_suppressions),
        ("contacts: link by email, import rules and triggers", contacts_step),
        ("importing the example selections", import_demo_selections),
    ]


def demo_dir() -> Path:
    if not (DEMO_DIR / "manifest.json").is_file():
        raise InputFileError(f"The demo data is not at {DEMO_DIR}.",
                             "Run workbench from a clone of its repository (pip install -e .).")
    return DEMO_DIR


def build_demo(db_path: Path, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    from workbench.ingest.load import load_file
    from workbench.ingest.sources import parse_sources_toml, save_sources
    from workbench.store import Store
    from workbench.store.sql import scalar

    say = progress or (lambda _m: None)
    started = time.perf_counter()
    folder = demo_dir()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for suffix in ("", ".wal"):
        p = Path(str(db_path) + suffix)
        if p.exists():
            p.unlink()
    previous = clock._fixed
    try:
        first = manifest["loads"][0]["loaded_at"] if manifest["loads"] else manifest["demo_now"]
        clock.set_now(first)
        store = Store(db_path)
        with store.transaction() as conn:
            save_sources(conn, parse_sources_toml(folder / "sources.toml"))
        loads = 0
        for entry in manifest["loads"]:
            clock.set_now(entry["loaded_at"])
            result = load_file(store, entry["source"], folder / entry["file"])
            loads += result.status == "loaded"
            say(f"  {entry['loaded_at']}  {result.message}")
        clock.set_now(manifest["demo_now"])
        from workbench.ingest.derived import ensure_derived

        with store.transaction() as conn:
            ensure_derived(conn)
        for label, step in post_load_steps():
            say(f"  {label}")
            step(store)
        store.set_setting("clock.frozen_at", manifest["demo_now"])
        with store.connect(read_only=True) as conn:
            records = scalar(conn, "SELECT count(*) FROM records")
    finally:
        clock.set_now(previous)
    return {"db": str(db_path), "loads": loads, "records": records, "demo_now": manifest["demo_now"],
            "seconds": round(time.perf_counter() - started, 2)}
