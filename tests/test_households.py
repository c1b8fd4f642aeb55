"""Households: surname compatibility, partners, doors, crowded addresses, people without an address, review
items, stable ids, head of household and attributes, the export."""

from __future__ import annotations

import pytest
from test_households_helpers import groups, household_of, load, make_store

from workbench import clock
from workbench.errors import ConfigError
from workbench.households import run_households
from workbench.households.queries import EXPORT_HEADER, export_households, household
from workbench.store.sql import rows


@pytest.fixture
def store(tmp_path):
    s = make_store(tmp_path)
    yield s
    clock.set_now(None)


def marked(store) -> None:
    store.set_setting("households.partners", "marked")


def review(store) -> dict[int, list[str]]:
    with store.connect(read_only=True) as conn:
        found = rows(conn, "SELECT household_id, list(reason ORDER BY reason) AS r FROM household_review_items "
                           "WHERE status = 'open' GROUP BY household_id")
    return {r["household_id"]: r["r"] for r in found}


def test_compatible_surnames_share_a_household(store, tmp_path):
    marked(store)
    load(store, tmp_path, "crm", [
        ["A1", "John", "Smith", "1 Oak St", "", "02134"], ["A2", "Kim", "Smith-Jones", "1 Oak Street", "", "02134"],
        ["A3", "Lou", "Jones", "1 OAK ST", "", "02134"],  # joins through the hyphenated name
        ["B1", "Pat", "Garcia", "2 Elm St", "", "02134"], ["B2", "Sam", "Gracia", "2 Elm St", "", "02134"],  # slip
        ["C1", "Dan", "O'Brien", "3 Elm St", "", "02134"], ["C2", "Meg", "O Brien", "3 Elm St", "", "02134"],
        ["D1", "Al", "St John", "4 Elm St", "", "02134"], ["D2", "Bea", "Saint John", "4 Elm St", "", "02134"],
        ["E1", "Ed", "Smith", "5 Elm St", "", "02134"], ["E2", "Flo", "Jones", "5 Elm St", "", "02134"],
        ["F1", "Gus", "Smith", "1 Oak St", "", "60614"],  # same street, other ZIP: another door
    ])
    run_households(store)
    assert groups(store) == {frozenset({"A1", "A2", "A3"}), frozenset({"B1", "B2"}), frozenset({"C1", "C2"}),
                             frozenset({"D1", "D2"}), frozenset({"E1"}), frozenset({"E2"}), frozenset({"F1"})}
    open_items = review(store)
    assert open_items[household_of(store, "E1")] == ["surnames"] == open_items[household_of(store, "E2")]
    assert household_of(store, "A1") not in open_items


def test_probable_partners_evidence_and_doors(store, tmp_path):
    load(store, tmp_path, "crm", [
        ["A1", "Ed", "Smith", "5 Elm St", "", "02134"], ["A2", "Flo", "Jones", "5 Elm St", "", "02134"],
        ["B1", "Ivy", "Chen", "1215 Harvard Lane", "", "85479"], ["B2", "Hal", "Chen", "1215 Haravrd Ln", "", "85479"],
        ["C1", "Jo", "Park", "8 Bay Rd", "Apt 1", "98103"], ["C2", "Lin", "Park", "8 Bay Rd", "Apt 2", "98103"],
    ])
    store.set_setting("households.partners", "probable")
    run_households(store)  # probable: everyone at an uncrowded door is one household
    assert groups(store) == {frozenset({"A1", "A2"}), frozenset({"B1", "B2"}), frozenset({"C1"}), frozenset({"C2"})}
    assert review(store)[household_of(store, "A1")] == ["surnames"]
    marked(store)
    load(store, tmp_path, "crm", [
        ["A1", "Ed", "Smith", "5 Elm St", "", "02134", "", "617-555-0101"],
        ["A2", "Flo", "Jones", "5 Elm St", "", "02134", "", "(617) 555-0101"],  # a shared landline
        ["A3", "Gil", "Ortiz", "5 Elm St", "", "02134"],
    ], name="crm2.csv")
    run_households(store)
    assert groups(store) == {frozenset({"A1", "A2"}), frozenset({"A3"})}


def test_crowded_address_splits_by_surname_and_goes_to_review(store, tmp_path):
    names = ["Adams", "Baker", "Clark", "Davis", "Evans", "Fox", "Grant", "Adams"]
    load(store, tmp_path, "crm", [[f"H{i}", f"Stu{chr(65 + i)}", n, "100 College Ave", "", "02138"]
                                  for i, n in enumerate(names)])
    run_households(store)
    assert frozenset({"H0", "H7"}) in groups(store) and len(groups(store)) == 7
    assert all(r == ["crowded"] for r in review(store).values()) and len(review(store)) == 7


def test_people_without_an_address_join_by_contact_or_surname_in_zip(store, tmp_path):
    load(store, tmp_path, "crm", [
        ["A1", "Ed", "Smith", "5 Elm St", "", "02134", "ed@example.com"],
        ["A2", "Amy", "Smith", "", "", "", "ed@example.com"],  # shares Ed's email
        ["A3", "Tom", "Smith", "", "", "02134"],  # the only Smith household in 02134
        ["B1", "Al", "Ng", "6 Elm St", "", "02134"], ["B2", "Bo", "Ng", "7 Elm St", "", "02134"],
        ["B3", "Cy", "Ng", "", "", "02134"],  # two Ng households in the ZIP: stays alone
    ])
    run_households(store)
    assert frozenset({"A1", "A2", "A3"}) in groups(store) and frozenset({"B3"}) in groups(store)
    with store.connect(read_only=True) as conn:
        h = household(conn, household_of(store, "A1"))
    assert {m["first_name"]: m["joined_by"] for m in h["members"]} == {
        "Ed": "surname", "Amy": "phone or email", "Tom": "surname in ZIP"}
    assert h["members"][0]["first_name"] == "Ed"  # the head has an address


def test_ids_stay_stable_and_follow_the_largest_part(store, tmp_path):
    people = [["A1", "Ed", "Smith", "5 Elm St", "", "02134"], ["A2", "Flo", "Smith", "5 Elm St", "", "02134"],
              ["A3", "Gus", "Smith", "5 Elm St", "", "02134"], ["B1", "Al", "Ng", "6 Elm St", "", "02134"]]
    load(store, tmp_path, "crm", people)
    first = run_households(store)
    ids = {k: household_of(store, k) for k in ("A1", "B1")}
    again = run_households(store)
    assert again["households_kept"] == first["households"] and again["households_new"] == 0
    assert {k: household_of(store, k) for k in ("A1", "B1")} == ids
    people[2] = ["A3", "Gus", "Smith", "9 Far Rd", "", "30307"]  # Gus moves out: the larger part keeps the id
    load(store, tmp_path, "crm", people, name="crm2.csv")
    third = run_households(store)
    assert household_of(store, "A1") == ids["A1"] == household_of(store, "A2")
    assert household_of(store, "A3") not in ids.values() and third["households_new"] == 1
    assert household_of(store, "B1") == ids["B1"]


def test_head_of_household_attributes_and_rule(store, tmp_path):
    load(store, tmp_path, "crm", [["A1", "Ed", "Smith", "5 Elm St", "", "02134"],
                                  ["A2", "Flo", "Smith", "5 Elm St", "", "02134"]])
    load(store, tmp_path, "orders", [
        ["O1", "A1", "2026-10-01", "50.00", "northwind", "N"],
        ["O2", "A2", "2026-09-01", "80.00", "ember", "N"],
        ["O3", "A1", "2026-09-15", "500.00", "northwind", "Y"],  # returned: counts for nothing
        ["O4", "A1", "2024-01-01", "900.00", "tidewater", "N"],  # older than 12 months
    ])
    run_households(store)
    with store.connect(read_only=True) as conn:
        h = household(conn, household_of(store, "A1"))
    assert [m["first_name"] for m in h["members"]] == ["Flo", "Ed"] and h["members"][0]["is_head"]
    assert (h["size"], float(h["spend_12m"]), h["orders_12m"]) == (2, 130.0, 2)
    assert h["brands"] == ["ember", "northwind", "tidewater"]
    store.set_setting("households.head_rule", "spend_total desc")
    run_households(store)
    with store.connect(read_only=True) as conn:
        assert household(conn, household_of(store, "A1"))["members"][0]["first_name"] == "Ed"
    store.set_setting("households.head_rule", "shoe_size desc")
    with pytest.raises(ConfigError, match="shoe_size"):
        run_households(store)


def test_two_addresses_review_and_the_export(store, tmp_path):
    from test_households_helpers import merge_persons

    load(store, tmp_path, "crm", [["A1", "Ed", "Smith", "5 Elm St", "", "02134"]])
    load(store, tmp_path, "web", [["W1", "Ed", "Smith", "77 Main St", "", "10001"], ["W2", "Zoe", "Quinn"]])
    merge_persons(store, [("crm", "A1"), ("web", "W1")])
    run_households(store)
    assert review(store)[household_of(store, "A1")] == ["two_addresses"]
    assert household_of(store, "W1", "web") == household_of(store, "A1")
    path = tmp_path / "households.csv"
    with store.connect(read_only=True) as conn:
        assert export_households(conn, path) == 3
    lines = path.read_text().splitlines()
    assert lines[0] == EXPORT_HEADER == "household_id,source,key"
    assert sorted(line.split(",", 1)[1] for line in lines[1:]) == ["crm,A1", "web,W1", "web,W2"]


def test_an_empty_database_has_no_households(store, tmp_path):
    result = run_households(store)
    assert (result["persons"], result["households"], result["moves"]["moves"]) == (0, 0, 0)
    with store.connect(read_only=True) as conn:
        assert export_households(conn, tmp_path / "empty.csv") == 0
    assert (tmp_path / "empty.csv").read_text().strip() == EXPORT_HEADER
