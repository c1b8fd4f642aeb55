"""Compacting the database file: every table, view, sequence and macro copied into a new file, which then
takes the old one's place (an atomic rename). The new file holds only live data and fresh metadata
(DuckDB zero-fills new blocks), so nothing an erasure removed survives in it: not in a free block, a
shared block, an old statistic or the tail of a reused metadata sub-block.

It needs the file to itself for the duration (other workbench processes wait, as for any write) and
about as much free disk as the file. ``workbench erase`` compacts by default; ``--no-compact`` scrubs in
place instead and leaves ``settings['privacy.compact_pending']`` for ``workbench compact``.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError
from workbench.privacy.wipe import COMPACT_PENDING, WIPE_PENDING
from workbench.store import Store
from workbench.store.sql import quote_ident, quote_literal, run, scalar

_ALIAS = "_wb_compact"
COMPACTED = "privacy.compacted"  # a token the new file carries, to check this process sees it


def compact_database(store: Store) -> dict[str, Any]:
    """Rewrite ``store``'s file into a new one and put it in its place. Returns figures (bytes before and
    after, seconds). Leaves the old file untouched when anything fails."""
    path = Path(store.path)
    if not path.exists():
        raise WorkbenchError(f"{path} does not exist: nothing to compact.")
    temp = path.with_name(f".{path.name}.compact-{os.getpid()}.tmp")
    for leftover in (temp, Path(str(temp) + ".wal")):
        if leftover.exists():
            leftover.unlink()
    before = path.stat().st_size
    t0 = time.perf_counter()
    token = secrets.token_hex(8)
    store.finish_pending_wipe = False  # the compaction does more than that wipe would
    try:
        with store.connect() as conn:
            run(conn, "CHECKPOINT")
            name = scalar(conn, "SELECT current_database()")
            run(conn, f"ATTACH {quote_literal(str(temp))} AS {_ALIAS}")
            try:
                run(conn, f"COPY FROM DATABASE {quote_ident(name)} TO {_ALIAS}")
                run(conn, f"DELETE FROM {_ALIAS}.settings WHERE key IN (?, ?, ?)",
                    [COMPACT_PENDING, WIPE_PENDING, COMPACTED])
                run(conn, f"INSERT INTO {_ALIAS}.settings VALUES (?, ?)", [COMPACTED, token])
                run(conn, f"CHECKPOINT {_ALIAS}")
            finally:
                run(conn, f"DETACH {_ALIAS}")
            os.chmod(temp, path.stat().st_mode & 0o777)
            os.replace(temp, path)  # still holding the old file and its lock: no one writes in between
    except BaseException:
        for leftover in (temp, Path(str(temp) + ".wal")):
            if leftover.exists():
                leftover.unlink()
        raise
    finally:
        store.finish_pending_wipe = True
    # a connection of this process left open elsewhere would keep DuckDB on the old (unlinked) file
    if store.get_setting(COMPACTED) != token:
        raise WorkbenchError("The file was compacted, but this process still has the old one open.",
                             "Close every other connection of this process (or restart it) before compacting.")
    return {"bytes_before": before, "bytes_after": path.stat().st_size,
            "duration_s": round(time.perf_counter() - t0, 3)}


def compact_pending(store: Store) -> bool:
    return store.get_setting(COMPACT_PENDING) is not None
