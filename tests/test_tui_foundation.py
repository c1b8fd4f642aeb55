"""The TUI shell: screens, keys, loading a file through the pickers, rejects, freshness, failures.

Each test builds a tiny database in tmp_path (a sources TOML and a small CSV of people, imported with
the core) and drives the app with Textual's pilot; workers are awaited, never slept on.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Button, DataTable, Input, Static
from tui_support import settle

from workbench import clock
from workbench.ingest.sources import parse_sources_toml, save_sources
from workbench.store import Store
from workbench.tui import jobs
from workbench.tui.app import WorkbenchApp
from workbench.tui.modals.error import ErrorModal
from workbench.tui.modals.file_picker import FilePickerModal
from workbench.tui.modals.load_preview import LoadPreviewModal
from workbench.tui.modals.rejects import RejectsModal
from workbench.tui.screens import SCREENS
from workbench.tui.screens.freshness import FreshnessScreen
from workbench.tui.screens.sources import SourcesScreen

SIZE = (120, 36)
NOW = "2026-11-20T10:00:00"
SOURCES_TOML = """
[sources.crm]
kind = "people"
cadence = "daily"
priority = 1
"""
PEOPLE_CSV = """source_key,first_name,last_name,address_line1,postal_code,email,phone,birth_date
C1,Robert,Smith,12 N Oak St,02134,bob@example.com,6175550101,1980-03-04
C2,Mary,Smith,12 N Oak St,02134,mary@example.com,6175550102,1982-07-09
,No,Key,1 Main St,10001,nokey@example.com,,1970-01-01
C3,Jose,Garcia,44 Main Street,78701,jose@example.com,5125550107,1965-12-01
"""


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    """A database with one people source ("crm") registered and nothing loaded; cwd = tmp_path."""
    monkeypatch.chdir(tmp_path)
    clock.set_now(NOW)
    (tmp_path / "sources.toml").write_text(SOURCES_TOML, encoding="utf-8")
    (tmp_path / "people.csv").write_text(PEOPLE_CSV, encoding="utf-8")
    path = tmp_path / "wb.duckdb"
    with Store(path).transaction() as conn:
        save_sources(conn, parse_sources_toml(tmp_path / "sources.toml"))
    yield path
    clock.set_now(None)


def rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def pick_file(pilot, typed: str) -> None:
    """Type a path in the open file picker and press Enter."""
    assert isinstance(pilot.app.screen, FilePickerModal)
    field = pilot.app.screen.query_one("#path", Input)
    field.value = typed
    field.focus()
    await pilot.press("enter")
    await settle(pilot)


async def test_starts_on_sources_and_keys_1_to_8_switch_screens(db):
    from workbench.tui.commands import WorkbenchCommands

    app = WorkbenchApp(str(db))
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, SourcesScreen)  # painted before any worker finished
        await settle(pilot)
        table = app.screen.query_one("#sources", DataTable)
        assert [r[:3] for r in rows(table)] == [["crm", "people", "daily"]]
        assert str(db) in str(app.screen.query_one("#db-path", Static).render())
        assert "never" in str(app.screen.query_one("#freshness-badge", Static).render())
        for entry in reversed(SCREENS):
            await pilot.press(entry.key)
            await settle(pilot)
            assert app.current_mode == entry.mode
            assert type(app.screen).__name__ == entry.class_name
        await pilot.press("3")
        assert type(app.screen).__name__ == "MatchesScreen"
        # the command palette offers every screen and the main actions, which work from any screen
        titles = [t for t, _h, _c in WorkbenchCommands(app.screen).commands()]
        assert {"Load a file", "Import sources", "Refresh freshness", "Run matching", "Export a selection",
                "Recompute households", "Write the profile report", "Show keys"} <= set(titles)
        assert all(f"Go to {e.title}" in titles for e in SCREENS)
        await app.run_on_screen("sources", "load_file")
        await settle(pilot)
        assert isinstance(app.screen, FilePickerModal)


async def test_load_a_csv_then_see_its_log_freshness_and_rejects(db):
    app = WorkbenchApp(str(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pick_file(pilot, "people.csv")
        preview = app.screen
        assert isinstance(preview, LoadPreviewModal)
        shown = rows(preview.query_one("#preview-rows", DataTable))
        assert len(shown) == 4
        assert any("no source_key" in cell for row in shown for cell in row)
        await pilot.press("enter")  # the Load button has the focus
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SourcesScreen)
        log = rows(screen.query_one("#load-log", DataTable))
        assert len(log) == 1
        _load_id, file, _finished, loaded, rejected = log[0][:5]
        assert (file, loaded, rejected) == ("people.csv", "3", "1")
        assert rows(screen.query_one("#sources", DataTable))[0][-1] == "3"
        assert "fresh" in str(screen.query_one("#freshness-badge", Static).render())

        await pilot.press("r")  # the rejects of the selected (newest) load
        await settle(pilot)
        assert isinstance(app.screen, RejectsModal)
        found = rows(app.screen.query_one("#rejects", DataTable))
        assert len(found) == 1
        line, reason, raw = found[0]
        assert (line, reason) == ("4", "no source_key")
        assert "nokey@example.com" in raw
        assert "1 of 1" in str(app.screen.query_one("#shown", Static).render())
        await pilot.press("escape")
        assert isinstance(app.screen, SourcesScreen)

        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, FreshnessScreen)
        fresh = rows(app.screen.query_one("#freshness", DataTable))
        assert fresh[0][:2] == ["crm", "● fresh"]
        assert fresh[0][8] == "3"  # last rows


async def test_a_missing_file_shows_the_error_modal_and_a_mapping_error_the_preview(db):
    (db.parent / "bad.csv").write_text("id,first_name\nC1,Bob\n", encoding="utf-8")
    app = WorkbenchApp(str(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pick_file(pilot, "no_such_file.csv")
        assert isinstance(app.screen, ErrorModal)  # a worker failure: a modal, not a crash
        assert "no such file" in app.screen.message
        assert app.screen.hint  # the core's hint is shown too
        await pilot.press("enter")
        assert isinstance(app.screen, SourcesScreen)
        assert app.is_running

        await pilot.press("l")
        await settle(pilot)
        await pick_file(pilot, "bad.csv")
        assert isinstance(app.screen, LoadPreviewModal)
        assert "source_key" in str(app.screen.query_one("#preview-error", Static).render())
        assert app.screen.query_one("#load", Button).disabled
        await pilot.press("escape")
        assert isinstance(app.screen, SourcesScreen)
    with Store(db).connect(read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM loads").fetchall()[0][0] == 0


async def test_import_sources_from_toml(db):
    (db.parent / "more.toml").write_text(
        '[sources.pos]\nkind = "transactions"\ncadence = "daily"\n', encoding="utf-8"
    )
    app = WorkbenchApp(str(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        await pick_file(pilot, "more.toml")
        names = [r[0] for r in rows(app.screen.query_one("#sources", DataTable))]
        assert sorted(names) == ["crm", "pos"]


async def test_escape_cancels_a_load_and_the_database_is_unchanged(db):
    app = WorkbenchApp(str(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        with jobs.DB_LOCK:  # the load waits for its turn: cancel it before its first step
            screen.start_load("crm", db.parent / "people.csv")
            await pilot.press("escape")
        await settle(pilot)
        assert screen.cancel_requested is None
        assert not screen.query_one("#load-progress").display
        assert rows(screen.query_one("#load-log", DataTable)) == []
    with Store(db).connect(read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM records").fetchall()[0][0] == 0


async def test_question_mark_and_f1_show_the_keys_of_the_screen(db):
    app = WorkbenchApp(str(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert app.screen.query("HelpPanel")
        await pilot.press("question_mark")
        assert not app.screen.query("HelpPanel")
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("f1")
        assert app.screen.query("HelpPanel")
        await pilot.press("f1")
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("z")  # the focused table fills the screen, z again restores it
        assert app.screen.maximized is app.screen.focused is not None
        await pilot.press("z")
        assert app.screen.maximized is None


async def test_theme_and_keys_persist_in_the_config_file(db):
    from workbench.tui.settings import config_path

    config_path().write_text('[keys]\n"app.keys" = "k"\n', encoding="utf-8")
    app = WorkbenchApp(str(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("k")  # the key chosen in the file
        assert app.screen.query("HelpPanel")
        app.theme = "textual-light"
        await pilot.pause()
    assert 'theme = "textual-light"' in config_path().read_text(encoding="utf-8")
    app = WorkbenchApp(str(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-light"


async def test_a_broken_config_file_is_a_notice_not_a_crash(db):
    from workbench.tui.settings import config_path

    config_path().write_text("theme = [", encoding="utf-8")
    app = WorkbenchApp(str(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert any("was not read" in n.message for n in app._notifications)


def test_importing_the_tui_package_does_not_import_textual():
    code = "import sys, workbench.tui, workbench.cli; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
