"""Suppressions at scale, and their quality on the demo.

    python bench/bench_suppress.py speed [--rows 1000000] [--keep-db PATH]
    python bench/bench_suppress.py quality /tmp/d.duckdb [--perfect-identity] [--households]

speed: N people records (bench/gen_people.py, loaded with the real loader: N persons) and generated
suppression files (emails in other case, phones in other formats, name + address rows with the
people's own messy spellings upper-cased, a few whole addresses, strangers who match nobody) loaded
through the loader; then, in the same run and database:
  - rebuild:  ensure_person_suppressions(force=True), median of 3
  - no-op:    ensure_person_suppressions() when nothing changed, median of 10
  - baseline: a bare DuckDB join of the same entries (email = email, phone = phone, and
              zip5 + street + surname equality, no name rules) to persons, CREATE TABLE AS, median of 3

synth: leaks and false suppressions on bench/synth.py people (truth known), persons merged as the truth
groups them, with a Mail Preference list and a deceased list written from the people's own records and
perturbed one way each (as written, a street-name typo, a directional added, the unit dropped, a title,
an initial, a ZIP+4, a nickname from another of the person's records, the person's OLDEST record, i.e. a
former address), deceased rows at a stranger's address with the birth date as one record gives it, and
near misses: a household member's surname and door with a first name nobody there has (nor its
nickname or initial). Leak = a listed person not removed; false = a removed person nobody listed.

    python bench/bench_suppress.py synth [--rows 30000] [--seed 7]

quality: leaks and false suppressions against demo_db/truth_suppressed.csv. That file names TRUE persons
(demo_db/truth.csv); they are mapped to database persons through (source, source_key) -> records.record_id
-> person_records. For every selection (channel mail|email|phone x each brand) a **leak** is a database
person who is contactable on the channel (golden address / email / phone) and whose true person must be
suppressed for that selection, yet is not removed; a **false suppression** is a removed database person
whose true person must not be. ``--perfect-identity`` first merges the database persons as truth.csv
groups them (what a perfect match run would do), on a copy; ``--households`` runs the households step
(which applies the NCOA moves) before measuring.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
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
header = false
column_names = ["area_code", "phone"]

[sources.mps]
kind = "suppression"
cadence = "monthly"
channel = "mail"
match_on = "name_address"

[sources.bad_addresses]
kind = "suppression"
cadence = "monthly"
channel = "mail"
match_on = "address"
"""


def write_suppression_files(people_csv: Path, out: Path, n: int) -> dict[str, Path]:
    """Suppression extracts drawn from the people file with DuckDB (sizes scale with n)."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE TABLE p AS SELECT *, row_number() OVER () AS i FROM read_csv('{people_csv}', all_varchar=true)").fetchall()
    files = {
        "unsubscribes": (f"""SELECT upper(email) AS email FROM p WHERE i % 20 = 0 AND email IS NOT NULL
                           UNION ALL SELECT 'stranger' || i || '@example.org' FROM range({n // 100}) t(i)""", True),
        "dnc": (f"""SELECT '617' AS area, '555-' || right(regexp_replace(phone, '[^0-9]', '', 'g'), 4) AS number
                    FROM p WHERE i % 10 = 0 AND phone IS NOT NULL
                    UNION ALL SELECT '212', lpad((i % 10000000)::VARCHAR, 7, '0') FROM range({n // 10}) t(i)""", False),
        "mps": (f"""SELECT upper(CASE WHEN i % 3 = 0 THEN left(first_name, 1) ELSE first_name END) AS first_name,
                       upper(last_name) AS last_name, upper(address_line1) AS address_line1,
                       address_line2, postal_code FROM p WHERE i % 50 = 0
                    UNION ALL SELECT 'NOBODY', 'STRANGER', i || ' NOWHERE RD', '', '99999' FROM range({n // 500}) t(i)""",
                True),
        "bad_addresses": ("SELECT address_line1, address_line2, postal_code FROM p WHERE i % 1000 = 0", True),
    }
    paths = {}
    for name, (sql, header) in files.items():
        path = out / f"{name}.csv"
        con.execute(f"COPY ({sql}) TO '{path}' (HEADER {str(header).lower()})").fetchall()
        paths[name] = path
    con.close()
    return paths


def baseline(conn) -> float:
    from workbench.store.sql import run

    t = time.perf_counter()
    run(conn, """CREATE OR REPLACE TEMP TABLE _baseline AS SELECT DISTINCT pr.person_id, e.source FROM (
            SELECT e.source, r.record_id FROM suppression_entries e JOIN records r ON r.email_std = e.email_std
            WHERE e.match_on = 'email'
            UNION ALL SELECT e.source, r.record_id FROM suppression_entries e JOIN records r ON r.phone_std = e.phone_std
            WHERE e.match_on = 'phone'
            UNION ALL SELECT e.source, r.record_id FROM suppression_entries e JOIN records r
                ON r.zip5 = e.zip5 AND r.addr_street = e.addr_street
               AND (e.match_on = 'address' OR r.last_name_key = e.last_name_key)
            WHERE e.match_on IN ('name_address', 'address')
        ) e JOIN person_records pr USING (record_id)""")
    return time.perf_counter() - t


def speed(rows: int, keep_db: Path | None) -> None:
    from gen_people import generate

    from workbench import clock
    from workbench.ingest.derived import ensure_derived
    from workbench.ingest.load import load_file
    from workbench.ingest.sources import parse_sources_toml, save_sources
    from workbench.store import Store
    from workbench.store.sql import rows as fetch
    from workbench.suppress import ensure_person_suppressions

    clock.set_now("2026-11-20T10:00:00")
    with tempfile.TemporaryDirectory(prefix="wb-sup-") as tmp:
        work = Path(tmp)
        label = f"{rows // 1_000_000}m" if rows % 1_000_000 == 0 else f"{rows // 1000}k"
        cached = HERE / "out" / f"people_{label}.csv"  # bench_load.py --keep leaves it there
        people = cached if cached.exists() else generate(rows, work / "people.csv")
        (work / "sources.toml").write_text(SOURCES)
        store = Store(work / "wb.duckdb")
        with store.transaction() as conn:
            save_sources(conn, parse_sources_toml(work / "sources.toml"))
        t = time.perf_counter()
        load_file(store, "bench_people", people)
        for name, path in write_suppression_files(people, work, rows).items():
            load_file(store, name, path)
        with store.transaction() as conn:
            ensure_derived(conn)
        print(f"setup (loads + standard addresses + golden): {time.perf_counter() - t:.1f} s")
        with store.connect() as conn:
            sizes = fetch(conn, "SELECT (SELECT count(*) FROM persons) AS persons, "
                                "(SELECT count(*) FROM suppression_entries) AS entries")[0]
            print(f"persons {sizes['persons']:,}, suppression entries {sizes['entries']:,}")
            ensure_person_suppressions(conn)  # warm
            rebuild = []
            for _ in range(3):
                t = time.perf_counter()
                ensure_person_suppressions(conn, force=True)
                rebuild.append(time.perf_counter() - t)
            noop = []
            for _ in range(10):
                t = time.perf_counter()
                assert ensure_person_suppressions(conn) is False
                noop.append(time.perf_counter() - t)
            base = [baseline(conn) for _ in range(3)]
            by = fetch(conn, "SELECT suppression, count(DISTINCT person_id) AS n FROM person_suppressions GROUP BY ALL "
                             "ORDER BY 1")
            bare = fetch(conn, "SELECT source, count(DISTINCT person_id) AS n FROM _baseline GROUP BY ALL ORDER BY 1")
        print("persons removed, rules vs bare equi-join:",
              {r["suppression"]: r["n"] for r in by}, {r["source"]: r["n"] for r in bare})
        r, b = statistics.median(rebuild), statistics.median(base)
        print(f"rebuild {r:.3f} s (median of 3) | no-op check {statistics.median(noop) * 1000:.1f} ms (median of 10) "
              f"| bare DuckDB join {b:.3f} s | ratio {r / b:.2f}")
        if keep_db:
            shutil.copy(work / "wb.duckdb", keep_db)


BRANDS = ("northwind", "ember", "tidewater", "fable")
CHANNELS = ("mail", "email", "phone")


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def merge_by_truth(conn, truth: list[dict[str, str]]) -> None:
    from workbench.identity.golden import refresh_golden
    from workbench.store.sql import run

    run(conn, "CREATE OR REPLACE TEMP TABLE _truth (source VARCHAR, source_key VARCHAR, true_id VARCHAR)")
    conn.executemany("INSERT INTO _truth VALUES (?, ?, ?)", [(t["source"], t["source_key"], t["person_id"]) for t in truth])
    run(conn, """CREATE OR REPLACE TEMP TABLE _merge AS
        SELECT r.record_id, min(pr.person_id) OVER (PARTITION BY t.true_id) AS new_pid
        FROM records r JOIN _truth t USING (source, source_key) JOIN person_records pr USING (record_id)""")
    run(conn, "UPDATE person_records pr SET person_id = m.new_pid FROM _merge m WHERE pr.record_id = m.record_id")
    refresh_golden(conn)


def measure(conn, truth: list[dict[str, str]], suppressed: list[dict[str, str]]) -> dict:
    from workbench.store.sql import rows
    from workbench.suppress import ensure_person_suppressions, suppressed_persons_sql

    ensure_person_suppressions(conn)
    key_to_true = {(t["source"], t["source_key"]): t["person_id"] for t in truth}
    db = rows(conn, """SELECT r.source, r.source_key, pr.person_id, p.email IS NOT NULL AS has_email,
            p.phone IS NOT NULL AS has_phone, p.addr_street IS NOT NULL AND p.zip5 IS NOT NULL AS has_address
        FROM records r JOIN person_records pr USING (record_id) JOIN persons p USING (person_id)""")
    true_of: dict[int, set[str]] = {}
    reach: dict[int, dict[str, bool]] = {}
    for r in db:
        true_of.setdefault(r["person_id"], set()).add(key_to_true.get((r["source"], r["source_key"]), "?"))
        reach[r["person_id"]] = {"mail": r["has_address"], "email": r["has_email"], "phone": r["has_phone"]}
    db_of_true: dict[str, set[int]] = {}
    for pid, trues in true_of.items():
        for t in trues:
            db_of_true.setdefault(t, set()).add(pid)
    leaks: Counter = Counter()
    false: Counter = Counter()
    examples: list[str] = []
    leaked_true: set[tuple[str, str]] = set()
    false_db: set[int] = set()
    for channel in CHANNELS:
        for brand in BRANDS:
            should: dict[str, str] = {}
            for s in suppressed:
                if s["channel"] in (channel, "all") and s["brand"] in ("", brand):
                    should.setdefault(s["person_id"], s["reason"])
            sql, params = suppressed_persons_sql(channel, brand)
            removed = {r["person_id"] for r in rows(conn, sql, params)}
            for true_id, reason in should.items():
                for pid in db_of_true.get(true_id, ()):
                    if pid not in removed and reach[pid][channel]:
                        leaks[(channel, reason)] += 1
                        leaked_true.add((true_id, channel))
                        if len(examples) < 15:
                            examples.append(f"LEAK {channel}/{brand} {reason}: true {true_id} db person {pid}")
            for pid in removed:
                if not (true_of.get(pid, set()) & set(should)):
                    why = rows(conn, "SELECT list(DISTINCT suppression) AS s FROM person_suppressions WHERE person_id = ?",
                               [pid])[0]["s"]
                    false[(channel, ",".join(why))] += 1
                    false_db.add(pid)
                    if len(examples) < 30:
                        examples.append(f"FALSE {channel}/{brand} by {why}: db person {pid} (true {true_of.get(pid)})")
    return {"leaks": sum(leaks.values()), "true_persons_leaked": len(leaked_true),
            "db_persons_falsely_removed": len(false_db), "leaks_by": dict(leaks), "false": sum(false.values()),
            "false_by": dict(false), "examples": examples}


def quality(db: Path, perfect_identity: bool, households: bool) -> None:
    """Measure on a copy of the demo database (the copy may be merged by truth and householded)."""
    from workbench.store import Store
    from workbench.store.sql import rows, run

    truth = _read(ROOT / "demo_db" / "truth.csv")
    suppressed = _read(ROOT / "demo_db" / "truth_suppressed.csv")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "q.duckdb"
        shutil.copy(db, copy)
        store = Store(copy)
        with store.transaction() as conn:
            soft = rows(conn, "SELECT count(*) AS n FROM suppression_entries WHERE source = 'email_bounces' "
                              "AND lower(raw->>'bounce_type') <> 'hard'")[0]["n"]
            if soft:  # keep_when = hard was not honoured by the loader: soft bounces are not suppressions
                print(f"NOTE: {soft} soft-bounce rows were loaded (keep_when ignored); left out of this measure")
                run(conn, "DELETE FROM suppression_entries WHERE source = 'email_bounces' "
                          "AND lower(raw->>'bounce_type') <> 'hard'")
            if perfect_identity:
                merge_by_truth(conn, truth)
        if households:
            from workbench.households import run_households

            run_households(store)
        with store.transaction() as conn:
            result = measure(conn, truth, suppressed)
    for line in result.pop("examples"):
        print(line)
    print(result)


SYNTH_SUPPRESSIONS = """
[sources.mps]
kind = "suppression"
cadence = "monthly"
mode = "full"
channel = "mail"
match_on = "name_address"
reason = "Mail Preference Service"

[sources.deceased]
kind = "suppression"
cadence = "monthly"
mode = "full"
channel = "all"
match_on = "name_address"
reason = "deceased"
"""

PERTURB = ("as written", "street typo", "directional added", "unit dropped", "title", "initial", "zip+4",
           "nickname record", "oldest record")


def _synth_lists(work: Path, seed: int) -> None:
    """mps.csv, deceased.csv and listed.csv (true person, list, perturbation) from the synth extracts."""
    import zlib

    import duckdb
    from synth import FEMALE, MALE

    from workbench.standardise import nickname_pairs

    con = duckdb.connect()
    con.execute(f"""CREATE TABLE recs AS SELECT r.*, t.person_id AS tp, t.household_id AS hh FROM (
        SELECT 'web' AS source, * FROM read_csv('{work}/web.csv', all_varchar = true)
        UNION ALL BY NAME SELECT 'ecom' AS source, * FROM read_csv('{work}/ecom.csv', all_varchar = true)
        UNION ALL BY NAME SELECT 'loyalty' AS source, * FROM read_csv('{work}/loyalty.csv', all_varchar = true)) r
        JOIN read_csv('{work}/truth.csv', all_varchar = true) t USING (source, source_key)""")
    con.execute(f"CREATE MACRO u(x, salt) AS (hash(x || salt || '{int(seed)}') % 1000000) / 1000000.0")
    addr = "address_line1 IS NOT NULL AND postal_code IS NOT NULL AND last_name IS NOT NULL"
    # one record per listed person: usually a random one, sometimes the one with the oldest updated_at
    con.execute(f"""CREATE TABLE pick AS
        SELECT tp, (hash(tp, 'kind') % {len(PERTURB)})::INT AS kind,
               CASE WHEN (hash(tp, 'kind') % {len(PERTURB)})::INT = 8 THEN arg_min(source_key, updated_at)
                    ELSE arg_min(source_key, hash(source_key, 'pick')) END AS source_key
        FROM recs WHERE {addr} AND length(first_name) > 0 AND u(tp, 'mps') < 0.03 GROUP BY tp""")
    con.execute("""CREATE TABLE mps AS
        WITH p AS (SELECT r.*, k.kind, string_split(upper(r.address_line1), ' ') AS w FROM pick k
                   JOIN recs r ON r.tp = k.tp AND r.source_key = k.source_key)
        SELECT tp, kind,
            CASE kind WHEN 4 THEN 'MR ' || first_name WHEN 5 THEN left(first_name, 1)
                 WHEN 7 THEN coalesce((SELECT arg_min(o.first_name, hash(o.source_key)) FROM recs o WHERE o.tp = p.tp
                                       AND upper(o.first_name) <> upper(p.first_name) AND length(o.first_name) > 1),
                                      first_name)
                 ELSE first_name END AS first_name,
            last_name,
            CASE WHEN kind = 1 AND len(w) >= 3 AND length(w[2]) >= 5 AND NOT regexp_matches(w[2], '[0-9]')
                 THEN array_to_string(w[1:1] || [w[2][1] || w[2][3] || w[2][2] || w[2][4:]] || w[3:], ' ')
                 WHEN kind = 2 AND NOT list_has_any(w, ['N', 'S', 'E', 'W', 'NORTH', 'SOUTH', 'EAST', 'WEST'])
                 THEN array_to_string(w[1:1] || ['N'] || w[2:], ' ')
                 WHEN kind = 3 THEN regexp_replace(upper(address_line1), ' (#|APT|UNIT|APARTMENT) ?[0-9A-Z]+$', '')
                 ELSE upper(address_line1) END AS address_line1,
            CASE WHEN kind = 3 THEN NULL ELSE address_line2 END AS address_line2, city, state,
            CASE WHEN kind = 6 AND length(postal_code) = 5 THEN postal_code || '-1234' ELSE postal_code END
                AS postal_code
        FROM p""")
    # deceased: a person with a birth date, at a stranger's address
    con.execute(f"""CREATE TABLE dec AS
        WITH d AS (SELECT tp, arg_min(struct_pack(f := first_name, l := last_name, b := birth_date),
                                      hash(source_key, 'dec')) AS x
                   FROM recs WHERE birth_date IS NOT NULL AND first_name IS NOT NULL AND length(first_name) > 1
                     AND last_name IS NOT NULL AND u(tp, 'dec') < 0.01 AND u(tp, 'mps') >= 0.03 GROUP BY tp),
        a AS (SELECT row_number() OVER (ORDER BY hash(source_key, 'far')) AS n, address_line1, city, state,
                     postal_code FROM recs WHERE {addr} LIMIT 100000)
        SELECT d.tp, d.x.f AS first_name, d.x.l AS last_name, a.address_line1, NULL AS address_line2, a.city,
               a.state, a.postal_code, d.x.b AS birth_date
        FROM (SELECT *, row_number() OVER (ORDER BY tp) AS n FROM d) d JOIN a USING (n)""")
    # near misses: a household member's surname and door, a first name nobody in that household has
    groups: dict[str, set[str]] = {}
    for nick, name in nickname_pairs():
        groups.setdefault(nick, {nick}).add(name)
        groups.setdefault(name, {name}).add(nick)
    pool = sorted({n.upper() for n in MALE + FEMALE})
    doors = con.execute(f"""SELECT hh, arg_min(struct_pack(l := last_name, a := address_line1, a2 := address_line2,
                                c := city, s := state, z := postal_code), hash(source_key, 'nm')) AS x,
                               list(DISTINCT upper(first_name)) AS names
        FROM recs WHERE {addr} AND u(hh, 'nm') < 0.03 GROUP BY hh""").fetchall()
    near = []
    for hh, x, names in doors:
        names = [n for n in names if n]
        taken = set().union(*(groups.get(n, {n}) for n in names)) if names else set()
        initials = {n[0] for n in names}
        for i in range(len(pool)):
            cand = pool[(zlib.crc32(f"{hh}:{seed}".encode()) + i) % len(pool)]
            if cand not in taken and cand[0] not in initials and not (groups.get(cand, {cand}) & taken):
                near.append((f"near:{hh}", cand, x["l"], x["a"], x["a2"], x["c"], x["s"], x["z"]))
                break
    con.execute("CREATE TABLE near (tp VARCHAR, first_name VARCHAR, last_name VARCHAR, address_line1 VARCHAR, "
                "address_line2 VARCHAR, city VARCHAR, state VARCHAR, postal_code VARCHAR)")
    con.executemany("INSERT INTO near VALUES (?, ?, ?, ?, ?, ?, ?, ?)", near)
    cols = "first_name, last_name, address_line1, address_line2, city, state, postal_code"
    con.execute(f"COPY (SELECT {cols} FROM mps UNION ALL SELECT {cols} FROM near) TO '{work}/mps.csv' (HEADER)")
    con.execute(f"COPY (SELECT {cols}, birth_date FROM dec) TO '{work}/deceased.csv' (HEADER)")
    con.execute(f"""COPY (SELECT tp, 'mps' AS list, kind, concat_ws(' ', {cols}) AS entry FROM mps
                          UNION ALL SELECT tp, 'deceased', -1, concat_ws(' ', {cols}, birth_date) FROM dec
                          UNION ALL SELECT tp, 'near', -2, concat_ws(' ', {cols}) FROM near)
                   TO '{work}/listed.csv' (HEADER)""")
    con.close()


def synth_quality(n: int, seed: int) -> None:
    from synth import generate

    from workbench import clock
    from workbench.ingest.derived import ensure_derived
    from workbench.ingest.load import load_file
    from workbench.ingest.sources import parse_sources_toml, save_sources
    from workbench.store import Store
    from workbench.store.sql import rows
    from workbench.suppress import ensure_person_suppressions

    clock.set_now("2026-11-20T10:00:00")
    with tempfile.TemporaryDirectory(prefix="wb-sup-synth-") as tmp:
        work = Path(tmp)
        generate(work, n, seed)
        _synth_lists(work, seed)
        (work / "all.toml").write_text((work / "sources.toml").read_text() + SYNTH_SUPPRESSIONS)
        store = Store(work / "wb.duckdb")
        with store.transaction() as conn:
            save_sources(conn, parse_sources_toml(work / "all.toml"))
        for source in ("web", "ecom", "loyalty", "mps", "deceased"):
            result = load_file(store, source, work / f"{source}.csv")
            if result.rows_rejected:
                print(f"{source}: {result.rows_rejected} rows rejected")
        truth = _read(work / "truth.csv")
        listed = _read(work / "listed.csv")
        with store.transaction() as conn:
            merge_by_truth(conn, truth)
            ensure_derived(conn)
            t = time.perf_counter()
            ensure_person_suppressions(conn, force=True)
            took = time.perf_counter() - t
            true_of = {r["record_id"]: r["tp"] for r in rows(conn, "SELECT r.record_id, t.true_id AS tp FROM records r "
                                                                     "JOIN _truth t USING (source, source_key)")}
            db = rows(conn, "SELECT pr.person_id, list(pr.record_id) AS recs, bool_or(ps.person_id IS NOT NULL "
                            "AND ps.channel IN ('mail', 'all')) AS removed FROM person_records pr "
                            "LEFT JOIN person_suppressions ps USING (person_id) GROUP BY pr.person_id")
            examples = rows(conn, "SELECT explanation FROM person_suppressions WHERE explanation LIKE '%~%' "
                                  "ORDER BY hash(person_id) LIMIT 5")
            rows_of_true = {r["tp"]: r["recs"] for r in rows(conn, """SELECT t.true_id AS tp, list(concat_ws(' ',
                r.first_name, r.last_name, r.address_line1, r.address_line2, r.postal_code, r.addr_street)) AS recs
                FROM records r JOIN _truth t USING (source, source_key) GROUP BY ALL""")}
            why = {r["tp"]: r["explanation"] for r in rows(conn, """SELECT t.true_id AS tp, any_value(ps.explanation)
                AS explanation FROM person_suppressions ps JOIN person_records pr USING (person_id)
                JOIN records r ON r.record_id = pr.record_id JOIN _truth t USING (source, source_key) GROUP BY ALL""")}
        removed_true = {true_of[r] for p in db if p["removed"] for r in p["recs"]}
        kept_true = {true_of[r] for p in db if not p["removed"] for r in p["recs"]}
        on_list = {x["tp"] for x in listed if x["list"] != "near"}
        leaks: Counter = Counter()
        for x in listed:
            if x["list"] != "near" and x["tp"] in kept_true:
                leaks[f"{x['list']}: {PERTURB[int(x['kind'])] if x['list'] == 'mps' else 'name + birth date'}"] += 1
        false = sorted(removed_true - on_list)
        for tp in false[:8]:
            print("  FALSE", tp, why.get(tp))
        for x in [x for x in listed if x["list"] != "near" and x["tp"] in kept_true][:8]:
            print("  LEAK", x, rows_of_true.get(x["tp"]))
        print(f"records {len(true_of):,}, persons {len({*true_of.values()}):,}; listed: "
              f"{Counter(x['list'] for x in listed)}; rebuild {took:.2f} s")
        print(f"leaks {sum(leaks.values())} {dict(leaks)}")
        print(f"false suppressions {len(false)} (of which near-miss households: "
              f"{sum(1 for x in listed if x['list'] == 'near')} near-miss entries)")
        for e in examples:
            print("  e.g.", e["explanation"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    s = sub.add_parser("speed")
    s.add_argument("--rows", type=int, default=1_000_000)
    s.add_argument("--keep-db", type=Path)
    y = sub.add_parser("synth", help="leaks and false suppressions on bench/synth.py people")
    y.add_argument("--rows", type=int, default=30_000)
    y.add_argument("--seed", type=int, default=7)
    q = sub.add_parser("quality")
    q.add_argument("db")
    q.add_argument("--perfect-identity", action="store_true")
    q.add_argument("--households", action="store_true")
    args = ap.parse_args()
    if args.what == "speed":
        speed(args.rows, args.keep_db)
    elif args.what == "synth":
        synth_quality(args.rows, args.seed)
    else:
        quality(Path(args.db), args.perfect_identity, args.households)


if __name__ == "__main__":
    main()
