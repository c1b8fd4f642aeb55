"""`workbench quality`, `quality sample`, `quality answer` and `export --allow-unmeasured` on the command line."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from test_export import MAIL, prepared
from test_select_data import build_db

from workbench import clock
from workbench.cli import main
from workbench.store.sql import rows


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    folder = tmp_path_factory.mktemp("qualitycli")
    build_db(folder)
    clock.set_now(None)
    return folder / "wb.duckdb"


@pytest.fixture
def db(master, tmp_path):
    shutil.copy(master, tmp_path / "wb.duckdb")
    prepared(tmp_path / "wb.duckdb", MAIL)
    return tmp_path / "wb.duckdb"


def cli(db, *args):
    return CliRunner().invoke(main, ["--db", str(db), *map(str, args)])


def test_sample_answer_report_and_export_over_a_low_estimate(db, tmp_path):
    got = cli(db, "quality")
    assert got.exit_code == 0 and "Not measured yet" in got.output
    got = cli(
        db,
        "quality",
        "sample",
        "--persons",
        "0",
        "--near-misses",
        "0",
        "--households",
        "0",
        "--suppressions",
        "10",
        "--json",
    )
    assert got.exit_code == 0, got.output
    drawn = json.loads(got.output)
    assert drawn["drawn"]["suppressions"] > 0
    from workbench.store import Store

    with Store(db).connect(read_only=True) as conn:
        ids = [r["item_id"] for r in rows(conn, "SELECT item_id FROM quality_items ORDER BY item_id")]
    for i in ids:
        assert cli(db, "quality", "answer", i, "different").exit_code == 0
    got = cli(db, "quality", "--json")
    summary = json.loads(got.output)
    assert summary["estimates"]["suppressions.precision"]["estimate"] == 0.0
    assert summary["gate"]["blocked"]
    assert "an export would refuse" in cli(db, "quality").output
    refused = cli(db, "export", "winter", "--out", tmp_path / "w.csv", "--campaign", "Q1")
    assert refused.exit_code == 1 and "under the floor" in refused.output
    done = cli(db, "export", "winter", "--out", tmp_path / "w.csv", "--campaign", "Q1", "--allow-unmeasured")
    assert done.exit_code == 0, done.output
    manifest = json.loads((tmp_path / "w.csv.manifest.json").read_text())
    assert manifest["quality"]["allowed_unmeasured"] is True
    assert "quality.override" in cli(db, "audit", "--action", "quality").output


def test_a_bad_answer_is_refused(db):
    got = cli(db, "quality", "answer", "999", "maybe")
    assert got.exit_code == 2
    got = cli(db, "quality", "answer", "999", "same")
    assert got.exit_code == 2 and "no sample item 999" in got.output
