"""Time RFM segments, churn training and scoring, and a publish, beside bare DuckDB baselines over the same
orders, on generated data with planted lapsing (so the churn AUC means something).

    python bench/bench_segments.py [--persons 100000] [--db PATH] [--keep] [--json OUT]

Data (SQL straight into a fresh database, about 10 orders per person over three years up to NOW): a third
of the persons buy every 60-120 days throughout; a third buy as often until a stop day spread over the
last two years, with complaints 20 and 50 days before it; a third buy every 200-300 days. 5% of orders
are returned; two brands, two channels. Issue 14's targets (1M persons / 10M orders): RFM <= 5 s,
churn training <= 60 s, scoring <= 10 s, publish <= 2x a bare COPY.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from workbench import clock  # noqa: E402
from workbench.store import Store  # noqa: E402
from workbench.store.sql import run, scalar  # noqa: E402

NOW = "2026-11-21T09:00:00"


def generate(store: Store, persons: int) -> None:
    with store.transaction() as conn:
        run(
            conn,
            "INSERT INTO sources (name, kind, cadence, cadence_s, warn_after_s, error_after_s, priority, mode, "
            "created_at, updated_at) VALUES ('crm', 'people', 'daily', 86400, 172800, 345600, 1, 'full', "
            "TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-01'), ('shop', 'transactions', 'daily', 86400, "
            "172800, 345600, 2, 'incremental', TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-01')",
        )
        run(
            conn,
            f"""INSERT INTO loads (load_id, source, file, file_hash, started_at, finished_at, rows_loaded,
                as_of_max, status) VALUES
            (1, 'crm', 'crm.csv', 'h', TIMESTAMP '{NOW}', TIMESTAMP '{NOW}', {persons}, NULL, 'loaded'),
            (2, 'shop', 'o.csv', 'h', TIMESTAMP '{NOW}', TIMESTAMP '{NOW}', 1, TIMESTAMP '2026-11-20 22:00', 'loaded')""",
        )
        run(
            conn,
            f"INSERT INTO records (record_id, source, source_key, load_id) "
            f"SELECT i, 'crm', 'K' || i, 1 FROM range(1, {persons + 1}) t(i)",
        )
        run(
            conn,
            f"INSERT INTO person_records SELECT i, i, TIMESTAMP '{NOW}' FROM range(1, {persons + 1}) t(i)",
        )
        run(
            conn,
            f"INSERT INTO persons (person_id, first_name, record_count, updated_at) "
            f"SELECT i, 'P' || i, 1, TIMESTAMP '{NOW}' FROM range(1, {persons + 1}) t(i)",
        )
        run(
            conn,
            f"""CREATE TEMP TABLE kinds AS SELECT i AS p, i % 3 AS kind,
                CASE WHEN i % 3 = 2 THEN 200 + hash(i, 'gap') % 101 ELSE 60 + hash(i, 'gap') % 61 END AS gap,
                hash(i, 'start') % 90 AS start, DATE '2024-11-20' + CAST(hash(i, 'stop') % 730 AS INTEGER) AS stop_day
            FROM range(1, {persons + 1}) t(i)""",
        )
        run(
            conn,
            """INSERT INTO transactions (source, order_id, record_id, load_id, order_date, amount, brand,
                channel, returned)
            SELECT 'shop', 'O' || p || '-' || k, p, 2, CAST(day AS TIMESTAMP), 10 + hash(p, k) % 190,
                   CASE WHEN hash(p, 'b') % 2 = 0 THEN 'ember' ELSE 'tidewater' END,
                   CASE WHEN hash(p, k, 'c') % 3 = 0 THEN 'web' ELSE 'store' END, hash(p, k, 'r') % 20 = 0
            FROM (SELECT p, k, kind, stop_day, DATE '2023-11-20' + CAST(start + k * gap AS INTEGER) AS day
                  FROM kinds, range(0, 20) r(k))
            WHERE day <= DATE '2026-11-20' AND (kind <> 1 OR day <= stop_day)""",
        )
        run(
            conn,
            """INSERT INTO events (source, source_key, record_id, load_id, event_type, event_time)
            SELECT 'crm', 'K' || p, p, 1, 'complaint', CAST(stop_day - d AS TIMESTAMP)
            FROM kinds, (VALUES (20), (50)) v(d) WHERE kind = 1 AND stop_day - d <= DATE '2026-11-20'""",
        )
        run(conn, "DROP TABLE kinds")
    with store.connect() as conn:
        run(conn, "CHECKPOINT")


def timed(label: str, fn, results: list):
    t = time.perf_counter()
    value = fn()
    elapsed = time.perf_counter() - t
    results.append({"step": label, "seconds": round(elapsed, 3)})
    print(f"{label:<64} {elapsed:7.2f} s", flush=True)
    return value


def measure(store: Store, folder: Path) -> dict:
    from workbench.model import score_churn, train_churn
    from workbench.segments import compute_rfm
    from workbench.segments.publish import run_publish
    from workbench.segments.publish_def import parse_publish
    from workbench.select.attributes import ensure_attributes

    out: list = []
    with store.connect() as conn:
        run(conn, "SET threads = 2")
        orders = scalar(conn, "SELECT count(*) FROM transactions")
        print(
            f"{scalar(conn, 'SELECT count(*) FROM persons'):,} persons, {orders:,} transactions", flush=True
        )
        timed("attribute tables (order_facts, person_attributes), once", lambda: ensure_attributes(conn), out)
        timed(
            "bare: GROUP BY person of order_facts (max day, count, sum)",
            lambda: scalar(
                conn,
                """SELECT count(*)
            FROM (SELECT person_id, max(order_day), count(*), sum(amount) FROM order_facts WHERE NOT returned
                  GROUP BY person_id)""",
            ),
            out,
        )
        timed(
            "bare: GROUP BY person, brand of transactions JOIN person_records",
            lambda: scalar(
                conn,
                """
            SELECT count(*) FROM (SELECT pr.person_id, t.brand, max(t.order_date), count(*), sum(t.amount)
            FROM transactions t JOIN person_records pr USING (record_id) WHERE NOT t.returned GROUP BY ALL)""",
            ),
            out,
        )
        rfm = timed(
            "RFM: scores overall and per brand, segments (compute_rfm)",
            lambda: compute_rfm(conn, force=True),
            out,
        )
        print(f"  RFM inside: {rfm.timings} (attributes: the up-to-date check)", flush=True)
        import sklearn.ensemble  # noqa: F401  (imported once, not timed)

        trained = timed(
            "churn: back-test + fit + store (train_churn, horizon 180)", lambda: train_churn(conn), out
        )
        timed("churn: score every recent buyer (score_churn)", lambda: score_churn(conn), out)
        ev = trained.evaluation
        print(
            f"churn back-test: persons {ev['persons']:,}, lapse rate {ev['lapse_rate']:.1%}, AUC {ev['auc']:.3f}, "
            f"top-decile lift {ev['top_decile_lift']:.2f}; timings {trained.timings}",
            flush=True,
        )
        keys_file = folder / "bare_keys.csv"
        timed(
            "bare: COPY keys with segment and churn score to CSV",
            lambda: scalar(
                conn,
                f"""COPY (
            SELECT r.source_key, s.segment, s.recency_score, s.frequency_score, s.monetary_score, c.score, c.decile
            FROM records r JOIN person_records pr USING (record_id)
            LEFT JOIN rfm_scores s ON s.person_id = pr.person_id AND s.brand = ''
            LEFT JOIN churn_scores c ON c.person_id = pr.person_id WHERE r.source = 'crm') TO '{keys_file}'
            (FORMAT csv, HEADER true)""",
            ),
            out,
        )
        from workbench.suppress import ensure_person_suppressions

        ensure_person_suppressions(conn)
        timed(
            "bare: COPY the publish file's nine columns (same joins, no order, no state)",
            lambda: scalar(
                conn,
                f"""COPY (
            WITH dnc AS (SELECT DISTINCT person_id FROM person_suppressions WHERE channel = 'all' AND brand IS NULL)
            SELECT r.source_key, s.segment, s.recency_score, s.frequency_score, s.monetary_score,
                   round(c.score, 4) AS churn_score, c.decile AS churn_decile,
                   CASE WHEN x.person_id IS NOT NULL THEN 'do not contact' WHEN s.segment IS NULL THEN ''
                        WHEN s.segment = 'at_risk' THEN 'call' ELSE '' END AS treatment,
                   x.person_id IS NOT NULL AS do_not_contact
            FROM records r JOIN person_records pr USING (record_id)
            LEFT JOIN rfm_scores s ON s.person_id = pr.person_id AND s.brand = ''
            LEFT JOIN churn_scores c ON c.person_id = pr.person_id AND c.brand = ''
            LEFT JOIN dnc x ON x.person_id = pr.person_id
            WHERE r.source = 'crm') TO '{folder / "bare_nine.csv"}' (FORMAT csv, HEADER true)""",
            ),
            out,
        )
    d = parse_publish(
        'name = "bench"\n[treatments]\nat_risk = "call"\n[systems.crm]\nfile = "pub.csv"\n', "bench", folder
    )

    def open_close():
        with store.connect():
            pass

    timed("fixed: open and close the database (every publish does, the bare COPY did not)", open_close, out)
    timed("publish: full file of every crm key (run_publish)", lambda: run_publish(store, d), out)
    timed(
        "publish: full again (warm process; replaces 1M state rows)",
        lambda: run_publish(
            store, parse_publish(d.text.replace("pub.csv", "pub2.csv"), "bench", folder)
        ),
        out,
    )
    timed(
        "publish: delta, nothing changed",
        lambda: run_publish(
            store, parse_publish(d.text.replace("pub.csv", "delta.csv"), "bench", folder), mode="delta"
        ),
        out,
    )
    return {
        "orders": orders,
        "steps": out,
        "churn": {k: ev[k] for k in ("persons", "lapse_rate", "auc", "top_decile_lift")},
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--db")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--json", dest="json_out")
    args = parser.parse_args()
    clock.set_now(NOW)
    folder = Path(tempfile.mkdtemp(prefix="bench_segments_"))
    store = Store(args.db or folder / "bench.duckdb")
    t = time.perf_counter()
    generate(store, args.persons)
    print(f"generated in {time.perf_counter() - t:.1f} s ({folder})", flush=True)
    result = {"persons": args.persons, **measure(store, folder)}
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(result, indent=2) + "\n")
    if not args.keep:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
