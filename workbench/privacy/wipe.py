"""Scrubbing erased values out of the database FILE in place (``workbench erase --no-compact``).

DuckDB keeps old bytes after a row is deleted or changed, until something overwrites them:

1. the row's own column segments: an erasure blanks every column of a row before deleting it, so the next
   checkpoint writes those segments anew without the values (a delete alone leaves them in place);
2. the old copies of rewritten segments: in blocks that became free, or in blocks still shared with
   other, live segments (DuckDB packs small segments together). :func:`scrub_file` finds the shared ones
   by comparing where every text or date segment lived before the erasure with where it lives after
   (``pragma_storage_info``), and has the live segments of those blocks rewritten
   (:mod:`workbench.privacy.rewrite`), until no block that held an old copy is in use;
3. free blocks and free metadata sub-blocks (old segments, old statistics): :func:`wipe_free_space` has
   throwaway tables take every one of them, checking they all did, then drops them;
4. the write-ahead log: gone after the checkpoint.

What this cannot reach: DuckDB reuses a freed 4 KiB metadata sub-block without clearing it, so the tail
of a reused sub-block may keep old segment statistics: the min/max of a segment, i.e. the first dozen
bytes of at most two values per segment, for segments whose min or max was an erased value. Only a
compaction (:mod:`workbench.privacy.compact`, the default of ``workbench erase``) rewrites every byte.
An erasure leaves ``settings['privacy.wipe_pending']`` until the file is clean. When a crash (kill -9,
power loss) stops it in between, the next open of the file, by any command, read-only or not, finishes it
before anything else runs: :func:`finish_pending_wipe` compacts the file (where the erased rows lived is
not known any more, so only a full rewrite is sure), or refuses with a message saying what to do.
"""

from __future__ import annotations

import time
from typing import Any

import duckdb

from workbench.privacy.rewrite import touch_columns
from workbench.store.sql import quote_ident, rows, run, scalar

WIPE_PENDING = "privacy.wipe_pending"
COMPACT_PENDING = "privacy.compact_pending"
FILLER = "_wb_wipe_free_space"
META_FILLER = "_wb_wipe_metadata_"
ROW_BYTES = 64  # two md5 hex strings per filler row
META_BYTES_PER_COLUMN = 250  # a little under what a one-row text column takes in metadata (~310 bytes)
META_COLUMNS_PER_TABLE = 1000
MAX_ROUNDS = 4

# Segments whose old copies matter: text (names, emails, phones, addresses, raw lines) and dates (birth
# dates). Validity masks, numbers and booleans hold nothing a reader could tie to a person.
SENSITIVE_SEGMENTS = ("VARCHAR", "JSON", "DATE")

StorageMap = dict[tuple[str, int, str, int], tuple[tuple[int, ...], bool, str]]


def storage_map(conn: duckdb.DuckDBPyConnection) -> StorageMap:
    """(table, row group, column path, segment) -> (the blocks it lives in, whether it holds text or dates,
    its top-level column), for every persistent segment of every table."""
    out: StorageMap = {}
    for (table,) in conn.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary AND "
                                 "database_name = current_database() AND schema_name = 'main'").fetchall():
        for rg, path, seg, block, extra, kind, column in conn.execute(
                f"SELECT row_group_id, column_path, segment_id, block_id, additional_block_ids, segment_type, "
                f"column_name FROM pragma_storage_info({quote_literal_table(table)}) "
                f"WHERE persistent AND block_id >= 0").fetchall():
            out[(table, rg, path, seg)] = ((block, *(extra or ())), str(kind).upper() in SENSITIVE_SEGMENTS, column)
    return out


def quote_literal_table(name: str) -> str:
    return "'" + quote_ident(name).replace("'", "''") + "'"


def scrub_file(conn: duckdb.DuckDBPyConnection, before: StorageMap) -> dict[str, Any]:
    """Steps 2-5 above, after an erasure whose segments lived as in ``before`` (taken after a CHECKPOINT,
    before the erasure). Needs a writable connection with no open transaction."""
    t0 = time.perf_counter()
    run(conn, "CHECKPOINT")
    after = storage_map(conn)
    # the blocks that held text or dates the erasure rewrote (blanked, deleted, anonymised rows)
    targets = {b for key, (blocks, sensitive, _c) in before.items() if sensitive and after.get(key, ((),))[0] != blocks
               for b in blocks}
    rewritten = 0
    dirty: set[int] = set()
    for _ in range(MAX_ROUNDS):
        # a target block is still dirty while a segment that was in it before the erasure still is: a block
        # that was freed and then reused for new segments was written whole, old bytes and all
        live: dict[int, set[tuple[str, int, str]]] = {}
        for key, (blocks, _sensitive, column) in after.items():
            if before.get(key, ((),))[0] == blocks:
                for b in blocks:
                    live.setdefault(b, set()).add((key[0], key[1], column))
        dirty = targets & set(live)
        if not dirty:
            break
        rewritten += touch_columns(conn, set().union(*(live[b] for b in dirty)))
        run(conn, "CHECKPOINT")
        after = storage_map(conn)
    free_space = wipe_free_space(conn)
    clean = not dirty and free_space["complete"]
    _clear_flag(conn, WIPE_PENDING)
    return {"data_clean": clean, "segments_rewritten": rewritten, "shared_blocks_left": len(dirty),
            "free_space": free_space, "duration_s": round(time.perf_counter() - t0, 3)}


def _clear_flag(conn: duckdb.DuckDBPyConnection, key: str, replace_with: str | None = None) -> None:
    run(conn, "DELETE FROM settings WHERE key = ?", [key])
    if replace_with:
        run(conn, "DELETE FROM settings WHERE key = ?", [replace_with])
        run(conn, "INSERT INTO settings VALUES (?, ?)", [replace_with, key])
    run(conn, "CHECKPOINT")


def _free_sub_blocks(conn: duckdb.DuckDBPyConnection) -> set[tuple[int, int]]:
    return {(r["block_id"], i) for r in rows(conn, "SELECT block_id, free_list FROM pragma_metadata_info()")
            for i in r["free_list"]}


def _free_blocks(conn: duckdb.DuckDBPyConnection) -> set[int]:
    """Block ids of the file that neither a segment nor the metadata uses."""
    total = int(scalar(conn, "SELECT total_blocks FROM pragma_database_size()") or 0)
    used = {b for blocks, _sensitive, _column in storage_map(conn).values() for b in blocks}
    used |= {r[0] for r in conn.execute("SELECT block_id FROM pragma_metadata_info()").fetchall()}
    return set(range(total)) - used


def wipe_free_space(conn: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Overwrite every free block and every free metadata sub-block of the file (steps 3 and 5 above).

    Throwaway tables take them, round by round, until a checkpoint leaves no block free and none of the
    sub-blocks that were free at the start: a table of random uncompressed text for the blocks, tables of
    one-row random text columns (about 300 bytes of metadata each) for the sub-blocks. DuckDB writes new
    metadata into a free sub-block only while no free block has a lower id, hence the blocks first. Then
    the throwaway tables are dropped. Needs a writable connection with no open transaction."""
    t0 = time.perf_counter()
    run(conn, "CHECKPOINT")
    block = int(scalar(conn, "SELECT block_size FROM pragma_database_size()") or 262144)
    free, sub_blocks = _free_blocks(conn), _free_sub_blocks(conn)
    figures = {"free_blocks": len(free), "free_sub_blocks": len(sub_blocks), "bytes_overwritten": 0}
    made: list[str] = []
    run(conn, "SET force_compression = 'uncompressed'")
    try:
        for _ in range(MAX_ROUNDS + 2):
            if not free and not sub_blocks:
                break
            if free:
                made.append(f"{FILLER}{len(made)}")
                run(conn, f"CREATE TABLE {made[-1]} AS SELECT md5(random()::VARCHAR || i::VARCHAR) || "
                          f"md5(random()::VARCHAR || (-i)::VARCHAR) AS x FROM range({len(free) * block // ROW_BYTES + 1024}) t(i)")
                figures["bytes_overwritten"] += len(free) * block
            columns = len(sub_blocks) * 4096 // META_BYTES_PER_COLUMN + (16 if sub_blocks else 0)
            while columns > 0:
                n = min(META_COLUMNS_PER_TABLE, columns)
                made.append(f"{META_FILLER}{len(made)}")
                run(conn, f"CREATE TABLE {made[-1]} AS SELECT " +
                    ", ".join(f"md5(random()::VARCHAR) AS c{j}" for j in range(n)))
                columns -= n
            run(conn, "CHECKPOINT")
            free = _free_blocks(conn)  # blocks freed by this checkpoint may hold old metadata: fill them too
            sub_blocks &= _free_sub_blocks(conn)
    finally:
        run(conn, "RESET force_compression")
        for name in made:
            run(conn, f"DROP TABLE IF EXISTS {name}")
        run(conn, "CHECKPOINT")
    return {**figures, "complete": not free and not sub_blocks, "tables": len(made),
            "duration_s": round(time.perf_counter() - t0, 3)}


def refuse_pending_wipe(store: Any, why: str) -> Exception:
    from workbench.errors import RefusedError

    return RefusedError(
        f"{store.path}: an erasure was interrupted before the erased values left the database file, and it "
        f"could not be finished now ({why}). Nothing else runs until it is.",
        "Run `workbench compact` (it needs the file to itself and about as much free disk as the file).")


def finish_pending_wipe(store: Any) -> dict[str, Any]:
    """Finish an erasure's clean-up that a crash interrupted, by compacting the file
    (:func:`workbench.privacy.compact.compact_database`); called by the store when it opens a file flagged
    ``privacy.wipe_pending``, before the caller's command runs. Refuses (:class:`RefusedError`) with what to
    do when the compaction cannot run (the file busy, the disk full)."""
    from workbench.errors import WorkbenchError
    from workbench.privacy.compact import compact_database

    try:
        return compact_database(store)
    except (WorkbenchError, OSError, duckdb.Error) as exc:
        raise refuse_pending_wipe(store, str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
