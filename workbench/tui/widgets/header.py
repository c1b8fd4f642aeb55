"""The header of every screen: app title, database path, overall freshness, and the screen tabs."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

from workbench.tui.widgets.cells import STATUS_STYLE


class WorkbenchHeader(Vertical):
    """Two lines: "workbench  <db path>  <freshness>", then "1 Sources  2 Freshness ..." (clickable)."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode

    def compose(self) -> ComposeResult:
        with Horizontal(id="title-bar"):
            yield Static(Content(self.app.title), id="app-title")
            yield Static(Content(getattr(self.app, "db_label", "")), id="db-path")
            yield Static(Text("freshness …", style="dim"), id="freshness-badge")
        yield Static(navigation(self.mode), id="screen-tabs")

    def on_mount(self) -> None:
        self.watch(self.app, "freshness", self._show_freshness, init=True)
        self.watch(self.app, "freshness_error", self._show_error, init=False)

    def _show_freshness(self, items: list[Any] | None) -> None:
        badge = self.query_one("#freshness-badge", Static)
        badge.update(freshness_badge(items))
        badge.tooltip = None

    def _show_error(self, error: str | None) -> None:
        if error:
            badge = self.query_one("#freshness-badge", Static)
            badge.update(Text("● freshness unknown", style="dim red"))
            badge.tooltip = error


def freshness_badge(items: list[Any] | None) -> Text:
    """ "● fresh (8 sources)", "● error: 1 error, 2 warn of 8": coloured by the worst status."""
    if items is None:
        return Text("freshness …", style="dim")
    if not items:
        return Text("no sources yet", style="dim")
    from workbench.freshness import overall_status

    counts = Counter(f.status for f in items)
    overall = "error" if counts["error"] else overall_status(items)
    badge = Text(f"● {overall}", style=STATUS_STYLE.get(overall, ""))
    if overall == "fresh":
        badge.append(f" ({len(items)} sources)", style="dim")
    else:
        worst = [f"{counts[s]} {s}" for s in ("error", "never", "warn") if counts[s]]
        badge.append(": " + ", ".join(worst) + f" of {len(items)}", style=STATUS_STYLE.get(overall, ""))
    return badge


def navigation(current: str) -> Content:
    """The screen tabs; each is a link that switches to its screen."""
    from workbench.tui.screens import SCREENS

    parts = []
    for entry in SCREENS:
        if not entry.tab and entry.mode != current:
            continue
        style = "reverse bold" if entry.mode == current else ""
        parts.append(
            Content.from_markup(
                f"[{style} @click=app.switch_mode('{entry.mode}')] $key $title [/]"
                if style
                else f"[@click=app.switch_mode('{entry.mode}')] [b]$key[/b] $title [/]",
                key=entry.key,
                title=entry.title,
            )
        )
    return Content(" ").join(parts)
