"""Merge/purge at scale: 5 prospect lists x P names against an N-person house file, beside bare DuckDB.

    python bench/bench_mergepurge.py [--house 1000000] [--per-list 200000] [--lists 5] [--keep-db PATH]

Data: a market of 4 x N people (bench/gen_people.py: messy names, addresses, emails, phones); the house
file is its first N rows (loaded with the real loader: N persons); each list is a random sample of P
rows of the market (so about a quarter of each list is in the house file, and lists overlap each other),
keyed by the list, loaded as a ``prospects`` source; a Mail Preference list of 1 in 100 market rows.
Then, in the same run and database (the house file's addresses and the suppressions built first, as
they are on a working database):

  - dry run:    run_mergepurge(..., dry_run=True): every step and the report, nothing written
  - full run:   run_mergepurge(..., out=FILE): the same, plus the file, the report and the records
  - baseline:   bare DuckDB over the same raw files: lists unioned, the house file anti-joined on
                lower(email) or (lower(last_name), address line, ZIP), the MPS list anti-joined on
                (lower(last_name), address line, ZIP), duplicates by (lower(last_name), address line,
                ZIP) to the first list, COPY to CSV. No standardisation, no name rules, no report.

Issue 15's target: 5 x 200k against 1M <= 60 s. Run small while the machine is shared
(--house 100000 --per-list 20000).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

HOUSE = """
[sources.house]
kind = "people"
cadence = "daily"
mode = "full"
as_of = "updated_at"

[sources.mps]
kind = "suppression"
cadence = "monthly"
channel = "mail"
match_on = "name_address"
"""
LIST = """
[sources.{name}]
kind = "prospects"
cadence = "monthly"
supplier = "Bench Lists"
one_time = false
cpm = 90.0
"""
SEEDS = """
[[seeds]]
name = "bench seed"
channel = "mail"
first_name = "Jo"
last_name = "Seed"
address_line1 = "1 Decoy Way"
zip5 = "01970"
"""


def write_files(market: Path, out: Path, house: int, per_list: int, lists: int) -> dict[str, Path]:
    import duckdb

    con = duckdb.connect()
    con.execute(
        f"CREATE TABLE m AS SELECT *, row_number() OVER () - 1 AS i FROM read_csv('{market}', all_varchar=true)"
    )
    paths = {"house": out / "house.csv", "mps": out / "mps.csv"}
    con.execute(f"COPY (SELECT * EXCLUDE (i) FROM m WHERE i < {house}) TO '{paths['house']}' (HEADER)")
    con.execute(f"""COPY (SELECT upper(first_name) AS first_name, upper(last_name) AS last_name,
                   upper(address_line1) AS address_line1, address_line2, postal_code FROM m WHERE i % 100 = 7)
                 TO '{paths["mps"]}' (HEADER)""")
    for k in range(1, lists + 1):
        name = f"list_{k}"
        paths[name] = out / f"{name}.csv"
        con.execute(f"""COPY (SELECT 'L{k}-' || i AS source_key, first_name, last_name, address_line1, address_line2,
                               city, state, postal_code, email, phone
                        FROM m USING SAMPLE {per_list} ROWS (reservoir, {k})) TO '{paths[name]}' (HEADER)""")
    con.close()
    return paths


def baseline(paths: dict[str, Path], lists: int, out: Path) -> float:
    import duckdb

    con = duckdb.connect()
    key = "lower(trim(last_name)) || '|' || lower(trim(address_line1)) || '|' || left(trim(postal_code), 5)"
    t = time.perf_counter()
    union = " UNION ALL ".join(
        f"SELECT {k} AS rank, * FROM read_csv('{paths[f'list_{k}']}', all_varchar=true)"
        for k in range(1, lists + 1)
    )
    con.execute(f"CREATE TABLE l AS SELECT *, {key} AS k, lower(trim(email)) AS e FROM ({union})")
    con.execute(
        f"CREATE TABLE h AS SELECT {key} AS k, lower(trim(email)) AS e FROM read_csv('{paths['house']}', "
        "all_varchar=true)"
    )
    con.execute(f"CREATE TABLE s AS SELECT {key} AS k FROM read_csv('{paths['mps']}', all_varchar=true)")
    con.execute(f"""COPY (SELECT * EXCLUDE (k, e) FROM (
            SELECT l.*, row_number() OVER (PARTITION BY l.k ORDER BY l.rank, l.source_key) AS n FROM l
            WHERE l.k NOT IN (SELECT k FROM h WHERE k IS NOT NULL) AND (l.e IS NULL OR l.e NOT IN
                  (SELECT e FROM h WHERE e IS NOT NULL)) AND l.k NOT IN (SELECT k FROM s WHERE k IS NOT NULL))
        WHERE n = 1) TO '{out}' (HEADER)""")
    seconds = time.perf_counter() - t
    con.close()
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--house", type=int, default=1_000_000)
    ap.add_argument("--per-list", type=int, default=200_000)
    ap.add_argument("--lists", type=int, default=5)
    ap.add_argument("--keep-db", type=Path, default=None)
    args = ap.parse_args()

    from gen_people import generate

    from workbench import clock
    from workbench.export.seeds import import_seeds, parse_seeds_toml
    from workbench.ingest.derived import ensure_derived
    from workbench.ingest.load import load_file
    from workbench.ingest.sources import parse_sources_toml, save_sources
    from workbench.mergepurge import parse_run_text, run_mergepurge
    from workbench.store import Store
    from workbench.suppress import ensure_person_suppressions

    clock.set_now("2026-11-20T10:00:00")
    work = Path(tempfile.mkdtemp(prefix="bench_mp_"))
    try:
        t = time.perf_counter()
        market = generate(4 * args.house, work / "market.csv")
        paths = write_files(market, work, args.house, args.per_list, args.lists)
        names = [f"list_{k}" for k in range(1, args.lists + 1)]
        (work / "sources.toml").write_text(HOUSE + "".join(LIST.format(name=n) for n in names))
        (work / "seeds.toml").write_text(SEEDS)
        store = Store(work / "wb.duckdb", create=True)
        with store.transaction() as conn:
            save_sources(conn, parse_sources_toml(work / "sources.toml"))
            import_seeds(conn, parse_seeds_toml(work / "seeds.toml"))
        for name in ("house", "mps", *names):
            load_file(store, name, paths[name])
        with store.transaction() as conn:
            ensure_derived(conn)
            ensure_person_suppressions(conn)
        print(
            f"data: house {args.house:,}, {args.lists} lists x {args.per_list:,}, built in "
            f"{time.perf_counter() - t:.1f} s ({work})",
            flush=True,
        )
        run_def = parse_run_text(
            f'[mergepurge]\nname = "bench"\nchannel = "mail"\nlists = {names!r}\n'
            'house = "remove"\none_per = "household"\n'.replace("'", '"')
        )
        t = time.perf_counter()
        dry = run_mergepurge(store, run_def, None, dry_run=True)
        dry_s = time.perf_counter() - t
        t = time.perf_counter()
        full = run_mergepurge(store, run_def, work / "net.csv")
        full_s = time.perf_counter() - t
        base_s = baseline(paths, args.lists, work / "baseline.csv")
        total = {k: sum(getattr(r, k) for r in full.lists) for k in ("gross", "rejects", "house", "net")}
        sup = sum(sum(r.suppressions.values()) for r in full.lists)
        dup = sum(sum(r.duplicates.values()) for r in full.lists)
        print(
            f"names: gross {total['gross']:,}, rejects {total['rejects']:,}, house {total['house']:,}, "
            f"suppressed {sup:,}, duplicates {dup:,}, net {total['net']:,} (file {full.rows:,} rows)"
        )
        print(f"merge/purge dry run : {dry_s:7.2f} s")
        print(f"merge/purge full run: {full_s:7.2f} s")
        print(f"bare DuckDB baseline: {base_s:7.2f} s")
        assert dry.lists[0].net == full.lists[0].net
        if args.keep_db:
            shutil.copy(work / "wb.duckdb", args.keep_db)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
