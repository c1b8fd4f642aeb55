"""Export fields an operator needs to match a file back: source_keys, the postal code as loaded, the
standard address beside the raw one, names from the loading vocabulary; an unknown field is an error
with the nearest name."""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from click.testing import CliRunner
from test_select_data import NOW, build_db, person_row

from workbench import clock
from workbench.cli import main
from workbench.commands.select import COMMANDS
from workbench.select.definition import SelectionError, parse_selections_text

for _command in COMMANDS:
    if _command.name not in main.commands:
        main.add_command(_command)

FIELDS = """[selections.matchback]
channel = "mail"
where = "state = 'MA'"
fields = ["source_keys", "postal_code", "zip", "address_line1", "std_address_line1", "std_zip", "zip_source"]
[[selections.matchback.seeds]]
name = "Office"
first_name = "Dana"
last_name = "Seed"
address_line1 = "1 Harbor Way"
zip5 = "02110"
zip4 = "1234"
"""


def people() -> list[dict[str, str]]:
    out = [person_row(i) for i in range(1, 41)]
    out[0].update(postal_code="02134-1705", address_line1="1 Main Street Apt4")  # C1: ZIP+4, a glued unit
    twin = dict(person_row(1), source_key="W1", email="person1@example.com")  # a second record of person C1
    return [*out, twin]


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fieldsdb")
    build_db(folder, people())
    clock.set_now(None)
    return folder / "wb.duckdb"


@pytest.fixture
def db(master, tmp_path):
    shutil.copy(master, tmp_path / "wb.duckdb")
    (tmp_path / "s.toml").write_text(FIELDS)
    clock.set_now(NOW)
    return tmp_path / "wb.duckdb"


def wb(db, *args):
    return CliRunner().invoke(main, ["--db", str(db), *map(str, args)])


def test_export_with_source_keys_postal_code_and_the_standard_address(db, tmp_path):
    assert wb(db, "selections", "import", tmp_path / "s.toml").exit_code == 0
    out = tmp_path / "m.csv"
    r = wb(db, "export", "matchback", "--out", out, "--allow-stale")
    assert r.exit_code == 0, r.output
    with out.open(newline="", encoding="utf-8") as f:
        got = list(csv.DictReader(f))
    assert list(got[0]) == [
        "person_id",
        "source_keys",
        "postal_code",
        "zip",
        "address_line1",
        "std_address_line1",
        "std_zip",
        "zip_source",
        "cell",
        "keycode",
        "is_seed",
    ]
    by_key = {row["source_keys"]: row for row in got}
    c1 = by_key["crm:C1"]
    assert c1["postal_code"] == "02134-1705" and c1["zip"] == "02134"
    assert c1["address_line1"] == "1 Main Street Apt4" and c1["std_address_line1"] == "1 MAIN ST APT 4"
    assert c1["std_zip"] == "02134-1705" and c1["zip_source"] == "loaded"
    c2 = by_key["crm:C2"]
    assert (c2["std_address_line1"], c2["std_zip"], c2["postal_code"]) == ("1 MAIN ST", "02134", "02134")
    seed = next(row for row in got if row["is_seed"] == "true")
    assert (seed["std_address_line1"], seed["zip"], seed["std_zip"]) == (
        "1 Harbor Way",
        "02110",
        "02110-1234",
    )


def test_source_keys_join_every_record_of_a_person(db, tmp_path):
    assert wb(db, "selections", "import", tmp_path / "s.toml").exit_code == 0
    from workbench.store import Store
    from workbench.store.sql import rows

    store = Store(db, busy_timeout=1)
    with store.transaction() as conn:  # put W1 with C1 by hand, as a match run would
        conn.execute("""UPDATE person_records SET person_id = (SELECT pr.person_id FROM person_records pr
                        JOIN records r USING (record_id) WHERE r.source_key = 'C1')
                        WHERE record_id = (SELECT record_id FROM records WHERE source_key = 'W1')""").fetchall()
        conn.execute("""INSERT INTO golden_pending SELECT person_id FROM person_records""").fetchall()
    r = wb(db, "export", "matchback", "--out", tmp_path / "m2.csv", "--allow-stale")
    assert r.exit_code == 0, r.output
    with (tmp_path / "m2.csv").open(newline="", encoding="utf-8") as f:
        keys = [row["source_keys"] for row in csv.DictReader(f)]
    assert "crm:C1;crm:W1" in keys and "crm:W1" not in keys
    with store.connect(read_only=True) as conn:
        assert rows(conn, "SELECT source_keys FROM person_attributes WHERE source_keys LIKE '%W1%'") == [
            {"source_keys": "crm:C1;crm:W1"}
        ]


def test_an_unknown_field_is_an_error_with_the_nearest_name():
    with pytest.raises(SelectionError) as err:
        parse_selections_text('[selections.x]\nchannel = "mail"\nfields = ["postal_cod"]\n')
    assert "'postal_cod' is not an attribute; did you mean 'postal_code'?" in err.value.message
    with pytest.raises(SelectionError) as err:
        parse_selections_text('[selections.x]\nchannel = "mail"\nfields = ["source_kyes"]\n')
    assert "did you mean 'source_keys'" in err.value.message


def test_the_attribute_reference_lists_the_export_fields(db):
    r = wb(db, "selections", "attributes", "--json")
    assert r.exit_code == 0
    ref = json.loads(r.output)
    names = {a["name"] for a in ref["attributes"]}
    assert {
        "source_keys",
        "postal_code",
        "std_address_line1",
        "std_city",
        "std_state",
        "std_zip5",
        "std_zip",
        "zip_source",
        "zip_check",
    } <= names
    assert {"zip", "source_key"} <= {a["name"] for a in ref["field_aliases"]}
    assert "std_address_line1" in wb(db, "selections", "attributes").output
