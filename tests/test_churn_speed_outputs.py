"""The speed work on RFM and publish (issue 14) changed no output: on a fixture full of ties, a key loaded
twice and orders without a brand, the scores and the published file are byte for byte what the code
before it wrote (tests/data/churn_golden/, written by that code from tests/churn_support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from churn_support import NOW, PUBLISH, build_fixture

from workbench import clock
from workbench.segments import compute_rfm
from workbench.segments.publish import run_publish
from workbench.segments.publish_def import parse_publish
from workbench.store import Store
from workbench.store.sql import quote_literal

GOLDEN = Path(__file__).resolve().parent / "data" / "churn_golden"


@pytest.fixture
def fixture_store(tmp_path):
    clock.set_now(NOW)
    store = Store(tmp_path / "fixture.duckdb", busy_timeout=0.5)
    with store.transaction() as conn:
        build_fixture(conn)
    with store.transaction() as conn:
        compute_rfm(conn)
    return store


def test_rfm_scores_are_the_old_ones(fixture_store, tmp_path):
    out = tmp_path / "rfm.csv"
    with fixture_store.connect() as conn:
        conn.execute(
            f"COPY (SELECT * EXCLUDE (as_of) FROM rfm_scores ORDER BY brand, person_id) TO {quote_literal(str(out))} "
            "(HEADER)"
        )
    assert out.read_bytes() == (GOLDEN / "rfm_scores.csv").read_bytes()


def test_rfm_scores_equal_plain_ntile_windows(fixture_store):
    """The quintiles are NTILE(5) per brand with the documented tie-breaks (a reference written apart)."""
    with fixture_store.connect(read_only=True) as conn:
        differ = conn.execute(
            """SELECT count(*) FROM (
                SELECT person_id, brand, recency_score, frequency_score, monetary_score FROM rfm_scores
                EXCEPT
                SELECT person_id, brand,
                       ntile(5) OVER (PARTITION BY brand ORDER BY recency_days DESC, person_id),
                       ntile(5) OVER (PARTITION BY brand ORDER BY frequency, monetary, person_id),
                       ntile(5) OVER (PARTITION BY brand ORDER BY monetary, frequency, person_id)
                FROM rfm_scores)"""
        ).fetchone()[0]
        brands = [r[0] for r in conn.execute("SELECT DISTINCT brand FROM rfm_scores ORDER BY 1").fetchall()]
    assert differ == 0
    assert brands == ["", "ember", "tidewater"]  # 'Ember' is 'ember'; orders without a brand only in ''


def test_published_file_is_the_old_one(fixture_store, tmp_path):
    result = run_publish(fixture_store, parse_publish(PUBLISH, "golden", tmp_path), allow_stale=True)
    written = tmp_path / "golden.csv"
    assert written.read_bytes() == (GOLDEN / "publish_full.csv").read_bytes()
    assert result.systems[0].changes == {"full": 630} and result.systems[0].keys == 630
