"""Before a count or an export: bring who-is-who and change of address up to date with what was loaded.

Two things a load leaves for later would otherwise reach the mailing:

- **People records not matched yet.** A load gives every new record its own person at once; only
  ``workbench match`` joins it to the person it belongs to. Someone loaded again under a new source key
  would be a second person, and contacted twice, until then. Once matching is in use (a match run
  exists), :func:`make_ready` runs the incremental match (``workbench.identity.run.match``) first,
  with progress, audited as ``match.run`` like any other. A database never matched keeps one person
  per record (a warning of the waterfall says so).
- **Moves (NCOA) loaded but not applied.** A 02 (moved, left no address) only makes a person
  undeliverable once the move is applied; :func:`make_ready` applies pending moves
  (``workbench.households.moves.apply_moves``) when a moves or people load came after the last
  application (a stamp in ``settings``), audited as ``moves.apply``. Households are regrouped by
  ``workbench households`` as before.

When nothing is pending it costs one connection and a few small queries.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import duckdb

from workbench.select.attributes import has_relation
from workbench.store import Store
from workbench.store.sql import rows, run, scalar

Progress = Callable[[str, float], None]
T = TypeVar("T")
MOVES_STAMP = "moves.applied_stamp"  # settings key: the loads the last application saw
_WORK = threading.Lock()  # one match / moves application at a time in this process


@dataclass
class Readiness:
    unmatched: int = 0  # people records new or changed since the last match run, before this call
    match_run: int | None = None  # the run made now
    moves_applied: int = 0  # moves applied now
    never_matched: bool = False  # people records exist and no match run ever did
    moves_pending: bool = False  # a moves or people load came after the last application of moves
    notes: list[str] = field(default_factory=list)  # what was done, for the operator

    @property
    def pending(self) -> bool:
        return bool(self.unmatched or self.moves_pending)

    @property
    def warnings(self) -> list[str]:
        if not self.never_matched:
            return []
        return [
            "no match run yet: every people record counts as its own person (someone in two sources is "
            "counted twice); run `workbench match`"
        ]

    def apply_to(self, wf) -> None:
        """Put what was done (notes) and what is still wrong (warnings) on a waterfall."""
        wf.notes = [*self.notes, *wf.notes]
        wf.warnings = [*self.warnings, *wf.warnings]


def unmatched_records(conn: duckdb.DuckDBPyConnection) -> int:
    """People records loaded or changed since the last match run (0 when matching was never run)."""
    if not scalar(conn, "SELECT count(*) FROM match_runs"):
        return 0
    return scalar(
        conn,
        """SELECT count(*) FROM records r WHERE NOT EXISTS (
        SELECT 1 FROM match_record_state s WHERE s.record_id = r.record_id AND s.row_hash IS NOT DISTINCT FROM r.row_hash)""",
    )


def never_matched(conn: duckdb.DuckDBPyConnection) -> bool:
    return not scalar(conn, "SELECT count(*) FROM match_runs") and bool(
        scalar(conn, "SELECT count(*) FROM records")
    )


def moves_stamp(conn: duckdb.DuckDBPyConnection) -> str | None:
    """The latest moves load and people load (a new move, or new records a move may reach); None when no
    moves were ever loaded."""
    found = rows(
        conn,
        """SELECT max(l.load_id) FILTER (WHERE s.kind = 'moves') AS moves,
            max(l.load_id) FILTER (WHERE s.kind = 'people') AS people
        FROM loads l JOIN sources s ON s.name = l.source WHERE s.kind IN ('moves', 'people')""",
    )[0]
    if found["moves"] is None or not has_relation(conn, "applied_moves"):
        return None
    return f"moves {found['moves']}, people {found['people'] or 0}"


def moves_pending(conn: duckdb.DuckDBPyConnection) -> bool:
    stamp = moves_stamp(conn)
    return stamp is not None and stamp != scalar(
        conn, "SELECT value FROM settings WHERE key = ?", [MOVES_STAMP]
    )


def inspect(conn: duckdb.DuckDBPyConnection) -> Readiness:
    """What is pending (cheap queries on an open connection): unmatched people records, loaded moves."""
    return Readiness(
        unmatched=unmatched_records(conn),
        never_matched=never_matched(conn),
        moves_pending=moves_pending(conn),
    )


def make_ready(
    store: Store,
    progress: Progress | None = None,
    check: Callable[[duckdb.DuckDBPyConnection], object] | None = None,
) -> Readiness:
    """Run the incremental match when people records are unmatched, then apply pending moves (each in its
    own transaction, audited). Returns what it did; ``notes`` say it in words. ``check(conn)`` runs
    first: what it raises (an unknown selection, say) stops everything before any change."""
    with store.connect() as conn:
        if check is not None:
            check(conn)
        ready = inspect(conn)
    return bring_up_to_date(store, ready, progress)


def with_ready(
    store: Store,
    body: Callable[[duckdb.DuckDBPyConnection, Readiness], T],
    progress: Progress | None = None,
    check: Callable[[duckdb.DuckDBPyConnection], object] | None = None,
) -> T:
    """``body(conn, readiness)`` on a write connection once everything is up to date. When nothing is
    pending (the usual case) that is the connection the checks ran on: one open, not two."""
    with store.connect() as conn:
        if check is not None:
            check(conn)
        ready = inspect(conn)
        if not ready.pending:
            return body(conn, ready)
    bring_up_to_date(store, ready, progress)
    with store.connect() as conn:
        return body(conn, ready)


def bring_up_to_date(store: Store, ready: Readiness, progress: Progress | None = None) -> Readiness:
    """Do the work :func:`inspect` found (nothing when nothing is pending). One job at a time in a process:
    the TUI may start a second count while the first is still matching; it waits, finds the work done and
    does not match twice."""
    if not ready.pending:
        return ready
    with _WORK:
        with store.connect() as conn:  # another job may have done it while this one waited
            fresh = inspect(conn)
        ready.unmatched, ready.moves_pending = fresh.unmatched, fresh.moves_pending
        return _bring_up_to_date(store, ready, progress)


def _bring_up_to_date(store: Store, ready: Readiness, progress: Progress | None) -> Readiness:
    if ready.unmatched:
        from workbench.identity.run import match

        what = f"{ready.unmatched:,} people record(s) loaded since the last match"
        step = (lambda m, f: progress(f"matching {what}: {m}", 0.9 * f)) if progress else None
        result = match(store, progress=step)
        ready.match_run = result.run_id
        ready.notes.append(
            f"{what}: matched first (match run {result.run_id}, {result.mode}: "
            f"{result.persons_merged:,} person(s) merged, {result.in_review:,} pair(s) to review)"
        )
    if ready.moves_pending:
        if progress:
            progress("applying the change-of-address (NCOA) moves loaded", 0.92)
        ready.moves_applied = _apply_moves(store, ready)
    if progress and (ready.unmatched or ready.moves_pending):
        progress("up to date", 1.0)
    return ready


def _apply_moves(store: Store, out: Readiness) -> int:
    try:
        from workbench.households.moves import apply_moves
    except ImportError:  # households not installed: nothing applies moves
        return 0
    with store.transaction() as conn:
        stamp = moves_stamp(conn)
        result = apply_moves(conn)
        run(conn, "DELETE FROM settings WHERE key = ?", [MOVES_STAMP])
        run(conn, "INSERT INTO settings VALUES (?, ?)", [MOVES_STAMP, stamp])
        if result.applied_now or result.addresses_updated:
            from workbench import audit

            audit.record(
                conn,
                "moves.apply",
                "before a count or export",
                {
                    "applied": result.applied_now,
                    "by_code": result.by_code or None,
                    "persons_moved": result.persons_moved,
                    "addresses_updated": result.addresses_updated,
                    "unmatched": result.unmatched,
                    "stamp": stamp,
                },
            )
    if result.applied_now:
        codes = ", ".join(f"{n} x {code}" for code, n in sorted(result.by_code.items()))
        out.notes.append(
            f"{result.applied_now:,} change-of-address move(s) loaded since the last application "
            f"applied first ({codes}; {result.persons_moved:,} person(s))"
        )
    return result.applied_now
