"""The churn model (issue 14): trained and evaluated on a time split that cannot see the future, stored
with its features and evaluation, scoring refused on an old model or a stale source, scores in selections."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from workbench import clock
from workbench.errors import RefusedError
from workbench.model import LeakError, evaluate, latest_model, score_churn, train_churn
from workbench.store import Store
from workbench.store.sql import rows, run, scalar

NOW = "2026-11-21T09:00:00"
PERSONS = 1500


def generate(conn, persons: int = PERSONS) -> None:
    """Three years of orders up to 2026-11-20. Kind 0 (loyal) buys every 20-40 days throughout; kind 1
    (lapsing) buys as often until a stop day, complaining 20 and 50 days before it; kind 2 buys every
    100-160 days. Stop days are spread over the last two years, so some lapse after each cut-off."""
    run(
        conn,
        "INSERT INTO sources (name, kind, cadence, cadence_s, warn_after_s, error_after_s, priority, mode, "
        "created_at, updated_at) VALUES ('crm', 'people', 'daily', 86400, 172800, 345600, 1, 'full', "
        "TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-01'), ('shop', 'transactions', 'daily', 86400, 172800, "
        "345600, 2, 'incremental', TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-01')",
    )
    run(
        conn,
        "INSERT INTO loads (load_id, source, file, file_hash, started_at, finished_at, rows_loaded, as_of_max, "
        "status) VALUES (1, 'shop', 'orders.csv', 'h', TIMESTAMP '2026-11-20 23:00', "
        "TIMESTAMP '2026-11-20 23:00', 1, TIMESTAMP '2026-11-20 22:00', 'loaded')",
    )
    run(
        conn,
        "INSERT INTO records (record_id, source, source_key, load_id) "
        "SELECT i, 'crm', 'K' || i, 1 FROM range(1, ?) t(i)",
        [persons + 1],
    )
    run(
        conn,
        "INSERT INTO person_records SELECT i, i, TIMESTAMP '2026-01-01' FROM range(1, ?) t(i)",
        [persons + 1],
    )
    run(
        conn,
        "INSERT INTO persons (person_id, first_name, record_count, updated_at) "
        "SELECT i, 'P' || i, 1, TIMESTAMP '2026-01-01' FROM range(1, ?) t(i)",
        [persons + 1],
    )
    run(
        conn,
        """CREATE TEMP TABLE kinds AS SELECT i AS p, i % 3 AS kind,
            20 + hash(i, 'gap') % 21 AS gap, hash(i, 'start') % 60 AS start,
            DATE '2024-11-20' + CAST(hash(i, 'stop') % 730 AS INTEGER) AS stop_day
        FROM range(1, ?) t(i)""",
        [persons + 1],
    )
    run(
        conn,
        """INSERT INTO transactions (source, order_id, record_id, load_id, order_date, amount, brand, channel,
            returned)
        SELECT 'shop', 'O' || p || '-' || k, p, 1, CAST(DATE '2023-11-20' + CAST(start + k * (CASE WHEN kind = 2
                   THEN gap * 5 ELSE gap END) AS INTEGER) AS TIMESTAMP),
               10 + hash(p, k) % 90, CASE WHEN p % 2 = 0 THEN 'ember' ELSE 'tidewater' END,
               CASE WHEN hash(p, k, 'c') % 3 = 0 THEN 'web' ELSE 'store' END, hash(p, k, 'r') % 20 = 0
        FROM kinds, range(0, 60) r(k)
        WHERE DATE '2023-11-20' + CAST(start + k * (CASE WHEN kind = 2 THEN gap * 5 ELSE gap END) AS INTEGER)
              <= DATE '2026-11-20'
          AND (kind <> 1 OR DATE '2023-11-20' + CAST(start + k * gap AS INTEGER) <= stop_day)""",
    )
    run(
        conn,
        """INSERT INTO events (source, source_key, record_id, load_id, event_type, event_time)
        SELECT 'crm', 'K' || p, p, 1, 'complaint', CAST(stop_day - d AS TIMESTAMP)
        FROM kinds, (VALUES (20), (50)) v(d) WHERE kind = 1 AND stop_day - d <= DATE '2026-11-20'""",
    )
    run(conn, "DROP TABLE kinds")


@pytest.fixture
def churn_store(tmp_path):
    store = Store(tmp_path / "churn.duckdb", busy_timeout=0.5)
    clock.set_now(NOW)
    with store.transaction() as conn:
        generate(conn)
    return store


def test_evaluate_by_hand():
    ev = evaluate([1, 1, 0, 0, 0, 0, 0, 0, 0, 0], [0.9, 0.8, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])
    assert ev["auc"] == 1.0 and ev["lapse_rate"] == 0.2
    assert ev["top_decile_lift"] == 5.0  # the top 10% (one person) lapsed: 1.0 / 0.2
    assert [c["persons"] for c in ev["calibration"]] == [1] * 10
    assert ev["calibration"][-1] == {"decile": 10, "persons": 1, "predicted": 0.9, "observed": 1.0}


def test_train_evaluates_on_a_time_split_and_stores_the_model(churn_store):
    with churn_store.transaction() as conn:
        result = train_churn(conn, horizon_days=180)
    assert result.as_of == date(2026, 11, 20)
    assert (result.eval_cutoff, result.train_cutoff) == (date(2026, 5, 24), date(2025, 11, 25))
    ev = result.evaluation
    assert ev["auc"] > 0.75 and ev["top_decile_lift"] > 1.5, ev  # the planted lapsing is found
    assert 0 < ev["lapse_rate"] < 1 and len(ev["calibration"]) == 10
    assert "event_0_365" in result.features and "days_since_last" in result.features
    with churn_store.connect(read_only=True) as conn:
        m = latest_model(conn)
        assert m["as_of"] == date(2026, 11, 20) and m["evaluation"]["auc"] == ev["auc"]
        assert m["settings"]["event_types"] == ["complaint"] and m["library"].startswith("scikit-learn")
        assert scalar(conn, "SELECT count(*) FROM audit_log WHERE action = 'model.churn.train'") == 1


def test_a_leak_of_the_future_fails_the_evaluation_check(churn_store, monkeypatch):
    """A feature frame that reads one month past its cut-off (as a buggy window would) is refused, and
    nothing is stored."""
    from datetime import timedelta

    import workbench.model.features as features

    monkeypatch.setattr(features, "data_end", lambda cutoff: cutoff + timedelta(days=30))
    with pytest.raises(LeakError, match="after the cut-off"), churn_store.transaction() as conn:
        train_churn(conn, horizon_days=180)
    with churn_store.connect(read_only=True) as conn:
        assert scalar(conn, "SELECT count(*) FROM churn_models") == 0


def test_labels_come_only_from_after_the_cutoff(churn_store):
    """The frame at a cut-off: features from on/before it (seen_until), labels from the horizon after it."""
    from workbench.model.features import FeatureSpec, build_frame

    with churn_store.connect(read_only=True) as conn:
        frame = build_frame(conn, FeatureSpec(("store", "web"), ("complaint",)), date(2025, 11, 25), True)
        table = frame.table.to_pylist()
        # person 1's own check: lapsed exactly when no order in (cut-off, +180 days]
        later = {
            r["p"]: r["n"]
            for r in rows(
                conn,
                """SELECT record_id AS p, count(*) FILTER (WHERE NOT returned
            AND order_date > DATE '2025-11-25' AND order_date < DATE '2026-05-24' + 1) AS n
            FROM transactions GROUP BY 1""",
            )
        }
    assert max(r["_seen_until"] for r in table) <= date(2025, 11, 25)
    assert all(r["label"] == (later[r["person_id"]] == 0) for r in table)


def test_score_fills_scores_usable_in_selections(churn_store):
    from workbench.select.attributes import ensure_attributes
    from workbench.select.expression import Catalog, Compiler

    with churn_store.transaction() as conn:
        train_churn(conn)
        summary = score_churn(conn)
        ensure_attributes(conn)
    assert summary["persons"] > 500 and summary["as_of"] == date(2026, 11, 20)
    c = Compiler(Catalog(today=date(2026, 11, 21)))
    frag = c.compile("churn_decile = 10 AND churn_score > 0.5")
    with churn_store.connect(read_only=True) as conn:
        top = conn.execute(
            f"SELECT count(*) FROM person_attributes a WHERE {frag.sql}", frag.params
        ).fetchone()[0]
        deciles = rows(conn, "SELECT decile, count(*) AS n FROM churn_scores GROUP BY 1 ORDER BY 1")
        lapsing_share = scalar(
            conn,
            """SELECT avg(CASE WHEN person_id % 3 = 1 THEN 1 ELSE 0 END)
            FROM churn_scores WHERE decile = 10""",
        )
    assert [d["decile"] for d in deciles] == list(range(1, 11))
    assert top > 0
    assert lapsing_share > 0.5  # the top decile is mostly the planted lapsing kind


def test_scoring_refuses_an_old_model_or_a_stale_source(churn_store):
    with churn_store.transaction() as conn:
        train_churn(conn)
    clock.set_now("2027-01-15T09:00:00")  # 55 days later: model too old, the orders source stale
    with pytest.raises(RefusedError, match="days old.*shop are stale now"), churn_store.transaction() as conn:
        score_churn(conn)
    with churn_store.transaction() as conn:
        done = score_churn(conn, allow_stale=True)
    assert done["allowed_stale"] and done["persons"] > 0


def test_cli_model_churn(churn_store):
    from workbench.cli import main

    db = str(churn_store.path)
    runner = CliRunner()
    assert runner.invoke(main, ["--db", db, "model", "churn", "show"]).exit_code == 1
    trained = runner.invoke(main, ["--db", db, "model", "churn", "train", "--json"])
    assert trained.exit_code == 0, trained.output
    assert json.loads(trained.output)["evaluation"]["auc"] > 0.75
    scored = runner.invoke(main, ["--db", db, "model", "churn", "score"])
    assert scored.exit_code == 0 and "scored" in scored.output
    shown = runner.invoke(main, ["--db", db, "model", "churn", "show"])
    assert "AUC" in shown.output and "decile" in shown.output
