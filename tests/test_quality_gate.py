"""The accuracy gate of exports: a never-sampled database exports (setting), a stale or low estimate
refuses, --allow-unmeasured exports anyway and is audited, the manifest carries the estimates."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta

import pytest
from test_export import MAIL, prepared
from test_select_data import NOW, build_db

from workbench import clock
from workbench.errors import RefusedError
from workbench.export.run import export_selection
from workbench.quality import answer, check_export, draw
from workbench.store.sql import rows, run, scalar


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    folder = tmp_path_factory.mktemp("qualitydb")
    build_db(folder)
    clock.set_now(None)
    return folder / "wb.duckdb"


@pytest.fixture
def store(master, tmp_path):
    shutil.copy(master, tmp_path / "wb.duckdb")
    return prepared(tmp_path / "wb.duckdb", MAIL)


def sample_and_answer(store, given: str) -> int:
    """A sample of the suppression hits, every item answered ``given``."""
    with store.transaction() as conn:
        from workbench.suppress import ensure_person_suppressions

        ensure_person_suppressions(conn)
        result = draw(conn, {"persons": 0, "near_miss": 0, "households": 0, "suppressions": 20}, seed=5)
        for r in rows(conn, "SELECT item_id FROM quality_items WHERE sample_id = ?", [result.sample_id]):
            answer(conn, r["item_id"], given, "tester")
    assert result.drawn["suppressions"] > 0
    return result.sample_id


def test_a_database_never_sampled_exports_and_says_unmeasured(store, tmp_path):
    result = export_selection(store, "winter", tmp_path / "w.csv", campaign="Q1")
    manifest = json.loads(result.manifest.read_text())
    assert manifest["quality"]["status"] == "unmeasured"
    assert manifest["quality"]["problems"] == []


def test_when_unmeasured_refuse_is_a_setting(store, tmp_path):
    store.set_setting("quality.when_unmeasured", "refuse")
    with pytest.raises(RefusedError, match="no accuracy estimate"):
        export_selection(store, "winter", tmp_path / "w.csv", campaign="Q1")
    assert not (tmp_path / "w.csv").exists()


def test_the_manifest_carries_the_estimates(store, tmp_path):
    sample_and_answer(store, "same")
    store.set_setting("quality.floor.suppressions", "0.5")  # five hits cannot prove 0.98
    result = export_selection(store, "winter", tmp_path / "w.csv", campaign="Q1")
    q = json.loads(result.manifest.read_text())["quality"]
    est = q["estimates"]["suppressions.precision"]
    assert q["status"] == "measured" and est["estimate"] == 1.0 and est["sample_size"] > 0
    assert 0 < est["low"] < 1 and est["high"] == 1.0
    assert q["age_loads"] == 0


def test_a_low_estimate_refuses_and_an_override_is_audited(store, tmp_path):
    sample_and_answer(store, "different")
    with store.connect(read_only=True) as conn:
        assert check_export(conn).blocked
    with pytest.raises(RefusedError, match="suppressions precision .* under the floor 0.98"):
        export_selection(store, "winter", tmp_path / "w.csv", campaign="Q1")
    assert not (tmp_path / "w.csv").exists()
    with store.connect(read_only=True) as conn:
        assert not scalar(conn, "SELECT count(*) FROM audit_log WHERE action = 'quality.override'")
    result = export_selection(store, "winter", tmp_path / "w.csv", campaign="Q1", allow_unmeasured=True)
    q = json.loads(result.manifest.read_text())["quality"]
    assert q["allowed_unmeasured"] is True and q["problems"]
    with store.connect(read_only=True) as conn:
        audited = rows(conn, "SELECT target, details FROM audit_log WHERE action = 'quality.override'")
    assert len(audited) == 1 and audited[0]["target"] == "winter"


def test_a_stale_estimate_refuses(store, tmp_path):
    sample_and_answer(store, "same")
    clock.set_now(datetime.fromisoformat(NOW) + timedelta(days=31))
    with pytest.raises(RefusedError, match="days old"):
        export_selection(store, "winter", tmp_path / "w.csv", campaign="Q1", allow_stale=True)
    clock.set_now(NOW)
    with store.transaction() as conn:  # 21 loads since the sample was drawn (max_loads 20)
        run(
            conn,
            "INSERT INTO loads SELECT load_id + 1000 + i, source, file, file_hash, file_bytes, encoding, "
            "started_at, finished_at, rows_read, rows_loaded, rows_rejected, duplicate_keys, rows_inserted, "
            "rows_updated, rows_removed, as_of_min, as_of_max, duration_s, status "
            "FROM (SELECT * FROM loads LIMIT 1), range(21) t(i)",
        )
    with pytest.raises(RefusedError, match="21 loads old"):
        export_selection(store, "winter", tmp_path / "w.csv", campaign="Q1")


def test_a_floor_setting_that_is_not_a_number_is_named(store, tmp_path):
    store.set_setting("quality.floor.persons", "high")
    with pytest.raises(Exception, match="quality.floor.persons"):
        export_selection(store, "winter", tmp_path / "w.csv", campaign="Q1")
