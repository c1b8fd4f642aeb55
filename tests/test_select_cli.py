"""`workbench selections ...`, `workbench count`, `workbench export`: output and exit codes."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner
from test_select_data import NOW, build_db

from workbench import clock
from workbench.cli import main
from workbench.commands.select import COMMANDS

for _command in COMMANDS:  # until the lead registers the module in cli.COMMAND_MODULES
    if _command.name not in main.commands:
        main.add_command(_command)

SELECTIONS = """
[selections.spring]
channel = "email"
where = "orders(brand='ember', days=365) >= 1"
[[selections.spring.cells]]
name = "A"
share = 0.9
keycode = "SP-A"
[[selections.spring.cells]]
name = "control"
share = 0.1
keycode = "SP-X"
contact = false

[selections.calls]
channel = "phone"
where = "state = 'MA'"
"""


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clidb")
    build_db(folder)
    clock.set_now(None)
    return folder / "wb.duckdb"


@pytest.fixture
def db(master, tmp_path):
    shutil.copy(master, tmp_path / "wb.duckdb")
    (tmp_path / "selections.toml").write_text(SELECTIONS)
    clock.set_now(NOW)
    return tmp_path / "wb.duckdb"


def wb(db, *args):
    return CliRunner().invoke(main, ["--db", str(db), *map(str, args)])


def test_import_list_show_and_versions(db, tmp_path):
    r = wb(db, "selections", "import", tmp_path / "selections.toml")
    assert r.exit_code == 0, r.output
    assert "added     spring (version 1)" in r.output and "added     calls (version 1)" in r.output
    assert "unchanged spring (version 1)" in wb(db, "selections", "import", tmp_path / "selections.toml").output
    changed = tmp_path / "changed.toml"
    changed.write_text(SELECTIONS.replace("days=365", "days=180").replace(
        'where = "state = \'MA\'"', 'where = "state = \'MA\'"\noverride_suppress = ["dnc"]\n'
                                   'override_reason = "customers asked to be called back"'))
    r = wb(db, "selections", "import", changed)
    assert "updated   spring (version 2)" in r.output and "updated   calls (version 2)" in r.output
    listed = json.loads(wb(db, "selections", "list", "--json").output)
    assert [(s["name"], s["version"], s["channel"]) for s in listed] == [("calls", 2, "phone"), ("spring", 2, "email")]
    shown = wb(db, "selections", "show", "spring")
    assert "# version 2" in shown.output and "days=180" in shown.output and "[[selections.spring.cells]]" in shown.output
    assert "days=365" in wb(db, "selections", "show", "spring", "--version", "1").output
    hist = wb(db, "selections", "show", "calls", "--history").output.splitlines()
    assert hist[0].startswith("version 2") and "override: dnc (customers asked to be called back)" in hist[0]
    assert hist[1].startswith("version 1") and "override" not in hist[1]


def test_a_bad_selection_is_refused_with_its_line(db, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[selections.x]\nchannel = "mail"\nwhere = "stat = \'MA\'"\n')
    r = wb(db, "selections", "import", bad)
    assert r.exit_code == 1
    assert "selection 'x', where: unknown attribute 'stat' (column 1); did you mean 'state'" in r.output
    bad.write_text('[selections.x]\nchannel = "mail"\nsupress = "default"\n')
    r = wb(db, "selections", "import", bad)
    assert r.exit_code == 1 and "bad.toml:3: selection 'x', key 'supress': unknown key; did you mean 'suppress'?" in r.output
    assert json.loads(wb(db, "selections", "list", "--json").output) == []


def test_count_human_and_json(db, tmp_path):
    wb(db, "selections", "import", tmp_path / "selections.toml")
    r = wb(db, "count", "spring")
    assert r.exit_code == 0, r.output
    for words in ("universe", "where", "unsubs", "cell A (SP-A)", "net"):
        assert words in r.output
    data = json.loads(wb(db, "count", "spring", "--json").output)
    assert [s["step"] for s in data["steps"]][:2] == ["universe", "where"] and data["net"] > 0
    assert data["net"] + data["held_out"] == sum(c["persons"] for c in data["cells"])
    r = wb(db, "count", "sprung")
    assert r.exit_code == 2 and "Unknown selection 'sprung'; did you mean 'spring'?" in r.output


def test_export_exit_codes(db, tmp_path):
    wb(db, "selections", "import", tmp_path / "selections.toml")
    out = tmp_path / "spring.csv"
    r = wb(db, "export", "spring", "--out", out, "--dry-run")
    assert r.exit_code == 0 and "dry run: no file written" in r.output and not out.exists()
    r = wb(db, "export", "spring", "--out", out, "--campaign", "SPRING26")
    assert r.exit_code == 0, r.output
    assert out.exists() and "contact history: campaign SPRING26" in r.output
    r = wb(db, "export", "spring", "--out", tmp_path / "again.csv", "--campaign", "SPRING26")
    assert r.exit_code == 1 and "already exported" in r.output
    r = wb(db, "export", "spring", "--out", tmp_path / "nofolder" / "x.csv")
    assert r.exit_code == 2 and "does not exist" in r.output
    clock.set_now((datetime.fromisoformat(NOW) + timedelta(days=5)).isoformat())
    r = wb(db, "export", "calls", "--out", tmp_path / "calls.csv")
    assert r.exit_code == 1 and "stale" in r.output and not (tmp_path / "calls.csv").exists()
    r = wb(db, "export", "calls", "--out", tmp_path / "calls.parquet", "--allow-stale", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["file"].endswith("calls.parquet") and "crm" in data["allowed_stale"]


def test_attribute_reference(db):
    r = wb(db, "selections", "attributes")
    assert r.exit_code == 0 and "orders(brand=, days=)" in r.output and "household_size" in r.output
