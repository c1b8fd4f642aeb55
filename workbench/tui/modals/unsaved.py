"""Save, discard or stay: asked before leaving work that is not saved (an edited selection)."""

from __future__ import annotations

from typing import ClassVar, Literal

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from workbench.tui.modals import WorkbenchModal

Answer = Literal["save", "discard", "stay"]


class UnsavedModal(WorkbenchModal[str]):
    """Dismisses with "save", "discard" or "stay" (Escape stays)."""

    AUTO_FOCUS = "#save"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "answer('save')", "Save", id="unsaved.save"),
        Binding("d", "answer('discard')", "Discard", id="unsaved.discard"),
    ]

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(f"{self.what} has changes that are not saved."), classes="dialog-title")
            yield Static(Content("Save them, discard them, or stay here (Escape)."), classes="dialog-detail")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Discard", id="discard", variant="warning")
                yield Button("Stay", id="stay")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "stay")

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)

    def action_close(self) -> None:
        self.dismiss("stay")
