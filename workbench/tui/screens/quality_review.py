"""Quality: review the items of the latest accuracy sample, and see the estimates they give.

Left, the waiting items (area, stratum, the two names); right, the selected item's two records field by
field (a suppression hit: the person's record and the rule's explanation); above, the current estimates
with their 95% intervals. Keys as on the Matches screen: a same, r different, s skip; n draws a new sample.
An answer is an ordinary review decision (docs/quality.md). Every database call runs in a worker
(quality_jobs.py); workers post the messages nested here and the handlers change the widgets.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from workbench.tui.screens.base import WorkbenchScreen
from workbench.tui.screens.quality_jobs import QualityState, draw_sample, read_evidence, read_queue

AREA_LABEL = {
    "persons": "merged pair",
    "near_miss": "near miss",
    "households": "household pair",
    "suppressions": "suppression hit",
}


class QualityScreen(WorkbenchScreen):
    MODE = "quality"
    AUTO_FOCUS = "#quality-queue"
    DEFAULT_CSS = """
    QualityScreen #quality-estimates { padding: 0 1; height: auto; }
    QualityScreen #quality-body { height: 1fr; }
    QualityScreen #quality-queue { width: 2fr; }
    QualityScreen #quality-evidence { width: 3fr; }
    QualityScreen #quality-note { color: $text-muted; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "answer('same')", "Same", id="quality.same"),
        Binding("r", "answer('different')", "Different", id="quality.different"),
        Binding("s", "answer('skip')", "Skip", id="quality.skip"),
        Binding("n", "new_sample", "New sample", id="quality.sample"),
    ]

    class QueueRead(Message):
        def __init__(self, state: QualityState) -> None:
            super().__init__()
            self.state = state

    class EvidenceRead(Message):
        def __init__(self, evidence: dict[str, Any]) -> None:
            super().__init__()
            self.evidence = evidence

    class SampleDrawn(Message):
        def __init__(self, note: str) -> None:
            super().__init__()
            self.note = note

    def __init__(self) -> None:
        super().__init__()
        self.items: list[dict[str, Any]] = []
        self.evidence: dict[str, Any] | None = None
        self.busy = False

    def compose_body(self) -> ComposeResult:
        yield Static("", id="quality-estimates")
        with Horizontal(id="quality-body"):
            yield DataTable(id="quality-queue", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="quality-evidence", cursor_type="row")
        yield Static("", id="quality-note")

    def on_mount(self) -> None:
        queue = self.query_one("#quality-queue", DataTable)
        for label in ("item", "kind", "stratum", "record A", "record B"):
            queue.add_column(label, key=label)
        evidence = self.query_one("#quality-evidence", DataTable)
        for label in ("field", "record A", "record B"):
            evidence.add_column(label, key=label)
        self.refresh_queue()

    # -- reading and answering ------------------------------------------------------------------
    def refresh_queue(self, answer: tuple[int, str] | None = None) -> None:
        self.busy = True
        self.query_one("#quality-queue", DataTable).loading = not self.items
        self._read(answer)

    @work(thread=True, exclusive=True, group="quality", name="read the quality sample", exit_on_error=False)
    def _read(self, answer: tuple[int, str] | None) -> None:
        try:
            self.post_message(self.QueueRead(read_queue(self.store, answer)))
        finally:
            self.busy = False

    @on(QueueRead)
    def _show_queue(self, message: QueueRead) -> None:
        state = message.state
        self.items = state.items
        table = self.query_one("#quality-queue", DataTable)
        table.loading = False
        table.clear()
        for i in state.items:
            table.add_row(
                str(i["item_id"]),
                AREA_LABEL.get(i["area"], i["area"]),
                i["stratum"],
                state.names.get(i["record_l"], ""),
                state.names.get(i["record_r"], "") or (i["suppression"] or ""),
                key=str(i["item_id"]),
            )
        self._show_estimates(state)
        self._show_evidence(state.evidence)
        if state.note:
            self.notify(state.note, timeout=2)
        if not state.items:
            self.query_one("#quality-note", Static).update(
                Content(
                    "Nothing waits for review. Press n to draw a new sample (or `workbench quality sample`)."
                )
            )

    def _show_estimates(self, state: QualityState) -> None:
        summary, counts = state.estimates, state.counts
        if summary.get("sample_id") is None:
            text = "Not measured yet: press n to draw a sample."
        else:
            parts = []
            for key, label in (
                ("persons.precision", "persons"),
                ("households.precision", "households"),
                ("suppressions.precision", "suppressions"),
                ("persons.recall", "recall"),
            ):
                e = summary["estimates"].get(key)
                if e and e["estimate"] is not None:
                    interval = f" [{e['low']:.3f}-{e['high']:.3f}]" if e["low"] is not None else ""
                    parts.append(f"{label} {e['estimate']:.3f}{interval} n={e['answered']}")
            text = (
                f"Sample {summary['sample_id']}: answered {counts['answered']:,} / {counts['items']:,}, "
                f"{summary['age_days']:g} days and {summary['age_loads']} loads old.   "
                + ("   ".join(parts) or "no estimate yet")
            )
        self.query_one("#quality-estimates", Static).update(Content(text))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id != "quality-queue" or event.row_key is None or event.row_key.value is None:
            return
        item_id = int(str(event.row_key.value))
        if self.evidence and self.evidence["item"]["item_id"] == item_id:
            return
        self._load_evidence(item_id)

    @work(
        thread=True, exclusive=True, group="quality-evidence", name="read the evidence", exit_on_error=False
    )
    def _load_evidence(self, item_id: int) -> None:
        self.post_message(self.EvidenceRead(read_evidence(self.store, item_id)))

    @on(EvidenceRead)
    def _evidence_read(self, message: EvidenceRead) -> None:
        self._show_evidence(message.evidence)

    def _show_evidence(self, evidence: dict[str, Any] | None) -> None:
        self.evidence = evidence
        table = self.query_one("#quality-evidence", DataTable)
        table.clear()
        if not evidence:
            return
        for f in evidence["fields"]:
            if f["left"] or f["right"]:
                table.add_row(f["field"], f["left"], f["right"])
        item = evidence["item"]
        self.query_one("#quality-note", Static).update(
            Content(
                f"Item {item['item_id']} ({AREA_LABEL.get(item['area'], item['area'])}, {item['stratum']})"
                + (f": {evidence['note']}" if evidence["note"] else "")
            )
        )

    def action_answer(self, given: str) -> None:
        if self.evidence is None or self.busy:
            return
        self.refresh_queue((self.evidence["item"]["item_id"], given))

    # -- a new sample -----------------------------------------------------------------------------
    def action_new_sample(self) -> None:
        if self.busy:
            return
        self.notify("Drawing a sample…")
        self._draw()

    @work(thread=True, exclusive=True, group="quality-draw", name="draw a sample", exit_on_error=False)
    def _draw(self) -> None:
        self.post_message(self.SampleDrawn(draw_sample(self.store)))

    @on(SampleDrawn)
    def _drawn(self, message: SampleDrawn) -> None:
        self.notify(message.note)
        self.refresh_queue()
