"""The demo's planted lapsing (demo_db/synth/lapsing.py) is what the churn model must find (issue 14):
steady e-commerce buyers whose gaps stretch, with trouble calls, then silence. Measured on the demo as
built: the back-test's AUC (0.74 before the plant), and where the planted lapsers land among the scores."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from workbench import clock
from workbench.model import train_churn
from workbench.model.churn import data_as_of, new_estimator
from workbench.model.features import build_frame, discover_spec, matrix
from workbench.store import Store

DEMO = Path(__file__).resolve().parents[1] / "demo_db"
AUC_FLOOR = 0.77  # 0.780 on the demo as generated; 0.743 before the plant


@pytest.fixture(scope="module")
def lapse_days() -> dict[str, date]:
    """customer id -> planted lapse day, from the generator itself (run apart: its ``synth`` package)."""
    code = (
        "import json, generate; out, f = generate.build(); "
        "print(json.dumps({k: v.date().isoformat() for k, v in f['lapse_days'].items()}))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=DEMO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return {k: date.fromisoformat(v) for k, v in json.loads(done.stdout).items()}


def test_the_demo_back_test_finds_the_planted_lapsing(demo_copy):
    clock.set_now("2026-11-24T09:00:00")
    try:
        with Store(demo_copy).transaction() as conn:
            result = train_churn(conn)
    finally:
        clock.set_now(None)
    ev = result.evaluation
    assert ev["auc"] >= AUC_FLOOR, ev["auc"]
    assert ev["top_decile_lift"] > 2.0 and ev["persons"] > 1000


def test_planted_lapsers_rank_high_and_steady_ones_do_not(demo_copy, lapse_days):
    """The back-test by hand: fit at T - 2N, score at T - N. Planted lapsers already silent at T - N (lapse
    day before it) are ranked near the top; those still in their rhythm then are not."""
    import numpy as np

    assert len(lapse_days) > 300
    with Store(demo_copy).connect(read_only=True) as conn:
        as_of = data_as_of(conn)
        evaluate_at = as_of - timedelta(days=180)
        train_at = evaluate_at - timedelta(days=180)
        spec = discover_spec(conn, train_at, None, 180)
        _, x, y = matrix(build_frame(conn, spec, train_at, True))
        model = new_estimator().fit(x, y)
        ids, x_h, y_h = matrix(build_frame(conn, spec, evaluate_at, True))
        keys = conn.execute(
            """SELECT r.source_key, pr.person_id FROM records r JOIN person_records pr USING (record_id)
            WHERE r.source = 'ecom_customers'"""
        ).fetchall()
    scores = model.predict_proba(x_h)[:, 1]
    percentile = scores.argsort().argsort() / len(scores)
    lapse_of = {pid: lapse_days[k] for k, pid in keys if k in lapse_days}
    silent = np.array([i in lapse_of and lapse_of[i] <= evaluate_at for i in ids])
    in_rhythm = np.array([i in lapse_of and lapse_of[i] > evaluate_at + timedelta(days=120) for i in ids])
    assert silent.sum() > 100 and in_rhythm.sum() > 50
    assert y_h[silent].mean() > 0.7  # they are lapsed by the label too (some still buy in the stores)
    assert np.median(percentile[silent]) > 0.75
    assert np.median(percentile[in_rhythm]) < 0.5
