"""A screen whose capability has not arrived yet: it says what will be here."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.content import Content
from textual.widgets import Static

from workbench.tui.screens.base import WorkbenchScreen


class PlaceholderScreen(WorkbenchScreen):
    CAPABILITY: ClassVar[str] = ""  # the capability, in operators' words
    ARRIVES: ClassVar[str] = ""  # what this screen will show and do

    def compose_body(self) -> ComposeResult:
        with Middle(classes="placeholder"), Center():
            yield Static(Content(self.CAPABILITY), classes="placeholder-title")
            yield Static(Content(self.ARRIVES), classes="placeholder-text")
            yield Static(
                Content(
                    "Not built yet: this screen arrives with its capability. "
                    "Until then, press 1 for Sources or 2 for Freshness."
                ),
                classes="placeholder-note",
            )
