"""A panel that shows a running load: what it is doing and how far it got. Hidden when idle."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import ProgressBar, Static


class LoadProgress(Horizontal):
    """One line docked at the bottom of its screen: what the job does, a bar, "Escape cancels"."""

    DEFAULT_CSS = """
    LoadProgress { dock: bottom; height: 1; margin-bottom: 1; background: $boost; padding: 0 1; }
    LoadProgress #load-label { width: 1fr; }
    LoadProgress #load-bar { width: auto; }
    LoadProgress #load-cancel-hint { width: auto; color: $text-muted; padding-left: 2; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="load-label")
        yield ProgressBar(total=100, show_eta=False, id="load-bar")
        yield Static(Content("Escape cancels"), id="load-cancel-hint")

    def start(self, title: str) -> None:
        self.title_text = title
        self.query_one("#load-label", Static).update(Content(title))
        self.query_one(ProgressBar).update(total=100, progress=0)
        self.display = True

    def step(self, message: str, fraction: float) -> None:
        self.query_one("#load-label", Static).update(Content(f"{self.title_text}: {message}"))
        self.query_one(ProgressBar).update(progress=round(fraction * 100))

    def stopping(self) -> None:
        self.query_one("#load-cancel-hint", Static).update(Content("cancelling at the next step…"))

    def finish(self) -> None:
        self.display = False
        self.query_one("#load-cancel-hint", Static).update(Content("Escape cancels"))
