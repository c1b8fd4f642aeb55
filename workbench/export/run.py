"""One export: check the selection and the freshness of its sources, count it, write the file, the
manifest and the contact history, all or nothing.

Order of work, inside one database transaction: check (a stale source or a bad selection refuses:
nothing written), count the waterfall, write the file and its manifest to private temporary files,
record the contact history (every person of every cell; control cells flagged ``is_control``) and
the ``exports`` row, rename the two files into place, commit. An error at any step rolls the database
back and removes the files (a rename that fails: the database was never changed; a commit that fails:
the renamed files are taken back, a file they replaced is put back). A kill between the renames and the
commit is undone by the next command that opens the database (``workbench.store.journal``). ``dry_run``
stops after the count and rolls back: no file, no manifest, nothing in the database (not even the
refreshed derived tables).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench import clock
from workbench.errors import RefusedError, WorkbenchError
from workbench.export.history import next_export_id, record_contacts, record_export
from workbench.export.manifest import MANIFEST_SUFFIX, build_manifest, manifest_text
from workbench.export.rows import export_select, load_seeds, output_columns
from workbench.export.writer import FORMATS, PendingFile, check_target, copy_to_pending, write_private_text
from workbench.freshness import source_freshness
from workbench.select.attributes import clean_text_columns
from workbench.select.gate import FreshnessGate, selection_sources
from workbench.select.plan import check_selection
from workbench.select.ready import make_ready
from workbench.select.saved import audit_record, get_selection, operator_name
from workbench.select.waterfall import Waterfall, run_waterfall
from workbench.store import Store
from workbench.store.journal import Entry
from workbench.store.sql import run, scalar


class ExportCancelled(WorkbenchError):
    """The operator stopped the export; nothing was written."""


@dataclass
class ExportResult:
    selection: str
    campaign: str
    dry_run: bool
    waterfall: Waterfall
    freshness: FreshnessGate
    file: Path | None = None
    manifest: Path | None = None
    export_id: int | None = None
    rows: int = 0
    seeds: int = 0
    seeds_from: str = ""  # own (the selection's) | database (the seed list) | none
    sha256: str | None = None
    allowed_stale: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"selection": self.selection, "campaign": self.campaign, "dry_run": self.dry_run,
                "file": str(self.file) if self.file else None, "manifest": str(self.manifest) if self.manifest else None,
                "export_id": self.export_id, "rows": self.rows, "seeds": self.seeds, "seeds_from": self.seeds_from,
                "sha256": self.sha256,
                "allowed_stale": self.allowed_stale, "freshness": self.freshness.to_dict(),
                "waterfall": self.waterfall.to_dict(), "timings": self.timings}


def default_campaign(selection: str) -> str:
    return f"{selection}-{clock.now():%Y%m%d}"


def format_for(path: str | Path, fmt: str | None) -> str:
    if fmt:
        if fmt.lower() not in FORMATS:
            raise WorkbenchError(f"{fmt!r} is not an export format ({', '.join(FORMATS)}).")
        return fmt.lower()
    return "parquet" if str(path).lower().endswith(".parquet") else "csv"


def export_selection(store: Store, name: str, out: str | Path, fmt: str | None = None, campaign: str | None = None,
                     dry_run: bool = False, allow_stale: bool = False, force: bool = False,
                     allow_unmeasured: bool = False, progress: Callable[[str, float], None] | None = None,
                     cancelled: Callable[[], bool] | None = None, no_seeds: bool = False) -> ExportResult:
    """Export selection ``name`` to ``out`` (see the module docstring). Raises RefusedError (stale source),
    SelectionError (bad selection), WorkbenchError (anything else: ``TargetExistsError`` when ``out`` or its
    manifest exists and ``force`` is false; the database file, a FIFO or a device are refused always).

    The two files are renamed into place just before the commit, so the result is all or nothing: when the
    commit fails they are taken back (a replaced file is put back), and a kill between the renames and
    the commit is undone by the next command that opens the database (:mod:`workbench.store.journal`).

    Seeds: the selection's own, else the database's seed list for its channel and brand; ``no_seeds`` sends
    the file without any (audited); a file without seeds is refused when the database keeps a seed list
    (:mod:`workbench.export.seeds`)."""
    timings: dict[str, float] = {}
    mark = [time.perf_counter()]

    def step(message: str, fraction: float, lap: str | None = None) -> None:
        now = time.perf_counter()
        if lap:
            timings[lap] = round(now - mark[0], 3)
        mark[0] = now
        if cancelled and fraction < 1 and cancelled():
            raise ExportCancelled("Export cancelled.", "Nothing was written.")
        if progress:
            progress(message, fraction)

    target = check_target(out, force=force, database=store.path)
    manifest_path = check_target(Path(str(target) + MANIFEST_SUFFIX), force=force, database=store.path)
    fmt = format_for(target, fmt)
    pending: list[PendingFile] = []
    # people records loaded since the last match are matched, loaded moves applied, before anything is
    # counted (each its own audited transaction; workbench.select.ready)
    ready = make_ready(store, (lambda m, f: progress(m, 0.04 * f)) if progress else None,
                       check=lambda conn: get_selection(conn, name))
    with Entry.begin(None if dry_run else store.path) as note, store.connect() as conn:
        run(conn, "BEGIN TRANSACTION")
        try:
            step("checking the selection", 0.05)
            sel = get_selection(conn, name)
            plan = check_selection(conn, sel)
            gate = plan.freshness(conn)
            step("counting", 0.2, "check")
            if gate.blocked and not allow_stale:
                raise RefusedError(f"Export of {name!r} refused: a source it reads is stale: "
                                   f"{gate.describe(gate.errors)}.",
                                   "Load fresh data first, or export anyway with --allow-stale (recorded in the "
                                   "manifest).")
            from workbench.privacy import legal_clock_gate

            legal = legal_clock_gate(conn, sel.channel)  # do-not-call < 31 days, opt-outs, NCOA < 95 days
            if legal and not allow_stale:
                raise RefusedError(f"Export of {name!r} refused: " + "; ".join(legal),
                                   "Load the file named, or export anyway with --allow-stale (recorded in the "
                                   "manifest).")
            quality = _quality_gate(conn, name, allow_unmeasured)  # issue 18: accuracy measured and fresh
            campaign = (campaign or default_campaign(name)).strip()
            if scalar(conn, "SELECT count(*) FROM exports WHERE campaign = ?", [campaign]):
                raise RefusedError(f"Campaign {campaign!r} was already exported.",
                                   "Give this export its own --campaign code.")
            from workbench.export.seeds import file_seeds

            seed_list, seeds_from = file_seeds(conn, sel.seeds, sel.channel, sel.brand, no_seeds, "export of",
                                               name, strict=False)
            wf = run_waterfall(conn, plan, campaign=campaign)
            ready.apply_to(wf)
            result = ExportResult(name, campaign, dry_run, wf, gate, allowed_stale=[f.name for f in gate.errors],
                                  seeds_from=seeds_from)
            step("writing the file", 0.5, "count")
            if dry_run:
                run(conn, "ROLLBACK")
                result.timings = timings
                return result
            seeds = load_seeds(conn, sel, seed_list)
            today = clock.now().date()
            sql, params = export_select(sel, today, clean_text_columns(conn))
            data = copy_to_pending(conn, sql, target, fmt, params, hash_now=False, overwrite=force, journal=note)
            pending.append(data)
            step("recording the contact history", 0.75, "write")  # COPY to the private 0600 file
            with ThreadPoolExecutor(max_workers=1) as pool:  # hash the file while DuckDB writes the history
                hashing = pool.submit(data.hash)
                export_id = next_export_id(conn)
                record_contacts(conn, export_id, sel, campaign, today)
                hashing.result()
            result.export_id, result.rows, result.seeds, result.sha256 = export_id, data.rows, seeds, data.sha256
            clear_planned_contacts(conn, result)  # after the contact history, inside the transaction
            step("writing the manifest", 0.9, "history")  # contact history, and the file's sha256 meanwhile
            manifest = _manifest(conn, store, sel, plan, wf, gate, data, fmt, campaign, export_id, today, seeds)
            manifest["quality"] = quality.to_manifest()
            pending.append(write_private_text(manifest_path, manifest_text(manifest), overwrite=force, journal=note))
            record_export(conn, export_id, sel, campaign, data, fmt, wf, result, manifest)
            audit_record(conn, "export", name, {
                "export_id": export_id, "version": sel.version, "campaign": campaign, "file": target.name,
                "format": fmt, "rows": data.rows, "contacted": wf.net, "held_out": wf.held_out, "seeds": seeds,
                "seeds_from": seeds_from, "sha256": data.sha256, "allowed_stale": result.allowed_stale or None,
                "overrides": plan.suppressions.left_out or None})
            step("publishing the file", 0.95, "manifest")
            note.will_publish(pending, campaign)  # a kill from here on is undone by the next command
            result.file = pending[0].publish()  # before the commit: a failed rename leaves the database as it was
            result.manifest = pending[1].publish()
            run(conn, "COMMIT")
        except BaseException:
            try:
                run(conn, "ROLLBACK")
            except Exception:  # the transaction may already be gone (an error inside DuckDB)
                pass
            for p in reversed(pending):
                p.unpublish()  # the commit failed after the renames: take the files back
                p.discard()
            raise
        for p in pending:
            p.discard()
    step("done", 1.0, "publish")
    result.timings = timings
    return result


def _manifest(conn, store, sel, plan, wf, gate, data, fmt, campaign, export_id, today, seeds) -> dict[str, Any]:
    by_cell = {c.name: c.persons for c in wf.cells if c.contact}
    held = {c.name: c.persons for c in wf.cells if not c.contact}
    overrides = {"applied": plan.suppression_names, "overridden": plan.suppressions.left_out,
                 "override_reason": sel.override_reason if plan.suppressions.left_out else None}
    return build_manifest(
        export_id=export_id, selection=sel, toml=sel.to_toml(), waterfall=wf, freshness=source_freshness(conn),
        read_sources=set(selection_sources(conn, sel.channel, plan.depends, plan.suppression_names)),
        allowed_stale=[f.name for f in gate.errors], file=data, fmt=fmt, columns=output_columns(sel),
        rows_by_cell=by_cell, seeds=seeds, held_out=held, campaign=campaign, contact_date=today,
        exported_at=clock.now(), exported_by=operator_name(), database=str(store.path), overrides=overrides)


def _quality_gate(conn, name: str, allow_unmeasured: bool):
    """The accuracy gate (workbench.quality.export_gate): refuses a stale or low estimate unless allowed."""
    from workbench.quality import export_gate

    return export_gate(conn, name, allow_unmeasured)


def clear_planned_contacts(conn, result: ExportResult) -> None:
    """Issue 6: a selection's planned contacts are now contact history."""
    from workbench.contacts.pressure import clear_plan

    clear_plan(conn, result.selection)
