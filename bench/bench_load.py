"""Time `workbench load` of a people extract against a bare DuckDB read of the same file, in the same run.

    python bench/bench_load.py --rows 100000 1000000

For each size: generate the CSV (bench/gen_people.py), then
  - bare:      CREATE TABLE t AS SELECT * FROM read_csv(FILE)   (a fresh file-backed DuckDB database)
  - workbench: `workbench load bench_people FILE` in a subprocess (a fresh database; includes process start)
and print seconds, rows/s, the ratio, and the peak memory (max RSS) of the workbench process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gen_people import generate  # noqa: E402

SOURCES = """[sources.bench_people]
kind = "people"
cadence = "daily"
mode = "full"
as_of = "updated_at"
"""


def bare(csv: Path, workdir: Path) -> float:
    db = workdir / "bare.duckdb"
    con = duckdb.connect(str(db))
    t = time.perf_counter()
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv}')").fetchall()
    con.execute("CHECKPOINT").fetchall()
    elapsed = time.perf_counter() - t
    con.close()
    return elapsed


def workbench_load(csv: Path, workdir: Path) -> tuple[float, int, dict]:
    db = workdir / "wb.duckdb"
    toml = workdir / "sources.toml"
    toml.write_text(SOURCES)
    exe = [sys.executable, "-m", "workbench", "--db", str(db)]
    subprocess.run([*exe, "sources", "import", str(toml)], check=True, capture_output=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    out = subprocess.run([*exe, "load", "bench_people", str(csv), "--json"], check=True, capture_output=True,
                         text=True)
    elapsed = time.perf_counter() - t
    peak_kb = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)
    return elapsed, peak_kb, json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    args = ap.parse_args()
    print(f"{'rows':>10} {'bare s':>8} {'wb s':>8} {'ratio':>6} {'wb rows/s':>11} {'peak MiB':>9}  loaded/rejected")
    for n in args.rows:
        with tempfile.TemporaryDirectory(prefix="wb-bench-") as tmp:
            work = Path(tmp)
            csv = generate(n, work / f"people_{n}.csv")
            bare(csv, work)  # warm the page cache
            (work / "bare.duckdb").unlink()
            b = bare(csv, work)
            (work / "bare.duckdb").unlink()
            w, peak_kb, summary = workbench_load(csv, work)
            print(f"{n:>10,} {b:>8.2f} {w:>8.2f} {w / b:>6.2f} {n / w:>11,.0f} {peak_kb / 1024:>9,.0f}  "
                  f"{summary['rows_loaded']:,}/{summary['rows_rejected']:,}  (load itself {summary['duration_s']:.2f} s)")
            if args.keep:
                os.replace(csv, HERE / "out" / csv.name)


if __name__ == "__main__":
    main()
