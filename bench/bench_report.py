"""Time `workbench report` on 1,000,000 persons and 10,000,000 transactions, beside a bare DuckDB baseline.

    python bench/bench_report.py [--persons 1000000 --transactions 10000000]

The data is generated in SQL straight into a fresh database (records, persons, transactions), then:
  - bare:      one GROUP BY brand, channel over the transactions (the cheapest query a report needs)
  - workbench: build_profile() + Markdown and HTML rendering, as `workbench report` does
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from workbench import clock
from workbench.report import build_profile, to_html, to_markdown
from workbench.store import Store
from workbench.store.sql import run


def populate(store: Store, persons: int, transactions: int) -> None:
    with store.transaction() as conn:
        run(conn, """INSERT INTO sources (name, kind, cadence, cadence_s, warn_after_s, error_after_s, priority, mode,
                header, created_at, updated_at) VALUES
            ('crm', 'people', 'daily', 86400, 129600, 259200, 1, 'full', true, now(), now()),
            ('orders', 'transactions', 'daily', 86400, 129600, 259200, 10, 'incremental', true, now(), now())""")
        run(conn, f"""INSERT INTO records (record_id, source, source_key, load_id, first_name_display, last_name_display,
                state_std, zip5, addr_done, first_seen)
            SELECT i, 'crm', 'C' || i, 1, 'First' || (i % 5000), 'Last' || (i % 20000),
                   ['MA', 'NY', 'CA', 'TX', 'IL', 'WA'][(1 + (i % 6))::INT], lpad((i % 99999)::VARCHAR, 5, '0'), true,
                   TIMESTAMP '2020-01-01' + INTERVAL (i % 2000) DAY
            FROM range(1, {persons} + 1) t(i)""")
        run(conn, "INSERT INTO person_records SELECT record_id, record_id, now() FROM records")
        run(conn, """INSERT INTO persons (person_id, first_name, last_name, state, zip5, record_count, sources,
                first_seen, updated_at)
            SELECT record_id, first_name_display, last_name_display, state_std, zip5, 1, ['crm'], first_seen, now()
            FROM records""")
        run(conn, f"""INSERT INTO transactions (source, order_id, source_key, record_id, load_id, order_date, amount,
                brand, channel, category, returned)
            SELECT 'orders', 'O' || i, CASE WHEN i % 3 = 0 THEN NULL ELSE 'C' || (1 + hash(i) % {persons}) END,
                   CASE WHEN i % 3 = 0 THEN NULL ELSE 1 + hash(i) % {persons} END, 2,
                   TIMESTAMP '2024-06-01' + INTERVAL (hash(i, 1) % (900 * 86400)) SECOND,
                   ((hash(i, 2) % 20000) / 100.0)::DECIMAL(18, 2),
                   ['northwind', 'ember', 'tidewater', 'fable'][(1 + (hash(i, 3) % 4))::INT],
                   ['web', 'store'][(1 + (hash(i, 4) % 2))::INT], 'cat' || (hash(i, 5) % 12), hash(i, 6) % 10 = 0
            FROM range({transactions}) t(i)""")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--transactions", type=int, default=10_000_000)
    args = ap.parse_args()
    clock.set_now("2026-11-24T09:00:00")
    with tempfile.TemporaryDirectory(prefix="wb-bench-report-") as tmp:
        store = Store(Path(tmp) / "r.duckdb")
        t = time.perf_counter()
        populate(store, args.persons, args.transactions)
        print(f"generated {args.persons:,} persons and {args.transactions:,} transactions in "
              f"{time.perf_counter() - t:.1f} s")
        with store.connect() as conn:
            t = time.perf_counter()
            conn.execute("SELECT brand, channel, count(*), sum(amount) FROM transactions GROUP BY ALL").fetchall()
            bare = time.perf_counter() - t
            t = time.perf_counter()
            profile = build_profile(conn, "2026-Q3")
            html, md = to_html(profile), to_markdown(profile)
            wb = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"bare GROUP BY brand, channel: {bare:.2f} s")
        print(f"workbench report (profile + html {len(html):,} B + md {len(md):,} B): {wb:.2f} s "
              f"({wb / bare:.0f}x the bare query); peak RSS {peak:,.0f} MiB; target <= 10 s")


if __name__ == "__main__":
    main()
