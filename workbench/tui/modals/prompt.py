"""A one-line question: a title, an Input with a default, OK / Cancel."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, Static

from workbench.tui.modals import WorkbenchModal


class PromptModal(WorkbenchModal[str | None]):
    """Dismisses with the text typed (Enter or OK) or None (Escape, Cancel)."""

    AUTO_FOCUS = "#prompt-input"

    def __init__(self, title: str, value: str = "", placeholder: str = "", detail: str | None = None) -> None:
        super().__init__()
        self.heading, self.value, self.placeholder, self.detail = title, value, placeholder, detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.heading), classes="dialog-title")
            if self.detail:
                yield Static(Content(self.detail), classes="dialog-detail")
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        value = self.query_one("#prompt-input", Input).value.strip()
        self.dismiss(value or None if event.button.id == "ok" else None)

    def action_close(self) -> None:
        self.dismiss(None)
