"""A yes/no question asked before anything that changes the database or contacts customers."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from workbench.tui.modals import WorkbenchModal


class ConfirmModal(WorkbenchModal[bool]):
    """Dismisses with True (yes) or False (no, Escape)."""

    AUTO_FOCUS = "#no"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, detail: str | None = None, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question, self.detail, self.yes, self.no = question, detail, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.question), classes="dialog-title")
            if self.detail:
                yield Static(Content(self.detail), classes="dialog-detail")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes, id="yes", variant="warning")
                yield Button(self.no, id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    def action_close(self) -> None:
        self.dismiss(False)


def confirm_write(app, path, database, proceed) -> None:
    """Before writing a file the operator named: refuse what is never written (the database file, a FIFO,
    a directory...) with an error, ask "Replace FILE?" when it exists, then call ``proceed(force)``."""
    from pathlib import Path

    from workbench.errors import WorkbenchError
    from workbench.export.writer import TargetExistsError, check_target

    try:
        check_target(path, force=False, database=database, option="the file name")
    except TargetExistsError:
        target = Path(path).expanduser().absolute()
        app.push_screen(ConfirmModal(f"Replace {target.name}?", f"{target} already exists. Writing replaces it.",
                                     yes="Replace"), lambda ok: proceed(True) if ok else None)
        return
    except WorkbenchError as exc:
        app.notify(str(exc), title="Cannot write there", severity="error", markup=False)
        return
    proceed(False)
