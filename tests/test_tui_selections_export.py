"""An export from the Selections screen shows its progress and stops on Escape (issue 13): nothing is
written and the database is as it was; the core's cancel point does the same headless."""

from __future__ import annotations

import asyncio
import threading

import pytest
from test_tui_matches_run import fingerprint
from test_tui_selections import DEFINITION, SIZE, SelectionsApp, db, master  # noqa: F401 (fixtures)
from textual.widgets import Input, Static
from tui_support import settle

from workbench.export import run as export_run
from workbench.export.run import ExportCancelled, export_selection
from workbench.select.counts import import_selections
from workbench.store import Store
from workbench.tui.modals.confirm import ConfirmModal
from workbench.tui.widgets.load_progress import LoadProgress


@pytest.fixture
def saved(db, tmp_path):  # noqa: F811
    (tmp_path / "s.toml").write_text(DEFINITION)
    import_selections(Store(db), tmp_path / "s.toml")
    return Store(db)


@pytest.mark.parametrize("stage", [1, 3])
def test_a_cancelled_export_writes_nothing_and_changes_nothing(saved, tmp_path, stage):
    before = fingerprint(saved)
    asked = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) >= stage

    with pytest.raises(ExportCancelled):
        export_selection(saved, "spring", tmp_path / "out.csv", campaign="c1", cancelled=cancelled)
    assert fingerprint(saved) == before
    assert not list(tmp_path.glob("out.csv*"))


async def test_escape_stops_the_export_on_the_screen(saved, tmp_path, monkeypatch):
    reached, release = threading.Event(), threading.Event()
    real = export_run.export_selection

    def slow(store, name, out, **kw):  # the export waits at its first step until Escape was pressed
        progress = kw["progress"]

        def step(message: str, fraction: float) -> None:
            if not reached.is_set():
                reached.set()
                release.wait(20)
            progress(message, fraction)

        return real(store, name, out, **{**kw, "progress": step})

    monkeypatch.setattr(export_run, "export_selection", slow)
    before = fingerprint(saved)
    out = tmp_path / "spring.csv"
    app = SelectionsApp(str(saved.path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.current == "spring"
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#export-path", Input).value = str(out)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        assert await asyncio.to_thread(reached.wait, 20)
        await pilot.pause()
        progress = screen.query_one(LoadProgress)
        assert progress.display and "Exporting spring" in str(
            progress.query_one("#load-label", Static).render()
        )
        await pilot.press("escape")
        assert "cancelling" in str(progress.query_one("#load-cancel-hint", Static).render())
        release.set()
        await settle(pilot)
        assert not progress.display and screen.cancel_export is None
        assert app.screen is screen  # a notification, not an error modal
        assert any("Export cancelled" in str(n.message) for n in app._notifications)
    assert not out.exists() and not list(tmp_path.glob("spring.csv*"))
    assert fingerprint(saved) == before
