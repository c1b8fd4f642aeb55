"""Sources: the source systems, the load log of the selected one, and loading an extract."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, ClassVar

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Static
from textual.worker import Worker

from workbench.tui.messages import Fetched
from workbench.tui.modals.definition import SourceDefinitionModal
from workbench.tui.modals.file_picker import FilePickerModal
from workbench.tui.modals.load_preview import LoadPreviewModal
from workbench.tui.modals.rejects import RejectsModal
from workbench.tui.screens import sources_jobs as jobs
from workbench.tui.screens.base import WorkbenchScreen
from workbench.tui.widgets import cells
from workbench.tui.widgets.load_progress import LoadProgress

MAPPING_WIDTH = 22  # characters of the mapping summary shown in the table


class SourcesTable(DataTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Definition", id="sources.definition"),
    ]


class SourcesScreen(WorkbenchScreen):
    MODE = "sources"
    CSS_PATH = "sources.tcss"
    AUTO_FOCUS = "#sources"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "load_file", "Load a file", id="sources.load"),
        Binding("r", "show_rejects", "Rejects", id="sources.rejects"),
        Binding("i", "import_sources", "Import TOML", id="sources.import"),
        Binding("escape", "cancel_load", "Cancel load", id="sources.cancel_load"),
    ]

    class SourcesFetched(Fetched):
        """value: :class:`sources_jobs.SourcesOverview`."""

    class LoadLogFetched(Fetched):
        """value: the load log rows of the source named by ``about``."""

    class PreviewReady(Fetched):
        """value: :class:`sources_jobs.Preview`."""

    class LoadStepped(Fetched):
        """value: (what the load is doing, fraction done)."""

    class LoadFinished(Fetched):
        """value: the core's load result."""

    class SourcesImported(Fetched):
        """value: {source: "added" | "updated"}; about: the file's name."""

    def __init__(self) -> None:
        super().__init__()
        self.sources: dict[str, Any] = {}
        self.selected: str | None = None
        self.cancel_requested: threading.Event | None = None  # set while a load runs
        self.shown_loads: dict[str, tuple[Any, int]] = {}  # source -> (last load, loads) on show

    def compose_body(self) -> ComposeResult:
        yield SourcesTable(id="sources", cursor_type="row", zebra_stripes=True)
        yield Static("", id="sources-empty")
        yield Static(Content("Load log"), id="log-title", classes="section-title")
        yield DataTable(id="load-log", cursor_type="row", zebra_stripes=True)
        yield LoadProgress(id="load-progress")

    def on_mount(self) -> None:
        table = self.query_one("#sources", DataTable)
        for label in ("source", "kind", "cadence", "prio", "mode", "format", "mapping", "last load", "rows"):
            table.add_column(label, key=label)
        log = self.query_one("#load-log", DataTable)
        for label in ("load", "file", "finished", "loaded", "rejected", "as-of max", "seconds"):
            log.add_column(label, key=label)
        self.query_one(LoadProgress).display = False
        self.query_one("#sources-empty").display = False
        self.refresh_sources()
        self.watch(self.app, "freshness", self._freshness_read, init=False)

    def _freshness_read(self, items: list[Any] | None) -> None:
        """The app re-reads freshness every minute: a load or import by another process shows up here."""
        if items is None or self.cancel_requested is not None:
            return
        if {f.name: (f.last_load_at, f.loads) for f in items} != self.shown_loads:
            self.refresh_sources()

    # -- reading ------------------------------------------------------------------------------
    def refresh_sources(self) -> None:
        self.query_one("#sources", DataTable).loading = True
        self._fetch_sources()

    @work(thread=True, exclusive=True, group="sources", name="read the sources", exit_on_error=False)
    def _fetch_sources(self) -> None:
        overview = jobs.fetch_sources(self.store)
        if self.still_wanted():
            self.post_message(self.SourcesFetched(overview))

    @on(SourcesFetched)
    def _show_sources(self, message: SourcesFetched) -> None:
        overview: jobs.SourcesOverview = message.value
        self.sources = {s.name: s for s in overview.sources}
        self.shown_loads = {f.name: (f.last_load_at, f.loads) for f in overview.freshness.values()}
        table = self.query_one("#sources", DataTable)
        table.clear()
        for s in overview.sources:
            f = overview.freshness.get(s.name)
            last_load, last_rows = (f.last_load_at, f.last_rows) if f else (None, None)
            table.add_row(
                cells.text(s.name, "bold"),
                cells.text(s.kind),
                cells.text(s.cadence),
                cells.number(s.priority),
                cells.text(s.mode),
                cells.text(s.format or "auto", "dim"),
                cells.clip(mapping_summary(s), MAPPING_WIDTH),
                cells.short_when(last_load),
                cells.number(last_rows),
                key=s.name,
            )
        table.loading = False
        empty = self.query_one("#sources-empty", Static)
        empty.display = not overview.sources
        empty.update(
            Content("No sources yet. Press i to import a sources TOML file ([sources.NAME] tables).")
        )
        if overview.sources:
            keep = self.selected if self.selected in self.sources else overview.sources[0].name
            table.move_cursor(row=table.get_row_index(keep))
            self._select(keep, force=True)
        self.refresh_bindings()

    @on(DataTable.RowHighlighted, "#sources")
    def _source_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value in self.sources:
            self._select(event.row_key.value)

    def _select(self, name: str, force: bool = False) -> None:
        if name == self.selected and not force:
            return
        self.selected = name
        self.query_one("#log-title", Static).update(Content(f"Load log of {name}"))
        self.query_one("#load-log", DataTable).loading = True
        self._fetch_load_log(name)

    @work(thread=True, exclusive=True, group="load-log", name="read the load log", exit_on_error=False)
    def _fetch_load_log(self, source: str) -> None:
        log = jobs.fetch_load_log(self.store, source)
        if self.still_wanted():
            self.post_message(self.LoadLogFetched(log, about=source))

    @on(LoadLogFetched)
    def _show_load_log(self, message: LoadLogFetched) -> None:
        if message.about != self.selected:
            return  # the operator moved on to another source
        log = self.query_one("#load-log", DataTable)
        log.clear()
        for r in message.value:
            log.add_row(
                cells.identifier(r["load_id"]),
                cells.file_name(r["file"]),
                cells.when(r["finished_at"]),
                cells.number(r["rows_loaded"]),
                cells.number(r["rows_rejected"], "red" if r["rows_rejected"] else ""),
                cells.when(r["as_of_max"]),
                cells.seconds(r["duration_s"]),
                key=str(r["load_id"]),
            )
        log.loading = False
        if not message.value:
            self.query_one("#log-title", Static).update(Content(f"Load log of {message.about}: no loads yet"))
        self.refresh_bindings()

    @on(DataTable.RowSelected, "#sources")
    def _show_definition(self, event: DataTable.RowSelected) -> None:
        source = self.sources.get(event.row_key.value or "")
        if source is not None:
            self.app.push_screen(SourceDefinitionModal(source))

    # -- actions --------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        loading = self.cancel_requested is not None
        if action == "cancel_load":
            return loading
        if action == "load_file":
            return None if loading or not self.sources else True
        if action == "show_rejects":
            return True if self.query_one("#load-log", DataTable).row_count else None
        return True

    def action_load_file(self) -> None:
        if self.selected is None:
            self.notify("No source to load into: import a sources TOML first (i).", severity="warning")
            return
        source = self.selected
        self.app.push_screen(
            FilePickerModal(f"Load an extract into {source}"), lambda path: self._preview(source, path)
        )

    def _preview(self, source: str, path: Path | None) -> None:
        if path is not None:
            self._fetch_preview(source, path)

    @work(thread=True, exclusive=True, group="preview", name="preview the file", exit_on_error=False)
    def _fetch_preview(self, source: str, path: Path) -> None:
        self.post_message(self.PreviewReady(jobs.preview_extract(self.store, source, path)))

    @on(PreviewReady)
    def _confirm_load(self, message: PreviewReady) -> None:
        preview: jobs.Preview = message.value
        self.app.push_screen(
            LoadPreviewModal(preview),
            lambda ok: self.start_load(preview.source, preview.path) if ok else None,
        )

    def start_load(self, source: str, path: Path) -> None:
        self.cancel_requested = threading.Event()
        self.query_one(LoadProgress).start(f"Loading {path.name} into {source}")
        self.refresh_bindings()
        self._load(source, path, self.cancel_requested)

    @work(thread=True, exclusive=True, group="load", name="load the file", exit_on_error=False)
    def _load(self, source: str, path: Path, cancelled: threading.Event) -> None:
        result = jobs.load_extract(
            self.store, source, path, lambda msg, frac: self.post_message(self.LoadStepped((msg, frac))), cancelled
        )
        self.post_message(self.LoadFinished(result))

    @on(LoadStepped)
    def _load_stepped(self, message: LoadStepped) -> None:
        self.query_one(LoadProgress).step(*message.value)

    @on(LoadFinished)
    def _load_finished(self, message: LoadFinished) -> None:
        self._load_ended()
        result = message.value
        self.notify(
            escape(load_summary(result)),
            title="Nothing to load" if result.status == "unchanged" else "Load finished",
            severity="warning" if result.rows_rejected else "information",
            timeout=8,
        )
        self.selected = result.source
        self.refresh_sources()
        self.app.data_changed()  # type: ignore[attr-defined]

    def action_cancel_load(self) -> None:
        if self.cancel_requested is not None:
            self.cancel_requested.set()
            self.query_one(LoadProgress).stopping()

    def _load_ended(self) -> None:
        self.cancel_requested = None
        self.query_one(LoadProgress).finish()
        self.refresh_bindings()

    def job_failed(self, worker: Worker) -> None:
        if worker.group == "load":
            self._load_ended()

    def action_show_rejects(self) -> None:
        log = self.query_one("#load-log", DataTable)
        if not log.row_count:
            self.notify("No loads yet for this source.", severity="warning")
            return
        row = log.get_row_at(log.cursor_row)
        load_id = int(log.coordinate_to_cell_key((log.cursor_row, 0)).row_key.value or 0)
        if str(row[4]) == "0":
            self.notify(f"Load {load_id} ({row[1]}) rejected no rows.")
            return
        self.app.push_screen(RejectsModal(self.store, load_id, str(row[1])))

    def action_import_sources(self) -> None:
        self.app.push_screen(
            FilePickerModal("Import sources from a TOML file", suffixes=(".toml",)),
            lambda path: self._import(path) if path is not None else None,
        )

    @work(thread=True, exclusive=True, group="import", name="import the sources", exit_on_error=False)
    def _import(self, path: Path) -> None:
        self.post_message(self.SourcesImported(jobs.import_sources(self.store, path), about=path.name))

    @on(SourcesImported)
    def _imported(self, message: SourcesImported) -> None:
        done: dict[str, str] = message.value
        added = sum(1 for v in done.values() if v == "added")
        self.notify(
            escape(
                f"{message.about}: {added} source(s) added, {len(done) - added} updated: " + ", ".join(done)
            ),
            title="Sources imported",
        )
        self.refresh_sources()
        self.app.data_changed()  # type: ignore[attr-defined]


def mapping_summary(source: Any) -> str:
    """ "visitor_id→source_key, fname→first_name, …" or "canonical" when the extract uses our names."""
    if not source.columns:
        return "canonical names"
    return ", ".join(f"{column}→{field}" for field, column in source.columns.items())


def load_summary(result: Any) -> str:
    if result.status == "unchanged":
        return result.message
    text = (
        f"{Path(result.file).name} → {result.source} (load {result.load_id}): "
        f"{result.rows_loaded:,} loaded, {result.rows_rejected:,} rejected"
    )
    if result.top_reasons:
        text += "\nTop reasons: " + "; ".join(f"{reason} ({n:,})" for reason, n in result.top_reasons[:3])
        text += "\nPress r to see them."
    return text
