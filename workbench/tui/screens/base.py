"""What every workbench screen has: the header, the body, the footer, and failure reporting."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from workbench.tui.failures import ReportsWorkerFailures
from workbench.tui.widgets.header import WorkbenchHeader


class WorkbenchScreen(ReportsWorkerFailures, Screen):
    """Subclasses set ``MODE`` (their entry in ``screens.SCREENS``) and implement :meth:`compose_body`."""

    MODE: ClassVar[str] = ""

    def compose(self) -> ComposeResult:
        yield WorkbenchHeader(self.MODE)
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def before_leaving(self, go: Callable[[], object]) -> None:
        """Called before the operator leaves the screen (another screen, quit): call ``go`` to leave.
        A screen holding unsaved work asks first (save, discard or stay) and calls ``go`` only then."""
        go()

    @staticmethod
    def still_wanted() -> bool:
        """In a worker: False once a newer worker of its group replaced it (drop its older result)."""
        from textual.worker import get_current_worker

        return not get_current_worker().is_cancelled

    @property
    def store(self):
        """The app's :class:`workbench.store.Store` (open a connection per job, inside a worker)."""
        return self.app.store  # type: ignore[attr-defined]
