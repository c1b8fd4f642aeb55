"""Selections: the stored selections, the definition of the highlighted one (TOML, editable), and its
waterfall, counted again while the operator types (debounced, in a worker).

``n`` starts a new selection, ``ctrl+s`` checks and saves the definition (a new version), ``f5`` counts
now, ``e`` exports the saved selection: a dialog asks for the file and the campaign code, then a
confirmation shows the net count and names any stale source with its age before anything is written;
the export runs in a worker with its progress below (Escape cancels; nothing is written then).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Button, DataTable, Input, Static, TextArea
from textual.worker import Worker

from workbench.errors import ConfigError
from workbench.formatting import plural
from workbench.tui import modals
from workbench.tui.modals import WorkbenchModal
from workbench.tui.modals.confirm import ConfirmModal, confirm_write
from workbench.tui.modals.unsaved import UnsavedModal
from workbench.tui.screens.base import WorkbenchScreen
from workbench.tui.screens.selections_jobs import (
    count_text,
    export,
    preflight_export,
    read_definition,
    read_list,
    save_text,
)
from workbench.tui.widgets import cells
from workbench.tui.widgets.load_progress import LoadProgress

COUNT_DELAY_S = 0.6  # the live count waits this long after the last key
LIST_COLUMNS = ("selection", "channel", "brand", "v", "exports")
WATERFALL_COLUMNS = ("step", "removed", "remaining", "")  # the figures before the long labels: on screen at 120
TEMPLATE = """[selections.{name}]
description = "what this selection is for"
channel = "email"
brand = ""
where = "orders(days=365) >= 1"
one_per = "person"

[[selections.{name}.cells]]
name = "A"
share = 0.9
keycode = "A1"

[[selections.{name}.cells]]
name = "control"
share = 0.1
keycode = "X1"
contact = false
"""


class ExportModal(WorkbenchModal[dict[str, str] | None]):
    """The file and the campaign code of an export; dismisses with {path, campaign} or None."""

    AUTO_FOCUS = "#export-path"
    CSS_PATH = str(Path(modals.__file__).with_name("modals.tcss"))  # relative to the subclass otherwise

    def __init__(self, name: str, path: str, campaign: str) -> None:
        super().__init__()
        self.selection, self.path, self.campaign = name, path, campaign

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(f"Export {self.selection}"), classes="dialog-title")
            yield Static(Content("File (.csv, or .parquet)"), classes="dialog-detail")
            yield Input(self.path, id="export-path")
            yield Static(Content("Campaign code (recorded in the contact history)"), classes="dialog-detail")
            yield Input(self.campaign, id="export-campaign")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Next", id="next", variant="primary")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#next")
    def _next(self) -> None:
        path = self.query_one("#export-path", Input).value.strip()
        campaign = self.query_one("#export-campaign", Input).value.strip()
        if not path or not campaign:
            self.notify("Give a file and a campaign code.", severity="warning")
            return
        self.dismiss({"path": path, "campaign": campaign})

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class SelectionsScreen(WorkbenchScreen):
    """Workers post the typed messages below (results of :mod:`selections_jobs`); ``@on`` handlers show them."""

    class ListRead(Message):
        """The stored selections; ``select`` is the one to highlight (None: keep the current one)."""

        def __init__(self, found: list[dict[str, Any]], select: str | None) -> None:
            super().__init__()
            self.found, self.select = found, select

    class DefinitionRead(Message):
        def __init__(self, name: str, text: str) -> None:
            super().__init__()
            self.name, self.text = name, text

    class Counted(Message):
        """The waterfall of the text edited at ``generation`` (or the ConfigError why it does not check)."""

        def __init__(self, result: Any, generation: int) -> None:
            super().__init__()
            self.result, self.generation = result, generation

    class Saved(Message):
        def __init__(self, result: dict[str, Any]) -> None:
            super().__init__()
            self.result = result

    class ExportStep(Message):
        """How far the check before an export, or the export, got."""

        def __init__(self, step: str, fraction: float) -> None:
            super().__init__()
            self.step, self.fraction = step, fraction

    class Checked(Message):
        """The check before an export: the waterfall and the freshness gate, for the confirmation."""

        def __init__(self, waterfall: Any, gate: Any, answer: dict[str, Any]) -> None:
            super().__init__()
            self.waterfall, self.gate, self.answer = waterfall, gate, answer

    class Exported(Message):
        def __init__(self, result: Any) -> None:
            super().__init__()
            self.result = result

    MODE = "selections"
    AUTO_FOCUS = "#selection-list"
    DEFAULT_CSS = """
    SelectionsScreen #selections-left { width: 32%; max-width: 44; min-width: 26; }
    SelectionsScreen #selection-list { height: 1fr; }
    SelectionsScreen #definition { height: 1fr; min-height: 8; }
    SelectionsScreen #check { height: auto; padding: 0 1; }
    SelectionsScreen #check.bad { color: $error; }
    SelectionsScreen #waterfall { height: 1fr; min-height: 6; }
    SelectionsScreen #waterfall-note { color: $text-muted; padding: 0 1; height: auto; }
    SelectionsScreen LoadProgress { dock: bottom; height: 1; margin-bottom: 1; background: $boost; padding: 0 1; }
    SelectionsScreen #load-label { width: 1fr; }
    SelectionsScreen #load-bar { width: auto; }
    SelectionsScreen #load-cancel-hint { width: auto; color: $text-muted; padding-left: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_selection", "New", id="selections.new"),
        Binding("ctrl+s", "save_selection", "Save", priority=True, id="selections.save"),
        Binding("f5", "recount", "Count now", id="selections.recount"),
        Binding("R", "refresh_selections", "Refresh", id="selections.refresh"),
        Binding("e", "export_selection", "Export", id="selections.export"),
        Binding("escape", "cancel_export", "Cancel export", id="selections.cancel_export"),
    ]
    # the stored selection shown in the editor; Export is offered only when there is one, so the footer
    # follows every change of it
    current: reactive[str | None] = reactive(None, bindings=True, repaint=False, init=False)

    def __init__(self) -> None:
        super().__init__()
        self.saved: dict[str, dict[str, Any]] = {}  # name -> list row
        self.saved_text: str = ""  # its definition as stored
        self.generation = 0  # bumped on every edit; a count of an older text is ignored
        self.count_timer: Timer | None = None
        self.count_now = False
        self.cancel_export: threading.Event | None = None
        self.after_save: Callable[[], object] | None = None  # where to go once a save asked for on leaving works

    def compose_body(self) -> ComposeResult:
        with Horizontal():
            with Vertical(id="selections-left"):
                yield Static(Content("Selections"), classes="section-title")
                yield DataTable(id="selection-list", cursor_type="row", zebra_stripes=True)
            with Vertical():
                yield Static(Content("Definition (TOML)"), classes="section-title")
                yield TextArea("", id="definition", soft_wrap=True, show_line_numbers=True)
                yield Static("", id="check")
                yield Static(Content("Waterfall"), classes="section-title")
                yield DataTable(id="waterfall", cursor_type="row", zebra_stripes=True)
                yield Static("", id="waterfall-note")
        yield LoadProgress(id="export-progress")

    def on_mount(self) -> None:
        for table_id, columns in (("#selection-list", LIST_COLUMNS), ("#waterfall", WATERFALL_COLUMNS)):
            table = self.query_one(table_id, DataTable)
            for label in columns:
                table.add_column(label, key=label or "label")
        self.query_one(LoadProgress).display = False
        self.refresh_list()

    # -- the list ---------------------------------------------------------------------------------
    def action_refresh_selections(self) -> None:
        """``R``: read the list (and the open definition) again, e.g. after the database was busy."""
        self.before_leaving(lambda: self.refresh_list(select=self.current))

    def refresh_list(self, select: str | None = None) -> None:
        self.query_one("#selection-list", DataTable).loading = True
        self._read_list(select)

    @work(thread=True, exclusive=True, group="selections-list", name="read the selections", exit_on_error=False)
    def _read_list(self, select: str | None) -> None:
        self.post_message(self.ListRead(read_list(self.store), select))

    @on(ListRead)
    def _show_list(self, message: SelectionsScreen.ListRead) -> None:
        found, select = message.found, message.select
        table = self.query_one("#selection-list", DataTable)
        table.clear()
        self.saved = {s["name"]: s for s in found}
        for s in found:
            table.add_row(cells.text(s["name"], "bold"), cells.text(s["channel"]), cells.text(s["brand"]),
                          cells.number(s["version"]), cells.number(s["exports"]), key=s["name"])
        table.loading = False
        if not found:
            self._check_line("No selections yet: press n to write one, or import a TOML file with "
                             "`workbench selections import FILE.toml`.", bad=False)
        keep = select if select in self.saved else (self.current if self.current in self.saved else None)
        keep = keep or (found[0]["name"] if found else None)
        if keep:
            table.move_cursor(row=table.get_row_index(keep))
            self._open(keep, force=True)

    @on(DataTable.RowHighlighted, "#selection-list")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        name = event.row_key.value
        if name not in self.saved or name == self.current:
            return
        if self.dirty:
            self._stay_on_current_row()  # until the operator says what becomes of the edits
            self.before_leaving(lambda: self._open_row(name))
        else:
            self._open(name)

    def _open_row(self, name: str) -> None:
        table = self.query_one("#selection-list", DataTable)
        with self.prevent(DataTable.RowHighlighted):
            table.move_cursor(row=table.get_row_index(name))
        self._open(name)

    def _stay_on_current_row(self) -> None:
        table = self.query_one("#selection-list", DataTable)
        if self.current in self.saved:
            with self.prevent(DataTable.RowHighlighted):
                table.move_cursor(row=table.get_row_index(self.current))

    # -- unsaved edits: never thrown away without asking -------------------------------------------------
    def before_leaving(self, go: Callable[[], object]) -> None:
        if not self.dirty:
            go()
            return
        what = f"Selection {self.current}" if self.current else "The new selection"
        self.app.push_screen(UnsavedModal(what), lambda answer: self._after_unsaved(answer, go))

    def _after_unsaved(self, answer: str | None, go: Callable[[], object]) -> None:
        if answer == "discard":
            self.count_now = True
            self.query_one("#definition", TextArea).load_text(self.saved_text)
            go()
        elif answer == "save":
            self.after_save = go  # leaves once the save worked; a definition that does not check stays
            self.action_save_selection()

    def _open(self, name: str, force: bool = False) -> None:
        if name == self.current and not force:
            return
        self.current = name
        self._read_definition(name)

    @work(thread=True, exclusive=True, group="selection-definition", name="read the selection",
          exit_on_error=False)
    def _read_definition(self, name: str) -> None:
        self.post_message(self.DefinitionRead(name, read_definition(self.store, name)))

    @on(DefinitionRead)
    def _show_definition(self, message: SelectionsScreen.DefinitionRead) -> None:
        name, text = message.name, message.text
        if name != self.current:
            return
        self.saved_text = text
        self.count_now = True  # the Changed event of this load counts at once, without the typing delay
        self.query_one("#definition", TextArea).load_text(text)

    # -- editing and the live count ------------------------------------------------------------------
    @on(TextArea.Changed, "#definition")
    def _edited(self) -> None:
        self.generation += 1
        if self.count_timer is not None:
            self.count_timer.stop()
        if self.count_now:
            self.count_now = False
            self.recount()
            return
        self.count_timer = self.set_timer(COUNT_DELAY_S, self.recount)

    def recount(self) -> None:
        text = self.query_one("#definition", TextArea).text
        if not text.strip():
            return
        self._check_line("counting…", bad=False)
        self._count(text, self.generation)

    def action_recount(self) -> None:
        if self.count_timer is not None:
            self.count_timer.stop()
        self.recount()

    @work(thread=True, exclusive=True, group="selection-count", name="count the selection", exit_on_error=False)
    def _count(self, text: str, generation: int) -> None:
        self.post_message(self.Counted(count_text(self.store, text), generation))

    @on(Counted)
    def _show_count(self, message: SelectionsScreen.Counted) -> None:
        result, generation = message.result, message.generation
        if generation != self.generation:
            return  # the operator typed on: a newer count is coming
        if isinstance(result, ConfigError):
            self._check_line(result.message + (f"\n{result.hint}" if result.hint else ""), bad=True)
            return
        self._check_line("✓ checks" + (" (not saved: ctrl+s saves)" if self.dirty else ""), bad=False)
        table = self.query_one("#waterfall", DataTable)
        table.clear()
        for s in result.steps:
            bold = "bold" if s.step in ("universe", "net") else ""
            removed = "" if s.removed is None else (f"-{s.removed:,}" if s.removed else "0")
            table.add_row(cells.text(s.step, bold), Text(removed, justify="right"), cells.number(s.remaining, bold),
                          cells.text(s.label, bold))
        note = f"net {result.net:,} to contact, {result.held_out:,} held out · counted in {result.seconds:.2f} s"
        note += "".join(f"\nnote: {n}" for n in result.notes)  # brought up to date first; addresses
        note += "".join(f"\nwarning: {w}" for w in result.warnings)
        self.query_one("#waterfall-note", Static).update(Text(note))

    @property
    def dirty(self) -> bool:
        return self.query_one("#definition", TextArea).text != self.saved_text

    def _check_line(self, text: str, bad: bool) -> None:
        line = self.query_one("#check", Static)
        line.update(Text(text))
        line.set_class(bad, "bad")

    def action_new_selection(self) -> None:
        self.before_leaving(self._new_selection)

    def _new_selection(self) -> None:
        n = 1
        while f"new_selection_{n}" in self.saved:
            n += 1
        self.current, self.saved_text = None, ""
        editor = self.query_one("#definition", TextArea)
        editor.load_text(TEMPLATE.format(name=f"new_selection_{n}"))
        editor.focus()

    # -- saving ---------------------------------------------------------------------------------------
    def action_save_selection(self) -> None:
        self._save(self.query_one("#definition", TextArea).text)

    @work(thread=True, exclusive=True, group="selection-save", name="save the selection", exit_on_error=False)
    def _save(self, text: str) -> None:
        self.post_message(self.Saved(save_text(self.store, text)))

    @on(Saved)
    def _show_saved(self, message: SelectionsScreen.Saved) -> None:
        result = message.result
        what = {"unchanged": "unchanged", "added": "saved", "updated": "saved"}[result["status"]]
        self.notify(escape(f"{result['name']}: {what} (version {result['version']})"), title="Selection")
        self.current = result["name"]
        self.saved_text = self.query_one("#definition", TextArea).text
        go, self.after_save = self.after_save, None
        if go is not None:
            go()
            return
        self.refresh_list(select=result["name"])
        self.app.data_changed()  # type: ignore[attr-defined]

    # -- exporting ------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_export":
            return self.cancel_export is not None
        if action == "export_selection":
            return None if self.cancel_export is not None or not self.current else True
        return True

    def action_export_selection(self) -> None:
        name = self.current
        if name is None:
            self.notify("Save the selection first (ctrl+s).", severity="warning")
            return
        if self.dirty:
            self.notify("The definition has changes that are not saved: save them (ctrl+s) or pick the "
                        "selection again to export the saved version.", severity="warning")
            return
        from workbench import clock

        campaign = f"{name}-{clock.now():%Y%m%d}"
        def chosen(answer: dict[str, Any] | None) -> None:
            if answer:  # a file that exists is replaced only after "Replace FILE?"
                confirm_write(self.app, answer["path"], self.store.path,
                              lambda force: self._begin_preflight(name, {**answer, "force": force}))

        self.app.push_screen(ExportModal(name, f"{name}.csv", campaign), chosen)

    def _begin_preflight(self, name: str, answer: dict[str, Any]) -> None:
        # the check may first match people records loaded since the last match, or apply loaded moves
        self.cancel_export = threading.Event()  # Escape stops the check too
        self.query_one(LoadProgress).start(f"Checking {name}")
        self.refresh_bindings()
        self._preflight(name, answer, self.cancel_export)

    @work(thread=True, exclusive=True, group="selection-export", name="check the export", exit_on_error=False)
    def _preflight(self, name: str, answer: dict[str, str], cancelled: threading.Event) -> None:
        wf, gate = preflight_export(self.store, name, lambda m, f: self.post_message(self.ExportStep(m, f)),
                                    cancelled)
        self.post_message(self.Checked(wf, gate, {**answer, "name": name}))

    @on(Checked)
    def _show_preflight(self, message: SelectionsScreen.Checked) -> None:
        self._export_ended()
        wf, gate, answer = message.waterfall, message.gate, message.answer
        detail = (f"{wf.net:,} persons in contact cells will be written to {answer['path']} and recorded in the "
                  f"contact history as campaign {answer['campaign']}; {wf.held_out:,} held out (recorded, "
                  "not written).")
        for note in wf.notes:  # new people records matched, loaded moves applied, just now
            detail += f"\nFirst: {note}."
        if gate.warnings:
            detail += f"\nWarning: {gate.describe(gate.warnings)}."
        if gate.errors:
            detail += f"\nStale sources (in error): {gate.describe(gate.errors)}. Export anyway?"
        question = f"Export {answer['name']}?" if not gate.errors else f"Export {answer['name']} from stale data?"
        self.app.push_screen(ConfirmModal(question, detail, yes="Export anyway" if gate.errors else "Export"),
                             lambda ok: self._start_export(answer, bool(gate.errors)) if ok else None)

    def _start_export(self, answer: dict[str, str], allow_stale: bool) -> None:
        self.cancel_export = threading.Event()
        self.query_one(LoadProgress).start(f"Exporting {answer['name']}")
        self.refresh_bindings()
        self._export(answer, allow_stale, self.cancel_export)

    @work(thread=True, exclusive=True, group="selection-export", name="export the selection", exit_on_error=False)
    def _export(self, answer: dict[str, str], allow_stale: bool, cancelled: threading.Event) -> None:
        result = export(self.store, answer, allow_stale, lambda m, f: self.post_message(self.ExportStep(m, f)),
                        cancelled)
        self.post_message(self.Exported(result))

    @on(ExportStep)
    def _show_export_step(self, message: SelectionsScreen.ExportStep) -> None:
        self.query_one(LoadProgress).step(message.step, message.fraction)

    @on(Exported)
    def _show_exported(self, message: SelectionsScreen.Exported) -> None:
        result = message.result
        self._export_ended()
        self.notify(escape(f"{result.rows:,} rows ({plural(result.seeds, 'seed')}) written to {result.file}; contact history "
                           f"recorded as {result.campaign}. sha256 {result.sha256[:16]}…"), title="Exported",
                    timeout=10)
        self.refresh_list(select=result.selection)
        self.app.data_changed()  # type: ignore[attr-defined]

    def action_cancel_export(self) -> None:
        if self.cancel_export is not None:
            self.cancel_export.set()
            self.query_one(LoadProgress).stopping()

    def _export_ended(self) -> None:
        self.cancel_export = None
        self.query_one(LoadProgress).finish()
        self.refresh_bindings()

    def job_failed(self, worker: Worker) -> None:
        if worker.group == "selection-export":
            self._export_ended()
        if worker.group == "selection-save":
            self.after_save = None  # the save failed: stay with the edits
