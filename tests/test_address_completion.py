"""Addresses without a ZIP are mailable; ZIPs completed from the database's own addresses when they agree
on one; ZIPs checked against the state (offline ZIP table); glued units parsed; the waterfall says how
many ZIPs were completed."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from click.testing import CliRunner
from test_select_data import NOW, build_db, person_row, write_csv

from workbench import clock
from workbench.cli import main
from workbench.commands.select import COMMANDS
from workbench.ingest.load import load_file
from workbench.select.attributes import ensure_attributes
from workbench.standardise import install_macros
from workbench.store import Store
from workbench.store.sql import rows

for _command in COMMANDS:
    if _command.name not in main.commands:
        main.add_command(_command)


def person(key: str, line1: str, city: str, state: str, postal_code: str, line2: str = "") -> dict[str, str]:
    row = person_row(1)
    row.update(
        source_key=key,
        first_name=f"F{key}",
        last_name=f"L{key}",
        address_line1=line1,
        address_line2=line2,
        city=city,
        state=state,
        postal_code=postal_code,
        email=f"{key.lower()}@example.com",
        phone="",
    )
    return row


PEOPLE = [
    # one ZIP for 100 Harvard Ave in Boston: A2 (another unit, no ZIP) is completed
    person("A1", "100 Harvard Ave", "Boston", "MA", "02134"),
    person("A2", "100 Harvard Avenue Apt 3", "Boston", "MA", ""),
    # two ZIPs for 5 Beacon St in Boston: B3 stays without a ZIP, and mailable
    person("B1", "5 Beacon St", "Boston", "MA", "02108"),
    person("B2", "5 Beacon Street", "Boston", "MA", "02116"),
    person("B3", "5 Beacon St.", "Boston", "MA", ""),
    # nothing else at 7 Oak St: no ZIP, mailable on street, city and state
    person("C1", "7 Oak St", "Boston", "MA", ""),
    # a Massachusetts ZIP on a New York address: flagged; corrected from D2 in the standard form only
    person("D1", "9 Pine St", "New York", "NY", "02134"),
    person("D2", "9 Pine Street", "New York", "NY", "10001"),
    # a ZIP of another state is never used to complete: X2 stays without one
    person("X1", "20 Pine St", "New York", "NY", "02134"),
    person("X2", "20 Pine St", "New York", "NY", ""),
    # a ZIP and no city or state: both from the ZIP table
    person("E1", "3 Elm St", "", "", "10001"),
    # nothing: not an address
    person("F1", "", "", "", ""),
    # a street and no city: not an address
    person("G1", "8 Maple St", "", "", ""),
    # the street written without its suffix and the city misspelt: still the one ZIP of 1347 Kelly St
    person("K1", "1347 Kelly St", "Micheleton", "WV", "25160"),
    person("K2", "1347 KELLY", "Michelton", "WV", ""),
    # another house number on that street is another address: no ZIP from K1
    person("K3", "1349 Kelly St", "Micheleton", "WV", ""),
    # a glued unit
    person("H1", "12 Oak St Apt163", "Boston", "MA", "02134"),
    # two ZIPs at 40 Bradford Ave, one per flat: the flat written without its ZIP takes its flat's ZIP
    # (whatever the unit's designator), the street line without a flat stays without one
    person("U1", "40 Bradford Ave", "Cameronport", "VT", "05010", line2="Apartment 102"),
    person("U2", "40 Bradford Avenue Apt 1A", "Cameronport", "VT", "05152"),
    person("U3", "40 BRADFORD AVENUE", "CAMERONPORT", "VT", "", line2="UNIT 102"),
    person("U4", "40 Bradford Ave", "Cameronport", "VT", ""),
]
MAIL = """[selections.post]
channel = "mail"
fields = ["first_name", "std_address_line1", "std_city", "std_state", "std_zip5", "zip_source", "postal_code",
          "source_keys"]
"""


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    folder = tmp_path_factory.mktemp("addrdb")
    store = build_db(folder, PEOPLE)
    (folder / "post.toml").write_text(MAIL)
    CliRunner().invoke(
        main, ["--db", str(folder / "wb.duckdb"), "selections", "import", str(folder / "post.toml")]
    )
    with store.connect() as conn:
        ensure_attributes(conn)
    clock.set_now(None)
    return folder


@pytest.fixture
def folder(master, tmp_path):
    shutil.copytree(master, tmp_path / "db")
    clock.set_now(NOW)
    return tmp_path / "db"


def records(folder) -> dict[str, dict]:
    with Store(folder / "wb.duckdb", busy_timeout=1).connect(read_only=True) as conn:
        found = rows(
            conn,
            """SELECT source_key, postal_code, zip5, zip5_std, zip_source, zip_check, city_std, state_std,
                                     addr_key, addr_unit, address_line1_std
                              FROM records WHERE source = 'crm'""",
        )
    return {r["source_key"]: r for r in found}


def attributes(folder) -> dict[str, dict]:
    with Store(folder / "wb.duckdb", busy_timeout=1).connect(read_only=True) as conn:
        found = rows(conn, "SELECT * FROM person_attributes")
    return {r["source_keys"].split(":")[1]: r for r in found}


def test_a_zipless_address_is_completed_when_the_database_agrees_on_one_zip(master):
    r = records(master)["A2"]
    assert (r["zip5"], r["zip_source"], r["postal_code"]) == (
        "02134",
        "completed",
        None,
    )  # raw left as loaded
    assert r["addr_key"] == "100 HARVARD AVE|3|02134"
    a = attributes(master)["A2"]
    assert (
        a["has_address"]
        and a["mail_deliverable"]
        and a["std_zip5"] == "02134"
        and a["zip_source"] == "completed"
    )


def test_completion_ignores_a_missing_suffix_and_a_slip_in_the_city(master):
    r = records(master)
    assert (r["K2"]["zip5"], r["K2"]["zip_source"]) == ("25160", "completed")
    assert r["K2"]["addr_key"] == "1347 KELLY||25160"
    assert r["K3"]["zip5"] is None and r["K3"]["zip_source"] is None


def test_a_flat_takes_the_zip_of_its_flat_when_the_street_has_two(master):
    r = records(master)
    assert (r["U3"]["zip5"], r["U3"]["zip_source"]) == ("05010", "completed")
    assert r["U3"]["addr_key"] == r["U1"]["addr_key"] == "40 BRADFORD AVE|102|05010"  # one door
    assert r["U4"]["zip5"] is None and r["U4"]["zip_source"] is None  # which flat? not known


def test_an_ambiguous_zipless_address_is_not_completed_but_stays_mailable(master):
    r = records(master)
    assert r["B3"]["zip5"] is None and r["B3"]["zip_source"] is None
    assert r["B3"]["addr_key"] == "5 BEACON ST||BOSTON,MA"
    assert r["C1"]["zip5"] is None and r["C1"]["addr_key"] == "7 OAK ST||BOSTON,MA"
    a = attributes(master)
    assert a["B3"]["has_address"] and a["B3"]["mail_deliverable"] and a["C1"]["has_address"]
    assert not a["F1"]["has_address"] and not a["G1"]["has_address"]  # no street, or no city and state


def test_a_zip_of_another_state_is_flagged_and_corrected_in_the_standard_form_only(master):
    r = records(master)
    assert r["D1"]["zip_check"] == "state mismatch" and r["D2"]["zip_check"] == "ok"
    assert r["X2"]["zip5"] is None and r["X1"]["zip_source"] == "loaded" and r["X1"]["zip5_std"] == "02134"
    assert (r["D1"]["zip5"], r["D1"]["zip5_std"], r["D1"]["zip_source"]) == ("02134", "10001", "corrected")
    a = attributes(master)["D1"]
    assert (a["zip5"], a["std_zip5"], a["postal_code"], a["zip_check"]) == (
        "02134",
        "10001",
        "02134",
        "state mismatch",
    )


def test_city_and_state_come_from_the_zip_when_missing(master):
    r = records(master)["E1"]
    assert (r["city_std"], r["state_std"], r["zip_check"]) == ("NEW YORK", "NY", "ok")


def test_a_glued_unit_is_parsed(master):
    r = records(master)["H1"]
    assert (r["addr_unit"], r["address_line1_std"]) == ("163", "12 OAK ST APT 163")


def test_the_mail_export_keeps_zipless_persons_and_the_waterfall_counts_completions(folder, tmp_path):
    db = folder / "wb.duckdb"
    r = CliRunner().invoke(main, ["--db", str(db), "count", "post", "--json"])
    assert r.exit_code == 0, r.output
    wf = json.loads(r.output)
    assert wf["addresses"] == {"completed": 3, "corrected": 1, "without_zip": 5, "zip_state_mismatch": 1}
    r = CliRunner().invoke(main, ["--db", str(db), "count", "post"])
    assert "3 ZIPs completed (same street elsewhere in the database)" in r.output
    out = tmp_path / "post.csv"
    r = CliRunner().invoke(main, ["--db", str(db), "export", "post", "--out", str(out), "--allow-stale"])
    assert r.exit_code == 0, r.output
    import csv

    with out.open(newline="", encoding="utf-8") as f:
        got = {row["source_keys"]: row for row in csv.DictReader(f)}
    keys = {k for k in got if k}
    # every person with a street and a ZIP, or a street, city and state, is in the file
    assert {
        "crm:A1",
        "crm:A2",
        "crm:B1",
        "crm:B2",
        "crm:B3",
        "crm:C1",
        "crm:D1",
        "crm:D2",
        "crm:E1",
        "crm:H1",
        "crm:K1",
        "crm:K2",
        "crm:K3",
        "crm:X1",
        "crm:X2",
        "crm:U1",
        "crm:U2",
        "crm:U3",
        "crm:U4",
    } == keys
    assert got["crm:B3"]["std_zip5"] == "" and got["crm:B3"]["std_city"] == "BOSTON"
    assert (
        got["crm:A2"]["std_address_line1"] == "100 HARVARD AVE APT 3"
        and got["crm:A2"]["zip_source"] == "completed"
    )


def test_a_later_load_that_brings_a_second_zip_undoes_the_completion(folder):
    store = Store(folder / "wb.duckdb", busy_timeout=1)
    more = write_csv(folder / "crm2.csv", [*PEOPLE, person("A9", "100 Harvard Ave", "Boston", "MA", "02135")])
    assert load_file(store, "crm", more).status == "loaded"
    with store.connect() as conn:
        ensure_attributes(conn)  # standardises the new address, then completes again over every record
    r = records(folder)
    assert r["A2"]["zip5"] is None and r["A2"]["zip_source"] is None
    assert r["A2"]["addr_key"] == "100 HARVARD AVE|3|BOSTON,MA"
    # and the person's golden record follows
    assert attributes(folder)["A2"]["std_zip5"] is None and attributes(folder)["A2"]["has_address"]


@pytest.fixture(scope="module")
def conn():
    c = duckdb.connect()
    install_macros(c)
    return c


@pytest.mark.parametrize(
    ("line1", "line2", "street", "unit", "line"),
    [
        ("12 Oak St Apt163", None, "12 OAK ST", "163", "12 OAK ST APT 163"),
        ("12 Oak St APT163", None, "12 OAK ST", "163", "12 OAK ST APT 163"),
        ("12 Oak St #163", None, "12 OAK ST", "163", "12 OAK ST # 163"),
        ("12 Oak St No. 163", None, "12 OAK ST", "163", "12 OAK ST # 163"),
        ("12 Oak St Unit4B", None, "12 OAK ST", "4B", "12 OAK ST UNIT 4B"),
        ("12 Oak St", "Ste200", "12 OAK ST", "200", "12 OAK ST STE 200"),
        ("12 Oak St", "No. 5", "12 OAK ST", "5", "12 OAK ST # 5"),
        # not units: a house number alone, a fraction, a street called No Name, a designator word as a street
        ("163 Main St", None, "163 MAIN ST", None, "163 MAIN ST"),
        ("12 1/2 Main St", None, "12 1/2 MAIN ST", None, "12 1/2 MAIN ST"),
        ("163 No Name Rd", None, "163 NO NAME RD", None, "163 NO NAME RD"),
        ("12 No 3rd St", None, "12 NO 3RD ST", None, "12 NO 3RD ST"),
        ("100 Old Lot Rd", None, "100 OLD LOT RD", None, "100 OLD LOT RD"),
        ("12 Oak St", "Rear", "12 OAK ST", "REAR", "12 OAK ST REAR"),
    ],
)
def test_glued_units_and_the_pub28_line(conn, line1, line2, street, unit, line):
    got = conn.execute(
        "SELECT wb_addr_street(?, ?), wb_addr_unit(?, ?), wb_addr_line(?, ?)", [line1, line2] * 3
    ).fetchall()[0]
    assert got == (street, unit, line)


def test_the_parts_let_a_directional_or_unit_on_one_side_only_compare(conn):
    a, b = conn.execute(
        "SELECT wb_addr_parts('412 NW Elm St Apt 3', NULL), wb_addr_parts('412 Elm Street', '# 3')"
    ).fetchall()[0]
    assert a == {
        "house_number": "412",
        "predirectional": "NW",
        "street_name": "ELM",
        "suffix": "ST",
        "postdirectional": None,
        "unit_designator": "APT",
        "unit_number": "3",
        "street": "412 NW ELM ST",
        "unit": "3",
        "line": "412 NW ELM ST APT 3",
    }
    assert (b["house_number"], b["street_name"], b["suffix"], b["unit_designator"], b["unit_number"]) == (
        "412",
        "ELM",
        "ST",
        "#",
        "3",
    )
    assert conn.execute("SELECT wb_addr_parts(NULL, ''), wb_addr_line('  ', NULL)").fetchall()[0] == (
        None,
        None,
    )
