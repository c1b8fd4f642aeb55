"""The rows of one load that were rejected: line, reason and the raw line, a page at a time."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from workbench.store import Store
from workbench.tui.jobs import still_wanted
from workbench.tui.modals import WorkbenchModal
from workbench.tui.screens.sources_jobs import REJECTS_PAGE, RejectsPage, fetch_rejects
from workbench.tui.widgets import cells

RAW_WIDTH = 120  # characters of a raw line kept in a cell
RAW_SHOWN = 600  # characters of the selected reject's raw line shown below the table


class RejectsModal(WorkbenchModal[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n,pagedown", "page(1)", "Next page", id="rejects.next"),
        Binding("p,pageup", "page(-1)", "Previous page", id="rejects.previous"),
    ]

    class PageFetched(Message):
        def __init__(self, page: RejectsPage) -> None:
            super().__init__()
            self.page = page

    def __init__(self, store: Store, load_id: int, file: str = "") -> None:
        super().__init__()
        self.store, self.load_id, self.file = store, load_id, file
        self.page_start = 0
        self.total: int | None = None
        self.raw_lines: dict[str, str | None] = {}  # row key -> the raw line, for the line below the table

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide-dialog tall-dialog"):
            title = f"Rejects of load {self.load_id}" + (f" ({self.file})" if self.file else "")
            yield Static(Content(title), classes="dialog-title")
            yield Static("", id="reasons")
            table: DataTable = DataTable(id="rejects", zebra_stripes=True, cursor_type="row")
            table.add_column("line", key="line")
            table.add_column("reason", key="reason")
            table.add_column("raw", key="raw")
            yield table
            yield Static("", id="raw-line")
            yield Static("", id="shown", classes="dialog-note")
        yield Footer()

    def on_mount(self) -> None:
        self.fetch_page(0)

    def action_page(self, step: int) -> None:
        if self.total is None:
            return
        offset = self.page_start + step * REJECTS_PAGE
        if 0 <= offset < self.total:
            self.fetch_page(offset)

    def fetch_page(self, offset: int) -> None:
        self.query_one("#rejects", DataTable).loading = True
        self._fetch(offset)

    @work(thread=True, exclusive=True, group="rejects", name="read the rejects", exit_on_error=False)
    def _fetch(self, offset: int) -> None:
        page = fetch_rejects(self.store, self.load_id, offset)
        if still_wanted():
            self.post_message(self.PageFetched(page))

    @on(DataTable.RowHighlighted, "#rejects")
    def _show_raw(self, event: DataTable.RowHighlighted) -> None:
        raw = self.raw_lines.get(event.row_key.value or "")
        self.query_one("#raw-line", Static).update(
            Content.assemble(("raw: ", "bold"), (raw or "")[:RAW_SHOWN]) if raw is not None else ""
        )

    @on(PageFetched)
    def _show(self, message: PageFetched) -> None:
        page = message.page
        self.page_start, self.total = page.offset, page.total
        table = self.query_one("#rejects", DataTable)
        table.clear()
        self.raw_lines = {}
        for i, r in enumerate(page.rows):
            key = str(page.offset + i)
            self.raw_lines[key] = r["raw"]
            table.add_row(
                cells.number(r["line"]),
                cells.text(r["reason"], style="red"),
                cells.clip(r["raw"], RAW_WIDTH),
                key=key,
            )
        table.loading = False
        if page.reasons:
            summary = Text("Reasons: ", style="bold")
            for i, r in enumerate(page.reasons):
                summary.append(("" if i == 0 else ", ") + f"{r['reason']} ")
                summary.append(f"{r['n']:,}", style="bold")
            self.query_one("#reasons", Static).update(summary)
        self.query_one("#shown", Static).update(Content(shown_text(page)))


def shown_text(page: RejectsPage) -> str:
    """ "100 of 1,234 (rows 1-100)", or "no rejects"."""
    if not page.total:
        return "This load rejected no rows."
    first, last = page.offset + 1, page.offset + len(page.rows)
    more = "; n / p for the next / previous page" if page.total > REJECTS_PAGE else ""
    return f"{len(page.rows):,} of {page.total:,} (rows {first:,}-{last:,}){more}"
