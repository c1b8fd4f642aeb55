"""A small fixture database for the churn and speed tests (issue 14): orders of two brands (and some with
no brand), returns, many ties in recency and frequency, persons with two records (two source keys), a
person suppressed everywhere, and churn scores; built by SQL only, the same on every run."""

from __future__ import annotations

from workbench.store.sql import run

PERSONS = 600
NOW = "2026-11-21T09:00:00"
PUBLISH = """name = "golden"
brand = ""
default_treatment = "none"
[treatments]
at_risk = "offer retention call"
champions = "priority queue"
[systems.crm]
file = "golden.csv"
"""


def build_fixture(conn, persons: int = PERSONS) -> None:
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
        "status) VALUES (1, 'crm', 'crm.csv', 'h', TIMESTAMP '2026-11-20 23:00', TIMESTAMP '2026-11-20 23:00', "
        "1, NULL, 'loaded'), (2, 'shop', 'orders.csv', 'h', TIMESTAMP '2026-11-20 23:00', "
        "TIMESTAMP '2026-11-20 23:00', 1, TIMESTAMP '2026-11-20 22:00', 'loaded')",
    )
    n = persons + 1
    run(
        conn,
        "INSERT INTO records (record_id, source, source_key, load_id) SELECT i, 'crm', 'K' || i, 1 "
        "FROM range(1, ?) t(i)",
        [n],
    )
    run(conn, "INSERT INTO person_records SELECT i, i, TIMESTAMP '2026-01-01' FROM range(1, ?) t(i)", [n])
    # persons 101-130 hold a second record each (another source key: one person, two records)
    run(
        conn,
        "INSERT INTO records (record_id, source, source_key, load_id) SELECT 10000 + i, 'crm', 'KX' || i, 1 "
        "FROM range(1, 31) t(i)",
    )
    run(
        conn,
        "INSERT INTO person_records SELECT 10000 + i, i + 100, TIMESTAMP '2026-01-01' FROM range(1, 31) t(i)",
    )
    run(
        conn,
        "INSERT INTO persons (person_id, first_name, record_count, updated_at) "
        "SELECT i, 'P' || i, 1, TIMESTAMP '2026-01-01' FROM range(1, ?) t(i)",
        [n],
    )
    # orders: whole-day dates and amounts from a few values, so recency, frequency and spend tie often
    run(
        conn,
        """INSERT INTO transactions (source, order_id, record_id, load_id, order_date, amount, brand, channel,
            returned)
        SELECT 'shop', 'O' || p || '-' || k, p, 2,
               CAST(DATE '2026-11-20' - CAST(hash(p, k, 'd') % (60 + (p % 7) * 120) AS INTEGER) AS TIMESTAMP),
               CAST(10 * (1 + hash(p, k, 'a') % 8) AS DECIMAL(12, 2)),
               CASE hash(p, k, 'b') % 5 WHEN 0 THEN NULL WHEN 1 THEN 'Ember' WHEN 2 THEN 'ember' ELSE 'tidewater' END,
               CASE WHEN hash(p, k, 'c') % 3 = 0 THEN 'web' ELSE 'store' END, hash(p, k, 'r') % 12 = 0
        FROM range(1, ?) t(p), range(0, 12) r(k)
        WHERE k < 1 + p % 9 AND p % 11 <> 0""",
        [n],
    )
    run(
        conn,
        """INSERT INTO churn_scores (person_id, model_id, score, decile, as_of, scored_at)
        SELECT i, 1, (hash(i, 's') % 1000) / 1000.0, 1 + hash(i, 's') % 10, DATE '2026-11-20',
               TIMESTAMP '2026-11-21 08:00' FROM range(1, ?) t(i) WHERE i % 4 <> 0""",
        [n],
    )
    run(
        conn,
        "INSERT INTO churn_models (model_id, trained_at, as_of, horizon_days, train_cutoff, eval_cutoff, "
        "features, settings, evaluation, model, library, stamp, duration_s) VALUES (1, "
        "TIMESTAMP '2026-11-21 07:00', DATE '2026-11-20', 180, DATE '2025-11-25', DATE '2026-05-24', ['x'], "
        "'{}', '{}', 'x'::BLOB, 'fixture', 's', 0)",
    )
