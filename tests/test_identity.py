"""Identity resolution core: the household trap, decisions honoured across runs, cannot-link through chains,
stable person ids, incremental runs, golden records, the fallback without training data, one transaction."""

from __future__ import annotations

import pytest
from test_identity_helpers import build_template, copy_store, person_of, record_id, write_csv

from workbench import clock
from workbench.identity import decisions
from workbench.identity.run import match
from workbench.store.sql import rows, scalar


@pytest.fixture(scope="session")
def template(tmp_path_factory):
    return build_template(tmp_path_factory.mktemp("identity"))


@pytest.fixture(scope="session")
def matched_template(template, tmp_path_factory):
    """The template after one full match run (built once; each test gets a copy)."""
    store = copy_store(template, tmp_path_factory.mktemp("identity_matched") / "wb.duckdb")
    clock.set_now("2026-01-16T09:00:00")
    match(store)
    clock.set_now(None)
    return store.path


@pytest.fixture
def matched(matched_template, tmp_path):
    store = copy_store(matched_template, tmp_path / "wb.duckdb")
    clock.set_now("2026-01-16T09:00:00")
    return store


def persons_snapshot(conn) -> dict[int, int]:
    return dict(conn.execute("SELECT record_id, person_id FROM person_records").fetchall())


def test_household_trap_family_stays_apart_and_mover_merges(matched):
    with matched.connect(read_only=True) as conn:
        family = {k: person_of(conn, "crm", k) for k in ("F1", "F2", "F3", "F4")}
        assert len(set(family.values())) == 4, "a family of four at one address is four persons"
        for crm_key, web_key in (("F1", "XF5"), ("F2", "XF6"), ("F3", "XF7"), ("F4", "XF8")):
            assert person_of(conn, "web", web_key) == family[crm_key], "each member's two records are one person"
        assert person_of(conn, "crm", "M1") == person_of(conn, "web", "XM2"), "Bob who moved is Robert"
        run = rows(conn, "SELECT method, mode, records, persons FROM match_runs")[0]
    assert run["method"] == "splink" and run["mode"] == "full"
    assert run["persons"] < run["records"]


def test_golden_record_follows_source_priority_and_the_newest_address_whole(matched):
    with matched.connect(read_only=True) as conn:
        pid = person_of(conn, "crm", "M1")
        golden = rows(conn, "SELECT first_name, addr_street, addr_unit, city, zip5, golden_from, record_count "
                            "FROM persons WHERE person_id = ?", [pid])[0]
        crm_id, newer_id = record_id(conn, "crm", "M1"), record_id(conn, "web", "XM2")
    # crm has priority 0 (best): Robert wins over the newer record's Bob; the address is where the person
    # lives now: the newer record's (Pine Avenue, Apt 3, Cambridge, 2025) over Elm Road (2023), taken whole
    assert golden["first_name"] == "Robert"
    assert (golden["addr_street"], golden["addr_unit"], golden["city"], golden["zip5"]) == (
        "77 PINE AVE", "3", "CAMBRIDGE", "02139")
    assert golden["record_count"] == 2
    assert golden["golden_from"]["first_name"] == crm_id and golden["golden_from"]["address"] == newer_id


def test_decisions_are_honoured_across_reruns_and_never_asked_twice(matched):
    with matched.transaction() as conn:
        auto = rows(conn, "SELECT record_id_l, record_id_r FROM match_pairs WHERE status = 'auto' "
                          "ORDER BY probability, record_id_l LIMIT 1")[0]
        queue = decisions.next_pairs(conn, 5)
        assert queue, "the synthetic data leaves something to review"
        rev = queue[0]
        decisions.reject_pair(conn, auto["record_id_l"], auto["record_id_r"], "not the same person")
        decisions.accept_pair(conn, rev["record_id_l"], rev["record_id_r"], "same person")
        assert _person(conn, auto["record_id_l"]) != _person(conn, auto["record_id_r"])
        assert _person(conn, rev["record_id_l"]) == _person(conn, rev["record_id_r"])
    for full in (False, True):
        match(matched, full=full)
        with matched.connect(read_only=True) as conn:
            assert _person(conn, auto["record_id_l"]) != _person(conn, auto["record_id_r"])
            assert _person(conn, rev["record_id_l"]) == _person(conn, rev["record_id_r"])
            waiting = {(p["record_id_l"], p["record_id_r"]) for p in decisions.next_pairs(conn, 100_000)}
            assert (rev["record_id_l"], rev["record_id_r"]) not in waiting
            stored = rows(conn, "SELECT decision, reason, decided_at FROM match_decisions ORDER BY decision_id")
    assert [d["decision"] for d in stored] == ["reject", "accept"]
    assert stored[0]["reason"] == "not the same person" and stored[0]["decided_at"] is not None


def test_rejected_pair_is_never_joined_through_a_chain(matched):
    with matched.transaction() as conn:
        # a person of three or more records joined by automatic links
        pid = scalar(conn, """SELECT person_id FROM person_records GROUP BY person_id HAVING count(*) >= 3
                              ORDER BY person_id LIMIT 1""")
        members = [r["record_id"] for r in rows(conn, "SELECT record_id FROM person_records WHERE person_id = ? "
                                                      "ORDER BY record_id", [pid])]
        a, c = members[0], members[-1]
        decisions.reject_pair(conn, a, c, "kept apart")
        assert _person(conn, a) != _person(conn, c)
    match(matched, full=True)
    with matched.connect(read_only=True) as conn:
        assert _person(conn, a) != _person(conn, c)
        conflicts = scalar(conn, "SELECT count(*) FROM match_pairs WHERE status = 'conflict'")
    assert conflicts >= 0  # links refused to keep them apart wait in the queue as conflicts
    with matched.transaction() as conn:
        with pytest.raises(Exception, match="kept apart"):
            decisions.merge_persons(conn, _person(conn, a), _person(conn, c))


def test_person_ids_stay_put_and_incremental_run_reports_changes(matched, tmp_path):
    with matched.connect(read_only=True) as conn:
        before = persons_snapshot(conn)
    again = match(matched)
    assert again.mode == "incremental" and again.records_matched == 0 and again.persons_created == 0
    with matched.connect(read_only=True) as conn:
        assert persons_snapshot(conn) == before
    # a new crm record for the mover (new address again) and a brand-new person
    from workbench.ingest.load import load_file

    clock.set_now("2026-01-20T09:00:00")
    path = write_csv(tmp_path / "crm2.csv", [
        ["M3", "Bobby", "Kowalczyk", "9 Birch Lane", "", "Boston", "MA", "02116", "US", "", "508-555-0199",
         "1980-02-02", "2026-01-19"],
        ["N1", "Zelda", "Quintanilla-Orr", "1 Nowhere Way", "", "Boston", "MA", "02116", "US",
         "zelda.q@example.org", "", "1990-09-09", "2026-01-19"]])
    load_file(matched, "crm", path)
    result = match(matched)
    assert result.mode == "incremental" and result.records_added == 2 and result.records_matched == 2
    with matched.connect(read_only=True) as conn:
        after = persons_snapshot(conn)
        assert person_of(conn, "crm", "M3") == person_of(conn, "crm", "M1")
        new = person_of(conn, "crm", "N1")
    unchanged = {r: p for r, p in before.items() if r in after}
    assert all(after[r] == p for r, p in unchanged.items()), "no person was renumbered"
    assert new not in before.values()
    assert result.persons_merged == 1  # M3 joined the mover's person
    assert "records new or changed" in result.message


def test_fallback_without_enough_data_uses_exact_rules(store, data_dir):
    from workbench.ingest.load import load_file

    load_file(store, "web", data_dir / "web_1.csv")
    load_file(store, "crm", data_dir / "crm.csv")
    result = match(store)
    assert result.method == "rules"
    assert "exact rules" in result.model_note and "training needs" in result.model_note
    assert "exact rules" in result.message
    with store.connect(read_only=True) as conn:
        assert scalar(conn, "SELECT count(*) FROM person_records") == result.records
        assert scalar(conn, "SELECT count(*) FROM match_pairs WHERE status <> 'auto'") == 0
    again = match(store)  # the rules model is reused
    assert again.method == "rules" and again.mode == "incremental"


def test_a_failed_run_leaves_the_database_as_before(matched, monkeypatch):
    from workbench.identity import clusters

    with matched.connect(read_only=True) as conn:
        before = persons_snapshot(conn)
        runs = scalar(conn, "SELECT count(*) FROM match_runs")

    def boom(*_a, **_k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(clusters, "cluster", boom)
    with pytest.raises(RuntimeError):
        match(matched, full=True)
    with matched.connect(read_only=True) as conn:
        assert persons_snapshot(conn) == before
        assert scalar(conn, "SELECT count(*) FROM match_runs") == runs


def test_undo_split_and_bulk_accept(matched):
    with matched.transaction() as conn:
        pid = scalar(conn, "SELECT person_id FROM person_records GROUP BY person_id HAVING count(*) >= 2 "
                           "ORDER BY person_id LIMIT 1")
        member = scalar(conn, "SELECT max(record_id) FROM person_records WHERE person_id = ?", [pid])
        new_pid = decisions.split_record(conn, member, "wrong person")
        assert new_pid != pid and _person(conn, member) == new_pid
        decisions.undo_last(conn)
        assert _person(conn, member) == pid, "undoing the split puts the record back"
        counts = decisions.queue_counts(conn)
        preview = decisions.bulk_preview(conn, 0.0)
        # pairs the guards held (and groups that would hold two people) are held back, never bulk accepted
        assert preview["pairs"] > 0 and preview["pairs"] + preview["held_back"] == counts["left"]
        done = decisions.bulk_accept(conn, 0.0)
        assert done["accepted"] == preview["pairs"]
        assert decisions.queue_counts(conn)["left"] <= preview["held_back"]
        decisions.undo_last(conn)  # a bulk accept is undone as a whole
        assert decisions.queue_counts(conn)["left"] == counts["left"]


def _person(conn, rid: int) -> int:
    return scalar(conn, "SELECT person_id FROM person_records WHERE record_id = ?", [rid])
