"""Before a load: the first rows of the extract with the source's mapping applied, then Load or Cancel."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, DataTable, Static

from workbench.formatting import article
from workbench.tui.modals import WorkbenchModal
from workbench.tui.screens.sources_jobs import PREVIEW_ROWS, Preview
from workbench.tui.widgets import cells

CELL_WIDTH = 24  # characters of a value shown in a preview cell
REASON = "_reason"


class LoadPreviewModal(WorkbenchModal[bool]):
    """Dismisses with True when the operator chooses to load the file."""

    AUTO_FOCUS = "#load"

    def __init__(self, preview: Preview) -> None:
        super().__init__()
        self.preview = preview

    def compose(self) -> ComposeResult:
        p = self.preview
        with Vertical(classes="dialog wide-dialog tall-dialog"):
            yield Static(Content(f"Load {p.path.name} into {p.source}?"), classes="dialog-title")
            yield Static(Content(str(p.path)), classes="dialog-detail")
            if p.error is not None:
                yield Static(Content(p.error.message), id="preview-error")
                if p.error.hint:
                    yield Static(Content(p.error.hint), id="preview-hint")
            else:
                yield Static(Content(describe_file(p.data or {})), classes="dialog-detail")
                yield Static(mapping_summary(p.data or {}), id="mapping")
                yield DataTable(id="preview-rows", zebra_stripes=True, cursor_type="row")
                yield Static(
                    Content(
                        f"The first {PREVIEW_ROWS} rows as they would load; a row with a reject "
                        "reason would be kept as a reject instead."
                    ),
                    classes="dialog-note",
                )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Load", id="load", variant="primary", disabled=p.error is not None)
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        if self.preview.data is None:
            self.query_one("#cancel", Button).focus()
            return
        table = self.query_one("#preview-rows", DataTable)
        columns = shown_columns(self.preview.data)
        for name in columns:
            table.add_column("reject reason" if name == REASON else name, key=name)
        for row in self.preview.data.get("rows", []):
            table.add_row(*(_cell(name, row.get(name)) for name in columns))

    @on(Button.Pressed, "#load")
    def _load(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(False)

    def action_close(self) -> None:
        self.dismiss(False)


def shown_columns(data: dict[str, Any]) -> list[str]:
    """The reject reason first, then every column except canonical fields the file does not have."""
    absent = {f for f, c in (data.get("mapping") or {}).items() if not c}
    columns = [c for c in data.get("columns", []) if c not in absent and c != REASON]
    return [REASON, *columns] if REASON in data.get("columns", []) else columns


def describe_file(data: dict[str, Any]) -> str:
    delimiter = {None: "", "\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(
        data.get("delimiter"), repr(data.get("delimiter"))
    )
    parts = [article(f"{data.get('kind', '?')} source"), f"encoding {data.get('encoding') or '?'}"]
    if delimiter:
        parts.append(f"{delimiter}-separated")
    return "Read as " + ", ".join(parts) + "."


def mapping_summary(data: dict[str, Any]) -> Text:
    """ "field ← column" for each mapped field, then the fields the file does not have (dim)."""
    mapping: dict[str, str | None] = data.get("mapping") or {}
    out = Text("Mapping: ", style="bold")
    mapped = [(f, c) for f, c in mapping.items() if c]
    for i, (field, column) in enumerate(mapped):
        out.append(("" if i == 0 else ", ") + field)
        if column != field:
            out.append(f" ← {column}", style="cyan")
    missing = [f for f, c in mapping.items() if not c]
    if missing:
        out.append("; not in the file: " + ", ".join(missing), style="dim")
    return out


def _cell(name: str, value: Any) -> Text:
    if name == REASON:
        return cells.text(value, style="red") if value else Text("")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return cells.number(value)
    return cells.clip(None if value is None else str(value), CELL_WIDTH)
