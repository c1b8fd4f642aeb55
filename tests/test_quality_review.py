"""Sampling on a matched database: seeded and stratified, answers are ordinary review decisions that a later
match run honours, estimates follow the answers."""

from __future__ import annotations

import pytest
from test_identity_helpers import build_template, copy_store

from workbench import clock
from workbench.identity.run import match
from workbench.quality import answer_item, current, draw_sample
from workbench.store.sql import rows, scalar


@pytest.fixture(scope="module")
def matched_template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quality_identity")
    template = build_template(folder, rows=1200)
    store = copy_store(template, folder / "matched.duckdb")
    clock.set_now("2026-01-16T09:00:00")
    match(store)
    clock.set_now(None)
    return folder / "matched.duckdb"


@pytest.fixture
def wb(matched_template, tmp_path):
    store = copy_store(matched_template, tmp_path / "wb.duckdb")
    clock.set_now("2026-01-16T10:00:00")
    return store


def items(store, sample_id: int, area: str) -> list[dict]:
    with store.connect(read_only=True) as conn:
        return rows(
            conn,
            "SELECT * FROM quality_items WHERE sample_id = ? AND area = ? ORDER BY item_id",
            [sample_id, area],
        )


def test_a_sample_is_stratified_seeded_and_counts_the_whole_population(wb):
    a = draw_sample(wb, {"persons": 40, "near_miss": 10, "households": 10, "suppressions": 0}, seed=7)
    b = draw_sample(wb, {"persons": 40, "near_miss": 10, "households": 10, "suppressions": 0}, seed=7)
    c = draw_sample(wb, {"persons": 40, "near_miss": 10, "households": 10, "suppressions": 0}, seed=8)
    pick = lambda s: [(i["record_l"], i["record_r"]) for i in items(wb, s.sample_id, "persons")]  # noqa: E731
    assert a.drawn["persons"] == 40 and pick(a) == pick(b) != pick(c)
    with wb.connect(read_only=True) as conn:
        in_persons = scalar(
            conn,
            "SELECT sum(n * (n - 1) // 2) FROM (SELECT count(*) AS n FROM person_records GROUP BY person_id)",
        )
        strata = scalar(
            conn,
            "SELECT sum(population) FROM quality_strata WHERE sample_id = ? AND area = 'persons'",
            [a.sample_id],
        )
        drawn = rows(
            conn,
            "SELECT stratum, drawn FROM quality_strata WHERE sample_id = ? AND area = 'persons'",
            [a.sample_id],
        )
    assert a.population["persons"] == in_persons == strata
    assert len(drawn) > 1 and sum(d["drawn"] for d in drawn) == 40


def test_answers_are_decisions_a_later_match_run_honours(wb):
    s = draw_sample(wb, {"persons": 10, "near_miss": 10, "households": 0, "suppressions": 0}, seed=3)
    merged, near = items(wb, s.sample_id, "persons")[0], items(wb, s.sample_id, "near_miss")[0]
    answer_item(wb, merged["item_id"], "different", "tester")  # two records of one person: kept apart
    answer_item(wb, near["item_id"], "same", "tester")  # a pair left apart: one person
    answer_item(wb, items(wb, s.sample_id, "persons")[1]["item_id"], "skip", "tester")

    def person(conn, record_id):
        return scalar(conn, "SELECT person_id FROM person_records WHERE record_id = ?", [record_id])

    for _ in range(2):  # at once, and after a full match run that scores and clusters everything again
        with wb.connect(read_only=True) as conn:
            assert person(conn, merged["record_l"]) != person(conn, merged["record_r"])
            assert person(conn, near["record_l"]) == person(conn, near["record_r"])
            decided = rows(
                conn,
                "SELECT record_id_l, record_id_r, decision, reason FROM match_decisions "
                "WHERE undone_at IS NULL ORDER BY decision_id",
            )
            audited = scalar(conn, "SELECT count(*) FROM audit_log WHERE action = 'quality.answer'")
        assert [(d["record_id_l"], d["record_id_r"], d["decision"]) for d in decided] == [
            (merged["record_l"], merged["record_r"], "reject"),
            (near["record_l"], near["record_r"], "accept"),
        ]
        assert {d["reason"] for d in decided} == {"quality sample"} and audited == 3
        match(wb, full=True)


def test_estimates_follow_the_answers(wb):
    s = draw_sample(wb, {"persons": 6, "near_miss": 0, "households": 0, "suppressions": 0}, seed=1)
    got = items(wb, s.sample_id, "persons")
    for i in got[:5]:
        answer_item(wb, i["item_id"], "same")
    with wb.connect(read_only=True) as conn:
        before = current(conn)["estimates"]["persons.precision"]
    answer_item(wb, got[5]["item_id"], "different")
    with wb.connect(read_only=True) as conn:
        after = current(conn)
    est = after["estimates"]["persons.precision"]
    assert before["estimate"] == 1.0 and before["answered"] == 5
    assert est["answered"] == 6 and est["estimate"] < 1.0 and est["low"] < est["estimate"] < est["high"]
    assert after["answered"] == 6 and after["age_loads"] == 0


def test_the_profile_shows_quality_as_a_trend(wb):
    from workbench.report.profile import build_profile
    from workbench.report.render import sections, to_markdown

    with wb.connect() as conn:
        assert build_profile(conn)["quality"] is None  # never sampled: no section
    for seed in (1, 2):
        s = draw_sample(wb, {"persons": 4, "near_miss": 4, "households": 0, "suppressions": 0}, seed=seed)
        for i in items(wb, s.sample_id, "persons") + items(wb, s.sample_id, "near_miss"):
            answer_item(wb, i["item_id"], "same" if i["area"] == "persons" else "different")
    with wb.connect() as conn:
        profile = build_profile(conn)
    found = [s for s in sections(profile) if s[0].startswith("Data quality")]
    assert len(found) == 1 and len(found[0][2]) == 2  # one point per sample
    assert found[0][2][0][2] == "100.0%"  # person precision of the first sample
    assert "## Data quality" in to_markdown(profile)


def test_an_erasure_takes_the_ids_out_of_a_sample_and_keeps_the_answer(wb):
    from workbench.privacy.erase import erase

    s = draw_sample(wb, {"persons": 3, "near_miss": 0, "households": 0, "suppressions": 0}, seed=4)
    item = items(wb, s.sample_id, "persons")[0]
    answer_item(wb, item["item_id"], "same")
    erase(wb, person_id=item["person_l"], compact=False)
    after = items(wb, s.sample_id, "persons")[0]
    assert (after["record_l"], after["record_r"], after["person_l"], after["person_r"]) == (None, None, None, None)
    assert after["answer"] == "same"
    with wb.connect(read_only=True) as conn:
        assert current(conn)["estimates"]["persons.precision"]["answered"] == 1
