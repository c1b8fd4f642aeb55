"""Benchmark the Spark engine against the DuckDB engine in the same run, on the same data and model.

    python bench/bench_spark.py --rows 100000                 (local[2])
    python bench/bench_spark.py --rows 1000000 --master "local[2]" --conf '{"spark.driver.memory": "8g"}' \
        --json bench/out/spark_1m.json

1. generate (cached under bench/out/synth_<rows>, as bench_match.py) and load the three extracts;
2. `workbench match` on the DuckDB engine (trains the model): wall time, CPU, peak memory of the process;
3. the same database before matching, the same model, `workbench match --engine spark`: wall time, the
   Spark session's start apart, peak memory of this process and of Spark's JVM (local mode: driver and
   executors are one JVM, a child of this process);
4. parity: identical persons and pair probabilities within 1e-6;
5. throughput figures for the 100M estimate in docs/spark.md (pairs scored per second and per core).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_match import cpu_seconds, load  # noqa: E402


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return 0
    return 0


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return out


class PeakMemory:
    """Peak resident memory of this process and, apart, of its child processes (Spark's JVM)."""

    def __init__(self) -> None:
        self.peak = self.peak_children = 0
        self._stop = threading.Event()

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss(me))
            self.peak_children = max(self.peak_children, sum(_rss(c) for c in _children(me)))
            self._stop.wait(0.2)

    def __enter__(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _timed(fn):
    with PeakMemory() as mem:
        t, cpu = time.perf_counter(), cpu_seconds()
        result = fn()
        wall, cpu = time.perf_counter() - t, cpu_seconds() - cpu
    return result, {
        "wall_s": round(wall, 1),
        "cpu_s_python": round(cpu, 1),
        "peak_rss_gib_python": round(mem.peak / 2**30, 2),
        "peak_rss_gib_jvm": round(mem.peak_children / 2**30, 2),
    }


def _jvm_cpu_seconds() -> float:
    """CPU seconds of the child processes still running (Spark's JVM), from /proc (utime + stime)."""
    total = 0
    for pid in _children(os.getpid()):
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--out", default=str(ROOT / "bench" / "out"))
    parser.add_argument("--json", dest="json_path")
    parser.add_argument(
        "--conf",
        default="{}",
        help='Spark settings as JSON, stored as identity.spark.conf (e.g. \'{"spark.driver.memory": "8g"}\')',
    )
    args = parser.parse_args()
    import synth

    from workbench import clock
    from workbench.identity.engines import spark_env
    from workbench.identity.run import match
    from workbench.store import Store
    from workbench.store.sql import rows

    out = Path(args.out)
    data = out / f"synth_{args.rows}"
    if not (data / "truth.csv").is_file():
        print("generating", synth.generate(data, args.rows), flush=True)
    duck_db, spark_db = (
        out / f"spark_bench_{args.rows}_duckdb.duckdb",
        out / f"spark_bench_{args.rows}_spark.duckdb",
    )
    print(f"loading {data.name}", flush=True)
    load(data, duck_db, ["web", "ecom", "loyalty"])
    shutil.copy(duck_db, spark_db)
    clock.set_now("2026-01-16T09:00:00")

    def progress(name):
        t0 = time.perf_counter()
        return lambda m, f: print(f"    {time.perf_counter() - t0:7.1f} s {f:4.0%} {name}: {m}", flush=True)

    print("DuckDB engine", flush=True)
    r_duck, m_duck = _timed(lambda: match(Store(duck_db), engine="duckdb", progress=progress("duckdb")))
    with Store(duck_db).connect(read_only=True) as conn:
        model = rows(conn, "SELECT * FROM match_models")
    store = Store(spark_db)
    with store.transaction() as conn:  # the same model: one model, two engines
        conn.executemany(
            "INSERT INTO match_models VALUES (?, ?, ?, ?, ?, ?, ?)", [list(m.values()) for m in model]
        )
    store.set_setting("identity.spark.master", args.master)
    conf = json.loads(args.conf)
    store.set_setting("identity.spark.conf", json.dumps(conf))

    print(f"Spark engine ({args.master})", flush=True)
    t = time.perf_counter()
    spark_env.spark_session(args.master, conf)
    start_s = time.perf_counter() - t
    jvm_cpu = _jvm_cpu_seconds()
    r_spark, m_spark = _timed(lambda: match(store, engine="spark", progress=progress("spark")))
    m_spark["jvm_cpu_s"] = round(_jvm_cpu_seconds() - jvm_cpu, 1)
    m_spark["session_start_s"] = round(start_s, 1)
    spark_env.stop_session()

    with Store(duck_db).connect(read_only=True) as conn:
        conn.execute(f"ATTACH '{spark_db}' AS s (READ_ONLY)").fetchall()
        parity = rows(
            conn,
            """SELECT
            (SELECT count(*) FROM match_pairs) AS pairs_duckdb, (SELECT count(*) FROM s.match_pairs) AS pairs_spark,
            (SELECT count(*) FROM match_pairs a FULL JOIN s.match_pairs b USING (record_id_l, record_id_r)
             WHERE a.probability IS NULL OR b.probability IS NULL OR abs(a.probability - b.probability) >= 1e-6
                OR a.status <> b.status) AS pairs_differing,
            (SELECT max(abs(a.probability - b.probability)) FROM match_pairs a
             JOIN s.match_pairs b USING (record_id_l, record_id_r)) AS max_probability_diff""",
        )[0]
        persons = "(SELECT list(record_id ORDER BY record_id) FROM {}person_records GROUP BY person_id)"
        parity["persons_differing"] = sum(
            rows(conn, f"SELECT count(*) AS n FROM ({persons.format(a)} EXCEPT ALL {persons.format(b)})")[0][
                "n"
            ]
            for a, b in (("", "s."), ("s.", ""))
        )
    score_s = r_spark.timings.get("score", 0.0)
    cores = (
        int(args.master[6:-1]) if args.master.startswith("local[") and args.master[6:-1].isdigit() else None
    )
    report = {
        "rows": r_duck.records,
        "pairs_scored": r_duck.pairs_scored,
        "persons": r_duck.persons,
        "duckdb": {**m_duck, "timings": r_duck.timings},
        "spark": {
            **m_spark,
            "master": args.master,
            "conf": conf,
            "timings": r_spark.timings,
            "pairs_per_s": round(r_spark.pairs_scored / score_s) if score_s else None,
            "pairs_per_core_s": round(r_spark.pairs_scored / score_s / cores) if score_s and cores else None,
        },
        "duckdb_pairs_per_s": round(r_duck.pairs_scored / r_duck.timings["score"])
        if r_duck.timings.get("score")
        else None,
        "parity": parity,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
    }
    print(json.dumps(report, indent=1, default=str), flush=True)
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    main()
