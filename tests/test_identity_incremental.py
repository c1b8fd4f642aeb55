"""An incremental match run clusters only the components its changes touch (issue 17): after a reload with
new, changed and removed records, and with decisions in force, its persons, person ids and pair statuses
are exactly what clustering every record over the same pairs gives. A full match scored in slices (the
memory bound for big files) keeps exactly the pairs and persons of one slice."""

from __future__ import annotations

import csv
import random

import pytest
from test_identity_helpers import build_template, copy_store

from workbench import clock
from workbench.errors import ConfigError
from workbench.identity import clusters, decisions
from workbench.identity.run import match
from workbench.ingest.load import load_file
from workbench.store.sql import rows


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("incremental")
    return build_template(folder), folder


@pytest.fixture(scope="module")
def matched_template(template):
    template, folder = template
    store = copy_store(template, folder / "matched.duckdb")
    clock.set_now("2026-01-16T09:00:00")
    match(store)
    clock.set_now(None)
    return store.path, folder / "synth" / "web.csv"


def _reloaded_web(source, target, seed: int):
    """The web extract again: some street lines changed, some rows gone, some rows copied under new keys
    with the first name shortened (a duplicate the next run must join)."""
    rng = random.Random(seed)
    with source.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        body = list(reader)
    out = []
    for row in body:
        roll = rng.random()
        if roll < 0.03:
            continue  # gone
        if roll < 0.08 and row[3]:
            row = [*row[:3], f"{rng.randint(1, 999)} Reload Street", *row[4:]]
        out.append(row)
        if rng.random() < 0.03:
            out.append(["R" + row[0][1:], row[1][:3] or row[1], *row[2:]])
    with target.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(out)
    return target


def _state(conn):
    persons = rows(conn, "SELECT record_id, person_id FROM person_records ORDER BY record_id")
    statuses = rows(conn, """SELECT record_id_l, record_id_r, status, held_by, reason FROM match_pairs
        ORDER BY record_id_l, record_id_r""")
    return {r["record_id"]: r["person_id"] for r in persons}, statuses


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_run_clusters_like_a_full_clustering(matched_template, tmp_path, seed):
    path, web = matched_template
    store = copy_store(path, tmp_path / "wb.duckdb")
    clock.set_now("2026-01-17T09:00:00")
    try:
        # decisions in force: one merged pair rejected, one pair under review accepted
        with store.transaction() as conn:
            auto = rows(conn, "SELECT record_id_l AS l, record_id_r AS r FROM match_pairs WHERE status = 'auto' "
                              "ORDER BY hash(record_id_l + ?) LIMIT 1", [seed])
            review = rows(conn, "SELECT record_id_l AS l, record_id_r AS r FROM match_pairs WHERE status = 'review' "
                                "ORDER BY hash(record_id_l + ?) LIMIT 1", [seed])
            for pair in auto:
                decisions.reject_pair(conn, pair["l"], pair["r"], reason="test")
            for pair in review:
                decisions.accept_pair(conn, pair["l"], pair["r"], reason="test")
        summary = load_file(store, "web", _reloaded_web(web, tmp_path / "web.csv", seed))
        assert summary.rows_inserted and summary.rows_updated and summary.rows_removed
        result = match(store)
        assert result.mode == "incremental" and result.records_added > 0
        with store.connect(read_only=True) as conn:
            persons, statuses = _state(conn)
            partition = rows(conn, "SELECT count(DISTINCT person_id) AS n FROM person_records")[0]["n"]
        # the same pairs, every record clustered again
        with store.transaction() as conn:
            conn.execute("UPDATE match_pairs SET status = 'auto', held_by = NULL, reason = NULL "
                         "WHERE status = 'conflict' OR (status = 'held' AND held_by = 'cluster')")
            changes = clusters.cluster(conn)
            full_persons, full_statuses = _state(conn)
        assert changes.records_moved == 0 and changes.persons_created == 0
        assert full_persons == persons, "the incremental run formed other persons than a full clustering"
        assert full_statuses == statuses
        assert partition == len(set(persons.values()))
    finally:
        clock.set_now(None)


def _full_match(template, target, chunk_records: int | None):
    store = copy_store(template, target)
    if chunk_records is not None:
        store.set_setting("identity.predict_chunk_records", str(chunk_records))
    steps: list[str] = []
    clock.set_now("2026-01-16T09:00:00")
    try:
        result = match(store, progress=lambda message, _f: steps.append(message))
    finally:
        clock.set_now(None)
    with store.connect(read_only=True) as conn:
        pairs = rows(conn, """SELECT record_id_l, record_id_r, round(probability, 9) AS p, status, held_by
            FROM match_pairs ORDER BY record_id_l, record_id_r""")
        persons, _ = _state(conn)
    return result, steps, pairs, persons


def test_a_full_match_in_slices_keeps_the_same_pairs_and_persons(template, tmp_path):
    path, _ = template
    whole, whole_steps, whole_pairs, whole_persons = _full_match(path, tmp_path / "whole.duckdb", None)
    sliced, sliced_steps, sliced_pairs, sliced_persons = _full_match(path, tmp_path / "sliced.duckdb", 700)
    assert not any("slice" in s for s in whole_steps)
    slices = [s for s in sliced_steps if "slice" in s]
    assert len(slices) == -(-whole.records // 700) > 2, slices
    assert sliced.pairs_scored == whole.pairs_scored > 0
    assert sliced_pairs == whole_pairs and len(whole_pairs) > 100
    assert sliced_persons == whole_persons


def test_a_bad_slice_setting_is_refused_and_nothing_changes(template, tmp_path):
    path, _ = template
    store = copy_store(path, tmp_path / "wb.duckdb")
    store.set_setting("identity.predict_chunk_records", "half a million")
    with pytest.raises(ConfigError, match="identity.predict_chunk_records.*not a whole number"):
        match(store)
    with store.connect(read_only=True) as conn:
        assert rows(conn, "SELECT count(*) AS n FROM match_pairs")[0]["n"] == 0
        assert rows(conn, "SELECT count(*) AS n FROM match_runs")[0]["n"] == 0
