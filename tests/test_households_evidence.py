"""Households that use all the evidence (issue 11): the current address by recency across sources and moves,
records of a person (old address, no address) in the person's household, families left behind at an old
door, shared landline or email, roommates apart at the household level, a marked partner."""

from __future__ import annotations

import pytest
from test_households_helpers import groups, household_of, load, make_store, merge_persons

from workbench import clock
from workbench.households import run_households
from workbench.households.decisions import merge
from workbench.households.queries import export_households
from workbench.store.sql import rows

OLD, NEW = "12 OAK ST||02134", "99 ELM AVE||10001"


@pytest.fixture
def store(tmp_path):
    s = make_store(tmp_path)
    yield s
    clock.set_now(None)


def door_of(store, key: str, source: str = "crm") -> str | None:
    with store.connect(read_only=True) as conn:
        return rows(conn, "SELECT h.addr_key FROM records r JOIN household_records hr USING (record_id) "
                          "JOIN households h USING (household_id) WHERE r.source = ? AND r.source_key = ?",
                    [source, key])[0]["addr_key"]


def exported(store, tmp_path) -> dict[tuple[str, str], str]:
    path = tmp_path / "hh.csv"
    with store.connect(read_only=True) as conn:
        export_households(conn, path)
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return {(s, k): h for h, s, k in (line.split(",") for line in lines)}


def test_mover_records_join_the_household_at_the_newest_address(store, tmp_path):
    # crm (priority 1) still has Bob at the old door (2022); the web (priority 2) has him at the new one (2025)
    load(store, tmp_path, "crm", [
        ["C1", "Robert", "Smith", "12 Oak Street", "", "02134", "bob@example.com", "", "2022-03-01"],
        ["C2", "Mary", "Smith", "99 Elm Avenue", "", "10001", "mary@example.com", "", "2025-05-01"],
    ])
    load(store, tmp_path, "web", [["W1", "Bob", "Smith", "99 Elm Ave", "", "10001", "bob@example.com", "",
                                   "2025-06-01"]])
    merge_persons(store, [("crm", "C1"), ("web", "W1")])
    run_households(store)
    with store.connect(read_only=True) as conn:  # the golden address goes by recency too: the new door
        golden = rows(conn, "SELECT p.first_name, p.addr_key FROM persons p JOIN person_records pr USING "
                            "(person_id) JOIN records r USING (record_id) WHERE r.source_key = 'C1'")[0]
    assert golden == {"first_name": "Robert", "addr_key": NEW}  # the name still by priority (crm)
    assert door_of(store, "C1") == NEW
    assert household_of(store, "C1") == household_of(store, "C2") == household_of(store, "W1", "web")
    got = exported(store, tmp_path)
    assert got[("crm", "C1")] == got[("web", "W1")] == got[("crm", "C2")]


def test_moved_person_on_a_list_at_the_old_address(store, tmp_path):
    # an NCOA move took Bob to the new door; a list loaded later still has him at the old one, without an
    # as-of date: the move wins over the list's load time
    load(store, tmp_path, "crm", [
        ["C1", "Robert", "Smith", "12 Oak Street", "", "02134", "bob@example.com", "", "2024-01-01"],
        ["C2", "Mary", "Smith", "99 Elm Avenue", "", "10001", "mary@example.com", "", "2025-05-01"],
    ])
    load(store, tmp_path, "ncoa", [["ROBERT", "SMITH", "12 OAK ST", "", "", "", "02134", "99 Elm Ave", "",
                                    "New York", "NY", "10001", "A", "I", "2025-04-01"]])
    run_households(store)
    clock.set_now("2026-11-21T10:00:00")
    load(store, tmp_path, "web", [["W1", "Robert", "Smith", "12 Oak St", "", "02134", "bob@example.com"]])
    merge_persons(store, [("crm", "C1"), ("web", "W1")])
    run_households(store)
    assert door_of(store, "W1", "web") == NEW
    assert household_of(store, "W1", "web") == household_of(store, "C2")
    # a store record at the old door with a business date after the move (its last purchase) does not
    # bring him back; a different, newer address from a source does
    load(store, tmp_path, "web", [
        ["W1", "Robert", "Smith", "12 Oak St", "", "02134", "bob@example.com"],
        ["W2", "Robert", "Smith", "12 Oak St", "", "02134", "bob@example.com", "", "2026-09-01"]], name="web2.csv")
    merge_persons(store, [("crm", "C1"), ("web", "W1"), ("web", "W2")])
    run_households(store)
    assert door_of(store, "W2", "web") == NEW
    load(store, tmp_path, "web", [
        ["W1", "Robert", "Smith", "12 Oak St", "", "02134", "bob@example.com"],
        ["W2", "Robert", "Smith", "12 Oak St", "", "02134", "bob@example.com", "", "2026-09-01"],
        ["W3", "Robert", "Smith", "7 Pine Rd", "", "60614", "bob@example.com", "", "2026-10-01"]], name="web3.csv")
    merge_persons(store, [("crm", "C1"), ("web", "W1"), ("web", "W3")])
    run_households(store)
    assert door_of(store, "W1", "web") == "7 PINE RD||60614"
    assert household_of(store, "W1", "web") != household_of(store, "C2")


def test_address_less_record_follows_its_person(store, tmp_path):
    load(store, tmp_path, "crm", [
        ["C1", "Ann", "Lee", "12 Oak Street", "", "02134", "ann@example.com"],
        ["C2", "Tom", "Lee", "12 Oak St", "", "02134", "tom@example.com"],
    ])
    load(store, tmp_path, "web", [["W1", "Ann", "Lee", "", "", "", "ann@example.com"]])
    merge_persons(store, [("crm", "C1"), ("web", "W1")])
    run_households(store)
    got = exported(store, tmp_path)
    assert got[("web", "W1")] == got[("crm", "C1")] == got[("crm", "C2")]


def test_address_less_family_member_with_the_shared_landline_joins(store, tmp_path):
    load(store, tmp_path, "crm", [
        ["C1", "Ann", "Lee", "12 Oak Street", "", "02134", "ann@example.com", "617-555-0101"],
        ["C2", "Tom", "Lee", "12 Oak St", "", "02134", "tom@example.com"],
    ])
    # a teenager known to the web shop only by a phone: the home landline; another web customer, no link
    load(store, tmp_path, "web", [
        ["W1", "Kim", "Lee", "", "", "", "kim@example.com", "(617) 555-0101"],
        ["W2", "Joe", "Lee", "", "", "", "joe@example.com", "212-555-0199"],
    ])
    r = run_households(store)
    assert household_of(store, "W1", "web") == household_of(store, "C1") == household_of(store, "C2")
    assert household_of(store, "W2", "web") != household_of(store, "C1")
    assert r["households"] == 2


def test_roommates_apart_at_household_level_together_at_address_level(store, tmp_path):
    load(store, tmp_path, "crm", [
        ["C1", "Ann", "Lee", "12 Oak Street", "", "02134", "ann@example.com", "617-555-0101"],
        ["C2", "Raj", "Patel", "12 Oak St", "", "02134", "raj@example.com", "617-555-0102"],
    ])
    run_households(store)
    assert household_of(store, "C1") != household_of(store, "C2")
    with store.connect(read_only=True) as conn:
        found = rows(conn, "SELECT addr_key, address_households, address_people FROM households ORDER BY 1")
    assert found == [{"addr_key": OLD, "address_households": 2, "address_people": 2}] * 2


def test_couple_with_different_surnames_sharing_a_phone_is_one_household(store, tmp_path):
    # the shared landline is on Raj's web record only (his golden phone is his mobile): all records count
    load(store, tmp_path, "crm", [
        ["C1", "Ann", "Lee", "12 Oak Street", "", "02134", "ann@example.com", "617-555-0101"],
        ["C2", "Raj", "Patel", "12 Oak St", "", "02134", "raj@example.com", "617-555-0177"],
        ["C3", "Sue", "Khan", "12 Oak St", "", "02134", "sue@example.com"],  # a lodger: nothing shared
    ])
    load(store, tmp_path, "web", [["W1", "Raj", "Patel", "12 Oak St", "", "02134", "raj@example.com",
                                   "617 555 0101"]])
    merge_persons(store, [("crm", "C2"), ("web", "W1")])
    run_households(store)
    assert groups(store) == {frozenset({"C1", "C2", "W1"}), frozenset({"C3"})}


def test_couple_sharing_an_email_is_one_household(store, tmp_path):
    load(store, tmp_path, "crm", [
        ["C1", "Ann", "Lee", "12 Oak Street", "", "02134", "leepatel@example.com"],
        ["C2", "Raj", "Patel", "12 Oak St", "", "02134", "LeePatel@example.com"],
    ])
    run_households(store)
    assert household_of(store, "C1") == household_of(store, "C2")


def test_marked_partner_with_another_surname_joins(store, tmp_path):
    load(store, tmp_path, "crm", [
        ["C1", "Ann", "Lee", "12 Oak Street", "", "02134", "ann@example.com"],
        ["C2", "Raj", "Patel", "12 Oak St", "", "02134", "raj@example.com"],
    ])
    run_households(store)
    assert household_of(store, "C1") != household_of(store, "C2")
    merge(store, household_of(store, "C1"), household_of(store, "C2"), note="married")
    assert household_of(store, "C1") == household_of(store, "C2")
    run_households(store)  # honoured by later runs
    assert household_of(store, "C1") == household_of(store, "C2")


def test_family_left_at_the_old_door_follows_without_a_moves_file(store, tmp_path):
    load(store, tmp_path, "crm", [
        ["C1", "Robert", "Smith", "12 Oak Street", "", "02134", "bob@example.com", "", "2022-03-01"],
        ["C2", "Mary", "Smith", "12 Oak St", "", "02134", "mary@example.com", "", "2021-08-01"],  # seen before
        ["C3", "Jane", "Smyth", "12 Oak St", "", "02134", "jane@example.com", "", "2026-02-01"],  # new resident
        ["C4", "Ed", "Jones", "12 Oak St", "", "02134", "ed@example.com", "", "2020-01-01"],  # a lodger
    ])
    load(store, tmp_path, "web", [["W1", "Bob", "Smith", "99 Elm Ave", "", "10001", "bob@example.com", "",
                                   "2025-06-01"]])
    merge_persons(store, [("crm", "C1"), ("web", "W1")])
    r = run_households(store)
    assert r["followed_family"] == 1
    assert household_of(store, "C2") == household_of(store, "C1") and door_of(store, "C2") == NEW
    assert door_of(store, "C3") == OLD and household_of(store, "C3") != household_of(store, "C1")
    assert door_of(store, "C4") == OLD


def test_probable_partners_setting_still_joins_a_door(store, tmp_path):
    store.set_setting("households.partners", "probable")
    load(store, tmp_path, "crm", [
        ["C1", "Ann", "Lee", "12 Oak Street", "", "02134", "ann@example.com"],
        ["C2", "Raj", "Patel", "12 Oak St", "", "02134", "raj@example.com"],
    ])
    run_households(store)
    assert household_of(store, "C1") == household_of(store, "C2")


def test_a_slip_in_suffix_or_directional_is_another_street(store, tmp_path):
    load(store, tmp_path, "crm", [
        ["C1", "Ann", "Lee", "12 Pine Road", "", "02134"], ["C2", "Bo", "Lee", "12 Pine Drive", "", "02134"],
        ["C3", "Cy", "Ray", "100 North Main Street", "", "02134"],
        ["C4", "Di", "Ray", "100 South Main Street", "", "02134"],
        ["C5", "Ed", "Fox", "1215 Harvard Lane", "", "02134"], ["C6", "Flo", "Fox", "1215 Haravrd Ln", "", "02134"],
    ])
    run_households(store)
    assert groups(store) == {frozenset({"C1"}), frozenset({"C2"}), frozenset({"C3"}), frozenset({"C4"}),
                             frozenset({"C5", "C6"})}


def test_family_move_reaches_members_whose_newest_record_is_at_the_old_door(store, tmp_path):
    # Ines's golden address (crm, the first source) is not the old door, but her newest record (a store
    # visit after the move date) is: the family move must reach her, and the old door must not win by recency
    load(store, tmp_path, "crm", [
        ["C1", "Mateo", "Nguyen", "12 Oak Street", "", "02134", "mateo@example.com", "", "2026-06-01"],
        ["C2", "Ines", "Nguyen", "99 Elm Ave", "", "10001", "ines@example.com", "", "2024-01-01"],
    ])
    load(store, tmp_path, "web", [["W2", "Ines", "Nguyen", "12 Oak St", "", "02134", "ines@example.com", "",
                                   "2026-07-19"]])
    merge_persons(store, [("crm", "C2"), ("web", "W2")])
    load(store, tmp_path, "ncoa", [["MATEO", "NGUYEN", "12 OAK ST", "", "", "", "02134", "99 Elm Ave", "",
                                    "New York", "NY", "10001", "A", "F", "2026-07-05"]])
    r = run_households(store)
    assert r["moves"]["persons_moved"] == 2
    assert door_of(store, "C1") == door_of(store, "W2", "web") == NEW
    assert household_of(store, "C1") == household_of(store, "C2")


def test_cli_run_prints_partners_and_followed_families(store, tmp_path):
    from click.testing import CliRunner

    from workbench.cli import main

    load(store, tmp_path, "crm", [
        ["C1", "Ann", "Lee", "12 Oak Street", "", "02134", "ann@example.com"],
        ["C2", "Raj", "Patel", "12 Oak St", "", "02134", "raj@example.com"],
    ])
    out = tmp_path / "export.csv"
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "hh.duckdb"), "households", "--export", str(out)])
    assert result.exit_code == 0, result.output
    assert "partners: marked; 0 persons followed their family" in result.output
    assert "2 households" in result.output


def test_no_follow_when_dates_prove_nothing(store, tmp_path):
    # no as-of dates, one load time: which door is newer is unknown, so nobody follows
    # (Bob's current address is the crm's, by priority; his web record at the old door is as old as it)
    load(store, tmp_path, "crm", [
        ["C1", "Robert", "Smith", "99 Elm Ave", "", "10001", "bob@example.com"],
        ["C2", "Mary", "Smith", "12 Oak St", "", "02134", "mary@example.com"],
    ])
    load(store, tmp_path, "web", [["W1", "Bob", "Smith", "12 Oak Street", "", "02134", "bob@example.com"]])
    merge_persons(store, [("crm", "C1"), ("web", "W1")])
    r = run_households(store)
    assert door_of(store, "C1") == NEW
    assert r["followed_family"] == 0 and door_of(store, "C2") == OLD


def test_a_suffix_directional_or_unit_written_on_one_side_only_is_one_door(store, tmp_path):
    load(store, tmp_path, "crm", [
        ["C1", "Ann", "Rich", "2677 Francis Circle", "", "02134"], ["C2", "Bo", "Rich", "2677 FRANCIS", "", "02134"],
        ["C3", "Cy", "Kidd", "214 Hall Street", "", "02134"], ["C4", "Di", "Kidd", "214 NE HALL ST", "", "02134"],
        ["C5", "Ed", "Green", "128 Key Street Apt 1", "", "02134"], ["C6", "Flo", "Green", "128 Key St", "", "02134"],
        # two suffixes at one number: a line without one is unclear and joins neither
        ["C7", "Gus", "Pine", "12 Pine Road", "", "02134"], ["C8", "Hal", "Pine", "12 Pine Drive", "", "02134"],
        ["C9", "Ida", "Pine", "12 Pine", "", "02134"],
        # a building with two flats: the line without a flat is the building, not a flat
        ["C10", "Jo", "Moss", "5 Elm St Apt 1", "", "02134"], ["C11", "Kit", "Moss", "5 Elm St Apt 2", "", "02134"],
        ["C12", "Lu", "Moss", "5 Elm St", "", "02134"],
    ])
    run_households(store)
    assert groups(store) == {frozenset({"C1", "C2"}), frozenset({"C3", "C4"}), frozenset({"C5", "C6"}),
                             frozenset({"C7"}), frozenset({"C8"}), frozenset({"C9"}),
                             frozenset({"C10"}), frozenset({"C11"}), frozenset({"C12"})}


def test_a_line_without_its_flat_joins_the_one_flat_of_its_surname(store, tmp_path):
    load(store, tmp_path, "crm", [
        ["C1", "Jo", "Moss", "5 Elm St Apt 1", "", "02134"], ["C2", "Kit", "Kerr", "5 Elm St Apt 2", "", "02134"],
        ["C3", "Lu", "Moss", "5 Elm St", "", "02134"],  # the Mosses live in flat 1 only: Lu is theirs
        ["C4", "Zed", "Ng", "5 Elm St", "", "02134"],  # no Ng in any flat: the building stays Zed's door
    ])
    run_households(store)
    assert groups(store) == {frozenset({"C1", "C3"}), frozenset({"C2"}), frozenset({"C4"})}


def test_cli_run_shows_its_stages_at_a_terminal(store, tmp_path, monkeypatch):
    """At a terminal `workbench households` says what it is doing, stage by stage, on stderr (issue 13);
    a scheduled run (stderr not a terminal) prints no progress lines."""
    import sys

    from click.testing import CliRunner

    from workbench.cli import main, progress_lines

    assert progress_lines() is None  # under pytest stderr is no terminal
    load(store, tmp_path, "crm", [["C1", "Ann", "Lee", "12 Oak Street", "", "02134", "ann@example.com"]])
    seen: list[tuple[str, float]] = []
    import workbench.commands.households as cmd

    monkeypatch.setattr(cmd, "progress_lines", lambda enabled=True: (lambda m, f: seen.append((m, f))) if enabled
                        else None)
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "hh.duckdb"), "households"])
    assert result.exit_code == 0, result.output
    assert len(seen) >= 3 and seen[0][1] == 0.0 and seen[-1][1] <= 1.0
    assert any("standardising addresses" in m for m, _ in seen)
    seen.clear()
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "hh.duckdb"), "households", "--json"])
    assert result.exit_code == 0 and not seen  # --json: machine output only
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert progress_lines() is not None
