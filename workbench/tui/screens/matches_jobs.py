"""The Matches screen's database jobs (worker threads; the core only, no widgets, no SQL).

Each job calls the core under the TUI's one database turn and returns a plain value; the screen's workers
post it as one of the typed messages nested in :class:`~workbench.tui.screens.matches_review.MatchesScreen`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from workbench.store import Store
from workbench.tui.jobs import DB_LOCK, JobCancelled, database_job, stoppable

QUEUE_FETCHED = 200  # pairs fetched per read of the queue
IDLE_CLOSE_S = 3.0  # the review connection is closed after this long without a key


@dataclass
class QueueState:
    pairs: list[dict[str, Any]]
    counts: dict[str, int]
    names: dict[int, str] = field(default_factory=dict)
    detail: dict[str, Any] | None = None
    note: str = ""


class ReviewConnection:
    """The review's write connection, kept open while the operator is deciding (opening one costs more
    than the 100 ms an accept-and-next may take) and closed after IDLE_CLOSE_S without use or when the
    screen is left, so the TUI still holds no connection while idle. Each use is one transaction of the
    store (:meth:`Store.transaction` on the held connection)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cm: Any = None
        self._conn: Any = None
        self.last_used = 0.0

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with database_job(self.store):
            if self._conn is None:
                self._cm = self.store.connect()
                self._conn = self._cm.__enter__()
            try:
                with self.store.transaction(held=self._conn) as conn:
                    yield conn
            finally:
                self.last_used = time.monotonic()

    def close(self, only_if_idle: bool = False) -> None:
        with DB_LOCK:
            if self._conn is None or (only_if_idle and time.monotonic() - self.last_used < IDLE_CLOSE_S):
                return
            cm, self._cm, self._conn = self._cm, None, None
            cm.__exit__(None, None, None)


def read_queue(session: ReviewConnection, sort: str, action: tuple | None = None) -> QueueState:
    """Apply ``action`` (name, *args) if any, then read the queue and the first pair's detail."""
    from workbench.identity import decisions
    from workbench.identity.explain import pair_detail, record_labels

    note = ""
    with session.transaction() as conn:
        if action:
            note = _apply(conn, decisions, action)
        pairs = decisions.next_pairs(conn, QUEUE_FETCHED, sort)
        counts = decisions.queue_counts(conn)
        names = record_labels(conn, [x for p in pairs for x in (p["record_id_l"], p["record_id_r"])])
        detail = pair_detail(conn, pairs[0]["record_id_l"], pairs[0]["record_id_r"]) if pairs else None
    return QueueState(pairs, counts, names, detail, note)


def _apply(conn: Any, decisions: Any, action: tuple) -> str:
    name, *args = action
    if name == "accept":
        pid = decisions.accept_pair(conn, args[0], args[1], "reviewed", _user())
        return f"Accepted: person {pid}."
    if name == "reject":
        decisions.reject_pair(conn, args[0], args[1], "reviewed", _user())
        return "Rejected: kept apart."
    if name == "undo":
        done = decisions.undo_last(conn)
        return f"Undone: {done['decision']}." if done else "Nothing to undo."
    if name == "bulk":
        done = decisions.bulk_accept(conn, args[0], by=_user())
        return f"Accepted {done['accepted']:,} pairs; {done['persons_merged']:,} persons merged away."
    if name == "split":
        pid = decisions.split_record(conn, args[0], "split in review", _user())
        return f"Record {args[0]} is now person {pid}."
    if name == "merge":
        pid = decisions.merge_persons(conn, args[0], args[1], "merged in review", _user())
        return f"Merged into person {pid}."
    raise ValueError(name)


def decide_and_next(
    session: ReviewConnection, kind: str, pair: tuple[int, int], following: tuple[int, int] | None
) -> tuple[str, dict[str, Any] | None]:
    """Accept or reject ``pair`` and read the detail of the pair that follows it in the queue (the
    accept-and-next path: one short transaction on the held connection)."""
    from workbench.identity import decisions
    from workbench.identity.explain import pair_detail

    with session.transaction() as conn:
        note = _apply(conn, decisions, (kind, *pair))
        detail = pair_detail(conn, *following) if following else None
    return note, detail


def read_detail(session: ReviewConnection, record_l: int, record_r: int) -> dict[str, Any]:
    from workbench.identity.explain import pair_detail

    with session.transaction() as conn:
        return pair_detail(conn, record_l, record_r)


def preview_bulk(session: ReviewConnection, min_probability: float) -> dict[str, int]:
    from workbench.identity.decisions import bulk_preview

    with session.transaction() as conn:
        return bulk_preview(conn, min_probability)


def run_matching(
    session: ReviewConnection, progress: Callable[[str, float], None], cancelled: threading.Event
) -> str:
    """One match run (``workbench match``); stops, rolled back, at the next stage once ``cancelled`` is set."""
    from workbench.identity.run import MatchCancelled, match

    session.close()
    try:
        with database_job(session.store), stoppable(session.store, cancelled, "Matching"):
            return match(session.store, progress=progress, cancelled=cancelled.is_set).message
    except MatchCancelled as exc:
        raise JobCancelled(exc.message, exc.hint) from None


def _user() -> str | None:
    import getpass

    try:
        return getpass.getuser()
    except Exception:
        return None
