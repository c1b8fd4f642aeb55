"""Profile: the database's vital figures for the rest of the company (the same data as `workbench report`).

Figures are built in a worker (``workbench.report.build_profile``); the screen shows the headline numbers,
charts where people would rather look than read (revenue by brand, revenue per month), and the report's
tables. ``p`` changes the period, ``w`` writes the report as HTML or Markdown, ``R`` rebuilds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Sparkline, Static

from workbench.report.render import sections
from workbench.tui import jobs
from workbench.tui.messages import Fetched
from workbench.tui.modals.confirm import confirm_write
from workbench.tui.modals.prompt import PromptModal
from workbench.tui.screens.base import WorkbenchScreen

BAR_WIDTH = 40


class ProfileFetched(Fetched): ...


class ReportWritten(Fetched): ...


def bar_chart(items: list[tuple[str, float]], money: bool = True) -> Text:
    """Horizontal text bars, one line per (label, value)."""
    text = Text()
    top = max((v for _, v in items), default=0) or 1
    width = max((len(label) for label, _ in items), default=0)
    for label, value in items:
        n = int(BAR_WIDTH * value / top + 0.5)
        text.append(f"{label:<{width}} ", "bold")
        text.append("█" * n, "cyan")
        text.append(f" ${value:,.0f}\n" if money else f" {value:,.0f}\n", "dim")
    return text


class ProfileScreen(WorkbenchScreen):
    MODE = "profile"
    DEFAULT_CSS = """
    ProfileScreen #profile-body { padding: 0 1; }
    ProfileScreen #kpis { height: auto; margin: 1 0 0 0; }
    ProfileScreen #monthly { height: 4; margin: 0 0 1 0; }
    ProfileScreen .section-title { text-style: bold; color: $accent; margin: 1 0 0 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "period", "Period", id="profile.period"),
        Binding("w", "write_report", "Write report", id="profile.write"),
        Binding("R", "rebuild", "Refresh", id="profile.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.period: str | None = None
        self.profile: dict[str, Any] | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="profile-body"):
            yield Static("", id="kpis")
            yield Static("Revenue per month, last 12 months", classes="section-title")
            yield Sparkline([], id="monthly")
            yield Static("", id="brands")
            yield Static("", id="tables")

    def on_mount(self) -> None:
        self.query_one("#profile-body").loading = True
        self._build(self.period)

    @work(thread=True, exclusive=True, group="profile", name="build the profile", exit_on_error=False)
    def _build(self, period: str | None) -> None:
        profile = jobs.build_profile(self.store, period)
        if jobs.still_wanted():
            self.post_message(ProfileFetched(profile, about=period))

    @on(ProfileFetched)
    def _show(self, message: ProfileFetched) -> None:
        p = self.profile = message.value
        o, rev, new = p["overview"], p["revenue"], p["new_customers"]
        change = f"{new['change_pct']:+.1f}% on last year" if new["change_pct"] is not None else "no last year"
        kpis = Table.grid(padding=(0, 4))
        for _ in range(5):
            kpis.add_column()
        kpis.add_row(*(Text(v, "bold cyan") for v in (
            f"{o['persons']:,}", f"{o['households'] or 0:,}", f"{o['records']:,}",
            f"${float(rev['total']['revenue']):,.0f}", f"{new['this_period']:,}")))
        kpis.add_row(*(Text(v, "dim") for v in (
            "persons", "households", "people records", f"revenue {p['period']['label']}",
            f"new customers ({change})")))
        self.query_one("#kpis", Static).update(kpis)
        self.query_one("#monthly", Sparkline).data = [float(m["revenue"]) for m in p["monthly"]] or [0.0]
        self.query_one("#brands", Static).update(Group(
            Text("Revenue by brand (this period)", "bold"),
            bar_chart([(b["brand"], float(b["revenue"])) for b in rev["by_brand"]])))
        parts: list[Any] = []
        for title, header, body, note in sections(p):
            t = Table(title=title, title_justify="left", title_style="bold", show_header=any(header),
                      header_style="bold", box=None, pad_edge=False)
            for i, h in enumerate(header):
                t.add_column(h, justify="left" if i == 0 else "right")
            for row in body:
                t.add_row(*(Text(c.replace("**", ""), "bold" if c.startswith("**") else "") for c in row))
            parts += [t, Text(note, "dim italic") if note else Text(""), Text("")]
        self.query_one("#tables", Static).update(Group(*parts))
        self.query_one("#profile-body").loading = False
        self.sub_title = p["period"]["label"]

    def action_rebuild(self) -> None:
        self.query_one("#profile-body").loading = True
        self._build(self.period)

    def action_period(self) -> None:
        def chosen(value: str | None) -> None:
            if value is not None:
                self.period = value
                self.action_rebuild()

        self.app.push_screen(PromptModal("Period to profile", self.period or "",
                                         placeholder="2026-Q3, 2026-H1, 2026-11 or 2026 (empty: quarter to date)"),
                             chosen)

    def action_write_report(self) -> None:
        def chosen(value: str | None) -> None:
            if value:  # a file that exists is replaced only after "Replace FILE?"
                path = Path(value).expanduser()
                confirm_write(self.app, path, self.store.path, lambda force: self._write(path, self.period, force))

        self.app.push_screen(PromptModal("Write the profile report to", "profile.html",
                                         detail="A .html file (charts, prints well) or .md (reads well as an e-mail)."),
                             chosen)

    @work(thread=True, exclusive=True, group="profile-write", name="write the report", exit_on_error=False)
    def _write(self, path: Path, period: str | None, force: bool = False) -> None:
        result = jobs.write_report(self.store, path, period, force)
        self.post_message(ReportWritten(result))

    @on(ReportWritten)
    def _written(self, message: ReportWritten) -> None:
        r = message.value
        self.notify(f"Wrote {r['out']} ({r['format']}, {r['bytes']:,} bytes)", title="Profile report")
