"""Freshness: how old each source's data is against its cadence, and the volume of its recent loads.

The figures come from the app, which reads them (in a worker) at start, after every load and every
minute; ``R`` reads them again now.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Sparkline, Static

from workbench.formatting import sparkline
from workbench.freshness import format_interval
from workbench.tui.screens.base import WorkbenchScreen
from workbench.tui.widgets import cells

COLUMNS = (
    "source",
    "status",
    "age",
    "cadence",
    "warn",
    "error",
    "as-of",
    "last load",
    "last rows",
    "volume",
    "history",
)


HISTORY_WIDTH = 80  # columns of the rows-per-load chart of the selected source


class FreshnessScreen(WorkbenchScreen):
    MODE = "freshness"
    CSS_PATH = "freshness.tcss"
    AUTO_FOCUS = "#freshness"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("R", "refresh_freshness", "Refresh", id="freshness.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[str, Any] = {}

    def compose_body(self) -> ComposeResult:
        yield DataTable(id="freshness", cursor_type="row", zebra_stripes=True)
        yield Static("", id="freshness-note")
        yield Static("", id="history-title", classes="section-title")
        yield Sparkline([], id="history")

    def on_mount(self) -> None:
        table = self.query_one("#freshness", DataTable)
        for label in COLUMNS:
            table.add_column(label, key=label)
        table.loading = True
        self.watch(self.app, "freshness", self._show, init=True)
        self.watch(self.app, "freshness_error", self._show_error, init=True)

    def action_refresh_freshness(self) -> None:
        self.query_one("#freshness", DataTable).loading = True
        self.app.refresh_freshness()  # type: ignore[attr-defined]

    def _show(self, items: list[Any] | None) -> None:
        if items is None:
            return  # not read yet: the table keeps its loading indicator
        table = self.query_one("#freshness", DataTable)
        selected = self._selected_name()
        self.items = {f.name: f for f in items}
        table.clear()
        for f in items:
            table.add_row(*freshness_row(f), key=f.name)
        table.loading = False
        note = self.query_one("#freshness-note", Static)
        note.update(
            Content(
                "Age is measured on the data's as-of when the source has one, else on the last load."
                if items
                else "No sources yet: import them on the Sources screen (1, then i)."
            )
        )
        if items:
            table.move_cursor(row=table.get_row_index(selected) if selected in self.items else 0)
            self._show_history(self._selected_name())

    def _show_error(self, error: str | None) -> None:
        if error:
            self.query_one("#freshness", DataTable).loading = False
            self.query_one("#freshness-note", Static).update(
                Content.styled(f"Could not read the freshness: {error} (R to try again)", "red")
            )

    def _selected_name(self) -> str | None:
        table = self.query_one("#freshness", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value

    @on(DataTable.RowHighlighted, "#freshness")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_history(event.row_key.value)

    def _show_history(self, name: str | None) -> None:
        f = self.items.get(name or "")
        title = self.query_one("#history-title", Static)
        chart = self.query_one("#history", Sparkline)
        if f is None or not f.history:
            title.update(Content(f"{name}: never loaded" if f else ""))
            chart.data = []
            return
        median = f"; median of the previous loads {f.median_rows:,.0f}" if f.median_rows else ""
        title.update(
            Content(
                f"{f.name}: rows per load, last {len(f.history)} of {f.loads:,} loads "
                f"(last {f.last_rows:,}{median})"
            )
        )
        chart.data = [float(v) for v in f.history]
        chart.styles.width = min(HISTORY_WIDTH, max(8, 4 * len(f.history)))


def freshness_row(f: Any) -> list[Text]:
    return [
        cells.text(f.name, "bold"),
        cells.status(f.status),
        Text(f.age_text, justify="right", style=cells.STATUS_STYLE.get(f.status, "")),
        cells.text(f.cadence),
        Text(format_interval(f.warn_after_s), justify="right"),
        Text(format_interval(f.error_after_s), justify="right"),
        cells.short_when(f.as_of),
        cells.short_when(f.last_load_at),
        cells.number(f.last_rows),
        cells.volume(f.volume),
        Text(sparkline(f.history), style="cyan"),
    ]
