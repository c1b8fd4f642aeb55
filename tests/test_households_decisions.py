"""Operators' household decisions (accept, move, split, merge) honoured by later runs and loads, through a
match run that renumbers persons; refusals; and the `workbench households` command line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from test_households_helpers import groups, household_of, load, make_store, merge_persons, renumber_persons

from workbench import clock
from workbench.errors import RefusedError
from workbench.households import decisions, run_households
from workbench.store.sql import rows

PEOPLE = [["S1", "Ed", "Smith", "5 Elm St", "", "02134"], ["S2", "Flo", "Smith", "5 Elm St", "", "02134"],
          ["S3", "Gus", "Smith", "5 Elm St", "", "02134"], ["J1", "Ann", "Jones", "5 Elm St", "", "02134"],
          ["K1", "Kai", "Ng", "8 Oak St", "", "60614"]]


@pytest.fixture
def store(tmp_path):
    s = make_store(tmp_path)
    s.set_setting("households.partners", "marked")  # surnames only, so the decisions show
    load(s, tmp_path, "crm", PEOPLE)
    run_households(s)
    yield s
    clock.set_now(None)


def open_items(store, key: str) -> list[str]:
    with store.connect(read_only=True) as conn:
        return [r["reason"] for r in rows(conn, "SELECT reason FROM household_review_items WHERE status = 'open' "
                                                "AND household_id = ?", [household_of(store, key)])]


def rerun(store, tmp_path, name: str) -> None:
    load(store, tmp_path, "crm", PEOPLE, name=name)  # the same extract again, then a run
    run_households(store)


def test_merge_then_split_are_honoured_by_later_runs(store, tmp_path):
    smiths, jones = household_of(store, "S1"), household_of(store, "J1")
    assert open_items(store, "J1") == ["surnames"]
    result = decisions.merge(store, smiths, jones, note="partners")
    assert result["households"] == [smiths]
    assert frozenset({"S1", "S2", "S3", "J1"}) in groups(store) and open_items(store, "S1") == []
    rerun(store, tmp_path, "again.csv")
    assert frozenset({"S1", "S2", "S3", "J1"}) in groups(store) and open_items(store, "S1") == []
    with store.connect(read_only=True) as conn:
        gus = rows(conn, "SELECT m.person_id FROM household_members m JOIN persons p USING (person_id) "
                         "WHERE p.first_name = 'Gus'")[0]["person_id"]
    decisions.split(store, smiths, [gus])
    rerun(store, tmp_path, "again2.csv")
    assert groups(store) == {frozenset({"S1", "S2", "J1"}), frozenset({"S3"}), frozenset({"K1"})}
    assert household_of(store, "S1") == smiths  # the larger part keeps the id


def test_move_member_and_refusals(store, tmp_path):
    smiths, jones = household_of(store, "S1"), household_of(store, "J1")
    with store.connect(read_only=True) as conn:
        ed = rows(conn, "SELECT pr.person_id FROM records r JOIN person_records pr USING (record_id) "
                        "WHERE r.source_key = 'S1'")[0]["person_id"]
    decisions.move_member(store, ed, jones)
    rerun(store, tmp_path, "again.csv")
    assert frozenset({"S1", "J1"}) in groups(store) and frozenset({"S2", "S3"}) in groups(store)
    assert household_of(store, "S2") == smiths
    with pytest.raises(RefusedError, match="another address"):
        decisions.move_member(store, ed, household_of(store, "K1"))
    with pytest.raises(RefusedError, match="not all of them"):
        decisions.split(store, household_of(store, "K1"), [rows_of(store, "K1")])


def rows_of(store, key: str) -> int:
    with store.connect(read_only=True) as conn:
        return rows(conn, "SELECT pr.person_id FROM records r JOIN person_records pr USING (record_id) "
                          "WHERE r.source_key = ?", [key])[0]["person_id"]


def test_accept_closes_review_until_the_members_change_and_survives_renumbering(store, tmp_path):
    decisions.accept(store, household_of(store, "J1"))
    assert open_items(store, "J1") == []
    load(store, tmp_path, "web", [["W1", "Ann", "Jones", "5 Elm St", "", "02134"],
                                  ["W2", "Bea", "Jones", "5 Elm St", "", "02134"]])
    merge_persons(store, [("web", "W1"), ("crm", "J1")])  # a match run renumbers Ann's person
    run_households(store)
    assert household_of(store, "W2", "web") == household_of(store, "J1")
    assert open_items(store, "J1") == ["surnames"]  # a new member (Bea): look again
    decisions.merge(store, household_of(store, "S1"), household_of(store, "J1"))
    merge_persons(store, [("crm", "S1"), ("crm", "S2")])
    renumber_persons(store)  # every person id changes after the decision
    run_households(store)
    assert household_of(store, "J1") == household_of(store, "S1") == household_of(store, "S3")


def test_command_line(store, tmp_path):
    from workbench.cli import main
    from workbench.commands.households import COMMANDS

    if "households" not in main.commands:
        main.add_command(COMMANDS[0])
    runner = CliRunner()
    db = ["--db", str(store.path)]
    out = tmp_path / "hh.csv"
    r = runner.invoke(main, [*db, "households", "--export", str(out), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["households"] == 3 and data["households_kept"] == 3 and data["exported"]["rows"] == 5
    assert set(data["timings"]) >= {"moves", "group", "ids", "members", "households", "review"}
    assert out.read_text().splitlines()[0] == "household_id,source,key"
    r = runner.invoke(main, [*db, "households", "list", "--review", "--json"])
    listed = json.loads(r.output)
    assert listed["total"] == 2 and {h["surname"] for h in listed["households"]} == {"Smith", "Jones"}
    jones = household_of(store, "J1")
    r = runner.invoke(main, [*db, "households", "accept", str(jones)])
    assert r.exit_code == 0 and "accepted household" in r.output
    r = runner.invoke(main, [*db, "households", "show", str(jones)])
    assert "Ann Jones" in r.output and "review (accepted)" in r.output
    r = runner.invoke(main, [*db, "households", "merge", str(jones), str(household_of(store, "K1"))])
    assert r.exit_code == 1 and "another address" in r.output
    r = runner.invoke(main, [*db, "households", "--head-rule", "size desc"])
    assert r.exit_code == 2 and "unknown term 'size'" in r.output
