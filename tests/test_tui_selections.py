"""The Selections screen: write a selection, watch its waterfall, save it, export it (with the stale-source
confirmation). Workers are awaited, never slept on."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pytest
from test_select_data import NOW, build_db
from textual.widgets import DataTable, Input, Static, TextArea
from tui_support import settle

from workbench import clock
from workbench.store import Store
from workbench.store.sql import rows
from workbench.tui import app as app_module
from workbench.tui.app import WorkbenchApp
from workbench.tui.modals.confirm import ConfirmModal
from workbench.tui.screens.selections_edit import ExportModal, SelectionsScreen

SIZE = (130, 40)
DEFINITION = """[selections.spring]
channel = "email"
where = "state = 'MA' and orders(brand='ember', days=365) >= 1"
[[selections.spring.cells]]
name = "A"
share = 0.8
keycode = "SP-A"
[[selections.spring.cells]]
name = "control"
share = 0.2
keycode = "SP-X"
contact = false
"""


class SelectionsApp(WorkbenchApp):
    """The app with this screen in the "selections" mode (until the lead wires it into screens.SCREENS)."""

    CSS_PATH = str(Path(app_module.__file__).parent / "styles" / "app.tcss")
    MODES: ClassVar[dict] = {**WorkbenchApp.MODES, "selections": SelectionsScreen}
    DEFAULT_MODE = "selections"


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tuidb")
    build_db(folder)
    clock.set_now(None)
    return folder / "wb.duckdb"


@pytest.fixture
def db(master, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(master, tmp_path / "wb.duckdb")
    clock.set_now(NOW)
    return tmp_path / "wb.duckdb"


def waterfall_rows(screen) -> list[tuple[str, str]]:
    table = screen.query_one("#waterfall", DataTable)
    return [(str(table.get_row_at(i)[0]), str(table.get_row_at(i)[2])) for i in range(table.row_count)]


async def write_and_count(pilot, text: str) -> None:
    screen = pilot.app.screen
    screen.query_one("#definition", TextArea).load_text(text)
    await pilot.press("f5")
    await settle(pilot)


async def test_build_count_save_and_export(db, tmp_path):
    app = SelectionsApp(str(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SelectionsScreen)
        await pilot.press("n")
        assert "[selections.new_selection_1]" in screen.query_one("#definition", TextArea).text

        await write_and_count(pilot, DEFINITION.replace("state =", "stat ="))
        check = str(screen.query_one("#check", Static).render())
        assert "unknown attribute 'stat'" in check and "did you mean 'state'" in check

        await write_and_count(pilot, DEFINITION)
        steps = waterfall_rows(screen)
        assert steps[0][0] == "universe" and steps[-1][0] == "net" and "✓ checks" in str(
            screen.query_one("#check", Static).render())

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.current == "spring" and "spring" in screen.saved and not screen.dirty

        screen.query_one("#selection-list", DataTable).focus()
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportModal)
        app.screen.query_one("#export-path", Input).value = str(tmp_path / "spring.csv")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal) and "Stale" not in app.screen.detail
        await pilot.press("y")
        await settle(pilot)
        assert (tmp_path / "spring.csv").exists() and (tmp_path / "spring.csv.manifest.json").exists()
    with Store(db).connect(read_only=True) as conn:
        contacts = rows(conn, "SELECT count(*) AS n, count(DISTINCT campaign) AS c FROM contact_history "
                              "WHERE origin = 'export'")[0]
    assert contacts["n"] > 0 and contacts["c"] == 1


async def test_the_live_count_follows_the_typing(db):
    app = SelectionsApp(str(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.query_one("#definition", TextArea).load_text(DEFINITION)
        await pilot.pause(0.9)  # the debounce delay, then the worker
        await settle(pilot)
        first = waterfall_rows(screen)
        assert first and first[-1][0] == "net"
        screen.query_one("#definition", TextArea).load_text(DEFINITION.replace("state = 'MA' and ", ""))
        await pilot.pause(0.9)
        await settle(pilot)
        assert int(waterfall_rows(screen)[1][1].replace(",", "")) > int(first[1][1].replace(",", ""))


async def test_a_stale_source_is_named_before_exporting(db, tmp_path):
    from workbench.select.counts import import_selections

    (tmp_path / "s.toml").write_text(DEFINITION)
    import_selections(Store(db), tmp_path / "s.toml")
    clock.set_now((datetime.fromisoformat(NOW) + timedelta(days=4)).isoformat())
    app = SelectionsApp(str(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.current == "spring"
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#export-path", Input).value = str(tmp_path / "stale.csv")
        await pilot.press("enter")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, ConfirmModal)
        assert "crm (error, 4.1d old)" in modal.detail and modal.yes == "Export anyway"
        await pilot.press("n")
        await settle(pilot)
        assert not (tmp_path / "stale.csv").exists()


async def test_edits_are_never_thrown_away_without_asking(db, tmp_path):
    from workbench.select.counts import import_selections
    from workbench.select.saved import get_selection
    from workbench.tui.modals.unsaved import UnsavedModal

    (tmp_path / "s.toml").write_text(DEFINITION + DEFINITION.replace("spring", "summer"))
    import_selections(Store(db), tmp_path / "s.toml")
    app = SelectionsApp(str(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.current == "spring"
        edited = screen.saved_text.replace("share = 0.8", "share = 0.7").replace("share = 0.2", "share = 0.3")
        screen.query_one("#definition", TextArea).load_text(edited)
        await settle(pilot)
        # another selection in the list: asked; Escape stays with the edits
        screen.query_one("#selection-list", DataTable).focus()
        await pilot.press("down")
        await settle(pilot)
        assert isinstance(app.screen, UnsavedModal)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and screen.current == "spring" and screen.dirty
        # another screen: asked; discard goes there and drops the edits
        await pilot.press("1")
        await settle(pilot)
        assert isinstance(app.screen, UnsavedModal)
        await pilot.press("d")
        await settle(pilot)
        assert app.current_mode == "sources"
        await pilot.press("6")
        await settle(pilot)
        assert not screen.dirty and "share = 0.8" in screen.query_one("#definition", TextArea).text
        # quitting: asked; save keeps the edits as a new version, then the app ends
        screen.query_one("#definition", TextArea).load_text(edited)
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, UnsavedModal)
        await pilot.press("s")
        await settle(pilot)
    assert app.return_code == 0
    with Store(db).connect(read_only=True) as conn:
        saved = get_selection(conn, "spring")
    assert saved.version == 2 and "0.7" in saved.to_toml()


async def test_r_reads_the_list_again_after_a_failure(db, tmp_path):
    """After a busy database the list stays empty; R reads it again (no restart)."""
    from workbench.select.counts import import_selections

    app = SelectionsApp(str(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#selection-list", DataTable).row_count == 0
        (tmp_path / "s.toml").write_text(DEFINITION)
        import_selections(Store(db), tmp_path / "s.toml")  # e.g. what the busy moment kept from the screen
        screen.query_one("#selection-list", DataTable).focus()
        await pilot.press("R")
        await settle(pilot)
        assert screen.query_one("#selection-list", DataTable).row_count == 1 and screen.current == "spring"
