"""One merge/purge run: check the lists, place every name, write the file and the net-name report, record it.

All or nothing, inside one database transaction: the lists are checked (each a loaded prospects
source, not past its expiry date, and a one-time list's delivery never used before: refused otherwise),
every name is placed (:mod:`workbench.mergepurge.match`), the report is counted and checked, the file
(net names, the list owners' seeds, the database's seeds) and ``FILE.report.json`` are written to private
temporary files, the run, its lists and what became of every name are recorded, the audit row written,
the files renamed into place, then the commit. A dry run stops after the report and changes nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from workbench import audit, clock
from workbench.errors import NotFoundError, RefusedError, WorkbenchError
from workbench.export.writer import (
    PendingFile,
    check_target,
    copy_to_pending,
    neutralise_value,
    neutralised,
    write_private_text,
)
from workbench.ingest.sources import get_source
from workbench.mergepurge import match
from workbench.mergepurge.definition import MergePurgeRun, as_dict, parse_run_toml
from workbench.mergepurge.report import ListReport, list_reports, report_dict
from workbench.select.definition import SEED_FIELDS, Seed
from workbench.select.saved import operator_name
from workbench.store import Store
from workbench.store.journal import Entry
from workbench.store.sql import quote_ident, rows, run, scalar

REPORT_SUFFIX = ".report.json"
COLUMNS = (
    "list",
    "source_key",
    "keycode",
    "first_name",
    "last_name",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "zip5",
    "email",
    "phone",
    "house_person_id",
    "is_seed",
    "seed_of",
)


@dataclass
class MergePurgeResult:
    run: MergePurgeRun
    lists: list[ListReport]
    dry_run: bool = False
    run_id: int | None = None
    file: Path | None = None
    report_file: Path | None = None
    rows: int = 0
    seeds: int = 0  # the database's (or the run's own) seeds added to the file
    seeds_from: str = "none"  # own | database | none
    sha256: str | None = None
    seconds: float = 0.0

    @property
    def owner_seeds(self) -> int:
        return sum(r.owner_seeds for r in self.lists)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": as_dict(self.run),
            "dry_run": self.dry_run,
            "run_id": self.run_id,
            "file": str(self.file) if self.file else None,
            "report_file": str(self.report_file) if self.report_file else None,
            "rows": self.rows,
            "seeds": self.seeds,
            "seeds_from": self.seeds_from,
            "owner_seeds": self.owner_seeds,
            "sha256": self.sha256,
            "seconds": self.seconds,
            "report": report_dict(self.lists),
        }


def run_mergepurge(
    store: Store,
    definition: str | Path | MergePurgeRun,
    out: str | Path | None,
    force: bool = False,
    dry_run: bool = False,
    no_seeds: bool = False,
    progress: Callable[[str, float], None] | None = None,
) -> MergePurgeResult:
    """Run a merge/purge (see the module docstring). ``out`` may be None only for a dry run. Raises
    RefusedError (a one-time list used before, an expired list, a file without seeds and no
    ``no_seeds``), ConfigError / NotFoundError (a bad run file, an unknown list), WorkbenchError (an
    output file that exists without ``force``)."""
    t0 = time.perf_counter()
    step = progress or (lambda _m, _f: None)
    mp = definition if isinstance(definition, MergePurgeRun) else parse_run_toml(definition)
    target = report_target = None
    if not dry_run:
        if out is None:
            raise WorkbenchError("A merge/purge run needs --out FILE (or --dry-run).")
        target = check_target(out, force=force, database=store.path)
        report_target = check_target(Path(str(target) + REPORT_SUFFIX), force=force, database=store.path)
    pending: list[PendingFile] = []
    with Entry.begin(None if dry_run else store.path) as note, store.connect() as conn:
        run(conn, "BEGIN TRANSACTION")
        try:
            step("checking the lists", 0.05)
            lists = check_lists(conn, mp)
            from workbench.export.seeds import file_seeds

            seeds, seeds_from = file_seeds(
                conn, mp.seeds, mp.channel, mp.brand, no_seeds, "merge/purge", mp.name, strict=not dry_run
            )
            from workbench.ingest.derived import ensure_derived

            step("standardising the house file", 0.1)
            ensure_derived(conn)
            step("matching", 0.2)
            match.place_all(conn, mp.lists, mp.channel, mp.brand, mp.house, mp.one_per, clock.now().date())
            list_reports(conn, lists)
            result = MergePurgeResult(mp, lists, dry_run=dry_run, seeds=len(seeds), seeds_from=seeds_from)
            if dry_run:
                run(conn, "ROLLBACK")
                result.seconds = round(time.perf_counter() - t0, 3)
                return result
            assert target is not None and report_target is not None
            step("writing the file", 0.7)
            run_id = (scalar(conn, "SELECT coalesce(max(run_id), 0) FROM mergepurge_runs") or 0) + 1
            _load_keycodes_and_seeds(conn, mp, seeds)
            data = copy_to_pending(conn, output_select(), target, "csv", journal=note, overwrite=force)
            pending.append(data)
            result.run_id, result.rows, result.sha256 = run_id, data.rows, data.sha256
            result.file, result.report_file = target, report_target
            result.seconds = round(time.perf_counter() - t0, 3)
            report_text = json.dumps(result.to_dict(), indent=2, default=str)
            pending.append(write_private_text(report_target, report_text, overwrite=force, journal=note))
            step("recording the run", 0.85)
            _record(conn, result)
            from workbench.mergepurge.origins import mark_responders

            mark_responders(conn)
            step("publishing the file", 0.95)
            for p in pending:
                p.publish()
            run(conn, "COMMIT")
        except BaseException:
            try:
                run(conn, "ROLLBACK")
            except Exception:  # the transaction may already be gone
                pass
            for p in reversed(pending):
                p.unpublish()
                p.discard()
            raise
        for p in pending:
            p.discard()
    step("done", 1.0)
    return result


def check_lists(conn: duckdb.DuckDBPyConnection, mp: MergePurgeRun) -> list[ListReport]:
    """Each list: a prospects source with a delivery loaded, not expired, not a one-time delivery used before."""
    today = clock.now().date()
    out = []
    for rank, name in enumerate(mp.lists, start=1):
        src = get_source(conn, name)
        if src.kind != "prospects":
            raise NotFoundError(
                f"{name!r} is a {src.kind} source, not a prospects list.",
                'A merge/purge run\'s lists are sources of kind = "prospects".',
            )
        load_id = scalar(conn, "SELECT max(load_id) FROM prospects WHERE source = ?", [name])
        if load_id is None:
            raise RefusedError(
                f"List {name!r} has no names loaded.", f"Load its file first: workbench load {name} FILE."
            )
        load = rows(
            conn, "SELECT rows_read, rows_rejected, file_hash FROM loads WHERE load_id = ?", [load_id]
        )[0]
        if src.expires and today.isoformat() > src.expires:
            raise RefusedError(
                f"List {name!r} expired on {src.expires} (rental terms of {src.supplier or 'its supplier'}).",
                "Rent it again (load the new delivery with a new expires date) or drop it from the run.",
            )
        if src.one_time:
            used = rows(
                conn,
                """SELECT l.run_id, r.name, r.run_at FROM mergepurge_lists l JOIN mergepurge_runs r USING (run_id)
                WHERE l.source = ? AND l.one_time AND (l.load_id = ? OR l.file_hash = ?) ORDER BY l.run_id LIMIT 1""",
                [name, load_id, load["file_hash"]],
            )
            if used:
                u = used[0]
                raise RefusedError(
                    f"List {name!r} is a one-time rental and this delivery was already used by run "
                    f"{u['run_id']} ({u['name']}, {u['run_at']:%Y-%m-%d %H:%M}).",
                    "Rented names are usable once: rent the list again and load the new delivery.",
                )
        out.append(
            ListReport(
                source=name,
                rank=rank,
                keycode=mp.keycode(name),
                supplier=src.supplier,
                one_time=bool(src.one_time),
                expires=src.expires,
                cpm=src.cpm,
                load_id=load_id,
                file_hash=load["file_hash"],
                gross=load["rows_read"] or 0,
                load_rejects=load["rows_rejected"] or 0,
            )
        )
    return out


def _load_keycodes_and_seeds(conn: duckdb.DuckDBPyConnection, mp: MergePurgeRun, seeds: list[Seed]) -> None:
    run(
        conn,
        "CREATE OR REPLACE TEMP TABLE _mp_keycodes AS SELECT unnest(?::VARCHAR[]) AS source, "
        "unnest(?::VARCHAR[]) AS keycode",
        [mp.lists, [neutralise_value(mp.keycode(s)) for s in mp.lists]],
    )
    cols = ", ".join(f"{quote_ident(f)} VARCHAR" for f in SEED_FIELDS)
    run(conn, f"CREATE OR REPLACE TEMP TABLE _mp_seeds (seed_no INTEGER, keycode VARCHAR, {cols})")
    first = neutralise_value(mp.keycode(mp.lists[0]))
    for i, s in enumerate(seeds):
        run(
            conn,
            f"INSERT INTO _mp_seeds VALUES (?, ?{', ?' * len(SEED_FIELDS)})",
            [i, first, *[s.values.get(f) for f in SEED_FIELDS]],
        )


def output_select() -> str:
    """The file's rows: the net names (the owners' seeds among them), then the database's seeds."""
    text = ("first_name", "last_name", "address_line1", "address_line2", "city", "state")
    names = ", ".join(neutralised(f"i.{c}") + f" AS {c}" for c in text)
    seeds = ", ".join(neutralised(f"s.{c}") + f" AS {c}" for c in text)
    return f"""SELECT {neutralised("i.source")} AS list, {neutralised("i.source_key")} AS source_key, k.keycode, {names},
               coalesce(i.zip5, {neutralised("i.postal_code")}) AS zip5, coalesce(i.email_std, {neutralised("i.email")}) AS email,
               coalesce(i.phone_std, {neutralised("i.phone")}) AS phone, o.person_id AS house_person_id, i.is_seed,
               CASE WHEN i.is_seed THEN 'list owner' END AS seed_of
        FROM _mp_in m JOIN _mp_out o USING (id) JOIN _mp_keycodes k USING (source)
        JOIN prospects i ON i.source = m.source AND i.source_key = m.source_key WHERE o.outcome = 'net'
        UNION ALL
        SELECT 'seed', NULL, s.keycode, {seeds}, {neutralised("s.zip5")}, {neutralised("s.email")},
               {neutralised("s.phone")}, NULL, true, 'database'
        FROM _mp_seeds s"""


def _record(conn: duckdb.DuckDBPyConnection, result: MergePurgeResult) -> None:
    mp, run_id = result.run, result.run_id
    report = report_dict(result.lists)
    run(
        conn,
        "INSERT INTO mergepurge_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            mp.name,
            mp.channel,
            mp.brand,
            mp.house,
            mp.one_per,
            str(result.file),
            str(result.report_file),
            result.sha256,
            result.rows,
            result.seeds,
            result.owner_seeds,
            result.seeds_from == "none",
            mp.text,
            json.dumps(report, default=str),
            clock.now(),
            operator_name(),
            result.seconds,
        ],
    )
    for r in result.lists:
        run(
            conn,
            "INSERT INTO mergepurge_lists VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                r.source,
                r.rank,
                r.load_id,
                r.file_hash,
                r.supplier,
                r.one_time,
                r.expires,
                r.cpm,
                r.gross,
                r.net,
                r.cost,
            ],
        )
    run(
        conn,
        """INSERT INTO mergepurge_names SELECT ?, i.source, i.source_key, o.outcome, o.step, o.kept_by, o.person_id,
            i.is_seed, CASE WHEN o.outcome = 'net' THEN k.keycode END, i.email_std, i.phone_std, i.fn_root,
            i.last_name_key, i.addr_key
        FROM _mp_in i JOIN _mp_out o USING (id) JOIN _mp_keycodes k USING (source)""",
        [run_id],
    )
    totals = report["total"]
    audit.record(
        conn,
        "mergepurge",
        mp.name,
        {  # counts, file name and hash only: never the names
            "run_id": run_id,
            "lists": mp.lists,
            "file": result.file.name if result.file else None,
            "sha256": result.sha256,
            "rows": result.rows,
            "gross": totals["gross"],
            "net": totals["net"],
            "seeds": result.seeds,
            "seeds_from": result.seeds_from,
            "owner_seeds": result.owner_seeds,
        },
    )
