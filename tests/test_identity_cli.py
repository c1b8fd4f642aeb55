"""The identity CLI contract: `workbench match [--full] [--export FILE.csv] [--json]`,
`workbench persons --export FILE.csv`, and `workbench review`."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner
from test_identity_helpers import build_template, copy_store

from workbench.cli import main
from workbench.commands import identity

for command in identity.COMMANDS:  # until the lead registers the module in cli.COMMAND_MODULES
    if command.name not in main.commands:
        main.add_command(command)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_template(tmp_path_factory.mktemp("identity_cli"), rows=1500)


@pytest.fixture
def cli(template, tmp_path, monkeypatch):
    store = copy_store(template, tmp_path / "cli.duckdb")
    monkeypatch.setenv("WORKBENCH_NOW", "2026-01-16T09:00:00")
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(main, ["--db", str(store.path), *map(str, args)], catch_exceptions=False, input=input)

    return invoke


def test_match_json_export_and_persons_export(cli, tmp_path):
    pairs_csv, persons_csv = tmp_path / "pairs.csv", tmp_path / "persons.csv"
    r = cli("match", "--export", pairs_csv, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    for key in ("records", "pairs_scored", "auto_accepted", "in_review", "persons", "timings"):
        assert key in out
    assert out["records"] > out["persons"] > 0 and out["pairs_scored"] >= out["auto_accepted"] > 0
    assert {"prepare", "train", "score", "cluster", "total"} <= set(out["timings"])
    with pairs_csv.open(newline="") as f:
        assert f.readline().strip() == "source_a,key_a,source_b,key_b,probability"
    with pairs_csv.open(newline="") as f:
        pairs = list(csv.DictReader(f))
    assert len(pairs) == out["auto_accepted"] + out["in_review"]
    review = json.loads(cli("review", "queue", "--json").output)
    assert all(0.0 <= float(p["probability"]) <= 1.0 for p in pairs)
    assert min(float(p["probability"]) for p in pairs) >= 0.1  # the review threshold
    assert all(p["source_a"] in {"web", "ecom", "loyalty", "crm"} and p["key_a"] for p in pairs)

    r = cli("persons", "--export", persons_csv)
    assert r.exit_code == 0
    with persons_csv.open(newline="") as f:
        assert f.readline().strip() == "person_id,source,key"
    with persons_csv.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == out["records"]
    assert len({r["person_id"] for r in rows}) == out["persons"]
    assert review["left"] >= 0


def test_full_rerun_and_review_commands(cli):
    assert cli("match").exit_code == 0
    queue = json.loads(cli("review", "queue", "--limit", "2", "--json").output)
    assert queue["left"] > 0
    a, b = queue["pairs"][0]["a"], queue["pairs"][0]["b"]
    r = cli("review", "reject", a, b, "--reason", "twins")
    assert r.exit_code == 0 and "kept apart" in r.output
    assert cli("review", "undo").output.startswith("undone: reject")
    assert cli("review", "accept", a, b).exit_code == 0
    full = json.loads(cli("match", "--full", "--json").output)
    assert full["mode"] == "full"
    r = cli("review", "bulk-accept", "--min", "0.99", input="n\n")
    assert r.exit_code in (0, 1)
    r = cli("review", "accept", "web:nope", b)
    assert r.exit_code == 2 and "No people record" in r.output


def test_thresholds_are_per_database_settings(cli):
    out = json.loads(cli("match", "--auto-accept", "0.97", "--review", "0.6", "--json").output)
    assert out["auto_accept"] == 0.97 and out["review"] == 0.6
    r = cli("match", "--auto-accept", "0.4", "--review", "0.6")
    assert r.exit_code == 2 and "review" in r.output
