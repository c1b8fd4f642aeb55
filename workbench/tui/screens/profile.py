"""Profile: the database's vital figures for the rest of the company (the same data as `workbench report`).

Figures are built in a worker (``workbench.report.build_profile``); the screen shows the headline numbers,
charts where people would rather look than read (revenue by brand, revenue per month), and the report's
tables. ``p`` changes the period, ``w`` writes the report as HTML or Markdown, ``R`` rebuilds.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker

from workbench.report.render import sections
from workbench.tui.modals.confirm import confirm_write
from workbench.tui.modals.prompt import PromptModal
from workbench.tui.screens import profile_jobs as jobs
from workbench.tui.screens.base import WorkbenchScreen
from workbench.tui.widgets.load_progress import LoadProgress

BAR_WIDTH = 40


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


def compact_money(value: float) -> str:
    """``$950``, ``$12k``, ``$1.2M``: an amount that fits a chart column."""
    for size, unit in ((1e6, "M"), (1e3, "k")):
        if value >= size:
            shown = value / size
            return f"${shown:.1f}{unit}" if shown < 10 else f"${shown:.0f}{unit}"
    return f"${value:.0f}"


def month_chart(monthly: list[dict[str, Any]], height: int = 4, width: int = 8) -> Text:
    """Revenue per month as labelled columns: the amount on top, a bar, the month below. A month with
    no revenue (or no orders at all: the gap is filled) shows an empty column, never a full one."""
    if not monthly:
        return Text("no orders in the last 12 months", "dim")
    by_month = {m["month"]: float(m["revenue"]) for m in monthly}
    first, last = min(by_month), max(by_month)
    year, month = int(first[:4]), int(first[5:7])
    months: list[str] = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    values = [by_month.get(m, 0.0) for m in months]
    top = max(values) or 1.0
    eighths = [round(v / top * height * 8) for v in values]
    text = Text()
    text.append("".join(f"{compact_money(v):>{width}}" for v in values) + "\n", "dim")
    for row in range(height - 1, -1, -1):
        line = ""
        for e in eighths:
            filled = max(0, min(8, e - row * 8))
            line += " " * (width - 4) + (" ▁▂▃▄▅▆▇█"[filled] * 4)
        text.append(line + "\n", "cyan")
    labels = [dt.date(int(m[:4]), int(m[5:7]), 1).strftime("%b") for m in months]
    labels = [f"{lab} {m[2:4]}" if lab == "Jan" or i == 0 else lab for i, (lab, m) in enumerate(zip(labels, months, strict=True))]
    text.append("".join(f"{lab:>{width}}" for lab in labels), "bold")
    return text


class ProfileScreen(WorkbenchScreen):
    MODE = "profile"
    DEFAULT_CSS = """
    ProfileScreen #profile-body { padding: 0 1; }
    ProfileScreen #kpis { height: auto; margin: 1 0 0 0; }
    ProfileScreen #monthly { height: auto; margin: 0 0 1 0; }
    ProfileScreen .section-title { text-style: bold; color: $accent; margin: 1 0 0 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "period", "Period", id="profile.period"),
        Binding("w", "write_report", "Write report", id="profile.write"),
        Binding("R", "rebuild", "Refresh", id="profile.refresh"),
        Binding("s", "compute_segments", "Segments", show=False, id="profile.segments"),
        Binding("u", "publish_segments", "Publish segments", show=False, id="profile.publish"),
        Binding("escape", "cancel_build", "Cancel", id="profile.cancel"),
    ]

    class ProfileStepped(Message):
        def __init__(self, message: str, fraction: float) -> None:
            super().__init__()
            self.message, self.fraction = message, fraction

    class ProfileBuilt(Message):
        def __init__(self, profile: dict[str, Any], period: str | None) -> None:
            super().__init__()
            self.profile, self.period = profile, period

    class ReportWritten(Message):
        def __init__(self, result: dict[str, Any]) -> None:
            super().__init__()
            self.result = result

    class SegmentsComputed(Message):
        def __init__(self, result: Any) -> None:
            super().__init__()
            self.result = result

    class SegmentsPublished(Message):
        def __init__(self, result: Any) -> None:
            super().__init__()
            self.result = result

    def __init__(self) -> None:
        super().__init__()
        self.period: str | None = None
        self.profile: dict[str, Any] | None = None
        self.cancel_requested: threading.Event | None = None  # set while the profile is being built

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="profile-body"):
            yield Static("", id="kpis")
            yield Static("Revenue per month, last 12 months", classes="section-title")
            yield Static("", id="monthly")
            yield Static("", id="brands")
            yield Static("", id="tables")
        yield LoadProgress(id="profile-progress")

    def on_mount(self) -> None:
        self.query_one(LoadProgress).display = False
        self.action_rebuild()

    # -- building the figures (progress; Escape stops it, rolled back) ------------------------------
    def action_rebuild(self) -> None:
        if self.cancel_requested is not None:
            self.cancel_requested.set()  # the older build stops at its next section; this one replaces it
        self.cancel_requested = cancelled = threading.Event()
        self.query_one("#profile-body").loading = True
        self.query_one(LoadProgress).start("Building the profile")
        self.refresh_bindings()
        self._build(self.period, cancelled)

    @work(thread=True, exclusive=True, group="profile", name="build the profile", exit_on_error=False)
    def _build(self, period: str | None, cancelled: threading.Event) -> None:
        profile = jobs.build_profile(self.store, period,
                                     lambda msg, frac: self.post_message(self.ProfileStepped(msg, frac)), cancelled)
        if self.still_wanted():
            self.post_message(self.ProfileBuilt(profile, period))

    @on(ProfileStepped)
    def _stepped(self, message: ProfileStepped) -> None:
        if self.cancel_requested is not None:
            self.query_one(LoadProgress).step(message.message, message.fraction)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_build":
            return self.cancel_requested is not None
        return True

    def action_cancel_build(self) -> None:
        if self.cancel_requested is not None:
            self.cancel_requested.set()
            self.query_one(LoadProgress).stopping()

    def _build_ended(self) -> None:
        self.cancel_requested = None
        self.query_one(LoadProgress).finish()
        self.query_one("#profile-body").loading = False
        self.refresh_bindings()

    def job_failed(self, worker: Worker) -> None:
        if worker.group == "profile":
            self._build_ended()
            if self.profile is None:
                self.query_one("#kpis", Static).update(Text("No figures: R builds the profile again.", "dim"))

    @on(ProfileBuilt)
    def _show(self, message: ProfileBuilt) -> None:
        self._build_ended()
        p = self.profile = message.profile
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
        self.query_one("#monthly", Static).update(month_chart(p["monthly"]))
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
        self.sub_title = p["period"]["label"]

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
        self.post_message(self.ReportWritten(jobs.write_report(self.store, path, period, force)))

    @on(ReportWritten)
    def _written(self, message: ReportWritten) -> None:
        r = message.result
        self.notify(f"Wrote {r['out']} ({r['format']}, {r['bytes']:,} bytes)", title="Profile report")

    # -- issue 14: RFM segments and publishing them ---------------------------------------------------
    def action_compute_segments(self) -> None:
        self._compute_segments()

    @work(thread=True, exclusive=True, group="profile-segments", name="compute the segments", exit_on_error=False)
    def _compute_segments(self) -> None:
        self.post_message(self.SegmentsComputed(jobs.compute_segments(self.store)))

    @on(SegmentsComputed)
    def _segments_computed(self, message: SegmentsComputed) -> None:
        r = message.result
        state = "computed" if r.computed else "already up to date"
        self.notify(f"{r.persons:,} persons, orders as of {r.as_of} ({state})", title="RFM segments")
        self.action_rebuild()

    def action_publish_segments(self) -> None:
        def chosen(value: str | None) -> None:
            if value:
                self._publish(Path(value).expanduser())

        self.app.push_screen(PromptModal("Publish segments with the definition", "SEGMENTS.toml",
                                         detail="One file per operational system, keyed by its customer key "
                                                "(see docs/segments.md)."), chosen)

    @work(thread=True, exclusive=True, group="profile-publish", name="publish the segments", exit_on_error=False)
    def _publish(self, path: Path) -> None:
        self.post_message(self.SegmentsPublished(jobs.publish_segments(self.store, path)))

    @on(SegmentsPublished)
    def _published(self, message: SegmentsPublished) -> None:
        r = message.result
        self.notify("; ".join(f"{s.source}: {s.rows:,} rows to {s.file.name}" for s in r.systems),
                    title=f"Published {r.name} ({r.mode})")
