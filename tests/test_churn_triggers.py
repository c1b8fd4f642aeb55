"""The churn score in triggers (issue 14): ``churn_score`` / ``churn_decile`` conditions beside the order
measures ("at risk and valuable"), of the all-brands model or of a trigger's ``churn_brand``; such a
trigger is stale while nobody is scored or the model is past its age."""

from __future__ import annotations

import pytest
from churn_support import NOW, build_fixture

from workbench import clock
from workbench.contacts.trigger_sql import evaluate_triggers, person_triggers, trigger_persons_sql
from workbench.contacts.triggers import parse_triggers_text, save_triggers
from workbench.errors import ConfigError
from workbench.store import Store
from workbench.store.sql import run

AT_RISK = """[triggers.at_risk_valuable]
description = "Likely to lapse and valuable"
from = "transactions"
window_days = 365
cadence = "weekly"
when = ["churn_decile >= 8", "spend >= 150"]
"""

# the same, by hand: spend net of returns in the 365 days up to today (2026-11-21), decile of brand ''
BY_HAND = """SELECT pr.person_id FROM transactions t JOIN person_records pr ON pr.record_id = t.record_id
    JOIN churn_scores c ON c.person_id = pr.person_id AND c.brand = ?
    WHERE CAST(t.order_date AS DATE) >= DATE '2025-11-22' AND NOT t.returned
    GROUP BY pr.person_id HAVING sum(t.amount) >= 150 AND min(c.decile) >= 8"""


@pytest.fixture
def store(tmp_path):
    clock.set_now(NOW)
    s = Store(tmp_path / "trig.duckdb", busy_timeout=0.5)
    with s.transaction() as conn:
        build_fixture(conn)
        # an ember model's scores: the reverse deciles of the all-brands ones
        run(
            conn,
            """INSERT INTO churn_scores (person_id, model_id, score, decile, as_of, scored_at, brand)
            SELECT person_id, 1, 1 - score, 11 - decile, as_of, scored_at, 'ember' FROM churn_scores""",
        )
    return s


def fired(conn, text: str) -> set[int]:
    trig = parse_triggers_text(text)[0]
    save_triggers(conn, [trig])
    return {r[0] for r in conn.execute(trigger_persons_sql(conn, trig.name)).fetchall()}


def test_at_risk_and_valuable_fires_for_exactly_those_persons(store):
    with store.transaction() as conn:
        got = fired(conn, AT_RISK)
        want = {r[0] for r in conn.execute(BY_HAND, [""]).fetchall()}
        unscored = {
            r[0] for r in conn.execute("SELECT person_id FROM persons WHERE person_id % 4 = 0").fetchall()
        }
        assert got == want and len(got) > 10
        assert not got & unscored  # a person never scored has no churn value: the condition does not hold
        shown = person_triggers(conn, min(got))
    assert shown[0]["trigger"] == "at_risk_valuable" and shown[0]["measures"]["churn_decile"] >= 8


def test_churn_brand_reads_that_brands_model(store):
    text = AT_RISK.replace('cadence = "weekly"', 'cadence = "weekly"\nchurn_brand = "Ember"')
    with store.transaction() as conn:
        got = fired(conn, text)
        want = {r[0] for r in conn.execute(BY_HAND, ["ember"]).fetchall()}
        overall = {r[0] for r in conn.execute(BY_HAND, [""]).fetchall()}
    assert got == want and got != overall
    assert "churn of brand ember" in parse_triggers_text(text)[0].summary()


def test_churn_score_condition_and_bad_definitions(store):
    text = AT_RISK.replace('"churn_decile >= 8"', '"churn_score > 0.9"')
    with store.transaction() as conn:
        got = fired(conn, text)
        want = {
            r[0]
            for r in conn.execute(
                "SELECT person_id FROM churn_scores WHERE brand = '' AND score > 0.9 AND person_id IN "
                "(SELECT pr.person_id FROM transactions t JOIN person_records pr USING (record_id) "
                "WHERE CAST(t.order_date AS DATE) >= DATE '2025-11-22' AND NOT t.returned "
                "GROUP BY 1 HAVING sum(t.amount) >= 150)"
            ).fetchall()
        }
    assert got == want
    with pytest.raises(ConfigError, match="churn_brand.*applies only"):
        parse_triggers_text(
            AT_RISK.replace('"churn_decile >= 8", ', "").replace(
                'cadence = "weekly"', 'cadence = "weekly"\nchurn_brand = "ember"'
            )
        )
    with pytest.raises(ConfigError, match="unknown measure 'churn_decil'"):
        parse_triggers_text(AT_RISK.replace("churn_decile", "churn_decil"))


def test_a_churn_trigger_is_stale_without_fresh_scores(store):
    with store.transaction() as conn:
        fired(conn, AT_RISK)
        fired(
            conn,
            AT_RISK.replace("at_risk_valuable", "tide").replace(
                'cadence = "weekly"', 'cadence = "weekly"\nchurn_brand = "tidewater"'
            ),
        )
        status = {s.name: s for s in evaluate_triggers(conn)}
    assert not any("churn" in r for r in status["at_risk_valuable"].reasons)
    assert status["tide"].status == "stale"
    assert any("nobody is scored by brand tidewater's churn model" in r for r in status["tide"].reasons)
    clock.set_now("2027-01-10T09:00:00")  # the model is 50 days old (allowed: 35)
    try:
        with store.connect(read_only=True) as conn:
            late = evaluate_triggers(conn, ["at_risk_valuable"])[0]
    finally:
        clock.set_now(NOW)
    assert late.status == "stale" and any(
        "the churn model (model 1) is 50 days old" in r for r in late.reasons
    )
