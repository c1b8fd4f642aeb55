"""Matches: the review queue of merge candidates, most uncertain first.

Left, the queue (probability, status, the two names); right, the selected pair field by field with each
comparison's outcome and its match weight, then each record's current person and its other members.
Keys: a accept, r reject, s skip, u undo, b bulk accept above a probability (after a confirmation that
says how many pairs and persons change), o change the order, x / X split the left / right record out of
its person, m merge the two records' persons, M run matching (its progress shows below; Escape stops it at
the next stage, rolled back). Every database call runs in a worker (the jobs are in matches_jobs.py).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Static
from textual.worker import Worker

import workbench.tui.modals as _modals
from workbench.tui.modals import WorkbenchModal
from workbench.tui.modals.confirm import ConfirmModal
from workbench.tui.screens.base import WorkbenchScreen
from workbench.tui.screens.matches_jobs import (
    QueueState,
    ReviewConnection,
    decide_and_next,
    preview_bulk,
    read_detail,
    read_queue,
    run_matching,
)
from workbench.tui.widgets.load_progress import LoadProgress

SORT_ORDER = ("uncertain", "high", "low")
SORT_LABEL = {"uncertain": "most uncertain first", "high": "highest first", "low": "lowest first"}
QUEUE_COLUMNS = ("prob.", "status", "record A", "record B")
PAIR_COLUMNS = ("field", "record A", "record B", "weight", "comparison")  # the weights before the long labels
CELL_WIDTH = 24  # a record's value is cut to this many characters in the pair table (the detail is in persons)


class ProbabilityModal(WorkbenchModal[float | None]):
    """Asks for the probability a bulk accept starts from."""

    CSS_PATH = str(Path(_modals.__file__).with_name("modals.tcss"))
    AUTO_FOCUS = "#probability"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content("Accept every waiting pair at or above this probability"), classes="dialog-title")
            yield Input("0.95", id="probability", restrict=r"[0-9.]*")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Next", id="go", variant="primary")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self._go()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self._go() if event.button.id == "go" else self.dismiss(None)

    def _go(self) -> None:
        try:
            value = float(self.query_one("#probability", Input).value)
        except ValueError:
            self.notify("Give a probability between 0 and 1.", severity="warning")
            return
        if 0 <= value <= 1:
            self.dismiss(value)
        else:
            self.notify("Give a probability between 0 and 1.", severity="warning")


class MatchesScreen(WorkbenchScreen):
    """Workers post the typed messages below (results of :mod:`matches_jobs`); ``@on`` handlers show them."""

    class QueueRead(Message):
        """The queue (after an action, if any) and the first pair's detail."""

        def __init__(self, state: QueueState) -> None:
            super().__init__()
            self.state = state

    class Decided(Message):
        """A pair was accepted or rejected; ``detail`` is the pair that follows it."""

        def __init__(self, pair: tuple[int, int], note: str, detail: dict[str, Any] | None) -> None:
            super().__init__()
            self.pair, self.note, self.detail = pair, note, detail

    class DetailRead(Message):
        def __init__(self, detail: dict[str, Any]) -> None:
            super().__init__()
            self.detail = detail

    class BulkPreviewed(Message):
        """How many pairs and persons a bulk accept at ``probability`` changes."""

        def __init__(self, probability: float, preview: dict[str, int]) -> None:
            super().__init__()
            self.probability, self.preview = probability, preview

    class MatchProgress(Message):
        def __init__(self, step: str, fraction: float) -> None:
            super().__init__()
            self.step, self.fraction = step, fraction

    class Matched(Message):
        """A match run finished; ``summary`` says what it did."""

        def __init__(self, summary: str) -> None:
            super().__init__()
            self.summary = summary

    MODE = "matches"
    AUTO_FOCUS = "#queue"
    # The pair's side gets the room: at 120 columns both records and the weights are on screen (the weight
    # comes before the long comparison label, which may be cut).
    DEFAULT_CSS = """
    MatchesScreen #matches-counter { padding: 0 1; text-style: bold; }
    MatchesScreen #matches-body { height: 1fr; }
    MatchesScreen #queue { width: 1fr; min-width: 30; }
    MatchesScreen #pair-side { width: 2fr; }
    MatchesScreen #pair { height: 2fr; }
    MatchesScreen #persons { height: 1fr; }
    MatchesScreen #matches-note { color: $text-muted; padding: 0 1; height: auto; }
    MatchesScreen LoadProgress { dock: bottom; height: 1; margin-bottom: 1; background: $boost; padding: 0 1; }
    MatchesScreen #load-label { width: 1fr; }
    MatchesScreen #load-bar { width: auto; }
    MatchesScreen #load-cancel-hint { width: auto; color: $text-muted; padding-left: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "decide('accept')", "Accept", id="matches.accept"),
        Binding("r", "decide('reject')", "Reject", id="matches.reject"),
        Binding("s", "skip", "Skip", id="matches.skip"),
        Binding("u", "undo", "Undo", id="matches.undo"),
        Binding("b", "bulk_accept", "Bulk accept", id="matches.bulk"),
        Binding("o", "cycle_sort", "Order", id="matches.sort"),
        Binding("x", "split(0)", "Split left", id="matches.split_left", show=False),
        Binding("X", "split(1)", "Split right", id="matches.split_right", show=False),
        Binding("m", "merge_persons", "Merge persons", id="matches.merge", show=False),
        Binding("M", "run_matching", "Run matching", id="matches.run"),
        Binding("escape", "cancel_matching", "Cancel matching", id="matches.cancel_run"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sort = SORT_ORDER[0]
        self.pairs: list[dict[str, Any]] = []
        self.detail: dict[str, Any] | None = None
        self.busy = False
        self.session: ReviewConnection | None = None
        self.counts = {"reviewed": 0, "left": 0}
        self.decided_since_read = 0
        self.cancel_matching: threading.Event | None = None  # set while a match run is under way

    def compose_body(self) -> ComposeResult:
        yield Static("", id="matches-counter")
        with Horizontal(id="matches-body"):
            yield DataTable(id="queue", cursor_type="row", zebra_stripes=True)
            with Vertical(id="pair-side"):
                yield DataTable(id="pair", cursor_type="row")
                yield DataTable(id="persons", cursor_type="row")
        yield Static("", id="matches-note")
        yield LoadProgress(id="match-progress")

    def on_mount(self) -> None:
        queue = self.query_one("#queue", DataTable)
        for label in QUEUE_COLUMNS:
            queue.add_column(label, key=label)
        pair = self.query_one("#pair", DataTable)
        for label in PAIR_COLUMNS:
            pair.add_column(label, key=label)
        persons = self.query_one("#persons", DataTable)
        for label in ("", "person", "record", "source", "key", "name", "ZIP"):
            persons.add_column(label or "side", key=label or "side")
        self.query_one(LoadProgress).display = False
        self.session = ReviewConnection(self.store)
        self.set_interval(1.0, self._close_if_idle)
        self.refresh_queue()

    def _close_if_idle(self) -> None:
        if self.session is not None and not self.busy and self.cancel_matching is None:  # a run holds the turn
            self._close_session(True)

    @work(thread=True, group="matches-close", name="close the review connection", exit_on_error=False)
    def _close_session(self, only_if_idle: bool) -> None:
        if self.session is not None:
            self.session.close(only_if_idle)

    def on_screen_suspend(self) -> None:
        self._close_session(False)

    def on_unmount(self) -> None:
        if self.session is not None:
            self.session.close()

    # -- reading and deciding -------------------------------------------------------------------
    def refresh_queue(self, action: tuple | None = None) -> None:
        self.busy = True
        self.query_one("#queue", DataTable).loading = not self.pairs
        self._read(action)

    @work(thread=True, exclusive=True, group="matches", name="read the review queue", exit_on_error=False)
    def _read(self, action: tuple | None) -> None:
        try:
            self.post_message(self.QueueRead(read_queue(self.session, self.sort, action)))
        finally:
            self.busy = False

    @on(QueueRead)
    def _show_queue(self, message: MatchesScreen.QueueRead) -> None:
        state = message.state
        self.pairs = state.pairs
        table = self.query_one("#queue", DataTable)
        table.loading = False
        table.clear()
        for p in state.pairs:
            table.add_row(f"{p['probability']:.3f}", p["status"], state.names.get(p["record_id_l"], ""),
                          state.names.get(p["record_id_r"], ""), key=f"{p['record_id_l']}-{p['record_id_r']}")
        self.counts = dict(state.counts)
        self.decided_since_read = 0
        self._show_counter()
        self._show_detail(state.detail)
        if state.note:
            self.notify(state.note)
        if not state.pairs:
            self.query_one("#matches-note", Static).update(Content(
                "Nothing waits for review. Press M to run matching after new loads."))

    def _show_counter(self) -> None:
        left = self.counts["left"]
        shown = f"{len(self.pairs):,} of {left:,}" if left > len(self.pairs) else ""
        self.query_one("#matches-counter", Static).update(Content(
            f"Reviewed {self.counts['reviewed']:,} / left {left:,}   "
            f"({SORT_LABEL[self.sort]}{', showing ' + shown if shown else ''})"))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id != "queue" or event.row_key is None or event.row_key.value is None:
            return
        lo, r = (int(x) for x in str(event.row_key.value).split("-"))
        if self.detail and (self.detail["record_l"], self.detail["record_r"]) == (lo, r):
            return
        self._load_detail(lo, r)

    @work(thread=True, exclusive=True, group="matches-detail", name="read the pair", exit_on_error=False)
    def _load_detail(self, lo: int, r: int) -> None:
        self.post_message(self.DetailRead(read_detail(self.session, lo, r)))

    @on(DetailRead)
    def _detail_read(self, message: MatchesScreen.DetailRead) -> None:
        self._show_detail(message.detail)

    def _show_detail(self, detail: dict[str, Any] | None) -> None:
        self.detail = detail
        pair, persons = self.query_one("#pair", DataTable), self.query_one("#persons", DataTable)
        pair.clear()
        persons.clear()
        if not detail:
            return
        by_field = {f: c for c in detail["comparisons"] for f in c["fields"]}
        for f in detail["fields"]:
            c = by_field.get(f["field"])
            first = c is not None and c["fields"][0] == f["field"]
            weight = f"{c['weight']:+.1f}" if first and c["weight"] is not None else ""
            pair.add_row(f["field"], _cut(f["left"]), _cut(f["right"]), weight,
                         f"{c['comparison']}: {c['level']}" if first else "")
        total = detail["match_weight"]
        pair.add_row("match weight" if total is not None else "", "", "", f"{total:+.1f}" if total is not None else "",
                     "with the prior" if total is not None else "")
        for side, person in zip(("A", "B"), detail["persons"], strict=True):
            persons.add_row(side, str(person["person_id"]), str(person["record_id"]), "", "",
                            f"{person['records']} record(s)", "")
            for m in person["members"]:
                persons.add_row("", "", str(m["record_id"]), m["source"], m["source_key"],
                                f"{m['first_name'] or ''} {m['last_name'] or ''}", m["zip5"] or "")
        prob = detail["probability"]
        self.query_one("#matches-note", Static).update(Content(
            f"Pair {detail['record_l']} / {detail['record_r']}: probability {prob:.3f} ({detail['status']}"
            + (f": {detail['reason']}" if detail.get("reason") else "") + ")"  # why the guard held it
            if prob is not None else ""))

    def _current(self) -> tuple[int, int] | None:
        if not self.detail:
            return None
        return self.detail["record_l"], self.detail["record_r"]

    def action_decide(self, kind: str) -> None:
        pair = self._current()
        if pair is None or self.busy:
            return
        keys = [(p["record_id_l"], p["record_id_r"]) for p in self.pairs]
        at = keys.index(pair) if pair in keys else -1
        following = keys[at + 1] if 0 <= at < len(keys) - 1 else None
        self.busy = True
        self._decide(kind, pair, following)

    @work(thread=True, exclusive=True, group="matches", name="record the decision", exit_on_error=False)
    def _decide(self, kind: str, pair: tuple[int, int], following: tuple[int, int] | None) -> None:
        try:
            note, detail = decide_and_next(self.session, kind, pair, following)
            self.post_message(self.Decided(pair, note, detail))
        finally:
            self.busy = False

    @on(Decided)
    def _decided(self, message: MatchesScreen.Decided) -> None:
        """Move on at once; the queue is read again now and then (pairs a merge resolved drop out then)."""
        self.pairs = [p for p in self.pairs if (p["record_id_l"], p["record_id_r"]) != message.pair]
        table = self.query_one("#queue", DataTable)
        key = f"{message.pair[0]}-{message.pair[1]}"
        if key in table.rows:
            table.remove_row(key)
        self.counts["reviewed"] += 1
        self.counts["left"] = max(0, self.counts["left"] - 1)
        self.decided_since_read += 1
        self._show_counter()
        self._show_detail(message.detail)
        if message.detail:
            row = next((i for i, p in enumerate(self.pairs)
                        if (p["record_id_l"], p["record_id_r"]) == (message.detail["record_l"], message.detail["record_r"])), 0)
            table.move_cursor(row=row)
        self.notify(message.note, timeout=2)
        if len(self.pairs) < 5 or self.decided_since_read >= 25:
            self.refresh_queue()

    def action_skip(self) -> None:
        table = self.query_one("#queue", DataTable)
        if table.row_count:
            table.move_cursor(row=min(table.cursor_row + 1, table.row_count - 1))

    def action_undo(self) -> None:
        if not self.busy:
            self.refresh_queue(("undo",))

    def action_cycle_sort(self) -> None:
        self.sort = SORT_ORDER[(SORT_ORDER.index(self.sort) + 1) % len(SORT_ORDER)]
        self.refresh_queue()

    def action_split(self, side: int) -> None:
        pair = self._current()
        if pair is not None and not self.busy:
            self.refresh_queue(("split", pair[side]))

    def action_merge_persons(self) -> None:
        if not self.detail or self.busy:
            return
        a, b = (p["person_id"] for p in self.detail["persons"])
        self.app.push_screen(ConfirmModal(f"Merge person {a} and person {b}?", "Every record of both becomes one "
                                          "person (kept as a decision; undo with u)."),
                             lambda yes: yes and self.refresh_queue(("merge", a, b)))

    # -- bulk accept ----------------------------------------------------------------------------
    def action_bulk_accept(self) -> None:
        self.app.push_screen(ProbabilityModal(), self._bulk_probability)

    def _bulk_probability(self, value: float | None) -> None:
        if value is not None:
            self._bulk_preview(value)

    @work(thread=True, exclusive=True, group="matches", name="count the pairs to accept", exit_on_error=False)
    def _bulk_preview(self, value: float) -> None:
        self.post_message(self.BulkPreviewed(value, preview_bulk(self.session, value)))

    @on(BulkPreviewed)
    def _bulk_confirm(self, message: MatchesScreen.BulkPreviewed) -> None:
        value, preview = message.probability, message.preview
        held = (f" {preview['held_back']:,} pairs held by the guards (one household, two people) are left "
                "for review one by one.") if preview.get("held_back") else ""
        if not preview["pairs"]:
            self.notify(f"No waiting pair at or above {value:g} to accept.{held}")
            return
        self.app.push_screen(
            ConfirmModal(f"Accept {preview['pairs']:,} pairs at or above {value:g}?",
                         f"{preview['persons_involved']:,} persons become {preview['persons_after']:,} "
                         f"({preview['persons_merged']:,} merged away). Undo with u.{held}"),
            lambda yes: yes and self.refresh_queue(("bulk", value)))

    # -- matching: progress below, Escape stops it at the next stage (rolled back) ---------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_matching":
            return self.cancel_matching is not None
        if action == "run_matching":
            return None if self.cancel_matching is not None else True
        return True

    def action_run_matching(self) -> None:
        if self.cancel_matching is not None:
            return
        self.cancel_matching = threading.Event()
        self.query_one(LoadProgress).start("Matching new and changed records")
        self.refresh_bindings()
        self._match(self.cancel_matching)

    @work(thread=True, exclusive=True, group="matches-run", name="run matching", exit_on_error=False)
    def _match(self, cancelled: threading.Event) -> None:
        summary = run_matching(self.session, lambda m, f: self.post_message(self.MatchProgress(m, f)), cancelled)
        self.post_message(self.Matched(summary))

    @on(MatchProgress)
    def _match_step(self, message: MatchesScreen.MatchProgress) -> None:
        if self.cancel_matching is not None:
            self.query_one(LoadProgress).step(message.step, message.fraction)

    @on(Matched)
    def _matched(self, message: MatchesScreen.Matched) -> None:
        self._matching_ended()
        self.notify(message.summary)
        self.refresh_queue()
        if hasattr(self.app, "data_changed"):
            self.app.data_changed()

    def action_cancel_matching(self) -> None:
        if self.cancel_matching is not None:
            self.cancel_matching.set()
            self.query_one(LoadProgress).stopping()

    def _matching_ended(self) -> None:
        self.cancel_matching = None
        self.query_one(LoadProgress).finish()
        self.refresh_bindings()

    def job_failed(self, worker: Worker) -> None:
        if worker.group == "matches-run":
            self._matching_ended()


def _cut(value: Any, width: int = CELL_WIDTH) -> str:
    """A record's value, cut to ``width`` characters (with …) so both records fit beside the weights."""
    text = "" if value is None else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"
