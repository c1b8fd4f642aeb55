"""Modal dialogs: confirm, error, file picker, load preview, rejects, source definition."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual.binding import Binding, BindingType
from textual.screen import ModalScreen

from workbench.tui.failures import ReportsWorkerFailures

T = TypeVar("T")


class WorkbenchModal(ReportsWorkerFailures, ModalScreen[T]):
    """A dialog box over the current screen; Escape closes it without an answer."""

    CSS_PATH = "modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close", id="modal.close")]

    def action_close(self) -> None:
        self.dismiss(None)
