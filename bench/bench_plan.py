"""One contact plan across brands at scale: 6 selections of 4 brands and 3 channels over N persons, beside a
bare DuckDB baseline in the same run.

    python bench/bench_plan.py [--persons 100000] [--orders 1000000] [--runs 3]

The database is built in SQL by bench_select.build (persons with golden records and households, orders
over four brands, suppression entries). Rules: at most 1 mail contact per person in 30 days across all
brands, at most 1 email per person in 7 days per brand, 3,000 calls a day. The plan ranks six selections
(four brands' mail, one email, one phone) by priority and keeps it.
  - plan:     plan_in() (every waterfall with its suppressions, one per household, the rules counting the
              contact history and the contacts placed by the higher selections, the plan written), median;
  - baseline: the same arbitration as one bare DuckDB query over precomputed candidate sets (no
              suppressions, no waterfall, no households): each person's first mail / 1 email / 3,000
              calls by priority, via row_number(), median.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_select import NOW, build  # noqa: E402

RULES = """
[rules.mail_1_in_30]
channel = "mail"
brand = "all"
window_days = 30
max_contacts = 1

[rules.email_1_in_7_per_brand]
channel = "email"
brand = "each"
window_days = 7
max_contacts = 1

[rules.calls_per_day]
kind = "capacity"
channel = "phone"
max_per_day = 3000
"""
SELECTIONS = """
[selections.northwind_mail]
channel = "mail"
brand = "northwind"
where = "orders(brand='northwind', days=730) >= 1"
one_per = "household"
[selections.ember_mail]
channel = "mail"
brand = "ember"
where = "orders(brand='ember', days=730) >= 1"
one_per = "household"
[selections.tidewater_mail]
channel = "mail"
brand = "tidewater"
where = "orders(brand='tidewater', days=730) >= 1"
one_per = "household"
[selections.fable_mail]
channel = "mail"
brand = "fable"
where = "orders(days=730) >= 1"
[selections.ember_email]
channel = "email"
brand = "ember"
where = "orders(days=365) >= 1"
[selections.northwind_calls]
channel = "phone"
brand = "northwind"
where = "spend(days=365) >= 200"
"""
PLAN = """
[plans.bench]
start = 2026-11-20
end = 2026-12-31
selections = [
  { name = "northwind_mail", date = 2026-11-24 },
  { name = "ember_mail", date = 2026-11-26 },
  { name = "tidewater_mail", date = 2026-12-01 },
  { name = "fable_mail", date = 2026-12-03 },
  { name = "ember_email", date = 2026-11-25 },
  { name = "northwind_calls", date = 2026-11-27 },
]
"""
BASELINE = """
WITH cand AS (
    SELECT 1 AS pos, 'mail' AS channel, person_id FROM person_attributes a
        WHERE a.has_address AND person_id IN (SELECT person_id FROM order_facts WHERE brand = 'northwind' AND order_day > DATE '2024-11-20')
    UNION ALL SELECT 2, 'mail', person_id FROM person_attributes a
        WHERE a.has_address AND person_id IN (SELECT person_id FROM order_facts WHERE brand = 'ember' AND order_day > DATE '2024-11-20')
    UNION ALL SELECT 3, 'mail', person_id FROM person_attributes a
        WHERE a.has_address AND person_id IN (SELECT person_id FROM order_facts WHERE brand = 'tidewater' AND order_day > DATE '2024-11-20')
    UNION ALL SELECT 4, 'mail', person_id FROM person_attributes a WHERE a.has_address AND a.orders_730 >= 1
    UNION ALL SELECT 5, 'email', person_id FROM person_attributes a WHERE a.email IS NOT NULL AND a.orders_365 >= 1
    UNION ALL SELECT 6, 'phone', person_id FROM person_attributes a WHERE a.phone IS NOT NULL AND a.spend_365 >= 200),
ranked AS (SELECT *, row_number() OVER (PARTITION BY person_id, channel ORDER BY pos) AS nth,
                  row_number() OVER (PARTITION BY channel ORDER BY pos, hash(person_id)) AS place FROM cand)
SELECT pos, count(*) AS planned FROM ranked
WHERE (channel = 'mail' AND nth <= 1) OR channel = 'email' OR (channel = 'phone' AND place <= 3000)
GROUP BY pos ORDER BY pos
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    from workbench import clock
    from workbench.contacts.rules import parse_rules_text, save_rules
    from workbench.plan import parse_plan_text, plan_in
    from workbench.select.attributes import ensure_attributes
    from workbench.select.counts import import_selections
    from workbench.store import Store
    from workbench.store.sql import rows
    from workbench.suppress import ensure_person_suppressions

    with tempfile.TemporaryDirectory(prefix="wb-plan-") as tmp:
        work = Path(tmp)
        db = work / "wb.duckdb"
        t = time.perf_counter()
        build(db, args.persons, args.orders)
        print(
            f"generated {args.persons:,} persons and {args.orders:,} orders in {time.perf_counter() - t:.1f} s"
        )
        clock.set_now(NOW)
        store = Store(db)
        with store.transaction() as conn:
            save_rules(conn, parse_rules_text(RULES))
        with store.connect() as conn:
            t = time.perf_counter()
            ensure_attributes(conn)
            ensure_person_suppressions(conn)
            print(
                f"builds (attribute tables, traits, suppressions; once after new data): {time.perf_counter() - t:.2f} s"
            )
        (work / "selections.toml").write_text(SELECTIONS)
        import_selections(store, work / "selections.toml")
        definition = parse_plan_text(PLAN)

        times, result = [], None
        for _ in range(args.runs):
            with store.transaction() as conn:
                t = time.perf_counter()
                result = plan_in(conn, definition)
                times.append(time.perf_counter() - t)
        bare = []
        with store.connect() as conn:
            for _ in range(args.runs):
                t = time.perf_counter()
                base = rows(conn, BASELINE)
                bare.append(time.perf_counter() - t)
        for s in result.selections:
            print(
                f"  {s.position} {s.selection:16} {s.channel:6} gross {s.gross:>8,}  taken by higher "
                f"{s.taken_by_higher:>8,}  planned {s.planned:>8,}  waterfall {s.waterfall.seconds:.2f} s"
            )
        print("  baseline planned per selection: " + ", ".join(f"{b['pos']}: {b['planned']:,}" for b in base))
        p, b = statistics.median(times), statistics.median(bare)
        print(
            f"plan of 6 selections over {args.persons:,} persons, median of {args.runs}: {p:.2f} s "
            f"| bare DuckDB arbitration {b:.3f} s ({p / b:.0f} x) [target: 10 s at 1M persons]"
        )


if __name__ == "__main__":
    main()
