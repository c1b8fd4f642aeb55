"""Giving the segments back to operations: for each operational system named in a publish definition, a
file keyed by that system's own customer key (``source_key``) with the person's segment, scores and a
treatment name, full or delta, written like exports (temporary file beside the target, renamed into place
after the database has recorded it), with a manifest, a ``publishes`` row and an audit-log row.

- **Keys**: every record of the system's source still in the database, mapped to its person today (so two
  keys merged into one person carry the same values; a split gives each its own person's values). A
  person with no orders has an empty segment and the treatment ``""``.
- **Suppressed persons** (suppressed on every channel and brand: an objection, a deceased file, an
  erasure tombstone) keep their segment but get ``suppressed_treatment`` and ``do_not_contact = true``.
- **Erased persons** have no records left: their keys are absent from a full file and listed as
  ``removed`` in the next delta.
- **Delta**: only keys whose published values changed since the last publish of the same name and system
  (``new``, ``changed``, ``removed``); the first delta holds every key as ``new``.
- **Freshness**: the systems' sources and every transactions source must not be stale (``error`` or never
  loaded), nor the churn model older than its allowed age, unless ``allow_stale`` (recorded).
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from workbench import __version__, clock
from workbench.errors import ConfigError, RefusedError, WorkbenchError
from workbench.export.writer import (
    PendingFile,
    check_target,
    copy_to_pending,
    neutralise_value,
    write_private_text,
)
from workbench.segments.publish_def import PublishDefinition
from workbench.segments.rfm import ALL_BRANDS, compute_rfm, current_rules
from workbench.select.attributes import has_relation
from workbench.store import Store
from workbench.store.sql import rows, run, scalar

MANIFEST_SUFFIX = ".manifest.json"
COLUMNS = (
    "source_key",
    "segment",
    "recency_score",
    "frequency_score",
    "monetary_score",
    "churn_score",
    "churn_decile",
    "treatment",
    "do_not_contact",
)
_ROWS = "_publish_rows"


@dataclass
class SystemResult:
    source: str
    file: Path
    keys: int
    rows: int
    changes: dict[str, int]
    sha256: str | None = None
    manifest: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "file": str(self.file),
            "keys": self.keys,
            "rows": self.rows,
            "changes": self.changes,
            "sha256": self.sha256,
            "manifest": str(self.manifest) if self.manifest else None,
        }


@dataclass
class PublishResult:
    name: str
    mode: str
    dry_run: bool
    rfm_as_of: Any
    churn_model_id: int | None
    systems: list[SystemResult] = field(default_factory=list)
    allowed_stale: list[str] = field(default_factory=list)
    duration_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "mode": self.mode,
            "dry_run": self.dry_run,
            "rfm_as_of": str(self.rfm_as_of) if self.rfm_as_of else None,
            "churn_model_id": self.churn_model_id,
            "systems": [s.to_dict() for s in self.systems],
            "allowed_stale": self.allowed_stale,
            "duration_s": self.duration_s,
        }


def check_targets(d: PublishDefinition, force: bool, database: Path | None = None) -> None:
    """Every file of the publish (and its manifest) through the one output check of exports: never the
    database, a FIFO, a device, a link or a folder; an existing file only with ``force``."""
    for s in d.systems:
        target = check_target(s.file, force=force, database=database, option=f"systems.{s.source}.file")
        check_target(
            Path(str(target) + MANIFEST_SUFFIX),
            force=force,
            database=database,
            option=f"systems.{s.source}.file",
        )


def _check_definition(conn: duckdb.DuckDBPyConnection, d: PublishDefinition) -> None:
    kinds = {r["name"]: r["kind"] for r in rows(conn, "SELECT name, kind FROM sources")}
    for s in d.systems:
        where = f"{d.label}:{d.line('systems.' + s.source) or 1}"
        if s.source not in kinds:
            people = sorted(n for n, k in kinds.items() if k == "people")
            raise ConfigError(
                f"{where}: there is no source {s.source!r}.", "People sources: " + ", ".join(people) + "."
            )
        if kinds[s.source] != "people":
            raise ConfigError(
                f"{where}: {s.source!r} is a {kinds[s.source]} source; publish to a people source "
                "(its customer keys)."
            )
    names = set(current_rules(conn).names)
    for segment in d.treatments:
        if segment not in names:
            raise ConfigError(
                f"{d.label}:{d.line(segment) or 1}: treatments: there is no segment {segment!r}.",
                "Segments: " + ", ".join(current_rules(conn).names) + ".",
            )
    if d.brand and not scalar(conn, "SELECT count(*) FROM transactions WHERE lower(brand) = ?", [d.brand]):
        raise ConfigError(f"{d.label}:{d.line('brand') or 1}: no orders have brand {d.brand!r}.")


def _gate(conn: duckdb.DuckDBPyConnection, d: PublishDefinition) -> list[str]:
    """The reasons the publish may not go (stale sources, an old churn model)."""
    from workbench.freshness import source_freshness
    from workbench.model.churn import max_age_days

    wanted = {s.source for s in d.systems}
    problems = [
        f"{f.name} ({'never loaded' if f.status == 'never' else f'{f.status}, {f.age_text} old'})"
        for f in source_freshness(conn)
        if (f.name in wanted or f.kind == "transactions") and f.status in ("error", "never")
    ]
    model = rows(
        conn,
        """SELECT m.model_id, m.trained_at FROM churn_models m
        WHERE m.model_id = (SELECT max(model_id) FROM churn_scores)""",
    )
    if model:
        age = (clock.now() - model[0]["trained_at"]).days
        if age > max_age_days(conn):
            problems.append(f"churn model {model[0]['model_id']} ({age} days old)")
    return problems


def run_publish(
    store: Store,
    d: PublishDefinition,
    mode: str | None = None,
    force: bool = False,
    allow_stale: bool = False,
    dry_run: bool = False,
) -> PublishResult:
    """Publish ``d`` (see the module docstring). All files or none; the database records them all or none."""
    t0 = time.perf_counter()
    mode = mode or d.mode
    if mode not in ("full", "delta"):
        raise WorkbenchError(f"mode must be full or delta, not {mode!r}.")
    if not dry_run:
        check_targets(d, force, store.path)
    pending: list[PendingFile] = []
    with store.connect() as conn:
        run(conn, "BEGIN TRANSACTION")
        try:
            _check_definition(conn, d)
            problems = _gate(conn, d)
            if problems and not allow_stale:
                raise RefusedError(
                    f"Publish {d.name!r} refused: stale: {', '.join(problems)}.",
                    "Load fresh data (and train the churn model again), or publish anyway with "
                    "--allow-stale (recorded in the manifest).",
                )
            rfm = compute_rfm(conn)
            try:
                from workbench.suppress import ensure_person_suppressions

                ensure_person_suppressions(conn)
            except ImportError:
                pass
            has_suppressions = has_relation(conn, "person_suppressions")
            model_id = scalar(conn, "SELECT max(model_id) FROM churn_scores")
            publish_id = (scalar(conn, "SELECT max(publish_id) FROM publishes") or 0) + 1
            result = PublishResult(d.name, mode, dry_run, rfm.as_of, model_id, allowed_stale=problems)
            for s in d.systems:
                keys = _build_rows(conn, d, s.source, has_suppressions)
                select, params = _file_select(d, s.source, mode)
                changes = (
                    {"full": keys}
                    if mode == "full"
                    else {
                        r["change"]: r["n"]
                        for r in rows(
                            conn, f"SELECT change, count(*) AS n FROM ({select}) GROUP BY 1", params
                        )
                    }
                )
                sr = SystemResult(s.source, s.file.absolute(), keys, sum(changes.values()), changes)
                result.systems.append(sr)
                if dry_run:
                    continue
                columns = ", ".join(COLUMNS) + (", change" if mode == "delta" else "")
                data = copy_to_pending(
                    conn,
                    f"SELECT {columns} FROM ({select}) ORDER BY source_key",
                    sr.file,
                    d.format,
                    params,
                    hash_now=False,
                    overwrite=force,
                )
                pending.append(data)
                with ThreadPoolExecutor(max_workers=1) as pool:  # hash the file while DuckDB writes the state
                    hashing = pool.submit(data.hash)
                    run(
                        conn,
                        "DELETE FROM publish_state WHERE publish_id IN "
                        "(SELECT publish_id FROM publishes WHERE name = ? AND source = ?)",
                        [d.name, s.source],
                    )
                    run(conn, f"INSERT INTO publish_state SELECT ?, source_key, value_hash FROM {_ROWS}", [publish_id])
                    hashing.result()
                sr.sha256 = data.sha256
                manifest = _manifest(d, mode, sr, data, publish_id, result, store)
                sr.manifest = Path(str(sr.file) + MANIFEST_SUFFIX)
                pending.append(
                    write_private_text(
                        sr.manifest, json.dumps(manifest, indent=2, default=str) + "\n", overwrite=force
                    )
                )
                run(
                    conn,
                    "INSERT INTO publishes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        publish_id,
                        d.name,
                        s.source,
                        mode,
                        str(sr.file),
                        str(sr.manifest),
                        data.sha256,
                        data.rows,
                        keys,
                        rfm.as_of,
                        model_id,
                        problems or None,
                        clock.now(),
                        _operator(),
                    ],
                )
                publish_id += 1
            if dry_run:
                run(conn, "ROLLBACK")
                result.duration_s = round(time.perf_counter() - t0, 3)
                return result
            from workbench.select.saved import audit_record

            audit_record(
                conn,
                "publish",
                d.name,
                {
                    "mode": mode,
                    "systems": [
                        {
                            "source": s.source,
                            "file": s.file.name,
                            "rows": s.rows,
                            "keys": s.keys,
                            "sha256": s.sha256,
                        }
                        for s in result.systems
                    ],
                    "rfm_as_of": rfm.as_of,
                    "churn_model_id": model_id,
                    "allowed_stale": problems or None,
                },
            )
            run(conn, f"DROP TABLE IF EXISTS {_ROWS}")
            for p in pending:  # before the commit: a failed rename leaves the database as it was
                p.publish()
            try:
                run(conn, "COMMIT")
            except BaseException:
                for p in reversed(pending):
                    p.unpublish()  # the commit failed after the renames: take the files back
                raise
        except BaseException:
            try:
                run(conn, "ROLLBACK")
            except Exception:  # the transaction may already be gone
                pass
            for p in pending:
                p.discard()
            raise
    for p in pending:
        p.discard()
    result.duration_s = round(time.perf_counter() - t0, 3)
    return result


def _build_rows(conn: duckdb.DuckDBPyConnection, d: PublishDefinition, source: str, suppressed: bool) -> int:
    """``_publish_rows``: one row per key of ``source`` with the values to publish and their hash (the one
    pass over the keys: the file, the change counts and the delta state all read it). Returns the keys."""
    treat = {k: neutralise_value(v) for k, v in d.treatments.items()}
    dnc = (
        "SELECT DISTINCT person_id FROM person_suppressions WHERE channel = 'all' AND brand IS NULL"
        if suppressed
        else "SELECT NULL::BIGINT AS person_id WHERE false"
    )
    run(conn, f"DROP TABLE IF EXISTS {_ROWS}")
    created = scalar(
        conn,
        f"""CREATE TEMP TABLE {_ROWS} AS
        WITH keys AS (  -- a source key is one record (a load upserts by key)
            SELECT r.source_key, pr.person_id
            FROM records r JOIN person_records pr ON pr.record_id = r.record_id
            WHERE r.source = ?
        ),
        treat AS (SELECT unnest(?::VARCHAR[]) AS segment, unnest(?::VARCHAR[]) AS treatment),
        dnc AS ({dnc}),
        v AS (
            SELECT k.source_key, s.segment, s.recency_score, s.frequency_score, s.monetary_score,
                   round(c.score, 4) AS churn_score, c.decile AS churn_decile,
                   CASE WHEN x.person_id IS NOT NULL THEN ? WHEN s.segment IS NULL THEN ''
                        ELSE coalesce(t.treatment, ?) END AS treatment,
                   x.person_id IS NOT NULL AS do_not_contact
            FROM keys k
            LEFT JOIN rfm_scores s ON s.person_id = k.person_id AND s.brand = ?
            LEFT JOIN churn_scores c ON c.person_id = k.person_id AND c.brand = ?
            LEFT JOIN treat t ON t.segment = s.segment
            LEFT JOIN dnc x ON x.person_id = k.person_id
        )
        SELECT *, hash(segment, recency_score, frequency_score, monetary_score, churn_score, churn_decile, treatment,
                       do_not_contact) AS value_hash
        FROM v""",
        [
            source,
            list(treat),
            list(treat.values()),
            neutralise_value(d.suppressed_treatment),
            neutralise_value(d.default_treatment),
            d.brand or ALL_BRANDS,
            _churn_brand(conn, d.brand),
        ],
    )
    return int(created or 0)


def _churn_brand(conn: duckdb.DuckDBPyConnection, brand: str | None) -> str:
    """The churn scores a publish of ``brand`` carries: the brand's model's when it was scored, else the
    all-brands model's."""
    if brand and scalar(conn, "SELECT count(*) FROM churn_scores WHERE brand = ?", [brand]):
        return brand
    return ALL_BRANDS


def _file_select(d: PublishDefinition, source: str, mode: str) -> tuple[str, list[Any]]:
    cols = ", ".join(f"p.{c}" for c in COLUMNS)
    if mode == "full":
        return f"SELECT {cols}, 'full' AS change FROM {_ROWS} p", []
    nulls = ", ".join("st.source_key" if c == "source_key" else f"NULL AS {c}" for c in COLUMNS)
    last = "(SELECT max(publish_id) FROM publishes WHERE name = ? AND source = ?)"
    return (
        f"""WITH st AS (SELECT source_key, value_hash FROM publish_state WHERE publish_id = {last})
                SELECT {cols}, CASE WHEN st.source_key IS NULL THEN 'new' ELSE 'changed' END AS change
                FROM {_ROWS} p LEFT JOIN st ON st.source_key = p.source_key
                WHERE st.source_key IS NULL OR st.value_hash <> p.value_hash
                UNION ALL
                SELECT {nulls}, 'removed' AS change FROM st
                WHERE NOT EXISTS (SELECT 1 FROM {_ROWS} p WHERE p.source_key = st.source_key)""",
        [d.name, source],
    )


def _manifest(
    d: PublishDefinition,
    mode: str,
    sr: SystemResult,
    data: PendingFile,
    publish_id: int,
    result: PublishResult,
    store: Store,
) -> dict[str, Any]:
    return {
        "manifest_version": 1,
        "workbench_version": __version__,
        "publish_id": publish_id,
        "name": d.name,
        "mode": mode,
        "source": sr.source,
        "published_at": clock.now().isoformat(),
        "published_by": _operator(),
        "database": str(store.path),
        "file": {
            "name": sr.file.name,
            "path": str(sr.file),
            "format": d.format,
            "sha256": data.sha256,
            "bytes": data.bytes,
            "rows": data.rows,
            "columns": [*COLUMNS, *(["change"] if mode == "delta" else [])],
        },
        "keys": sr.keys,
        "changes": sr.changes,
        "brand": d.brand,
        "treatments": d.treatments,
        "default_treatment": d.default_treatment,
        "suppressed_treatment": d.suppressed_treatment,
        "rfm_as_of": result.rfm_as_of,
        "churn_model_id": result.churn_model_id,
        "allowed_stale": result.allowed_stale,
        "definition": d.text,
    }


def _operator() -> str:
    from workbench.select.saved import operator_name

    return operator_name()


def publish_history(conn: duckdb.DuckDBPyConnection, name: str | None = None) -> list[dict[str, Any]]:
    cond, params = ("WHERE name = ?", [name]) if name else ("", [])
    return rows(
        conn,
        f"""SELECT publish_id, name, source, mode, file, rows_written, keys_total, rfm_as_of,
            churn_model_id, stale_sources, published_at, published_by FROM publishes {cond}
        ORDER BY publish_id DESC""",
        params,
    )
