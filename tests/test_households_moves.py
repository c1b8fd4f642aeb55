"""Change of address: NCOA return codes (A individual and family, 01, 02, 00), idempotent reruns, moves that
survive a golden refresh and a later load, newer source addresses winning, chains, nickname tolerance."""

from __future__ import annotations

import pytest
from test_households_helpers import deliverable, golden_address, household_of, load, make_store, merge_persons

from workbench import clock
from workbench.households import run_households
from workbench.households.moves import apply_address_overrides
from workbench.identity.golden import refresh_golden
from workbench.store.sql import rows, scalar

OLD = "12 OAK ST||02134"
NEW = "99 ELM AVE|4B|10001"


@pytest.fixture
def store(tmp_path):
    s = make_store(tmp_path)
    load(s, tmp_path, "crm", [
        ["C1", "Robert", "Smith", "12 Oak Street", "", "02134", "bob@example.com"],
        ["C2", "Mary", "Smith", "12 OAK ST.", "", "02134", "mary@example.com"],
        ["C3", "Ann", "Lee", "12 Oak St", "", "02134", "ann@example.com"],  # partner, own surname
        ["C4", "Joe", "Brown", "7 Pine Rd", "", "60614", "joe@example.com"],
        ["C5", "Eve", "Stone", "3 Bay Ct", "", "98103", "eve@example.com"],
    ])
    yield s
    clock.set_now(None)


def ncoa(store, tmp_path, data):
    load(store, tmp_path, "ncoa", data)
    return run_households(store)


def move(first, last, old_line, old_zip, code, kind, new=("", "", "", "", ""), date="2026-06-01"):
    return [first, last, old_line, "", "", "", old_zip, *new, code, kind, date]


NEW_ADDR = ("99 Elm Avenue", "Apt 4B", "New York", "NY", "10001")


def test_individual_move_changes_only_that_person(store, tmp_path):
    r = ncoa(store, tmp_path, [move("BOB", "SMITH", "12 OAK ST", "02134", "A", "I", NEW_ADDR)])
    assert r["moves"]["applied_now"] == 1 and r["moves"]["by_code"] == {"A": 1}
    assert golden_address(store, "C1") == NEW  # nickname BOB -> ROBERT
    assert golden_address(store, "C2") == OLD and golden_address(store, "C3") == OLD
    assert household_of(store, "C1") != household_of(store, "C2")
    with store.connect(read_only=True) as conn:
        hist = rows(conn, "SELECT old_addr_key, new_addr_key, return_code, move_type FROM address_history")
    assert hist == [{"old_addr_key": OLD, "new_addr_key": NEW, "return_code": "A", "move_type": "I"}]


def test_family_move_takes_the_household_and_reruns_change_nothing(store, tmp_path):
    store.set_setting("households.partners", "probable")  # the partner with her own surname is family
    r = ncoa(store, tmp_path, [move("", "SMITH", "12 OAK ST", "02134", "A", "F", NEW_ADDR)])
    assert r["moves"]["persons_moved"] == 3  # both Smiths and the partner at that door
    assert {golden_address(store, k) for k in ("C1", "C2", "C3")} == {NEW}
    assert household_of(store, "C1") == household_of(store, "C3")
    again = run_households(store)
    assert again["moves"]["applied_now"] == 0 and again["moves"]["applied_before"] == 1
    assert again["moves"]["addresses_updated"] == 0
    with store.connect(read_only=True) as conn:
        assert scalar(conn, "SELECT count(*) FROM address_history") == 3
        assert scalar(conn, "SELECT count(*) FROM applied_moves") == 1


def test_undeliverable_codes_and_no_match(store, tmp_path):
    r = ncoa(store, tmp_path, [
        move("JOE", "BROWN", "7 Pine Road", "60614", "01", "I"),
        move("EVE", "STONE", "3 Bay Court", "98103", "2", "I"),  # '2' as a spreadsheet wrote '02'
        move("ANN", "LEE", "12 OAK ST", "02134", "00", ""),
    ])
    assert r["moves"]["by_code"] == {"01": 1, "02": 1} and r["moves"]["no_match_code"] == 1
    assert deliverable(store, "C4") == (False, "foreign move (NCOA 01)")
    assert deliverable(store, "C5") == (False, "moved, left no address (NCOA 02)")
    assert deliverable(store, "C3") == (True, None)
    assert golden_address(store, "C4") == "7 PINE RD||60614"  # no new address: the old one stays


def test_a_move_survives_golden_refresh_and_later_loads(store, tmp_path):
    ncoa(store, tmp_path, [move("ROBERT", "SMITH", "12 OAK ST", "02134", "A", "I", NEW_ADDR)])
    with store.transaction() as conn:
        refresh_golden(conn)  # what a match run or ensure_derived does: it re-applies the move itself
        assert rows(conn, "SELECT addr_key FROM persons WHERE person_id = (SELECT pr.person_id FROM records r "
                          "JOIN person_records pr USING (record_id) WHERE source_key = 'C1')")[0]["addr_key"] == NEW
        assert apply_address_overrides(conn) == 0  # nothing left to put back
    assert golden_address(store, "C1") == NEW
    clock.set_now("2026-11-21T10:00:00")  # the web shop sends Robert again, still at the old address
    load(store, tmp_path, "web", [["W1", "Robert", "Smith", "12 Oak St", "", "02134", "bob@example.com"]])
    merge_persons(store, [("crm", "C1"), ("web", "W1")])
    run_households(store)
    assert golden_address(store, "C1") == NEW
    with store.connect(read_only=True) as conn:  # the new record was reached by the move too
        assert scalar(conn, "SELECT count(*) FROM move_applications") == 2


def test_a_newer_address_from_a_source_wins_over_the_move(store, tmp_path):
    ncoa(store, tmp_path, [move("ROBERT", "SMITH", "12 OAK ST", "02134", "A", "I", NEW_ADDR)])
    load(store, tmp_path, "crm", [
        ["C1", "Robert", "Smith", "5 River Rd", "", "30307", "bob@example.com"],
        ["C2", "Mary", "Smith", "12 OAK ST.", "", "02134", "mary@example.com"],
        ["C3", "Ann", "Lee", "12 Oak St", "", "02134", "ann@example.com"],
        ["C4", "Joe", "Brown", "7 Pine Rd", "", "60614", "joe@example.com"],
        ["C5", "Eve", "Stone", "3 Bay Ct", "", "98103", "eve@example.com"],
    ], name="crm2.csv")
    run_households(store)
    assert golden_address(store, "C1") == "5 RIVER RD||30307"


def test_chained_moves_and_typos_in_names(store, tmp_path):
    r = ncoa(store, tmp_path, [
        move("ROBRET", "SMITH", "12 OAK ST", "02134", "A", "I", NEW_ADDR, "2026-03-01"),  # a typing slip
        move("ROBERT", "SMITH", "99 ELM AVE APT 4B", "10001", "A", "I", ("1 Lake Dr", "", "Austin", "TX", "78701"),
             "2026-08-01"),
    ])
    assert r["moves"]["applied_now"] == 2
    assert golden_address(store, "C1") == "1 LAKE DR||78701"
    assert golden_address(store, "C2") == OLD
