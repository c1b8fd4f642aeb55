"""The workbench TUI app: composition, global bindings and routing only; the work is in the screens."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.worker import Worker, WorkerState

from workbench.store import Store
from workbench.tui.commands import WorkbenchCommands
from workbench.tui.failures import describe_failure, report_failure
from workbench.tui.jobs import still_wanted
from workbench.tui.screens import MORE_SCREENS, SCREENS
from workbench.tui.screens.freshness_jobs import fetch_freshness
from workbench.tui.settings import read_settings, write_settings

FRESHNESS_EVERY_S = 60.0


class FreshnessRead(Message):
    def __init__(self, items: list[Any]) -> None:
        super().__init__()
        self.items = items


class WorkbenchApp(App[None]):
    """Screens are Textual modes, one per entry of ``screens.SCREENS``, switched with keys 1..8."""

    TITLE = "workbench"
    CSS_PATH = "styles/app.tcss"
    MODES: ClassVar[dict[str, Any]] = {e.mode: e.factory() for e in (*SCREENS, *MORE_SCREENS)}
    DEFAULT_MODE = SCREENS[0].mode
    COMMANDS = App.COMMANDS | {WorkbenchCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(e.key, f"switch_mode('{e.mode}')", e.title, show=False, id=f"screen.{e.mode}")
            for e in (*SCREENS, *MORE_SCREENS)
        ),
        Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit"),
        Binding("question_mark,f1", "toggle_keys", "Keys", show=False, id="app.keys"),
        Binding("z", "toggle_maximize", "Maximize", show=False, id="app.maximize"),
    ]

    freshness: reactive[list[Any] | None] = reactive(None, always_update=True)
    """Every source's freshness (``workbench.freshness.SourceFreshness``); None until first read."""
    freshness_error: reactive[str | None] = reactive(None)
    """Why the last freshness read failed (None when it worked)."""

    def __init__(self, db_path: str | None = None) -> None:
        super().__init__()
        self.store = Store(db_path)
        self.store.on_wait = self._database_held
        self.db_label = str(self.store.path)
        self.settings = read_settings()

    def on_mount(self) -> None:
        if self.settings.theme and self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        if self.settings.keys:
            self.set_keymap(self.settings.keys)
        if self.settings.problem:
            self.notify(self.settings.problem, severity="warning", markup=False)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self.set_interval(FRESHNESS_EVERY_S, self._freshness_tick)
        self.refresh_freshness()

    def _remember_theme(self, theme: Any) -> None:
        """A theme chosen in the palette is kept for the next session."""
        if theme.name != self.settings.theme:
            self.settings.theme = theme.name
            try:
                write_settings(self.settings)
            except OSError as exc:
                self.notify(f"The theme was not saved: {exc}", severity="warning", markup=False)

    def _freshness_tick(self) -> None:
        # during a long load the previous read still waits for its turn: do not queue another
        if not any(w.group == "freshness-summary" and w.is_running for w in self.workers):
            self.refresh_freshness()

    # -- freshness, shown in every header -------------------------------------------------------
    def refresh_freshness(self) -> None:
        self._read_freshness()

    @work(
        thread=True, exclusive=True, group="freshness-summary", name="read the freshness", exit_on_error=False
    )
    def _read_freshness(self) -> None:
        items = fetch_freshness(self.store)
        if still_wanted():
            self.post_message(FreshnessRead(items))

    @on(FreshnessRead)
    def _freshness_read(self, message: FreshnessRead) -> None:
        self.freshness_error = None
        self.freshness = message.items

    def data_changed(self) -> None:
        """Called by a screen after it changed the database (a load, an import)."""
        self.refresh_freshness()

    def _database_held(self, holder: str) -> None:
        """Called by a worker's open when another process holds the file: say so at once, not after the wait."""
        text = f"Waiting for the database (held by {holder})…"
        try:
            self.call_from_thread(self.notify, text, title="Database busy", severity="warning", markup=False)
        except RuntimeError:  # on the app's own thread
            self.notify(text, title="Database busy", severity="warning", markup=False)

    def action_toggle_keys(self) -> None:
        """``?`` / F1: the keys of the current screen (Textual's help panel) on or off."""
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_toggle_maximize(self) -> None:
        """``z``: the focused pane fills the screen (a wide table at 120 columns); ``z`` again restores."""
        screen = self.screen
        if screen.maximized is not None:
            screen.minimize()
        elif screen.focused is not None:
            screen.maximize(screen.focused)

    # -- leaving a screen: it may hold unsaved work ---------------------------------------------------
    def _leave_then(self, go: Any) -> None:
        from workbench.tui.screens.base import WorkbenchScreen

        screen = self.screen
        if isinstance(screen, WorkbenchScreen):
            screen.before_leaving(go)
        else:
            go()

    async def action_switch_mode(self, mode: str) -> None:
        if mode != self.current_mode:
            self._leave_then(lambda: self.switch_mode(mode))

    async def action_quit(self) -> None:
        self._leave_then(self.exit)

    # -- routing --------------------------------------------------------------------------------
    async def run_on_screen(self, mode: str, action: str) -> None:
        """Switch to screen ``mode`` and run one of its actions (for the command palette)."""
        if mode != self.current_mode:
            await self.switch_mode(mode)
        await self.screen.run_action(action)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        if event.worker.group == "freshness-summary":
            self.freshness_error = describe_failure(event.worker.error)[0]
        report_failure(self, event.worker)
