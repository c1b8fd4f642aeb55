"""Does `workbench quality` know its own accuracy? Estimates from review samples answered from the truth.

    python bench/bench_quality_estimate.py --persons 20000 --samples 100 --pairs 400
    python bench/bench_quality_estimate.py --json bench/out/quality_estimate.json

On the independent held-out generator (bench/heldout/: truth known, never tuned on) a throw-away database
is built through the command line (``sources import``, ``load``, ``match``, ``households``). Then, for each
of ``--samples`` seeds, a sample is drawn exactly as ``workbench quality sample`` draws it (``--pairs``
merged person pairs, ``--near-misses`` near misses, ``--households`` household pairs), every item is
answered from the truth, the estimates are computed as ``workbench quality`` computes them, and the
transaction is rolled back (the next seed starts from the same database).

Printed beside the true figures:
- persons precision: how many of the samples' Wilson 95% intervals cover the true share of pairs in one
  person that are one true person (target: >= 95 of 100); the same for household pairs;
- recall of persons (pairwise, over every true same-person record pair): the mean estimate and how many
  samples land within 0.03 of the truth (target: the estimate within 0.03);
- naive baselines: an unweighted Wald interval on the same answers (precision), and recall from the near
  misses alone (what a reviewer who only looks at the pairs the model scored would conclude).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def build(work: Path, persons: int, seed: int) -> tuple[Path, Path, dict]:
    from heldout.generate import generate

    data = work / "data"
    info = generate(data, persons, seed)
    manifest = json.loads((data / "manifest.json").read_text())
    db = work / "q.duckdb"
    env = {
        **os.environ,
        "WORKBENCH_DB": str(db),
        "WORKBENCH_NOW": manifest["now"],
        "PYTHONPATH": str(ROOT),
        "WORKBENCH_BUSY_TIMEOUT": "60",
    }

    def cli(*args: str) -> None:
        proc = subprocess.run(
            [sys.executable, "-m", "workbench", *args], env=env, cwd=ROOT, capture_output=True, text=True
        )
        if proc.returncode:
            raise SystemExit(f"workbench {' '.join(args)} failed:\n{proc.stderr[-3000:]}")

    cli("sources", "import", str(data / "sources.toml"))
    for source, name in [*manifest["people"].items(), *manifest["lists"].items()]:
        cli("load", source, str(data / name))
    cli("match")
    cli("households")
    return db, data, {**info, "now": manifest["now"]}


TRUTH_PRECISION = """SELECT
    (SELECT sum(n * (n - 1) // 2) FROM (SELECT count(*) AS n FROM person_records JOIN _truth USING (record_id)
        GROUP BY person_id, tp)) AS right_pairs,
    (SELECT sum(n * (n - 1) // 2) FROM (SELECT count(*) AS n FROM person_records GROUP BY person_id)) AS pairs,
    (SELECT sum(n * (n - 1) // 2) FROM (SELECT count(*) AS n FROM _truth GROUP BY tp)) AS true_pairs"""
TRUTH_HOUSEHOLDS = """WITH anchors AS (SELECT person_id, min(record_id) AS anchor FROM person_records GROUP BY person_id)
    SELECT avg(CASE WHEN ta.th = tb.th THEN 1.0 ELSE 0.0 END) FROM household_members a
    JOIN household_members b ON a.household_id = b.household_id AND a.person_id < b.person_id
    JOIN anchors x ON x.person_id = a.person_id JOIN anchors y ON y.person_id = b.person_id
    JOIN _truth ta ON ta.record_id = x.anchor JOIN _truth tb ON tb.record_id = y.anchor"""
ANSWER_FROM_TRUTH = """UPDATE quality_items SET answer = CASE WHEN
        (SELECT {col} FROM _truth WHERE record_id = record_l) = (SELECT {col} FROM _truth WHERE record_id = record_r)
        THEN 'same' ELSE 'different' END
    WHERE sample_id = ? AND area IN ({areas})"""


def wald(p: float, n: int) -> tuple[float, float]:
    half = 1.959963984540054 * math.sqrt(p * (1 - p) / n) if n else 1.0
    return max(0.0, p - half), min(1.0, p + half)


def measure(db: Path, data: Path, now: str, samples: int, pairs: int, near: int, households: int) -> dict:
    from workbench import clock
    from workbench.quality.estimate import compute
    from workbench.quality.sample import draw
    from workbench.store import Store

    clock.set_now(now)
    store = Store(db)
    out: dict = {"runs": []}
    with store.connect() as conn:
        conn.execute(f"""CREATE OR REPLACE TEMP TABLE _truth AS SELECT r.record_id, t.person_id AS tp,
            t.household_id AS th FROM records r JOIN read_csv('{data / "truth.csv"}', all_varchar=true) t
            ON t.source = r.source AND t.source_key = r.source_key""")
        right, total, true_pairs = conn.execute(TRUTH_PRECISION).fetchone()
        out["true"] = {
            "person_precision": right / total,
            "person_recall": right / true_pairs,
            "household_precision": conn.execute(TRUTH_HOUSEHOLDS).fetchone()[0],
            "pairs_in_persons": total,
            "true_pairs": true_pairs,
        }
        for seed in range(1, samples + 1):
            conn.execute("BEGIN TRANSACTION")
            t = time.perf_counter()
            res = draw(
                conn,
                {"persons": pairs, "near_miss": near, "households": households, "suppressions": 0},
                seed=seed,
            )
            conn.execute(ANSWER_FROM_TRUTH.format(col="tp", areas="'persons', 'near_miss'"), [res.sample_id])
            conn.execute(ANSWER_FROM_TRUTH.format(col="th", areas="'households'"), [res.sample_id])
            est = compute(conn, res.sample_id)
            raw = conn.execute(
                """SELECT count(*) FILTER (WHERE answer = 'same'), count(*) FROM quality_items
                WHERE sample_id = ? AND area = 'persons'""",
                [res.sample_id],
            ).fetchone()
            conn.execute("ROLLBACK")
            p, hh = est["persons.precision"], est["households.precision"]
            out["runs"].append(
                {
                    "seed": seed,
                    "precision": p["estimate"],
                    "low": p["low"],
                    "high": p["high"],
                    "hh": hh["estimate"],
                    "hh_low": hh["low"],
                    "hh_high": hh["high"],
                    "recall": est.get("persons.recall", {}).get("estimate"),
                    "recall_near_miss": est.get("persons.recall_near_miss", {}).get("estimate"),
                    "wald": wald(raw[0] / raw[1], raw[1]),
                    "seconds": round(time.perf_counter() - t, 2),
                }
            )
    clock.set_now(None)
    return out


def summarise(m: dict) -> dict:
    truth, runs = m["true"], m["runs"]
    tp, tr, th = truth["person_precision"], truth["person_recall"], truth["household_precision"]
    recalls = [r["recall"] for r in runs if r["recall"] is not None]
    naive = [r["recall_near_miss"] for r in runs if r["recall_near_miss"] is not None]
    return {
        "samples": len(runs),
        "true_person_precision": round(tp, 4),
        "true_person_recall": round(tr, 4),
        "true_household_precision": round(th, 4),
        "precision_covered": sum(r["low"] - 1e-9 <= tp <= r["high"] + 1e-9 for r in runs),
        "precision_mean": round(statistics.fmean(r["precision"] for r in runs), 4),
        "precision_mean_width": round(statistics.fmean(r["high"] - r["low"] for r in runs), 4),
        "wald_covered": sum(r["wald"][0] <= tp <= r["wald"][1] for r in runs),
        "household_covered": sum(r["hh_low"] - 1e-9 <= th <= r["hh_high"] + 1e-9 for r in runs),
        "recall_mean": round(statistics.fmean(recalls), 4) if recalls else None,
        "recall_mean_error": round(abs(statistics.fmean(recalls) - tr), 4) if recalls else None,
        "recall_within_003": sum(abs(x - tr) <= 0.03 for x in recalls),
        "naive_recall_mean": round(statistics.fmean(naive), 4) if naive else None,
        "naive_recall_within_003": sum(abs(x - tr) <= 0.03 for x in naive),
        "seconds_per_sample": round(statistics.fmean(r["seconds"] for r in runs), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=11, help="the generator's seed")
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--pairs", type=int, default=400, help="merged person pairs per sample")
    parser.add_argument("--near-misses", type=int, default=150)
    parser.add_argument("--households", type=int, default=100)
    parser.add_argument("--db", type=Path, help="reuse a database built before (with --data)")
    parser.add_argument("--data", type=Path, help="the generator's folder of --db")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    t = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="wbq_estimate_") as tmp:
        if args.db:
            db, data = args.db, args.data
            info = {"now": json.loads((data / "manifest.json").read_text())["now"]}
        else:
            db, data, info = build(Path(tmp), args.persons, args.seed)
        build_s = time.perf_counter() - t
        m = measure(db, data, info["now"], args.samples, args.pairs, args.near_misses, args.households)
    s = summarise(m) | {
        "persons": args.persons,
        "generator_seed": args.seed,
        "pairs": args.pairs,
        "near_misses": args.near_misses,
        "build_s": round(build_s, 1),
    }
    n = s["samples"]
    print(
        f"held-out generator, {args.persons:,} persons (seed {args.seed}); {n} samples of {args.pairs} merged "
        f"pairs + {args.near_misses} near misses + {args.households} household pairs, answered from the truth"
    )
    print(f"{'':34}{'workbench':>14}{'naive':>12}{'truth':>10}")
    print(
        f"{'person precision, mean estimate':34}{s['precision_mean']:>14.4f}{'':>12}{s['true_person_precision']:>10.4f}"
    )
    print(
        f"{'  95% interval covers the truth':34}{s['precision_covered']:>10} / {n}{s['wald_covered']:>7} / {n}"
        f"{'(Wald)':>10}"
    )
    print(f"{'  mean interval width':34}{s['precision_mean_width']:>14.4f}")
    print(
        f"{'household precision covered':34}{s['household_covered']:>10} / {n}{'':>12}{s['true_household_precision']:>10.4f}"
    )
    print(
        f"{'person recall, mean estimate':34}{s['recall_mean']:>14.4f}{s['naive_recall_mean']:>12.4f}"
        f"{s['true_person_recall']:>10.4f}"
    )
    print(
        f"{'  samples within 0.03 of truth':34}{s['recall_within_003']:>10} / {n}{s['naive_recall_within_003']:>7} / {n}"
        f"{'(near misses only)':>20}"
    )
    ok_p = s["precision_covered"] >= 0.95 * n
    ok_r = s["recall_mean_error"] is not None and s["recall_mean_error"] <= 0.03
    print(
        f"checks: precision coverage >= 95%: {'PASS' if ok_p else 'FAIL'}; mean recall within 0.03: "
        f"{'PASS' if ok_r else 'FAIL'} ({s['seconds_per_sample']} s a sample)"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({"summary": s, "runs": m["runs"], "true": m["true"]}, indent=2) + "\n"
        )


if __name__ == "__main__":
    main()
