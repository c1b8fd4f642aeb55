"""Selections at scale: a waterfall count, a count refresh, and an export against a bare DuckDB COPY.

    python bench/bench_select.py [--persons 1000000] [--orders 10000000] [--keep-db PATH]

Builds a database straight in SQL (no extract files): N persons (each with one people record, golden
fields filled, addresses standardised), households of 1-4 at shared addresses, M orders over four
brands and 900 days (in time order, as daily loads append them), and suppression entries (emails, phones, names at addresses). Then, in the same
run:
  - builds:  the attribute tables (ensure_attributes) and person_suppressions, once each;
  - count:   a full waterfall of a realistic mail selection (where with two order windows and a state
             list, the default suppressions, one per household, a random limit, two cells), with the
             per-person values computed from scratch (cold), median of 3;
  - refresh: the same count again with them kept in memory (what the TUI does while editing), median of 5;
  - export:  export_selection() of a large email selection (check, count, file, hash, manifest, contact
             history, commit), against a bare `COPY (SELECT the same columns of the same persons) TO`
             of the same rows, median of 3 each; the file step alone (COPY with the neutralising, into the
             private temporary file) is compared with the bare COPY too.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

NOW = "2026-11-20T10:00:00"
SOURCES = """
[sources.bench_people]
kind = "people"
cadence = "daily"
[sources.bench_orders]
kind = "transactions"
cadence = "daily"
[sources.unsubscribes]
kind = "suppression"
cadence = "daily"
channel = "email"
match_on = "email"
[sources.dnc]
kind = "suppression"
cadence = "monthly"
channel = "phone"
match_on = "phone"
[sources.mps]
kind = "suppression"
cadence = "monthly"
channel = "mail"
match_on = "name_address"
"""
SELECTIONS = """
[selections.bench_mail]
channel = "mail"
brand = "ember"
where = "orders(brand='ember', days=365) >= 1 and spend(days=730) >= 100 and state IN ('MA', 'NY', 'CA', 'TX', 'WA')"
one_per = "household"
seed = 7
limit = { n = 150000, method = "random" }
[[selections.bench_mail.cells]]
name = "A"
share = 0.9
keycode = "BM-A"
[[selections.bench_mail.cells]]
name = "control"
share = 0.1
keycode = "BM-X"
contact = false

[selections.bench_email]
channel = "email"
where = "orders(days=730) >= 1"
fields = ["first_name", "last_name", "email", "city", "state", "zip5"]
[[selections.bench_email.cells]]
name = "A"
share = 0.95
keycode = "BE-A"
[[selections.bench_email.cells]]
name = "control"
share = 0.05
keycode = "BE-X"
contact = false
"""
FIRST = "['JAMES','MARY','ROBERT','PATRICIA','JOHN','JENNIFER','MICHAEL','LINDA','DAVID','SARAH']"
LAST = "['SMITH','JOHNSON','WILLIAMS','BROWN','JONES','GARCIA','MILLER','DAVIS','NGUYEN','OBRIEN']"
STATES = "['MA','NY','CA','TX','WA','FL','OH','IL']"


def build(path: Path, persons: int, orders: int) -> None:
    from workbench import clock
    from workbench.ingest.sources import parse_sources_toml, save_sources
    from workbench.store import Store
    from workbench.store.sql import run

    clock.set_now(NOW)
    store = Store(path)
    with store.transaction() as conn:
        save_sources(conn, parse_sources_toml_text(SOURCES, parse_sources_toml))
        addresses = max(1, int(persons / 1.6))
        run(conn, f"""INSERT INTO records (record_id, source, source_key, load_id, first_name, last_name, address_line1,
                city, state, postal_code, email, phone, first_name_display, last_name_display, first_name_key,
                first_name_root, last_name_key, email_std, phone_std, birth_dt, addr_street, addr_unit, addr_key,
                addr_done, city_std, state_std, zip5, as_of, first_seen, updated_at)
            SELECT i, 'bench_people', 'P' || i, 1, f, l, a, 'SPRINGFIELD', s, z,
                   CASE WHEN hash(i, 1) % 10 <> 0 THEN 'user' || i || '@example.com' END,
                   CASE WHEN hash(i, 2) % 3 = 0 THEN '617' || lpad((i % 10000000)::VARCHAR, 7, '0') END,
                   f, l, f, f, l,
                   CASE WHEN hash(i, 1) % 10 <> 0 THEN 'user' || i || '@example.com' END,
                   CASE WHEN hash(i, 2) % 3 = 0 THEN '617' || lpad((i % 10000000)::VARCHAR, 7, '0') END,
                   DATE '1940-01-01' + (hash(i, 3) % 25000)::INT, a, NULL, a || '||' || z, true,
                   'SPRINGFIELD', s, z, TIMESTAMP '{NOW}', TIMESTAMP '2020-01-01' + INTERVAL (hash(i, 4) % 2000) DAY,
                   TIMESTAMP '{NOW}'
            FROM (SELECT i, list_extract({FIRST}, 1 + (hash(i, 5) % 10)::INT) AS f,
                         list_extract({LAST}, 1 + (hash(h, 6) % 10)::INT) AS l,
                         (1 + h % 9999) || ' MAIN ST' AS a, lpad((h % 40000)::VARCHAR, 5, '0') AS z,
                         list_extract({STATES}, 1 + (h % 8)::INT) AS s
                  FROM (SELECT i, hash(i, 7) % {addresses} AS h FROM range(1, {persons + 1}) t(i)))""")
        run(conn, f"INSERT INTO person_records SELECT record_id, record_id, TIMESTAMP '{NOW}' FROM records")
        run(conn, f"""INSERT INTO persons SELECT record_id, first_name_display, last_name_display, first_name_key,
                first_name_root, last_name_key, address_line1, NULL, city_std, state_std, zip5, NULL, 'US', addr_street,
                addr_unit, addr_key, email_std, phone_std, birth_dt,
                {{'first_name': record_id, 'last_name': record_id, 'address': record_id, 'email': record_id,
                  'phone': record_id, 'birth_date': record_id}}, 1, ['bench_people'], first_seen, TIMESTAMP '{NOW}'
            FROM records""")
        run(conn, """INSERT INTO household_members
            SELECT dense_rank() OVER (ORDER BY addr_key), person_id, rn = 1, rn, 'surname', 0, 0, NULL
            FROM (SELECT person_id, addr_key, row_number() OVER (PARTITION BY addr_key ORDER BY person_id) AS rn
                  FROM persons)""")
        run(conn, f"""INSERT INTO households (household_id, addr_key, size, surname_groups, address_people,
                address_households, spend_12m, orders_12m, needs_review, signature, formed_at, updated_at)
            SELECT household_id, NULL, count(*), 1, count(*), 1, 0, 0, false, household_id::VARCHAR,
                   TIMESTAMP '{NOW}', TIMESTAMP '{NOW}' FROM household_members GROUP BY household_id""")
        run(conn, f"""INSERT INTO transactions (source, order_id, source_key, record_id, load_id, order_date, amount,
                brand, channel, returned)
            SELECT 'bench_orders', 'O' || i, NULL, 1 + hash(i, 8) % {persons}, 2,
                   TIMESTAMP '{NOW}' - INTERVAL (({orders} - i) * (900 * 86400) // {orders}) SECOND,
                   ((hash(i, 10) % 30000) / 100.0)::DECIMAL(18, 2),
                   list_extract(['northwind', 'ember', 'tidewater', 'fable'], 1 + (hash(i, 11) % 4)::INT), 'web',
                   hash(i, 12) % 20 = 0
            FROM range({orders}) t(i)""")
        run(conn, """INSERT INTO suppression_entries (source, load_id, channel, match_on, reason, email_std)
            SELECT 'unsubscribes', 3, 'email', 'email', 'unsubscribe', email_std FROM records
            WHERE record_id % 25 = 0 AND email_std IS NOT NULL""")
        run(conn, """INSERT INTO suppression_entries (source, load_id, channel, match_on, reason, phone_std)
            SELECT 'dnc', 4, 'phone', 'phone', 'do not call', phone_std FROM records
            WHERE record_id % 7 = 0 AND phone_std IS NOT NULL""")
        run(conn, """INSERT INTO suppression_entries (source, load_id, channel, match_on, reason, first_name_key,
                first_name_root, last_name_key, addr_street, zip5)
            SELECT 'mps', 5, 'mail', 'name_address', 'MPS', first_name_key, first_name_root, last_name_key,
                   addr_street, zip5 FROM records WHERE record_id % 50 = 0""")
        for load_id, source, n in ((1, "bench_people", persons), (2, "bench_orders", orders), (3, "unsubscribes", 0),
                                   (4, "dnc", 0), (5, "mps", 0)):
            run(conn, f"""INSERT INTO loads (load_id, source, file, file_hash, started_at, finished_at, rows_read,
                    rows_loaded, rows_rejected, as_of_max, status)
                VALUES (?, ?, 'generated', 'x', TIMESTAMP '{NOW}', TIMESTAMP '{NOW}', ?, ?, 0, TIMESTAMP '{NOW}',
                        'loaded')""", [load_id, source, n, n])


def parse_sources_toml_text(text: str, parse):
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
        f.write(text)
    try:
        return parse(f.name)
    finally:
        Path(f.name).unlink()


def timed(fn, n: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(n):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--orders", type=int, default=10_000_000)
    ap.add_argument("--keep-db", type=Path, default=None)
    args = ap.parse_args()

    from workbench import clock
    from workbench.export.run import export_selection
    from workbench.select import features
    from workbench.select.attributes import ensure_attributes
    from workbench.select.counts import count_selection, import_selections
    from workbench.store import Store
    from workbench.store.sql import rows, run
    from workbench.suppress import ensure_person_suppressions

    with tempfile.TemporaryDirectory(prefix="wb-select-") as tmp:
        work = Path(tmp)
        db = work / "wb.duckdb"
        t = time.perf_counter()
        build(db, args.persons, args.orders)
        print(f"generated {args.persons:,} persons and {args.orders:,} orders in {time.perf_counter() - t:.1f} s")
        clock.set_now(NOW)
        store = Store(db)
        with store.connect() as conn:
            t = time.perf_counter()
            ensure_attributes(conn)
            t_attr = time.perf_counter() - t
            t = time.perf_counter()
            ensure_person_suppressions(conn)
            t_sup = time.perf_counter() - t
        print(f"builds: attribute tables {t_attr:.2f} s, person_suppressions {t_sup:.2f} s (once, after new data)")
        (work / "selections.toml").write_text(SELECTIONS)
        import_selections(store, work / "selections.toml")

        def cold():
            features.clear_cache()
            return count_selection(store, "bench_mail")

        cold_s, wf = timed(cold, 3)
        warm_s, wf2 = timed(lambda: count_selection(store, "bench_mail"), 5)
        assert wf.to_dict()["steps"] == wf2.to_dict()["steps"] and wf.adds_up()
        for s in wf.steps:
            print(f"  {s.step:12} {s.name:20} {'' if s.removed is None else -s.removed:>10} {s.remaining:>10,}")
        print(f"count (cold per-person values) {cold_s:.3f} s | refresh {warm_s * 1000:.0f} ms   [targets 1 s, 300 ms]")

        exports, copies, writes = [], [], []
        for i in range(3):
            out = work / f"export_{i}.csv"
            t = time.perf_counter()
            result = export_selection(store, "bench_email", out, campaign=f"BENCH-{i}")
            exports.append(time.perf_counter() - t)
            writes.append(result.timings["write"])
            with store.connect() as conn:
                run(conn, f"""CREATE OR REPLACE TEMP TABLE _same AS SELECT person_id FROM contact_history
                    WHERE export_id = {result.export_id} AND NOT is_control""")
                bare = work / f"bare_{i}.csv"
                t = time.perf_counter()
                run(conn, f"""COPY (SELECT a.person_id, a.first_name, a.last_name, a.email, a.city, a.state, a.zip5,
                        'A' AS cell, 'BE-A' AS keycode, false AS is_seed
                    FROM person_attributes a JOIN _same USING (person_id)) TO '{bare}' (FORMAT csv, HEADER true)""")
                copies.append(time.perf_counter() - t)
                n = rows(conn, "SELECT count(*) AS n FROM _same")[0]["n"]
        e, c, w = statistics.median(exports), statistics.median(copies), statistics.median(writes)
        print(f"export of {n:,} persons, median of 3: bare COPY {c:.3f} s | workbench file (COPY with neutralising, "
              f"private temp file) {w:.3f} s = {w / c:.2f} x [target 1.5] | whole export {e:.3f} s = "
              f"{e / c:.2f} x (last run's steps: {result.timings})")
        if args.keep_db:
            shutil.copy(db, args.keep_db)


if __name__ == "__main__":
    main()
