from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import main


@pytest.fixture
def cli(tmp_path, data_dir, monkeypatch):
    db = tmp_path / "cli.duckdb"
    monkeypatch.setenv("WORKBENCH_NOW", "2026-11-20T10:00:00")
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, ["--db", str(db), *map(str, args)], catch_exceptions=False)

    assert invoke("sources", "import", data_dir / "sources.toml").exit_code == 0
    return invoke


def test_sources_list_json(cli):
    r = cli("sources", "list", "--json")
    names = {s["name"] for s in json.loads(r.output)}
    assert names == {"web", "crm", "orders", "dnc"}


def test_load_json_and_rejects(cli, data_dir):
    r = cli("load", "web", data_dir / "web_1.csv", "--json")
    assert r.exit_code == 0
    out = json.loads(r.output)
    assert out["rows_loaded"] == 2 and out["rows_rejected"] == 5
    r = cli("rejects", out["load_id"], "--json")
    assert json.loads(r.output)["total"] == 5
    r = cli("load", "web", data_dir / "web_1.csv")
    assert "already loaded" in r.output


def test_freshness_exit_codes(cli, data_dir):
    r = cli("freshness", "--json")
    assert r.exit_code == 2  # sources never loaded
    data = json.loads(r.output)
    assert {s["status"] for s in data["sources"]} == {"never"}
    for name, f in (("web", "web_1.csv"), ("crm", "crm.csv"), ("orders", "orders.csv"), ("dnc", "dnc.txt")):
        assert cli("load", name, data_dir / f).exit_code == 0
    r = cli("freshness", "--json")
    statuses = {s["name"]: s["status"] for s in json.loads(r.output)["sources"]}
    # orders' as-of (2026-11-11) is 9 days old against a daily cadence: error
    assert statuses["orders"] == "error" and statuses["web"] == "fresh"
    assert r.exit_code == 2


def test_errors_are_plain(cli, data_dir, tmp_path):
    r = cli("load", "nosuch", data_dir / "crm.csv")
    assert r.exit_code == 2 and "Unknown source 'nosuch'" in r.output and "Traceback" not in r.output
    r = cli("load", "crm", tmp_path / "missing.csv")
    assert r.exit_code == 2 and "no such file" in r.output
    bad = tmp_path / "bad.toml"
    bad.write_text("[sources.x]\nkind = 'people'\n")
    r = cli("sources", "import", bad)
    assert r.exit_code == 2 and "cadence" in r.output


def test_help_is_fast():
    env = dict(os.environ)
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "workbench", "--help"], capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    assert out.returncode == 0 and "marketing database" in out.stdout
    assert elapsed < 3.0  # the target is < 1 s on an idle machine; CI machines are noisy
    code = "import sys, workbench.cli; assert 'duckdb' not in sys.modules and 'textual' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_not_a_database(tmp_path):
    p = tmp_path / "x.duckdb"
    p.write_text("nope")
    r = CliRunner().invoke(main, ["--db", str(p), "sources", "list"])
    assert r.exit_code == 2 and "not a DuckDB database" in r.output
    assert Path(p).read_text() == "nope"
