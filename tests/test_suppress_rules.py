"""Each match rule against adversarial cases: other case, other format, other abbreviations, a second record,
a different first name at the same address (must not match), initials, units, generational suffixes."""

from __future__ import annotations

import shutil

import pytest
from test_suppress_helpers import load_people, load_rows, make_store, suppressed

from workbench import clock
from workbench.store import Store
from workbench.store.sql import run
from workbench.suppress import ensure_person_suppressions

NAME_ADDR = ["first_name", "last_name", "address_line1", "address_line2", "postal_code"]

# The Smiths (father Robert, son Michael, mother Mary) at one flat; a neighbour in another flat; John and
# Joan Doe (one typing slip apart) at one house; awkward surnames; a namesake father and son (Sr / Jr).
PEOPLE = [
    ["C1", "Robert", "Smith", "12 North Oak Street", "Apartment 4", "02134", "Bob.Smith@Example.com", "(617) 555-0101"],
    ["C2", "Michael", "Smith", "12 N. Oak St.", "Apt 4", "02134", "mike@example.com", "617.555.0101"],
    ["C3", "Mary", "Smith", "12 N Oak St", "#4", "02134-1234", "", ""],
    ["C4", "Rita", "Jones", "12 N Oak St", "Apt 5", "02134", "rita@example.com", "6175550199"],
    ["C5", "John", "Doe", "7 Elm Road", "", "01602", "john.doe@example.com", ""],
    ["C6", "Joan", "Doe", "7 Elm Rd", "", "01602", "joan.doe@example.com", ""],
    ["C7", "Sean", "O'Brien", "3 West Main Ave", "", "06103", "", ""],
    ["C8", "Ana", "Garcia-Lopez", "9 Pine Ln", "", "10025", "", ""],
    ["C9", "Kevin", "St. Pierre", "40 Park Pl", "", "01108", "", ""],
    ["C10", "Robert", "Brown Sr", "5 Lake Dr", "", "02116", "", ""],
    ["C11", "Robert", "Brown Jr", "5 Lake Dr", "", "02116", "", ""],
    ["C12", "Christine", "Walsh", "88 Cedar Ct", "", "02903", "", ""],
    ["C13", "Kenneth", "Rivera", "9626 Beacon St", "", "02906", "", ""],
    ["C14", "Tom", "Smith", "12 N Oak St", "", "02135", "", ""],  # same street, other ZIP
    ["C15", "Paul", "Young", "30 River Rd", "", "02215", "", ""],
    ["C16", "P", "Young", "30 River Rd", "", "02215", "", ""],  # the same man, by his initial, on a store card
]


@pytest.fixture(scope="module")
def base_db(tmp_path_factory):
    """The people loaded once (and derived data brought up to date); each test gets a copy."""
    folder = tmp_path_factory.mktemp("sup_base")
    s = make_store(folder)
    load_people(s, folder, PEOPLE)
    suppressed(s, "mail")
    return s.path


@pytest.fixture
def store(tmp_path, base_db):
    clock.set_now("2026-11-20T10:00:00")
    shutil.copy(base_db, tmp_path / "sup.duckdb")
    return Store(tmp_path / "sup.duckdb", busy_timeout=0.5)


def mps(store, tmp_path, *entries):
    load_rows(store, tmp_path, "mps", NAME_ADDR, [list(e) for e in entries])
    return {k.split(":")[1] for k in suppressed(store, "mail")}


def test_email_any_case_and_spaces(store, tmp_path):
    load_rows(store, tmp_path, "unsubscribes", ["email"], [["  BOB.SMITH@example.COM "], ["nobody@example.com"]])
    assert suppressed(store, "email") == {"crm:C1"}
    assert suppressed(store, "mail") == set() and suppressed(store, "phone") == set()


def test_phone_any_format_reaches_everyone_with_the_number(store, tmp_path):
    load_rows(store, tmp_path, "dnc", None, [["617", "555-0101"], ["212", "5550000"]])
    assert suppressed(store, "phone") == {"crm:C1", "crm:C2"}  # the shared landline is on the list
    assert suppressed(store, "email") == set()


# Each list is loaded as one Mail Preference file; the persons removed must be exactly the expected ones, so
# a row that reached a wrong person (Michael for "R. Smith", Joan for "John Doe") shows up as an extra.
def test_name_address_spellings_initials_units_suffixes(store, tmp_path):
    got = mps(store, tmp_path,
              ["R.", "SMITH", "12 N OAK ST", "", "02134"],  # Robert, never Michael or Mary
              ["Rita", "Jones", "12 North Oak St Unit 5", "", "02134"],  # unit written in the line
              ["Mary", "Smith", "12 N Oak St", "Apt 5", "02134"],  # no Mary in flat 5: nobody
              ["SEAN", "O BRIEN", "3 W MAIN AVENUE", "", "06103"],
              ["Ana", "Garcia", "9 Pine Lane", "", "10025"],  # one part of a hyphenated surname
              ["KEVIN", "SAINT PIERRE", "40 PARK PLACE", "", "1108"],  # ZIP lost its leading zero
              ["Robert", "Brown Jr.", "5 Lake Drive", "", "02116"],  # the son, not the father (Sr)
              ["John", "Doe", "7 Elm Road", "", "01602"],  # never his wife Joan, one letter away
              ["KEN", "RIIVERA", "9626 BEACON ST", "", "02906"],  # nickname and a slip in the surname
              ["Chris", "Walsh", "88 Cedar Court", "", "02903"])  # a nickname the shipped table lacks
    assert got == {"C1", "C4", "C7", "C8", "C9", "C11", "C5", "C13", "C12"}


def test_name_address_nickname_no_unit_surname_only(store, tmp_path):
    got = mps(store, tmp_path,
              ["BOB", "SMITH", "12 NORTH OAK STREET APT. 4", "", "2134"],  # Robert, not Michael or Mary
              ["Mary", "Smith", "12 N Oak St", "", "02134"],  # no unit given: compatible with #4
              ["Robert", "Brown", "5 Lake Drive", "", "02116"],  # no suffix: father and son
              ["", "Doe", "7 Elm Road", "", "01602"])  # a surname only: the Does at that door
    assert got == {"C1", "C3", "C10", "C11", "C5", "C6"}


def test_name_address_initial_and_slip_fallback(store, tmp_path):
    got = mps(store, tmp_path,
              ["M", "Smith", "12 N Oak St", "", "02134"],  # Michael and Mary, not Robert or Tom (other ZIP)
              ["JONH", "DOE", "7 ELM RD", "", "01602"],  # no exact John: one slip finds John, not Joan
              ["Christina", "Walsh", "88 Cedar Ct", "", "02903"],  # one slip from Christine, nobody else
              ["PAULL", "YOUNG", "30 RIVER RD", "", "02215"])  # the initial record does not block the slip
    assert got == {"C2", "C3", "C5", "C12", "C15", "C16"}


def test_address_rule_everyone_at_the_door(store, tmp_path):
    load_rows(store, tmp_path, "bad_addresses", ["address_line1", "postal_code"], [["12 North Oak St Apt 4", "02134"]])
    assert {k.split(":")[1] for k in suppressed(store, "mail")} == {"C1", "C2", "C3"}
    assert suppressed(store, "email") == set()


def test_person_suppressed_through_a_second_record(store, tmp_path):
    load_people(store, tmp_path, [["W1", "Bobby", "Smith", "", "", "", "BOBBY99@EXAMPLE.NET", ""]], source="web")
    load_rows(store, tmp_path, "unsubscribes", ["email"], [["bobby99@example.net"]])
    assert suppressed(store, "email") == {"web:W1"}
    with store.connect() as conn:  # a match run puts W1 with Robert's crm record C1
        run(conn, """UPDATE person_records SET person_id = (SELECT pr.person_id FROM person_records pr
            JOIN records r USING (record_id) WHERE r.source_key = 'C1')
            WHERE record_id = (SELECT record_id FROM records WHERE source_key = 'W1')""")
        assert ensure_person_suppressions(conn) is True  # the match run invalidated the table
    assert suppressed(store, "email") == {"web:W1", "crm:C1"}


def test_deceased_applies_to_every_channel(store, tmp_path):
    load_rows(store, tmp_path, "deceased", NAME_ADDR, [["ROBERT", "SMITH", "12 N OAK ST", "APT 4", "02134"]])
    for channel in ("mail", "email", "phone"):
        assert suppressed(store, channel) == {"crm:C1"}


def test_golden_address_after_a_move_is_matched(store, tmp_path):
    with store.connect() as conn:  # as a change of address would: a new golden address, records unchanged
        ensure_person_suppressions(conn)
        run(conn, """UPDATE persons SET addr_street = '1 NEW ST', addr_unit = NULL, zip5 = '02215',
            addr_key = '1 NEW ST||02215' WHERE person_id = (SELECT person_id FROM person_records
            JOIN records USING (record_id) WHERE source_key = 'C5')""")
    assert mps(store, tmp_path, ["John", "Doe", "1 New Street", "", "02215"]) == {"C5"}
