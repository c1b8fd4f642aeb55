"""The Selections screen's work lives in selections_jobs.py; results come back as typed messages nested in
the screen class, handled with @on (issue 13: one way to do each thing in the TUI)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from test_tui_selections import DEFINITION, SIZE, SelectionsApp, db, master  # noqa: F401 (fixtures)
from textual.message import Message
from textual.widgets import DataTable, Static
from tui_support import settle

from workbench.errors import ConfigError
from workbench.tui.screens import selections_edit, selections_jobs
from workbench.tui.screens.selections_edit import SelectionsScreen

MESSAGES = ("ListRead", "DefinitionRead", "Counted", "Saved", "ExportStep", "Checked", "Exported")


def imported_modules(module) -> set[str]:
    tree = ast.parse(Path(module.__file__).read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_the_screen_has_no_jobs_no_sql_and_no_string_dispatch():
    source = Path(selections_edit.__file__).read_text()
    assert "workbench.tui.jobs" not in imported_modules(selections_edit)
    assert "workbench.tui.jobs" not in source and "from workbench.tui import jobs" not in source
    for word in ("SELECT ", "BEGIN", "COMMIT", "getattr(", "Done("):
        assert word not in source, word
    assert not hasattr(selections_edit, "Done")


def test_every_job_is_in_the_jobs_module():
    for name in ("read_list", "read_definition", "count_text", "save_text", "preflight_export", "export"):
        assert inspect.isfunction(getattr(selections_jobs, name))
    assert "textual" not in " ".join(imported_modules(selections_jobs))


def test_the_messages_are_nested_in_the_screen():
    for name in MESSAGES:
        message = getattr(SelectionsScreen, name)
        assert issubclass(message, Message) and message.__qualname__ == f"SelectionsScreen.{name}"


async def test_a_posted_message_is_handled_by_its_handler(db):  # noqa: F811
    app = SelectionsApp(str(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.post_message(
            SelectionsScreen.ListRead(
                [{"name": "a", "channel": "email", "brand": "", "version": 3, "exports": 0}], None
            )
        )
        await settle(pilot)
        assert screen.query_one("#selection-list", DataTable).row_count == 1 and screen.current == "a"
        screen.post_message(
            SelectionsScreen.Counted(ConfigError("where: nope", "try this"), screen.generation)
        )
        await pilot.pause()
        check = screen.query_one("#check", Static)
        assert "where: nope" in str(check.render()) and check.has_class("bad")
        screen.post_message(SelectionsScreen.Counted(ConfigError("older"), screen.generation - 1))
        await pilot.pause()
        assert "older" not in str(check.render())  # a count of an older text is dropped
