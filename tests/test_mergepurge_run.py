"""Merge/purge: where a prospect lands (customer, suppressed, on two lists), the net-name report adds up, a
one-time list cannot be used twice, seeds are in every file (or --no-seeds is audited)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from mergepurge_support import _names, _run_file, _write, build_mp_store

from workbench import clock
from workbench.errors import RefusedError


@pytest.fixture
def mp_store(tmp_path, built):
    return built(build_mp_store, tmp_path)  # built once, copied per test


def test_each_prospect_lands_where_the_rules_say(mp_store, tmp_path):
    from workbench.mergepurge import run_mergepurge

    result = run_mergepurge(mp_store, _run_file(tmp_path), tmp_path / "out.csv")
    names = _names(mp_store, result.run_id)
    assert names["A1"][:2] == ("house", "person")  # a customer: taken out as a house-file match
    assert names["A2"] == ("suppressed", "mps", None)  # on the Mail Preference Service
    assert names["B2"] == ("suppressed", "deceased", None)
    assert names["A3"][0] == "net"  # on two lists: the list first in priority keeps her
    assert names["B1"] == ("duplicate", "person", "list_a")
    assert names["A4"] == ("duplicate", "household", "list_a")  # one per household
    assert names["A5"] == ("reject", "no mailable name and address", None)
    assert names["A6"][0] == "net"  # the owner's seed is kept
    assert names["B3"][0] == "net"
    with open(result.file, newline="") as f:
        out = list(csv.DictReader(f))
    assert sorted(r["source_key"] for r in out if r["list"] != "seed") == ["A3", "A6", "B3"]
    assert {r["keycode"] for r in out if r["list"] == "list_a"} == {"SP26A"}
    assert [r["last_name"] for r in out if r["seed_of"] == "database"] == ["Park"]
    assert [r["source_key"] for r in out if r["seed_of"] == "list owner"] == ["A6"]
    with mp_store.connect(read_only=True) as conn:  # prospects never become customers
        assert conn.execute("SELECT count(*) FROM records WHERE source LIKE 'list_%'").fetchone()[0] == 0


def test_house_matches_kept_and_flagged_per_run(mp_store, tmp_path):
    from workbench.mergepurge import run_mergepurge

    result = run_mergepurge(mp_store, _run_file(tmp_path, house="flag"), tmp_path / "out.csv")
    names = _names(mp_store, result.run_id)
    assert names["A1"][0] == "net"
    with open(result.file, newline="") as f:
        flagged = {r["source_key"]: r["house_person_id"] for r in csv.DictReader(f)}
    assert flagged["A1"] != "" and flagged["A3"] == ""
    a = next(r for r in result.lists if r.source == "list_a")
    assert a.house == 0 and a.house_flagged == 1


def test_net_name_report_adds_up(mp_store, tmp_path):
    from workbench.mergepurge import run_mergepurge

    result = run_mergepurge(mp_store, _run_file(tmp_path), tmp_path / "out.csv")
    by = {r.source: r for r in result.lists}
    a, b = by["list_a"], by["list_b"]
    assert (a.gross, a.rejects, a.house, a.suppressions, a.duplicates, a.net) == (
        6,
        1,
        1,
        {"mps": 1},
        {"list_a": 1},
        2,
    )
    assert (b.gross, b.rejects, b.load_rejects, b.suppressions, b.duplicates, b.net) == (
        4,
        1,
        1,
        {"deceased": 1},
        {"list_a": 1},
        1,
    )
    for r in result.lists:  # gross = every removal + net
        assert (
            r.gross == r.rejects + r.house + sum(r.suppressions.values()) + sum(r.duplicates.values()) + r.net
        )
    assert a.owner_seeds == 1 and a.billable == 1 and a.cost == 0.1  # 1 billable name at $100 per thousand
    assert b.cost == 0.05
    report = json.loads(Path(str(result.file) + ".report.json").read_text())  # written beside the file
    assert report["report"]["matrix"]["list_b"] == {"list_a": 1, "list_b": 0}
    assert report["report"]["total"]["gross"] == 10


def test_one_time_list_cannot_be_used_twice(mp_store, tmp_path):
    from workbench.mergepurge import run_mergepurge

    run_mergepurge(mp_store, _run_file(tmp_path), tmp_path / "out.csv")
    with pytest.raises(RefusedError, match="one-time rental"):
        run_mergepurge(mp_store, _run_file(tmp_path), tmp_path / "again.csv")
    assert not (tmp_path / "again.csv").exists()
    # list_b alone is bought (unlimited use): a second run of it goes
    only_b = _write(
        tmp_path, "b.toml", '[mergepurge]\nname = "b_again"\nchannel = "mail"\nlists = ["list_b"]\n'
    )
    assert run_mergepurge(mp_store, only_b, tmp_path / "b.csv").run_id == 2


def test_expired_list_refused(mp_store, tmp_path):
    from workbench.mergepurge import run_mergepurge

    clock.set_now("2027-01-02T10:00:00")
    with pytest.raises(RefusedError, match="expired on 2026-12-31"):
        run_mergepurge(mp_store, _run_file(tmp_path), tmp_path / "out.csv")


def test_dry_run_writes_and_records_nothing(mp_store, tmp_path):
    from workbench.mergepurge import run_mergepurge

    result = run_mergepurge(mp_store, _run_file(tmp_path), None, dry_run=True)
    assert result.run_id is None and sum(r.net for r in result.lists) == 3
    with mp_store.connect(read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM mergepurge_runs").fetchone()[0] == 0
    run_mergepurge(mp_store, _run_file(tmp_path), tmp_path / "out.csv")  # the one-time list is still unused


def test_existing_output_refused_without_force(mp_store, tmp_path):
    from workbench.errors import WorkbenchError
    from workbench.mergepurge import run_mergepurge

    taken = _write(tmp_path, "taken.csv", "keep me\n")
    with pytest.raises(WorkbenchError, match="already exists"):
        run_mergepurge(mp_store, _run_file(tmp_path), taken)
    assert taken.read_text() == "keep me\n"
    with mp_store.connect(read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM mergepurge_runs").fetchone()[0] == 0
