"""Suppression matching on data we have never seen: each error class as a small adversarial case (a street typo
on either side, a directional or unit on one side, nicknames many-to-many, titles, near misses at the same door,
a ZIP-less record, a person on a list at an old address, deceased by name + birth date, a duplicate loaded under
a new source key), the evidence an operator reads, and a property test that no near miss is ever suppressed."""

from __future__ import annotations

import json
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_suppress_helpers import load_rows, make_store, rows_of, suppressed

from workbench import clock
from workbench.store import Store
from workbench.store.sql import run
from workbench.suppress import add_manual_suppression, check_contact, ensure_person_suppressions

PEOPLE = [
    "source_key",
    "first_name",
    "last_name",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "phone",
    "birth_date",
]
LIST = ["first_name", "last_name", "address_line1", "address_line2", "city", "state", "postal_code"]

RESIDENTS = [
    [
        "C1",
        "Alice",
        "Mapleton",
        "412 Mapel St",
        "",
        "Springfield",
        "MA",
        "01108",
        "",
        "",
    ],  # typo in the house file
    ["C2", "Brian", "Chase", "20 Chestnut Avenue", "", "Springfield", "MA", "01108", "", ""],
    ["C3", "Carla", "Elmore", "412 NW Elm St", "Apt 3", "Springfield", "MA", "01109", "", ""],
    [
        "C4",
        "Carl",
        "Elmore",
        "412 NE Elm St",
        "Apt 3",
        "Springfield",
        "MA",
        "01109",
        "",
        "",
    ],  # the other Elm St
    ["C5", "Alexandra", "Sands", "5 Beach Rd", "", "Boston", "MA", "02116", "", ""],
    ["C6", "Cassandra", "Sands", "9 Beach Rd", "", "Boston", "MA", "02116", "", ""],
    ["C7", "Jacob", "Jackson", "1 Jack Ln", "", "Boston", "MA", "02118", "", ""],
    ["C8", "John", "Jackson", "3 Jack Ln", "", "Boston", "MA", "02118", "", ""],
    ["C9", "Joan", "Doe", "7 Elm Road", "", "Worcester", "MA", "01602", "", ""],  # John is not on file
    ["C10", "Erin", "Vale", "15 Vale Way", "", "Worcester", "MA", "01602", "", ""],
    ["C11", "Robert", "Brown", "5 Lake Dr", "", "Boston", "MA", "02115", "", ""],
    ["C12", "R", "Brown", "5 Lake Dr", "", "Boston", "MA", "02115", "", ""],  # his wife Rose, by her initial
    ["C13", "Dana", "Fox", "77 Birch Lane", "", "Springfield", "MA", "", "", ""],  # no ZIP
    ["C14", "Dana", "Fox", "77 Birch Lane", "", "Chicopee", "MA", "", "", ""],  # no ZIP, another town
    ["C15", "Mr. William", "Hart", "8 Oak Ct", "", "Boston", "MA", "02210", "", ""],
    ["C16", "Harold", "Finch", "10 Main St", "", "Boston", "MA", "02134", "", "1950-03-04"],
    ["C17", "Harold", "Finch", "22 Pine St", "", "Boston", "MA", "02135", "", "1971-08-20"],  # a namesake
    ["C18", "Grace", "Lowe", "3 New St", "", "Boston", "MA", "02215", "6175550123", "1980-02-02"],
    ["C19", "Donna", "Holly", "6578 South Holly Way", "", "Austin", "TX", "78745", "", ""],
    ["C20", "William", "Garcia", "2256 Juniper St", "", "Austin", "TX", "78746", "", ""],
    [
        "C21",
        "",
        "Garcia",
        "2256 Juniper St",
        "",
        "Austin",
        "TX",
        "78746",
        "",
        "",
    ],  # a record without a first name
]


@pytest.fixture(scope="module")
def base_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sup_evidence")
    s = make_store(folder)
    load_rows(s, folder, "crm", PEOPLE, RESIDENTS)
    suppressed(s, "mail")
    return s.path


@pytest.fixture
def store(tmp_path, base_db):
    clock.set_now("2026-11-20T10:00:00")
    shutil.copy(base_db, tmp_path / "sup.duckdb")
    yield Store(tmp_path / "sup.duckdb", busy_timeout=0.5)
    clock.set_now(None)


def mps(store, tmp_path, *entries, source="mps", header=LIST):
    load_rows(store, tmp_path, source, header, [list(e) for e in entries])
    return {k.split(":")[1] for k in suppressed(store, "mail")}


def explanations(store, key: str) -> list[dict]:
    return rows_of(
        store,
        """SELECT ps.suppression, ps.matched_by, ps.explanation FROM person_suppressions ps
        JOIN person_records pr USING (person_id) JOIN records r ON r.record_id = pr.record_id WHERE r.source_key = ?
        ORDER BY ps.suppression""",
        [key],
    )


def test_street_typo_in_the_house_file_and_on_the_list(store, tmp_path):
    assert mps(
        store,
        tmp_path,
        ["ALICE", "MAPLETON", "412 MAPLE STREET", "", "SPRINGFIELD", "MA", "01108"],
        ["Brian", "Chase", "20 Chestnutt Ave", "", "", "", "01108"],
    ) == {"C1", "C2"}
    why = explanations(store, "C1")[0]
    assert why["matched_by"] == "name_address"
    assert "matched record crm:C1 by name + address" in why["explanation"]
    assert "street MAPLE~MAPEL" in why["explanation"]


def test_street_typo_never_crosses_house_number_zip_or_a_short_name(store, tmp_path):
    assert (
        mps(
            store,
            tmp_path,
            ["ALICE", "MAPLETON", "414 MAPLE ST", "", "", "", "01108"],  # other house number
            ["ALICE", "MAPLETON", "412 MAPLE ST", "", "", "", "01109"],  # other ZIP
            ["ALICE", "MAPLETON", "412 MAPLE AVE", "", "", "", "01108"],  # other suffix
            ["C", "Elmore", "412 NW ELK ST", "APT 3", "", "", "01109"],  # a short street name one slip away...
        )
        == set()
    )


def test_short_street_name_one_slip_away_needs_the_full_name(store, tmp_path):
    # ...reaches the person only when surname and first name agree in full
    assert mps(store, tmp_path, ["Carla", "Elmore", "412 NW ELK ST", "APT 3", "", "", "01109"]) == {"C3"}
    assert "street ELK~ELM" in explanations(store, "C3")[0]["explanation"]


def test_directional_or_unit_on_one_side_only(store, tmp_path):
    assert mps(store, tmp_path, ["CARLA", "ELMORE", "412 ELM ST # 3", "", "", "", "01109"]) == {"C3"}
    assert "directional NW on one side" in explanations(store, "C3")[0]["explanation"]


def test_directional_or_unit_that_disagree_is_another_door(store, tmp_path):
    assert (
        mps(
            store,
            tmp_path,
            ["CARLA", "ELMORE", "412 NE ELM ST", "APT 3", "", "", "01109"],  # Carl's street, not Carla's
            ["CARLA", "ELMORE", "412 NW ELM ST", "APT 4", "", "", "01109"],
        )
        == set()
    )


def test_misspelt_directional_word(store, tmp_path):
    assert mps(store, tmp_path, ["DONNA", "HOLLY", "6578 SUOTH HOLLY WAY", "", "", "", "78745"]) == {"C19"}


def test_two_formal_names_sharing_a_nickname_are_two_names(store, tmp_path):
    # ROBERT and WILLIAM are both "BILL" in the nickname data: Robert's entry never reaches William. The
    # Garcia known by surname alone (C21) is reached when the entry reaches nobody there by name: a piece
    # addressed to "Garcia" at that door reaches Robert, who asked not to be mailed.
    assert mps(store, tmp_path, ["ROBERT", "GARCIA", "2256 JUNIPER ST", "", "", "", "78746"]) == {"C21"}
    assert "no first name on the person" in explanations(store, "C21")[0]["explanation"]
    with store.connect() as conn:
        run(conn, "DELETE FROM suppression_entries")
    assert mps(store, tmp_path, ["BILL", "GARCIA", "2256 JUNIPER ST", "", "", "", "78746"]) == {"C20"}


def test_nicknames_many_to_many(store, tmp_path):
    assert mps(
        store,
        tmp_path,
        ["SANDY", "SANDS", "5 BEACH RD", "", "", "", "02116"],
        ["SANDY", "SANDS", "9 BEACH ROAD", "", "", "", "02116"],
        ["JACK", "JACKSON", "1 JACK LANE", "", "", "", "02118"],
        ["JACK", "JACKSON", "3 JACK LANE", "", "", "", "02118"],
    ) == {"C5", "C6", "C7", "C8"}
    assert "nickname SANDY~CASSANDRA" in explanations(store, "C6")[0]["explanation"]


def test_near_misses_at_the_same_door_are_never_suppressed(store, tmp_path):
    assert mps(
        store,
        tmp_path,
        ["JOHN", "DOE", "7 ELM RD", "", "", "", "01602"],  # Joan is one letter away, another person
        ["ERIC", "VALE", "15 VALE WAY", "", "", "", "01602"],  # Erin
        ["ROBERT", "BROWN", "5 LAKE DR", "", "", "", "02115"],
    ) == {"C11"}  # not "R Brown" beside him


def test_a_typo_in_a_first_name_that_is_no_name_still_matches(store, tmp_path):
    assert mps(store, tmp_path, ["JAON", "DOE", "7 ELM RD", "", "", "", "01602"]) == {"C9"}  # letters swapped
    assert "first name JAON~JOAN" in explanations(store, "C9")[0]["explanation"]


def test_zip_less_record_is_compared_on_city_and_state(store, tmp_path):
    assert mps(store, tmp_path, ["DANA", "FOX", "77 BIRCH LN", "", "SPRINGFIELD", "MA", "01108"]) == {"C13"}
    assert "no ZIP on one side: city and state SPRINGFIELD MA" in explanations(store, "C13")[0]["explanation"]


def test_titles_are_not_first_names(store, tmp_path):
    assert mps(
        store,
        tmp_path,
        ["Dr.", "Hart", "8 Oak Ct", "", "", "", "02210"],  # a title only: "the Harts"
    ) == {"C15"}
    with store.connect() as conn:
        run(conn, "DELETE FROM suppression_entries")
    assert mps(store, tmp_path, ["BILL", "HART", "8 OAK CT", "", "", "", "02210"]) == {"C15"}


def test_moved_person_on_a_list_at_the_old_address(store, tmp_path):
    # Grace's record now says 3 New St; an applied change of address says she left 40 Old Rd.
    with store.connect() as conn:
        ensure_person_suppressions(conn)
        run(
            conn,
            """INSERT INTO applied_moves (move_key, source, return_code, kind, old_addr_key, persons, applied_at)
            VALUES ('m1', 'ncoa', 'A', 'new_address', '40 OLD RD||02118', 1, ?)""",
            [clock.now()],
        )
        run(
            conn,
            """INSERT INTO move_applications SELECT 'm1', record_id, ? FROM records WHERE source_key = 'C18'""",
            [clock.now()],
        )
    assert mps(store, tmp_path, ["GRACE", "LOWE", "40 Old Road", "", "", "", "02118"]) == {"C18"}
    assert (
        "the old address (before an applied change of address) of record crm:C18"
        in explanations(store, "C18")[0]["explanation"]
    )


def test_deceased_by_name_and_birth_date_at_another_address(store, tmp_path):
    header = [*LIST, "birth_date"]
    load_rows(
        store,
        tmp_path,
        "deceased",
        header,
        [
            [
                "HAROLD",
                "FINCH",
                "1 Far Away Rd",
                "",
                "",
                "",
                "90210",
                "03/04/1950",
            ],  # exact date, other address
            ["WILLIAM", "HART", "1 Far Away Rd", "", "", "", "90210", "1960-01-01"],
        ],
    )  # no birth date on file: no
    for channel in ("mail", "email", "phone"):
        assert {k.split(":")[1] for k in suppressed(store, channel)} == {"C16"}  # never his namesake C17
    why = explanations(store, "C16")[0]
    assert (
        why["matched_by"] == "name_birth_date"
        and "by name + birth date (born 1950-03-04)" in why["explanation"]
    )


def test_deceased_birth_year_and_month_with_a_nickname(store, tmp_path):
    load_rows(
        store,
        tmp_path,
        "deceased",
        [*LIST, "DOB"],
        [["HAL", "FINCH", "1 Far Away Rd", "", "", "", "90210", "1971-08-01"]],
    )
    assert {k.split(":")[1] for k in suppressed(store, "mail")} == {"C17"}


def test_duplicate_under_a_new_source_key_is_suppressed_before_matching(store, tmp_path):
    with store.transaction() as conn:
        pid = rows_of(
            store,
            "SELECT person_id FROM person_records JOIN records USING (record_id) WHERE source_key = 'C18'",
        )[0]["person_id"]
        add_manual_suppression(conn, person_id=pid, channel="mail", reason="asked by phone")
    load_rows(
        store,
        tmp_path,
        "web",
        PEOPLE,
        [
            [
                "W9",
                "Grace",
                "Lowe",
                "3 New Street",
                "",
                "Boston",
                "MA",
                "02215",
                "617-555-0123",
                "1980-02-02",
            ],
            ["W10", "Greta", "Lowe", "3 New Street", "", "Boston", "MA", "02215", "", ""],
        ],
    )  # her sister: not her
    assert suppressed(store, "mail") == {"crm:C18", "web:W9"}
    assert "same person as record crm:C18" in explanations(store, "W9")[0]["explanation"]


def test_check_and_customer_view_say_entry_record_and_rule(store, tmp_path):
    from click.testing import CliRunner

    from workbench.cli import main
    from workbench.contacts.customer import customer_view

    mps(store, tmp_path, ["ALICE", "MAPLETON", "412 MAPLE STREET", "", "", "", "01108"])
    pid = rows_of(
        store, "SELECT person_id FROM person_records JOIN records USING (record_id) WHERE source_key = 'C1'"
    )[0]["person_id"]
    with store.connect() as conn:
        found = check_contact(conn, person_id=pid)
        view = customer_view(conn, pid)
    sup = found["persons"][0]["suppressions"][0]
    assert sup["matched_by"] == "name_address" and "street MAPLE~MAPEL" in sup["explanation"]
    assert (
        'mps entry "ALICE MAPLETON, 412 MAPLE ST 01108" matched record crm:C1'
        in view["suppressions"][0]["why"]
    )
    out = CliRunner().invoke(main, ["--db", str(store.path), "suppressions", "check", "--person", str(pid)])
    assert out.exit_code == 0, out.output
    assert "matched record crm:C1 by name + address (street MAPLE~MAPEL)" in out.output
    out = CliRunner().invoke(
        main, ["--db", str(store.path), "suppressions", "check", "--person", str(pid), "--json"]
    )
    assert "street MAPLE~MAPEL" in json.loads(out.output)["persons"][0]["suppressions"][0]["explanation"]


# --- property: a near miss (same surname and door, another first name) is never suppressed ----------------------

# Pairs of given names that are different people's names: not nicknames of one another, neither an initial, and
# not one of the slips a hand makes (two letters swapped, a letter doubled, a long name's one-letter variant).
FIRST_NAMES = [
    "JOHN",
    "JOAN",
    "ERIC",
    "ERIN",
    "MARY",
    "MARK",
    "PAUL",
    "PAULA",
    "DEAN",
    "DIANA",
    "JANE",
    "JUNE",
    "ROSE",
    "ROSS",
    "CARL",
    "CARLA",
    "ANNA",
    "ANNE",
    "GLEN",
    "GWEN",
    "LUKE",
    "LUCY",
    "NORA",
    "NORMA",
    "PETER",
    "DAVID",
    "SARAH",
    "LAURA",
    "BRIAN",
    "KEVIN",
    "HELEN",
    "EMILY",
    "OSCAR",
    "SIMON",
]
STREETS = ["MAPLE", "CHESTNUT", "WILLOW", "HIGHLAND", "PLEASANT", "SPRING"]


def _different_people(a: str, b: str) -> bool:
    from workbench.standardise import nickname_pairs

    groups: dict[str, set[str]] = {}
    for nick, name in nickname_pairs():
        groups.setdefault(nick, {nick}).add(name)
    return a != b and not (groups.get(a, {a}) & groups.get(b, {b}))


NEAR_MISSES = [(a, b) for a in FIRST_NAMES for b in FIRST_NAMES if _different_people(a, b)]
# the hardest ones: one letter apart (JOHN / JOAN, ERIC / ERIN, NORA / NORMA, PAUL / PAULA)
CLOSE = [
    (a, b)
    for a, b in NEAR_MISSES
    if sum(x != y for x, y in zip(a, b, strict=False)) + abs(len(a) - len(b)) <= 1
]

door = st.tuples(
    st.one_of(st.sampled_from(CLOSE), st.sampled_from(NEAR_MISSES)),  # (resident, name on the list)
    st.sampled_from(STREETS),
    st.integers(1, 9999),  # house number
    st.sampled_from(["", "N ", "NW "]),  # directional on the record
    st.booleans(),  # the list repeats the record's directional (else it has none)
    st.sampled_from(["", "Apt 2"]),  # unit on the record
    st.sampled_from(["", "# 2"]),  # unit on the list
    st.booleans(),  # a slip in the list's street name
)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doors=st.lists(door, min_size=1, max_size=12))
def test_property_no_near_miss_is_suppressed(tmp_path_factory, doors):
    folder = tmp_path_factory.mktemp("near")
    s = make_store(folder)
    people, entries = [], []
    for i, ((resident, listed), street, house, rdir, same_dir, runit, lunit, slip) in enumerate(doors):
        ldir = rdir if same_dir else ""
        zip5 = f"{10000 + i:05d}"
        listed_street = street[:2] + street[3] + street[2] + street[4:] if slip else street
        people.append([f"N{i}", resident, "Quill", f"{house} {rdir}{street} St", runit, "", "", zip5, "", ""])
        entries.append(
            [listed, "QUILL", f"{house} {ldir}{listed_street} ST {lunit}".strip(), "", "", "", zip5]
        )
        # a control at another door: the listed name lives there, so the same entry shape must match
        people.append(
            [
                f"K{i}",
                listed,
                "Quill",
                f"{house} {rdir}{street} St",
                runit,
                "",
                "",
                f"{20000 + i:05d}",
                "",
                "",
            ]
        )
        entries.append(
            [
                listed,
                "QUILL",
                f"{house} {ldir}{listed_street} ST {lunit}".strip(),
                "",
                "",
                "",
                f"{20000 + i:05d}",
            ]
        )
    load_rows(s, folder, "crm", PEOPLE, people)
    load_rows(s, folder, "mps", LIST, entries)
    got = suppressed(s, "mail")
    assert {k for k in got if k.startswith("crm:N")} == set(), doors
    assert {k for k in got if k.startswith("crm:K")} == {f"crm:K{i}" for i in range(len(doors))}


def test_a_list_entry_without_a_zip_is_matched_on_city_and_state(store, tmp_path):
    """A mail-preference row with street, city and state but no ZIP loads (it used to be a reject,
    'incomplete name and address') and reaches the resident at that street in that town only."""
    assert mps(store, tmp_path, ["DANA", "FOX", "77 Birch Lane", "", "Chicopee", "MA", ""]) == {"C14"}
    with Store(store.path).connect(read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM rejects").fetchone()[0] == 0
