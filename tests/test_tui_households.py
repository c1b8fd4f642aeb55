"""The Households screen: the review list, members with their records, and the review keys (accept, merge,
split, move a member) driven with Textual's pilot; the decisions land in the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_households_helpers import groups, household_of, load, make_store
from textual.widgets import DataTable, Static
from tui_support import settle

import workbench.tui.app
from workbench import clock
from workbench.households import run_households
from workbench.tui.app import WorkbenchApp
from workbench.tui.modals.confirm import ConfirmModal
from workbench.tui.screens.households_review import HouseholdPickerModal, HouseholdsScreen

SIZE = (140, 40)


class App(WorkbenchApp):
    MODES = {**WorkbenchApp.MODES, "households": HouseholdsScreen}  # until the lead wires the screen
    DEFAULT_MODE = "households"
    CSS_PATH = str(Path(workbench.tui.app.__file__).with_name("styles") / "app.tcss")


@pytest.fixture
def store(tmp_path):
    s = make_store(tmp_path)
    s.set_setting("households.partners", "marked")
    load(s, tmp_path, "crm", [
        ["S1", "Ed", "Smith", "5 Elm St", "", "02134"], ["S2", "Flo", "Smith", "5 Elm St", "", "02134"],
        ["J1", "Ann", "Jones", "5 Elm St", "", "02134"], ["K1", "Kai", "Ng", "8 Oak St", "", "60614"]])
    run_households(s)
    yield s
    clock.set_now(None)


def table(app, selector: str) -> list[list[str]]:
    t = app.screen.query_one(selector, DataTable)
    return [[str(c) for c in t.get_row_at(i)] for i in range(t.row_count)]


async def cursor_to(pilot, selector: str, key: str) -> None:
    t = pilot.app.screen.query_one(selector, DataTable)
    t.move_cursor(row=t.get_row_index(key))
    t.focus()
    await settle(pilot)


async def test_review_list_members_and_accept(store):
    app = App(str(store.path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HouseholdsScreen)
        listed = table(app, "#households")
        assert {r[1] for r in listed} == {"Smith", "Jones"} and all(r[7] == "surnames" for r in listed)
        assert "2 households (needing review)" in str(app.screen.query_one("#households-bar", Static).render())
        smiths = str(household_of(store, "S1"))
        await cursor_to(pilot, "#households", smiths)
        members = table(app, "#members")
        assert [m[1].strip("* ").strip() for m in members] == ["Ed Smith", "Flo Smith"]
        assert "crm:S1" in members[0][5] and members[0][1].startswith("*")
        await pilot.press("a")
        await settle(pilot)
        assert [r[0] for r in table(app, "#households")] == [str(household_of(store, "J1"))]
        await pilot.press("f")  # all households
        await settle(pilot)
        assert len(table(app, "#households")) == 3


async def test_merge_split_and_move_keys(store):
    app = App(str(store.path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        await cursor_to(pilot, "#households", str(household_of(store, "S1")))
        await pilot.press("M")  # merge: pick the other household at the address
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, HouseholdPickerModal)
        assert [r[1] for r in table(app, "#targets")] == ["Jones"]
        await pilot.press("enter")
        await settle(pilot)
        assert frozenset({"S1", "S2", "J1"}) in groups(store)

        await cursor_to(pilot, "#households", str(household_of(store, "S1")))
        await cursor_to(pilot, "#members", str(_person(store, "J1")))
        await pilot.press("s")  # split Ann out, after a confirmation
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await settle(pilot)
        assert frozenset({"J1"}) in groups(store) and frozenset({"S1", "S2"}) in groups(store)

        await cursor_to(pilot, "#households", str(household_of(store, "S1")))
        await cursor_to(pilot, "#members", str(_person(store, "S2")))
        await pilot.press("m")  # move Flo to Ann's household
        await settle(pilot)
        assert isinstance(app.screen, HouseholdPickerModal)
        await pilot.press("enter")
        await settle(pilot)
        assert frozenset({"S2", "J1"}) in groups(store) and frozenset({"S1"}) in groups(store)
        assert isinstance(app.screen, HouseholdsScreen)


def _person(store, key: str) -> int:
    with store.connect(read_only=True) as conn:
        return conn.execute("SELECT pr.person_id FROM records r JOIN person_records pr USING (record_id) "
                            "WHERE r.source_key = ?", [key]).fetchall()[0][0]


def test_ids_read_as_typed_and_counts_take_their_plural():
    from workbench.formatting import article, plural
    from workbench.tui.widgets import cells

    assert str(cells.identifier(12345)) == "12345" and str(cells.number(12345)) == "12,345"
    assert (plural(1, "household"), plural(2, "seed"), plural(1234, "person")) == (
        "1 household", "2 seeds", "1,234 persons")
    assert (article("email"), article("mail")) == ("an email", "a mail")
