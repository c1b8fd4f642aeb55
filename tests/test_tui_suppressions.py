"""The Suppressions screen: the list of suppressions with persons removed, manual opt-outs, adding one by
hand through the form (in a worker), a form that refuses a missing reason, withdrawing one."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_suppress_helpers import load_people, load_rows, make_store
from textual.widgets import DataTable, Input, Static
from tui_support import settle

import workbench.tui.app
from workbench import clock
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.suppressions_view import AddOptOutModal, ReasonModal, SuppressionsScreen

SIZE = (140, 40)


class App(WorkbenchApp):
    MODES = {**WorkbenchApp.MODES, "suppressions": SuppressionsScreen}  # until the lead wires the screen
    DEFAULT_MODE = "suppressions"
    CSS_PATH = str(Path(workbench.tui.app.__file__).with_name("styles") / "app.tcss")


@pytest.fixture
def db(tmp_path):
    store = make_store(tmp_path)
    load_people(store, tmp_path, [
        ["C1", "Robert", "Smith", "12 Oak St", "", "02134", "bob@example.com", "6175550101"],
        ["C2", "Ann", "Lee", "4 Elm Rd", "", "01602", "ann@example.com", "6175550102"]])
    load_rows(store, tmp_path, "unsubscribes", ["email"], [["ANN@example.com"]])
    yield store.path
    clock.set_now(None)


def table_rows(table: DataTable) -> dict[str, list[str]]:
    return {str(table.get_row_at(i)[0]): [str(c) for c in table.get_row_at(i)] for i in range(table.row_count)}


async def test_lists_suppressions_and_adds_an_opt_out(db):
    app = App(str(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SuppressionsScreen)
        listed = table_rows(screen.query_one("#suppressions", DataTable))
        row = listed["unsubscribes"]
        assert (row[4], row[5], row[8]) == ("email", "email", "global")  # channel, rule, scope
        assert listed["unsubscribes"][1] == "1" and listed["manual"][1] == "0"
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AddOptOutModal)
        form.query_one("#f-phone", Input).value = "(617) 555-0101"
        await pilot.click("#add")  # no reason yet: refused inside the form
        await pilot.pause()
        assert "reason" in str(form.query_one("#form-error", Static).render())
        reason = form.query_one("#f-reason", Input)
        reason.value = "phoned the call centre"
        reason.focus()
        await pilot.press("enter")  # (a second click within 0.2 s is ignored by Button)
        await settle(pilot)
        assert app.screen is screen
        listed = table_rows(screen.query_one("#suppressions", DataTable))
        assert listed["manual"][1] == "1"
        manual = screen.query_one("#manual", DataTable)
        assert manual.row_count == 1 and str(manual.get_row_at(0)[4]) == "(617) 555-0101"
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ReasonModal)
        app.screen.query_one("#reason", Input).value = "wrong number"
        await pilot.click("#go")
        await settle(pilot)
        assert screen.query_one("#manual", DataTable).row_count == 0
        assert table_rows(screen.query_one("#suppressions", DataTable))["manual"][1] == "0"


async def test_a_refused_opt_out_keeps_what_was_typed_and_marks_the_field(db):
    app = App(str(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AddOptOutModal)
        form.query_one("#f-email", Input).value = "not an email"
        form.query_one("#f-reason", Input).value = "asked by letter"
        await pilot.click("#add")
        await settle(pilot)
        assert app.screen is form  # still open: nothing typed is lost
        assert "not a usable email" in str(form.query_one("#form-error", Static).render())
        assert form.query_one("#f-email", Input).has_class("-invalid")
        assert form.query_one("#f-reason", Input).value == "asked by letter"
        form.query_one("#f-email", Input).value = "someone@example.com"
        form.query_one("#f-reason", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert screen.query_one("#manual", DataTable).row_count == 1
