"""Trust at scale: erasing one person from a 1M-person database, and querying a large audit log.

    python bench/bench_trust.py [--persons 1000000] [--audit-rows 1000000] [--keep-db PATH] [--reuse-db PATH]

Builds (once; --keep-db keeps it, --reuse-db starts from a kept one) a database with N people records
loaded through the real loader (bench/gen_people.py; N persons), 5 x N transactions, N events, 2 x N
contact-history rows, N/20 rejects, N/10 suppression entries, and an audit log of --audit-rows rows
with a valid hash chain (written set-based). Then, on a copy each time:

  - erase one person by email (median of 3 persons): the erasure itself (one transaction, committed),
    ``workbench erase`` in all (then the file rewritten), ``--no-compact`` (then scrubbed in place),
    and ``workbench compact`` alone;
  - suppression rebuild with tombstones against without (the extra cost of matching tombstones);
  - audit queries: newest 200, --since a date, --action load, and the full --verify.

Baselines in the same run: a bare ``DELETE FROM records WHERE email_std = ?`` + COMMIT, and a bare
``COPY FROM DATABASE`` (what compaction costs at least).
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
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

SOURCES = """
[sources.bench_people]
kind = "people"
cadence = "daily"
mode = "full"
as_of = "updated_at"

[sources.orders]
kind = "transactions"
cadence = "daily"
mode = "incremental"
people_source = "bench_people"

[sources.clicks]
kind = "events"
cadence = "daily"
mode = "incremental"
people_source = "bench_people"

[sources.history]
kind = "contacts"
cadence = "monthly"
mode = "incremental"
people_source = "bench_people"

[sources.unsubscribes]
kind = "suppression"
cadence = "daily"
channel = "email"
match_on = "email"
"""


def build(db: Path, persons: int, audit_rows: int) -> None:
    from gen_people import generate

    from workbench import clock
    from workbench.ingest.derived import ensure_derived
    from workbench.ingest.load import load_file
    from workbench.ingest.sources import parse_sources_toml, save_sources
    from workbench.store import Store
    from workbench.store.sql import run

    clock.set_now("2026-11-20T10:00:00")
    work = db.parent
    label = f"{persons // 1_000_000}m" if persons % 1_000_000 == 0 else f"{persons // 1000}k"
    cached = HERE / "out" / f"people_{label}.csv"
    people = cached if cached.exists() else generate(persons, work / "people.csv")
    (work / "sources.toml").write_text(SOURCES)
    store = Store(db)
    with store.transaction() as conn:
        save_sources(conn, parse_sources_toml(work / "sources.toml"))
    t = time.perf_counter()
    load_file(store, "bench_people", people)
    with store.transaction() as conn:
        ensure_derived(conn)
    print(f"people loaded and standardised: {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    n = persons
    with store.transaction() as conn:
        run(conn, f"""INSERT INTO transactions (source, order_id, source_key, record_id, load_id, order_date, amount,
                brand, channel, category, returned)
            SELECT 'orders', 'O' || i, 'P' || (i % {n}), NULL, 1000, TIMESTAMP '2024-01-01' + INTERVAL (i % 900) DAY,
                   (i % 300)::DECIMAL(18, 2), 'ember', 'web', 'pans', false FROM range({5 * n}) t(i)""")
        run(conn, """UPDATE transactions t SET record_id = r.record_id FROM records r
            WHERE r.source = 'bench_people' AND r.source_key = t.source_key""")
        run(conn, f"""INSERT INTO events (source, source_key, record_id, load_id, event_type, event_time)
            SELECT 'clicks', 'P' || i, NULL, 1001, 'page_view', TIMESTAMP '2026-11-01' + INTERVAL (i % 1000) MINUTE
            FROM range({n}) t(i)""")
        run(conn, f"""INSERT INTO contact_history (source, load_id, origin, source_key, email_std, campaign, brand,
                channel, keycode, contact_date)
            SELECT 'history', 1002, 'load', 'P' || (i % {n}), 'user' || (i % {n}) || '@example.com',
                   'C' || (i % 40), 'ember', 'email', 'K' || (i % 40), DATE '2026-01-01' + (i % 300)::INT
            FROM range({2 * n}) t(i)""")
        run(conn, f"""INSERT INTO rejects SELECT 1, 'bench_people', 'people.csv', i,
                'unparseable birth_date: 31/02/19' || (i % 90),
                'P' || (i * 20) || ',Name,Surname,' || i || ' Oak St,,Springfield,MA,02134,US,user' || (i * 20)
                || '@example.com,(617) 555-' || lpad((i % 10000)::VARCHAR, 4, '0') || ',31/02/1990'
            FROM range({n // 20}) t(i)""")
        run(conn, f"""INSERT INTO suppression_entries (source, load_id, channel, match_on, reason, email_std, raw)
            SELECT 'unsubscribes', 1003, 'email', 'email', 'unsubscribe', 'user' || (i * 10) || '@example.com',
                   '{{"email": "USER' || (i * 10) || '@EXAMPLE.COM"}}' FROM range({n // 10}) t(i)""")
    print(f"activity generated: {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    write_audit_log(store, audit_rows)
    print(f"audit log of {audit_rows:,} rows (hash chain) written: {time.perf_counter() - t:.1f} s")
    with store.connect() as conn:
        conn.execute("CHECKPOINT").fetchall()


def write_audit_log(store, n: int) -> None:
    """n audit rows with a valid chain: hashes computed in Python (hashlib), inserted from Arrow."""
    from datetime import datetime, timedelta

    import pyarrow as pa

    from workbench.audit import GENESIS, row_hash
    from workbench.store.sql import run, scalar

    with store.transaction() as conn:
        start = (scalar(conn, "SELECT max(id) FROM audit_log") or 0) + 1
        prev = scalar(conn, "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1") or GENESIS
        base = datetime(2024, 1, 1)
        cols = {k: [] for k in ("id", "logged_at", "action", "actor", "target", "details", "prev_hash", "hash")}
        actions = ("load", "match.run", "match.decision", "household.run", "selection.save", "export",
                   "suppression.add")
        for i in range(start, start + n):
            at = base + timedelta(seconds=60 * i)
            action = actions[i % len(actions)]
            details = f'{{"load_id":{i},"rows_loaded":{i % 997}}}'
            h = row_hash(prev, i, at, action, "bench", f"source{i % 20}", details)
            for k, v in zip(cols, (i, at, action, "bench", f"source{i % 20}", details, prev, h), strict=True):
                cols[k].append(v)
            prev = h
        table = pa.table(cols)
        conn.register("_audit_arrow", table)
        run(conn, "INSERT INTO audit_log SELECT id, logged_at, action, actor, target, details::JSON, prev_hash, hash "
                  "FROM _audit_arrow")
        conn.unregister("_audit_arrow")


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t, out


def bench(db: Path) -> None:
    from workbench import clock
    from workbench.audit import audit_entries, verify_chain
    from workbench.privacy import erase
    from workbench.privacy.compact import compact_database
    from workbench.store import Store
    from workbench.store.sql import rows, run
    from workbench.suppress import ensure_person_suppressions

    clock.set_now("2026-11-20T10:00:00")
    work = db.parent
    with Store(db).connect() as conn:
        sizes = rows(conn, """SELECT (SELECT count(*) FROM persons) AS persons, (SELECT count(*) FROM records) AS
            records, (SELECT count(*) FROM transactions) AS transactions, (SELECT count(*) FROM contact_history)
            AS contacts, (SELECT count(*) FROM audit_log) AS audit_rows""")[0]
        targets = [r["email_std"] for r in rows(conn, """SELECT email_std FROM records WHERE email_std IS NOT NULL
            AND source_key IN ('P12345', 'P500001', 'P987654') ORDER BY source_key""")]
    print(f"database: {db.stat().st_size / 2**20:,.0f} MiB, " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()))

    # bare baseline: delete the records holding an email, one transaction, checkpoint
    copy = work / "bare.duckdb"
    shutil.copy(db, copy)
    import duckdb

    con = duckdb.connect(str(copy))
    t = time.perf_counter()
    con.execute("BEGIN").fetchall()
    con.execute("DELETE FROM records WHERE email_std = ?", [targets[0]]).fetchall()
    con.execute("COMMIT").fetchall()
    bare_delete = time.perf_counter() - t
    t = time.perf_counter()
    con.execute("CHECKPOINT").fetchall()
    bare_checkpoint = time.perf_counter() - t
    con.execute(f"ATTACH '{work / 'bare_copy.duckdb'}' AS c").fetchall()
    t = time.perf_counter()
    con.execute(f"COPY FROM DATABASE {con.execute('SELECT current_database()').fetchall()[0][0]} TO c").fetchall()
    bare_copy = time.perf_counter() - t
    con.close()
    copy.unlink()
    (work / "bare_copy.duckdb").unlink()

    fast, scrub, full, compact_only = [], [], [], []
    for email in targets:
        copy = work / "erase.duckdb"
        shutil.copy(db, copy)
        store = Store(copy)
        with store.connect():
            pass  # migrate/open once outside the timing
        result = erase(store, email=email, compact=False)  # workbench erase --no-compact
        assert result.records >= 1, result
        fast.append(result.erased_s)
        scrub.append(result.scrubbed["duration_s"])
        print(f"  {result.records} record(s), tables {result.tables}; in-place scrub: data_clean="
              f"{result.scrubbed['data_clean']}, {result.scrubbed['segments_rewritten']} shared segments rewritten, "
              f"{result.scrubbed['free_space']['bytes_overwritten'] / 2**20:.1f} MiB free space and "
              f"{result.scrubbed['free_space']['free_sub_blocks']} metadata sub-blocks overwritten")
        compact_only.append(timed(compact_database, store)[0])
        shutil.copy(db, copy)
        result = erase(Store(copy), email=email)  # workbench erase (the default: compaction)
        full.append(result.duration_s)
    med = statistics.median
    print(f"erase one person (median of {len(fast)}):")
    print(f"  the erasure itself (one transaction, committed): {med(fast):.2f} s  [{', '.join(f'{x:.2f}' for x in fast)}]")
    print(f"  workbench erase (default: then the file rewritten): {med(full):.2f} s in all")
    print(f"  workbench erase --no-compact (then scrubbed in place): {med(fast) + med(scrub):.2f} s in all "
          f"(scrub {med(scrub):.2f} s)")
    print(f"  workbench compact alone: {med(compact_only):.2f} s")
    print(f"  baselines: bare DELETE + COMMIT {bare_delete:.3f} s, CHECKPOINT {bare_checkpoint:.2f} s, "
          f"COPY FROM DATABASE {bare_copy:.2f} s")

    store = Store(work / "erase.duckdb")
    with store.connect() as conn:
        run(conn, "DELETE FROM erasure_tombstones")
        ensure_person_suppressions(conn)
        without = statistics.median(timed(ensure_person_suppressions, conn, force=True)[0] for _ in range(3))
        from workbench.privacy.tombstones import HASH_CHECK_KEY, get_salt

        salt = get_salt(conn, create=True)
        run(conn, """INSERT INTO erasure_tombstones (kind, key_hash, quick, channel, brand, erased_at, audit_id)
            SELECT 'email', sha256(? || 'email:' || email_std),
                hash(? || 'email:' || email_std), 'all', NULL, TIMESTAMP '2026-11-20', NULL
            FROM records WHERE record_id % 1000 = 0 AND email_std IS NOT NULL""", [salt, salt])
        with_t = statistics.median(timed(ensure_person_suppressions, conn, force=True)[0] for _ in range(3))
        hits = conn.execute("SELECT count(*) FROM person_suppressions WHERE suppression = 'erasure'").fetchall()[0][0]
        run(conn, "UPDATE settings SET value = 'changed' WHERE key = ?", [HASH_CHECK_KEY])  # as after an upgrade
        full_t = statistics.median(timed(ensure_person_suppressions, conn, force=True)[0] for _ in range(3))
    print(f"suppression rebuild: {without:.2f} s without tombstones, {with_t:.2f} s with {hits:,} persons "
          f"matching 1,000 tombstones ({full_t:.2f} s when DuckDB's hash() changed and every key is sha256-ed)")

    with store.connect(read_only=True) as conn:
        for label, kwargs in (("newest 200", {}), ("--since 2025-06-01", {"since": "2025-06-01"}),
                              ("--action load", {"action": "load"}),
                              ("--action match (prefix)", {"action": "match"})):
            t = statistics.median(timed(audit_entries, conn, **kwargs)[0] for _ in range(5))
            print(f"audit query {label}: {t * 1000:.0f} ms (median of 5)")
        t, check = timed(verify_chain, conn)
        print(f"audit --verify ({check.rows:,} rows, ok={check.ok}): {t:.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--audit-rows", type=int, default=1_000_000)
    ap.add_argument("--keep-db", type=Path, help="keep the built database here")
    ap.add_argument("--reuse-db", type=Path, help="start from a database kept by --keep-db")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="wb-trust-") as tmp:
        db = Path(tmp) / "trust.duckdb"
        if args.reuse_db:
            shutil.copy(args.reuse_db, db)
        else:
            build(db, args.persons, args.audit_rows)
            if args.keep_db:
                shutil.copy(db, args.keep_db)
        bench(db)


if __name__ == "__main__":
    main()
