"""The where checker names a text value no person has, with the nearest values that do occur (issue 13),
on the core and on the Selections screen; and the seed message says 'an email selection'."""

from __future__ import annotations

import shutil

import pytest
from test_select_data import NOW, build_db
from test_tui_selections import SIZE, SelectionsApp, write_and_count
from textual.widgets import Static
from tui_support import settle

from workbench import clock
from workbench.select.definition import SelectionError, parse_selections_text
from workbench.select.plan import check_selection
from workbench.select.values import unseen_values
from workbench.store import Store


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    folder = tmp_path_factory.mktemp("valuesdb")
    build_db(folder)
    clock.set_now(None)
    return folder / "wb.duckdb"


@pytest.fixture
def db(master, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(master, tmp_path / "wb.duckdb")
    clock.set_now(NOW)
    return tmp_path / "wb.duckdb"


def warnings_of(db, where: str) -> list[str]:
    (sel,) = parse_selections_text(f'[selections.s]\nchannel = "email"\nwhere = "{where}"\n')
    with Store(db).connect() as conn:
        return check_selection(conn, sel).warnings


def test_a_value_no_person_has_names_the_nearest_that_do(db):
    found = warnings_of(db, "city = 'Bostn'")
    assert found == ["no person has city 'Bostn'; nearest: 'BOSTON', 'NEW YORK'"]


def test_values_that_occur_in_any_case_give_no_warning(db):
    assert warnings_of(db, "city = 'boston' and state IN ('ma', 'NY') and city <> 'New York'") == []


def test_in_lists_and_reversed_comparisons_are_checked_too(db):
    found = warnings_of(db, "state IN ('MA', 'MX') or 'Bostn' = city")
    assert any(w.startswith("no person has state 'MX'; nearest: 'MA'") for w in found), found
    assert any(w.startswith("no person has city 'Bostn'") for w in found), found
    assert not any("'MA';" in w.split("nearest")[0] for w in found)


def test_the_value_is_bound_not_pasted(db):
    found = warnings_of(db, "city = 'x'') OR true OR (''1'")
    assert len(found) == 1 and found[0].startswith("no person has city \"x') OR true OR ('1\"")


def test_no_persons_no_warning(tmp_path):
    store = Store(tmp_path / "empty.duckdb")
    with store.connect() as conn:
        assert unseen_values(conn, [("city", "Bostn")]) == []


def test_only_text_attributes_and_equality_are_checked(db):
    assert warnings_of(db, "city LIKE 'Bostn%' or age = 3 or city > 'Bostn'") == []


async def test_the_selections_screen_shows_the_warning(db):
    app = SelectionsApp(str(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await write_and_count(pilot, '[selections.typo]\nchannel = "email"\nwhere = "city = \'Bostn\'"\n')
        note = str(app.screen.query_one("#waterfall-note", Static).render())
        assert "warning: no person has city 'Bostn'; nearest: 'BOSTON'" in note


def test_seed_message_says_an_email_selection():
    text = '[selections.s]\nchannel = "email"\n[[selections.s.seeds]]\nname = "x"\n'
    with pytest.raises(SelectionError) as got:
        parse_selections_text(text)
    assert "for an email selection" in got.value.message and "a email" not in got.value.message
