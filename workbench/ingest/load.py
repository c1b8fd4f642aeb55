"""Loading one extract into the store: one transaction, rejects kept, a load log row written.

Rule for duplicate keys inside one extract (people: source_key; transactions: order_id; events: the
whole event): the row with the latest as-of stands, and among equal as-of the row nearest the end of
the file; every other copy becomes a reject saying which line stands instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from workbench import audit, clock
from workbench.errors import InputFileError, RefusedError
from workbench.identity.golden import assign_new_records
from workbench.ingest import files
from workbench.ingest.derive import check_mapping, constant_folder, derivation
from workbench.ingest.fields import TARGET_TABLE
from workbench.ingest.links import link_activity
from workbench.ingest.sources import DEFAULT_MAX_SHRINK, Source, get_source, list_sources
from workbench.privacy import tombstones
from workbench.store import Store
from workbench.store.ids import reserve_ids
from workbench.store.sql import quote_ident, rows, run, scalar

Progress = Callable[[str, float], None]


@dataclass
class LoadResult:
    source: str
    file: str
    status: str  # loaded | unchanged (same content loaded before)
    load_id: int | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    duplicate_keys: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_removed: int = 0
    encoding: str | None = None
    as_of_min: Any = None
    as_of_max: Any = None
    duration_s: float = 0.0
    top_reasons: list[tuple[str, int]] = field(default_factory=list)
    message: str = ""
    coverage: dict[str, Any] | None = None  # appends sources: households matched (workbench.appends)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("as_of_min", "as_of_max"):
            d[k] = d[k].isoformat() if d[k] is not None else None
        d["top_reasons"] = [{"reason": r, "rows": n} for r, n in self.top_reasons]
        return d


def load_file(store: Store, source_name: str, path: str | Path, progress: Progress | None = None,
              force: bool = False, allow_shrink: bool = False,
              held: duckdb.DuckDBPyConnection | None = None) -> LoadResult:
    """Load ``path`` as an extract of ``source_name``. Leaves the database unchanged when it raises.

    A full load of a suppression source that would remove more than ``max_shrink`` of its entries (default
    10%) is refused (:class:`RefusedError`, naming the count) unless ``allow_shrink``. ``held``: a write
    connection the caller keeps open for a series of loads (the demo's 48), used instead of opening and
    closing the file twice per load; each load is still its own transaction."""
    step = progress or (lambda _msg, _frac: None)
    path = Path(path)
    if held is not None:
        source = get_source(held, source_name)
    else:
        with store.connect(read_only=True) as conn:
            source = get_source(conn, source_name)
    step("checking the file", 0.02)
    info = files.inspect(path, source)
    try:
        with store.transaction(held) as conn:
            return _load(conn, source, info, step, force, allow_shrink)
    finally:
        info.cleanup()


def preview(store: Store, source_name: str, path: str | Path, limit: int = 20) -> dict[str, Any]:
    """The first rows of an extract with the source's mapping applied (nothing is written)."""
    path = Path(path)
    with store.connect(read_only=True) as conn:
        source = get_source(conn, source_name)
        info = files.inspect(path, source, compute_hash=False)
        try:
            columns, _rej = files.stage(conn, info, source, table="_preview", limit=limit)
            mapping = check_mapping(source, columns, str(path), list_sources(conn))
            d = derivation(source, mapping, columns, fold=constant_folder(conn))
            for table, body, _cond in d.lookups:
                run(conn, f"CREATE OR REPLACE TEMP TABLE {table} AS {body.format(staged='_preview')}")
            data = rows(conn, f"SELECT {d.select} FROM {d.from_clause('_preview')} ORDER BY s._row")
            files.drop_stage(conn, "_preview")
        finally:
            info.cleanup()
    return {"source": source.name, "kind": source.kind, "file": str(path), "encoding": info.encoding,
            "delimiter": info.delimiter, "mapping": mapping, "columns": d.target_columns + ["_reason"],
            "rows": data}


def _load(conn: duckdb.DuckDBPyConnection, source: Source, info: files.ExtractFile, step: Progress,
          force: bool, allow_shrink: bool = False) -> LoadResult:
    started = clock.now()
    t0 = time.perf_counter()
    label = str(info.path)
    result = LoadResult(source=source.name, file=label, status="loaded", encoding=info.encoding)
    seen = rows(conn, "SELECT load_id, finished_at FROM loads WHERE source = ? AND file_hash = ? "
                      "AND status = 'loaded' ORDER BY load_id DESC LIMIT 1", [source.name, info.sha256])
    if seen and not force:
        result.status = "unchanged"
        result.load_id = seen[0]["load_id"]
        result.message = (f"{info.path.name}: this content was already loaded into {source.name} "
                          f"(load {seen[0]['load_id']}, {seen[0]['finished_at']:%Y-%m-%d %H:%M}); nothing to do.")
        return result
    load_id = scalar(conn, "SELECT nextval('load_id_seq')")
    result.load_id = load_id
    step("reading the extract", 0.1)
    columns, parse_rej = files.stage(conn, info, source)
    mapping = check_mapping(source, columns, label, list_sources(conn))
    staged = files.row_count(conn, "_stage")
    parse_rejects = files.row_count(conn, parse_rej)
    if staged == 0 and parse_rejects == 0:
        raise InputFileError(f"{label} has a header but no data rows: nothing to load.",
                             "The database is unchanged. Ask the source system for a new extract.")
    step("standardising", 0.4)
    d = derivation(source, mapping, columns, fold=constant_folder(conn))
    for table, body, _cond in d.lookups:
        run(conn, f"CREATE OR REPLACE TEMP TABLE {table} AS {body.format(staged='_stage')}")
    run(conn, f"CREATE OR REPLACE TEMP TABLE _derived AS SELECT s._row, {d.select} FROM {d.from_clause('_stage')}")
    # rejects: parser rejects, then rows that fail validation, then duplicate keys
    line = files.row_line_expr(info, source, parse_rej)
    raw = files.raw_line_expr(columns, info.delimiter)
    run(conn, "INSERT INTO rejects SELECT ?, ?, ?, line, reason, raw FROM " + parse_rej,
        [load_id, source.name, label])
    # an erased person coming back (a key only they held is tombstoned): one reject without the line's data,
    # whether the row is valid or not; an unreadable line holding such a key keeps no data either
    tombstones.scrub_erased_rejects(conn, load_id)
    if tombstones.erased_rows(conn, source.kind):
        run(conn, f"INSERT INTO rejects SELECT ?, ?, ?, {line}, ? || ' (tombstoned ' || e.kind || ')', NULL "
                  "FROM _erased e JOIN _stage s USING (_row)", [load_id, source.name, label, tombstones.ERASED_REASON])
        run(conn, "DELETE FROM _derived WHERE _row IN (SELECT _row FROM _erased)")
    run(conn, "DROP TABLE IF EXISTS _erased")
    run(conn, f"INSERT INTO rejects SELECT ?, ?, ?, {line}, d._reason, {raw} FROM _derived d "
              f"JOIN _stage s USING (_row) WHERE d._reason IS NOT NULL", [load_id, source.name, label])
    if info.replaced_bytes:  # bytes the declared/detected encoding cannot decode
        run(conn, f"INSERT INTO rejects SELECT ?, ?, ?, {line}, 'undecodable bytes ({info.encoding})', {raw} "
                  f"FROM _derived d JOIN _stage s USING (_row) WHERE d._reason IS NULL AND {raw} LIKE '%\ufffd%'",
            [load_id, source.name, label])
        run(conn, f"UPDATE _derived SET _reason = 'undecodable' WHERE _row IN "
                  f"(SELECT _row FROM _stage s WHERE {raw} LIKE '%\ufffd%')")
    if info.nul_bytes:  # binary junk in a text file: the row is rejected, never stored with a NUL in it
        run(conn, f"INSERT INTO rejects SELECT ?, ?, ?, {line}, 'a NUL byte in a field (binary data)', "
                  f"replace({raw}, chr(0), '\\0') FROM _derived d JOIN _stage s USING (_row) "
                  f"WHERE d._reason IS NULL AND contains({raw}, chr(0))", [load_id, source.name, label])
        run(conn, f"UPDATE _derived SET _reason = 'nul' WHERE _row IN "
                  f"(SELECT _row FROM _stage s WHERE contains({raw}, chr(0)))")
    run(conn, "DELETE FROM _derived WHERE _reason IS NOT NULL")
    dups = 0
    if d.key:
        run(conn, f"CREATE OR REPLACE TEMP TABLE _ranked AS SELECT _row, {d.key} AS _k, row_number() OVER "
                  f"(PARTITION BY {d.key} ORDER BY _as_of DESC NULLS LAST, _row DESC) AS _rank, "
                  f"first_value(_row) OVER (PARTITION BY {d.key} ORDER BY _as_of DESC NULLS LAST, _row DESC) "
                  f"AS _winner FROM _derived")
        dups = scalar(conn, "SELECT count(*) FROM _ranked WHERE _rank > 1")
        if dups:
            wline = files.row_line_expr(info, source, parse_rej).replace("_row", "r._winner")
            run(conn, f"INSERT INTO rejects SELECT ?, ?, ?, {line}, 'duplicate ' || ? || ' in this extract: "
                      f"line ' || {wline} || ' stands', {raw} FROM _ranked r JOIN _stage s USING (_row) "
                      f"WHERE r._rank > 1", [load_id, source.name, label, d.key if d.key.isidentifier() else "key"])
            run(conn, "DELETE FROM _derived WHERE _row IN (SELECT _row FROM _ranked WHERE _rank > 1)")
    stats = rows(conn, "SELECT count(*) AS n, min(_as_of) AS lo, max(_as_of) AS hi FROM _derived")[0]
    step("writing records", 0.7)
    shrink = _check_shrink(conn, source, label, load_id, allow_shrink)
    counts = _apply(conn, source, d, load_id, started)
    link_activity(conn, source)
    rejected = scalar(conn, "SELECT count(*) FROM rejects WHERE load_id = ?", [load_id])
    result.rows_loaded = stats["n"]
    result.rows_rejected = rejected
    result.rows_read = stats["n"] + rejected
    result.duplicate_keys = dups
    result.as_of_min, result.as_of_max = stats["lo"], stats["hi"]
    result.rows_inserted, result.rows_updated, result.rows_removed = counts
    result.top_reasons = [(r["reason"], r["n"]) for r in rows(
        conn, "SELECT regexp_replace(reason, ':.*$', '') AS reason, count(*) AS n FROM rejects WHERE load_id = ? "
              "GROUP BY 1 ORDER BY n DESC, reason LIMIT 5", [load_id])]
    result.duration_s = round(time.perf_counter() - t0, 3)
    run(conn, "INSERT INTO loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'loaded')",
        [load_id, source.name, str(info.path.resolve()), info.sha256, info.bytes, info.encoding, started,
         clock.now(), result.rows_read, result.rows_loaded, rejected, dups, counts[0], counts[1], counts[2],
         result.as_of_min, result.as_of_max, result.duration_s])
    audit.record(conn, "load", source.name, {  # file name, hash and counts only: never the data
        "load_id": load_id, "kind": source.kind, "file": info.path.name, "sha256": info.sha256, "bytes": info.bytes,
        "rows_read": result.rows_read, "rows_loaded": result.rows_loaded, "rows_rejected": rejected,
        "inserted": counts[0], "updated": counts[1], "removed": counts[2], "forced": bool(force and seen),
        **({"shrink_allowed": shrink} if shrink else {})})
    files.drop_stage(conn, "_stage")
    for t in ("_derived", "_ranked", *(x[0] for x in d.lookups)):
        run(conn, f"DROP TABLE IF EXISTS {t}")
    result.message = (f"{info.path.name} -> {source.name}: {result.rows_loaded:,} loaded, "
                      f"{rejected:,} rejected in {result.duration_s:.1f} s")
    if source.kind == "appends":  # an agency file: how many households it reaches
        from workbench.appends import after_load, coverage_text

        result.coverage = after_load(conn, source.name)
        result.message += "; " + coverage_text(result.coverage)
    step("done", 1.0)
    return result


# what identifies a suppression entry, by match rule: an entry of the last load whose key the new extract
# no longer has is removed by a full load
SHRINK_KEY = {"email": "email_std", "phone": "phone_std", "address": "addr_key",
              "name_address": "concat_ws('|', first_name_key, last_name_key, addr_key)"}


def _check_shrink(conn: duckdb.DuckDBPyConnection, source: Source, label: str, load_id: int,
                  allow_shrink: bool) -> dict[str, Any] | None:
    """Refuse a full load of a suppression source that would remove more than its ``max_shrink`` share of the
    entries it has (a broken extract would otherwise empty the list). Returns the figures when the load
    goes ahead over the limit (``allow_shrink``), else None."""
    if source.kind != "suppression" or source.mode != "full":
        return None
    existing = scalar(conn, "SELECT count(*) FROM suppression_entries WHERE source = ?", [source.name])
    if not existing:
        return None
    key = SHRINK_KEY[source.match_on or "email"]
    gone = scalar(conn, f"SELECT count(*) FROM (SELECT {key} AS k FROM suppression_entries WHERE source = ?) t "
                        f"WHERE t.k IS NULL OR t.k NOT IN (SELECT {key} FROM _derived WHERE {key} IS NOT NULL)",
                  [source.name])
    limit = DEFAULT_MAX_SHRINK if source.max_shrink is None else source.max_shrink
    if gone <= existing * limit:
        return None
    if allow_shrink:
        return {"removed": gone, "entries": existing, "max_shrink": limit}
    rejected = scalar(conn, "SELECT count(*) FROM rejects WHERE load_id = ?", [load_id])
    kept = scalar(conn, "SELECT count(*) FROM _derived")
    raise RefusedError(
        f"{label}: this full load of suppression source {source.name!r} would remove {gone:,} of its "
        f"{existing:,} entries ({gone / existing:.0%}), more than the {limit:.0%} a load may remove "
        f"(the file gave {kept:,} good line(s) and {rejected:,} reject(s)).",
        "Nothing was loaded; the list and its legal clock stay as they were. Check the extract (a broken file "
        "loses lines); if the list really shrank, load it again with `workbench load SOURCE FILE "
        "--allow-shrink` (or set max_shrink for the source in its TOML).")


def _apply(conn: duckdb.DuckDBPyConnection, source: Source, d, load_id: int, now) -> tuple[int, int, int]:
    """Write _derived into the kind's table. Returns (inserted, updated, removed)."""
    table = TARGET_TABLE[source.kind]
    cols = ", ".join(quote_ident(c) for c in d.target_columns)
    if source.kind == "people":
        return _apply_people(conn, source, d, load_id, now)
    removed = 0
    if source.mode == "full" and source.kind == "suppression":
        # the list is replaced; the counts say what changed: keys new to it, kept, no longer in it
        key = SHRINK_KEY[source.match_on or "email"]
        run(conn, f"CREATE OR REPLACE TEMP TABLE _old_keys AS SELECT DISTINCT {key} AS k FROM {table} "
                  "WHERE source = ?", [source.name])
        removed = scalar(conn, f"SELECT count(*) FROM {table} WHERE source = ? AND ({key} IS NULL OR {key} NOT IN "
                               f"(SELECT {key} FROM _derived WHERE {key} IS NOT NULL))", [source.name])
        new = scalar(conn, f"SELECT count(*) FROM _derived WHERE {key} IS NULL OR {key} NOT IN "
                           "(SELECT k FROM _old_keys WHERE k IS NOT NULL)")
        run(conn, f"DELETE FROM {table} WHERE source = ?", [source.name])
        run(conn, "DROP TABLE _old_keys")
        run(conn, f"INSERT INTO {table} (source, load_id, {cols}) SELECT ?, ?, {cols} FROM _derived",
            [source.name, load_id])
        return new, 0, removed  # entries kept are neither new nor changed
    if source.mode == "full":
        removed = scalar(conn, f"SELECT count(*) FROM {table} WHERE source = ?", [source.name])
        run(conn, f"DELETE FROM {table} WHERE source = ?", [source.name])
    elif d.key:
        key = d.key
        removed = scalar(conn, f"SELECT count(*) FROM {table} t WHERE source = ? AND {key} IN "
                               f"(SELECT {key} FROM _derived)", [source.name])
        run(conn, f"DELETE FROM {table} WHERE source = ? AND {key} IN (SELECT {key} FROM _derived)",
            [source.name])
    run(conn, f"INSERT INTO {table} (source, load_id, {cols}) SELECT ?, ?, {cols} FROM _derived",
        [source.name, load_id])
    inserted = scalar(conn, "SELECT count(*) FROM _derived")
    if source.mode == "full":
        return inserted, 0, removed
    return inserted - removed, removed, 0


def _apply_people(conn, source: Source, d, load_id: int, now) -> tuple[int, int, int]:
    """Upsert people records by source_key: a changed row (other row_hash) is replaced under the same
    record_id, an unchanged row is left alone, a new key gets a new record_id; in full mode, keys the
    extract no longer has are removed."""
    raw_cols = [c for c in d.target_columns if c not in ("attrs",)]
    hash_expr = "hash(" + ", ".join(f"{quote_ident(c)}" for c in raw_cols) + ", attrs::VARCHAR)"
    run(conn, "ALTER TABLE _derived ADD COLUMN row_hash UBIGINT")
    run(conn, f"UPDATE _derived SET row_hash = {hash_expr}")
    has_existing = scalar(conn, "SELECT count(*) > 0 FROM records WHERE source = ?", [source.name])
    removed = updated = 0
    if has_existing:
        run(conn, "CREATE OR REPLACE TEMP TABLE _old AS SELECT r.source_key, r.record_id AS old_id, "
                  "r.row_hash AS old_hash, r.first_seen AS old_first_seen, n._row "
                  "FROM records r JOIN _derived n USING (source_key) WHERE r.source = ?", [source.name])
        if source.mode == "full":
            removed = scalar(conn, "SELECT count(*) FROM records WHERE source = ?", [source.name]) - scalar(
                conn, "SELECT count(*) FROM _old")
            if removed:
                run(conn, "DELETE FROM records WHERE source = ? AND source_key NOT IN (SELECT source_key FROM _derived)",
                    [source.name])
        run(conn, "DELETE FROM _old o USING _derived n WHERE o._row = n._row AND o.old_hash = n.row_hash")
        run(conn, "DELETE FROM _derived WHERE source_key IN (SELECT source_key FROM records WHERE source = ?) "
                  "AND _row NOT IN (SELECT _row FROM _old)", [source.name])  # unchanged rows stay as they are
        updated = scalar(conn, "SELECT count(*) FROM _old")
        if updated:
            run(conn, "DELETE FROM records WHERE record_id IN (SELECT old_id FROM _old)")
    else:
        run(conn, "CREATE OR REPLACE TEMP TABLE _old (source_key VARCHAR, old_id BIGINT, old_hash UBIGINT, "
                  "old_first_seen TIMESTAMP, _row BIGINT)")
    cols = ", ".join(f"n.{quote_ident(c)}" for c in d.target_columns)
    plain = ", ".join(quote_ident(c) for c in d.target_columns)
    insert = (f"INSERT INTO records (record_id, source, load_id, row_hash, first_seen, updated_at, as_of, {plain}) "
              f"SELECT {{id}}, ?, ?, n.row_hash, {{first_seen}}, ?, n._as_of, {cols} FROM _derived n")
    if updated:  # changed rows keep their record_id
        run(conn, insert.format(id="o.old_id", first_seen="o.old_first_seen") + " JOIN _old o USING (_row)",
            [source.name, load_id, now])
    new_rows = scalar(conn, "SELECT count(*) FROM _derived") - updated
    max_id = reserve_ids(conn, "record", new_rows)  # never an id a removed record had (migration 009)
    anti = " WHERE n._row NOT IN (SELECT _row FROM _old)" if updated else ""
    run(conn, insert.format(id="? + row_number() OVER ()", first_seen="?") + anti,
        [max_id, source.name, load_id, now, now])
    inserted = new_rows
    run(conn, "DROP TABLE IF EXISTS _old")
    assign_new_records(conn, source.name, load_id)
    return inserted, updated, removed
