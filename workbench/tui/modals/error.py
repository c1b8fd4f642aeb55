"""The error dialog: what went wrong and what to do about it, in plain words."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from workbench.tui.modals import WorkbenchModal


class ErrorModal(WorkbenchModal[None]):
    AUTO_FOCUS = "#ok"

    def __init__(self, message: str, hint: str | None = None, title: str = "Something went wrong") -> None:
        super().__init__()
        self.message, self.hint, self.heading = message, hint, title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog error-dialog"):
            yield Static(Content(self.heading), classes="dialog-title")
            yield Static(Content(self.message), id="error-message")
            if self.hint:
                yield Static(Content(self.hint), id="error-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", id="ok", variant="error")

    def on_button_pressed(self, _event: Button.Pressed) -> None:
        self.dismiss(None)
