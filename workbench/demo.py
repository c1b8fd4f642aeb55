"""Build the demo database from ``demo_db/`` (sample extracts of a fictional retailer) via the real loaders.

The demo keeps a frozen clock (``settings.clock.frozen_at`` = the manifest's ``demo_now``) so its
freshness states, triggers and screenshots look the same whenever it is opened.

The demo's match model is trained once, not on every build: ``demo_db/match_model.json`` holds the model
Splink trains on the demo's records, with the fingerprint of that input (see
:func:`workbench.identity.training.input_fingerprint`). The build saves it instead of training while the
fingerprint fits; when the data, the standardisation or the training recipe changes it no longer fits and
the build trains as any match run does (slower, same result). ``python demo_db/train_model.py`` writes
the file again (tests/test_demo_model.py says when it is stale).

The demo builds its own file and never replaces anything else: it is built under a temporary name beside
the target and renamed into place at the end (a half-built demo never stands under the name), and it
replaces an existing file only when that file is a demo database it built (``settings.demo.built``) and
the caller says so (``replace=True``; ``workbench demo --force``). Anything else is refused.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench import clock
from workbench.errors import DatabaseBusyError, InputFileError, WorkbenchError

DEMO_DIR = Path(__file__).resolve().parents[1] / "demo_db"


MODEL_FILE = "match_model.json"


def post_load_steps(train: bool = False) -> list[tuple[str, Callable[[Any], Any]]]:
    """What the demo runs after the extracts are loaded, in order: (label, callable(store)). ``train``:
    train the match model even when the shipped one fits."""
    from workbench.contacts import demo_step as contacts_step
    from workbench.households import run_households
    from workbench.select.counts import import_demo_selections
    from workbench.suppress import run_suppressions

    def match(store):
        from workbench.identity.run import match

        return match(store, pretrained=None if train else shipped_model())

    return [
        ("matching people into persons", match),
        ("forming households", run_households),
        ("matching suppressions", run_suppressions),
        ("contacts: link by email, import rules and triggers", lambda store: contacts_step(store, demo_dir())),
        ("importing the example selections", lambda store: import_demo_selections(store, demo_dir())),
    ]


def shipped_model() -> dict[str, Any] | None:
    """The demo's trained match model (``demo_db/match_model.json``), or None when there is none."""
    try:
        return json.loads((demo_dir() / MODEL_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_demo_model(target: Path | None = None) -> dict[str, Any]:
    """Build the demo with training (in a temporary folder) and write its model with the fingerprint of its
    input to ``target`` (default ``demo_db/match_model.json``), atomically. Returns what was written."""
    import tempfile

    from workbench.identity import prepare, training
    from workbench.store import Store

    target = Path(target) if target else demo_dir() / MODEL_FILE
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.duckdb"
        build_demo(db, train=True)
        store = Store(db)
        with store.transaction() as conn:
            n = prepare.build_input(conn)
            saved = training.latest_model(conn)
            if saved is None or saved.method != "splink":
                raise WorkbenchError("The demo's match run trained no model; nothing to write.")
            entry = training.pretrained_entry(conn, saved, n)
            conn.execute(f"DROP TABLE IF EXISTS {prepare.INPUT_TABLE}")
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(entry, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(partial, target)
    return entry


def demo_dir() -> Path:
    if not (DEMO_DIR / "manifest.json").is_file():
        raise InputFileError(f"The demo data is not at {DEMO_DIR}.",
                             "Run workbench from a clone of its repository (pip install -e .).")
    return DEMO_DIR


DEMO_MARK = "demo.built"


def demo_status(db_path: Path) -> str:
    """``"missing"`` (no file), ``"demo"`` (a demo database built by :func:`build_demo`) or ``"other"``
    (anything else: a workbench database, another file, a directory). Reads without changing the file."""
    import duckdb

    path = Path(db_path)
    if not path.exists() and not path.is_symlink():
        return "missing"
    if not path.is_file() or path.is_symlink():
        return "other"
    try:
        conn = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseBusyError(f"{path} is in use by another process.",
                                    "Close the workbench that has it open and try again.") from None
        return "other"
    except duckdb.Error:
        return "other"
    try:
        found = dict(conn.execute("SELECT key, value FROM settings WHERE key IN (?, 'clock.frozen_at')",
                                  [DEMO_MARK]).fetchall())
    except duckdb.Error:
        return "other"
    finally:
        conn.close()
    if DEMO_MARK in found:
        return "demo"
    try:  # a demo built before the mark existed: its frozen clock is the demo's date
        demo_now = json.loads((demo_dir() / "manifest.json").read_text(encoding="utf-8"))["demo_now"]
    except (OSError, ValueError, KeyError, InputFileError):
        return "other"
    return "demo" if found.get("clock.frozen_at") == demo_now else "other"


def build_demo(db_path: Path, progress: Callable[[str], None] | None = None, replace: bool = False,
               train: bool = False) -> dict[str, Any]:
    """Build the demo database at ``db_path``. A file already there is replaced only when it is a demo
    database (:func:`demo_status`) and ``replace`` is true; otherwise refused (WorkbenchError), unchanged.
    ``train``: train the match model rather than use the shipped one (:func:`write_demo_model`)."""
    from workbench.ingest.load import load_file
    from workbench.ingest.sources import parse_sources_toml, save_sources
    from workbench.store import Store
    from workbench.store.sql import scalar

    say = progress or (lambda _m: None)
    started = time.perf_counter()
    folder = demo_dir()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    db_path = Path(db_path).expanduser().absolute()
    status = demo_status(db_path)
    if status == "other":
        raise WorkbenchError(f"{db_path} exists and is not a demo database built by `workbench demo`; the demo "
                             "never replaces it.", "Give the demo a file of its own (leave --db out: demo.duckdb).")
    if status == "demo" and not replace:
        raise WorkbenchError(f"{db_path} is a demo database already.", "Rebuild it with `workbench demo --force`.")
    if not db_path.parent.is_dir():
        raise WorkbenchError(f"The folder {db_path.parent} does not exist.")
    if status == "missing" and Path(str(db_path) + ".wal").exists():
        raise WorkbenchError(f"{db_path}.wal exists without its database; the demo leaves it alone.",
                             "Remove it, or give the demo another file name.")
    building = db_path.with_name(f".{db_path.name}.{os.getpid()}.building")
    for p in (building, Path(str(building) + ".wal")):
        p.unlink(missing_ok=True)
    previous = clock._fixed
    try:
        first = manifest["loads"][0]["loaded_at"] if manifest["loads"] else manifest["demo_now"]
        clock.set_now(first)
        store = Store(building)
        with store.transaction() as conn:
            save_sources(conn, parse_sources_toml(folder / "sources.toml"))
        loads = 0
        with store.connect() as held:  # one connection for every load: no open and close (checkpoint) per load
            for entry in manifest["loads"]:
                clock.set_now(entry["loaded_at"])
                result = load_file(store, entry["source"], folder / entry["file"], held=held)
                loads += result.status == "loaded"
                say(f"  {entry['loaded_at']}  {result.message}")
        clock.set_now(manifest["demo_now"])
        from workbench.ingest.derived import ensure_derived

        with store.transaction() as conn:
            ensure_derived(conn)
        for label, step in post_load_steps(train):
            say(f"  {label}")
            step(store)
        store.set_setting("clock.frozen_at", manifest["demo_now"])
        store.set_setting(DEMO_MARK, manifest["demo_now"])
        with store.connect(read_only=True) as conn:
            records = scalar(conn, "SELECT count(*) FROM records")
        with store.connect() as conn:
            conn.execute("CHECKPOINT")  # everything in the file itself: no write-ahead log to carry over
        if demo_status(db_path) == "other":  # something else took the name meanwhile
            raise WorkbenchError(f"{db_path} appeared during the build and is not a demo database; left as it is.")
        Path(str(db_path) + ".wal").unlink(missing_ok=True)  # the old demo's log must not replay into the new
        os.replace(building, db_path)
    except BaseException:
        for p in (building, Path(str(building) + ".wal")):
            p.unlink(missing_ok=True)
        raise
    finally:
        clock.set_now(previous)
    return {"db": str(db_path), "loads": loads, "records": records, "demo_now": manifest["demo_now"],
            "seconds": round(time.perf_counter() - started, 2)}
