"""Merge/purge: the prospect lists (supplier, terms, price, uses), the runs, and the net-name report.

``d`` counts a run file without writing anything (the report only), ``r`` runs it and writes the file
(after a confirmation: the file goes to a mail house), ``R`` refreshes. Every job is a worker that calls
one function of ``mergepurge_jobs`` and posts one of this screen's messages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from workbench.tui import jobs
from workbench.tui.messages import Fetched
from workbench.tui.modals.confirm import ConfirmModal, confirm_write
from workbench.tui.modals.prompt import PromptModal
from workbench.tui.screens import mergepurge_jobs
from workbench.tui.screens.base import WorkbenchScreen


def report_table(title: str, lists: list[Any]) -> Table:
    """The net-name report as a service bureau prints it: one column per list, then the total."""
    from workbench.mergepurge import report_lines

    table = Table(title=title, title_justify="left", title_style="bold", header_style="bold", box=None)
    table.add_column("")
    for r in lists:
        table.add_column(r.source, justify="right")
    table.add_column("total", justify="right")
    for label, cells in report_lines(lists):
        table.add_row(label, *cells, style="bold" if label in ("gross in", "net out") else None)
    return table


class MergePurgeScreen(WorkbenchScreen):
    MODE = "mergepurge"
    DEFAULT_CSS = """
    MergePurgeScreen #mp-lists { height: auto; max-height: 12; }
    MergePurgeScreen #mp-body { padding: 0 1; }
    MergePurgeScreen #mp-report { height: auto; margin: 1 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "dry_run", "Count a run", id="mergepurge.dry_run"),
        Binding("r", "run", "Run and write", id="mergepurge.run"),
        Binding("R", "refresh", "Refresh", id="mergepurge.refresh"),
    ]

    class OverviewRead(Fetched): ...

    class ReportCounted(Fetched): ...

    class RunWritten(Fetched): ...

    def __init__(self) -> None:
        super().__init__()
        self.run_file = "mergepurge.toml"

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="mp-body"):
            yield DataTable(id="mp-lists", cursor_type="row", zebra_stripes=True)
            yield Static("", id="mp-report")
            yield Static("", id="mp-runs")

    def on_mount(self) -> None:
        table = self.query_one("#mp-lists", DataTable)
        table.add_columns("list", "supplier", "terms", "expires", "cpm", "names", "seeds", "uses")
        self.action_refresh()

    def action_refresh(self) -> None:
        self.query_one("#mp-body").loading = True
        self._read()

    @work(
        thread=True, exclusive=True, group="mergepurge", name="read the prospect lists", exit_on_error=False
    )
    def _read(self) -> None:
        overview = mergepurge_jobs.fetch_overview(self.store)
        if jobs.still_wanted():
            self.post_message(self.OverviewRead(overview))

    @on(OverviewRead)
    def _show_overview(self, message: OverviewRead) -> None:
        o = message.value
        table = self.query_one("#mp-lists", DataTable)
        table.clear()
        for r in o["lists"]:
            table.add_row(
                r["name"],
                r["supplier"] or "-",
                "one-time" if r["one_time"] else "unlimited",
                r["expires"] or "-",
                "-" if r["cpm"] is None else f"{r['cpm']:,.2f}",
                f"{r['names'] or 0:,}",
                f"{r['seeds'] or 0:,}",
                str(r["uses"]),
            )
        if not o["lists"]:
            self.query_one("#mp-report", Static).update(
                Text(
                    'No prospect lists yet: register a source with kind = "prospects" and load its file (Sources).',
                    "dim",
                )
            )
        elif o["report"]:
            self.query_one("#mp-report", Static).update(
                report_table(o["report"]["title"], o["report"]["lists"])
            )
        else:
            self.query_one("#mp-report", Static).update(
                Text("No merge/purge run yet: d counts a run file, r runs it and writes the file.", "dim")
            )
        runs = Text()
        for r in o["runs"]:
            runs.append(
                f"{r['run_id']:>4} {r['run_at']:%Y-%m-%d %H:%M} {r['name']} ({r['channel']}) "
                f"{r['rows_written']:,} rows, seeds {r['seeds']}"
                f"{' NO SEEDS' if r['no_seeds'] else ''}  {r['file']}\n"
            )
        self.query_one("#mp-runs", Static).update(runs)
        self.query_one("#mp-body").loading = False

    # -- count (dry run) --------------------------------------------------------------------------------
    def action_dry_run(self) -> None:
        def chosen(value: str | None) -> None:
            if value:
                self.run_file = value
                self.query_one("#mp-body").loading = True
                self._count(Path(value).expanduser())

        self.app.push_screen(
            PromptModal(
                "Count the merge/purge run of",
                self.run_file,
                detail="A RUN.toml file ([mergepurge]: lists in priority order). Nothing is written.",
            ),
            chosen,
        )

    @work(
        thread=True, exclusive=True, group="mergepurge-run", name="count the merge/purge", exit_on_error=False
    )
    def _count(self, path: Path) -> None:
        try:
            result = mergepurge_jobs.dry_run(self.store, path)
        finally:
            self.app.call_from_thread(self._stop_loading)
        self.post_message(self.ReportCounted(result, about=str(path)))

    def _stop_loading(self) -> None:
        self.query_one("#mp-body").loading = False

    @on(ReportCounted)
    def _show_count(self, message: ReportCounted) -> None:
        r = message.value
        self.query_one("#mp-report", Static).update(
            report_table(f"{r.run.name} (count only: nothing written)", r.lists)
        )

    # -- run and write ----------------------------------------------------------------------------------
    def action_run(self) -> None:
        def run_file(value: str | None) -> None:
            if value:
                self.run_file = value
                self.app.push_screen(
                    PromptModal(
                        "Write the merge/purge file to",
                        "mergepurge.csv",
                        detail="The net names and the seeds (CSV); the net-name report "
                        "goes beside it as FILE.report.json.",
                    ),
                    lambda out: out and self._confirm(Path(value).expanduser(), Path(out).expanduser()),
                )

        self.app.push_screen(PromptModal("Run the merge/purge of", self.run_file), run_file)

    def _confirm(self, path: Path, out: Path) -> None:
        def go(force: bool) -> None:
            self.app.push_screen(
                ConfirmModal(
                    "Write the merge/purge file?",
                    f"The net names of {path.name} go to {out}. A one-time list cannot be used again.",
                    yes="Write",
                ),
                lambda ok: self._run(path, out, force) if ok else None,
            )

        confirm_write(self.app, out, self.store.path, go)

    @work(
        thread=True, exclusive=True, group="mergepurge-run", name="run the merge/purge", exit_on_error=False
    )
    def _run(self, path: Path, out: Path, force: bool) -> None:
        result = mergepurge_jobs.run_and_write(self.store, path, out, force)
        self.post_message(self.RunWritten(result, about=str(path)))

    @on(RunWritten)
    def _written(self, message: RunWritten) -> None:
        r = message.value
        self.notify(
            f"Wrote {r.rows:,} rows to {r.file} (run {r.run_id}; {r.seeds} seeds, {r.owner_seeds} list "
            "owners' seeds)",
            title="Merge/purge",
            markup=False,
        )
        self.app.data_changed()
        self.action_refresh()
