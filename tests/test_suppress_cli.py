"""`workbench suppressions`, `suppressions add`, `suppressions check`, `suppressions manual`, `suppressions remove`."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from test_suppress_helpers import PEOPLE_COLUMNS, SOURCES_TOML, write_csv

from workbench.cli import main
from workbench.commands.suppress import suppressions

if "suppressions" not in main.commands:  # until the lead registers the module in COMMAND_MODULES
    main.add_command(suppressions)


@pytest.fixture
def cli(tmp_path, monkeypatch):
    db = tmp_path / "cli.duckdb"
    monkeypatch.setenv("WORKBENCH_NOW", "2026-11-20T10:00:00")
    runner = CliRunner()

    def invoke(*args, code=0):
        r = runner.invoke(main, ["--db", str(db), *map(str, args)], catch_exceptions=False)
        assert r.exit_code == code, r.output
        return r

    (tmp_path / "sources.toml").write_text(SOURCES_TOML, encoding="utf-8")
    invoke("sources", "import", tmp_path / "sources.toml")
    people = write_csv(tmp_path / "crm.csv", PEOPLE_COLUMNS, [
        ["C1", "Robert", "Smith", "12 Oak St", "", "02134", "bob@example.com", "6175550101"],
        ["C2", "Ann", "Lee", "4 Elm Rd", "", "01602", "ann@example.com", "6175550102"]])
    invoke("load", "crm", people)
    invoke("load", "unsubscribes", write_csv(tmp_path / "u.csv", ["email"], [["ANN@EXAMPLE.COM"]]))
    return invoke


def test_summary_json_and_table(cli):
    out = {s["name"]: s for s in json.loads(cli("suppressions", "--json").output)}
    assert out["unsubscribes"]["persons"] == 1 and out["unsubscribes"]["entries"] == 1
    assert out["manual"]["entries"] == 0
    text = cli("suppressions").output
    assert "unsubscribes" in text and "name_address" in text


def test_add_check_list_remove(cli):
    r = cli("suppressions", "add", "--phone", "(617) 555-0101", "--channel", "phone", "--reason", "called in",
            "--json")
    added = json.loads(r.output)
    assert added["match_on"] == ["phone"] and len(added["persons"]) == 1
    r = cli("suppressions", "add", "--email", "bob@example.com", "--channel", "email", "--brand", "ember",
            "--reason", "form")
    assert "reaches 1 person(s)" in r.output
    check = json.loads(cli("suppressions", "check", "--phone", "617.555.0101", "--json").output)
    assert check["suppressed"] and check["by_channel"]["phone"] and not check["by_channel"]["mail"]
    assert "SUPPRESSED for email" in cli("suppressions", "check", "--email", "Ann@Example.com").output
    assert "not suppressed" in cli("suppressions", "check", "--email", "nobody@example.com").output
    listed = json.loads(cli("suppressions", "manual", "--json").output)
    assert [m["reason"] for m in listed] == ["form", "called in"]
    cli("suppressions", "remove", str(added["manual_id"]), "--reason", "mistake")
    after = json.loads(cli("suppressions", "check", "--phone", "6175550101", "--json").output)
    assert after["by_channel"] == {"mail": False, "email": True, "phone": False}  # Bob's ember email opt-out stays


def test_add_refuses_bad_input(cli):
    r = cli("suppressions", "add", "--email", "nope", "--channel", "email", "--reason", "x", code=2)
    assert "not a usable email" in r.output
    cli("suppressions", "add", "--channel", "email", "--reason", "x", code=2)
