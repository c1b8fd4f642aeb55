"""Run every benchmark in turn (`./run bench`); each prints its figures beside its baseline.

    python bench/run_all.py [--quick]     # --quick: 100k rows where a script takes a size
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUICK = "--quick" in sys.argv

RUNS = [
    ["bench_load.py", "--rows", "100000"] if QUICK else ["bench_load.py"],
    ["bench_address.py"],
    ["bench_match.py", "--rows", "100000"] if QUICK else ["bench_match.py", "--rows", "1000000"],
    ["bench_spark.py", "--rows", "100000"] if QUICK else ["bench_spark.py", "--rows", "1000000"],
    ["bench_households.py", "--rows", "100000"] if QUICK else ["bench_households.py", "--rows", "1000000"],
    ["bench_suppress.py", "speed", "--rows", "100000"] if QUICK else ["bench_suppress.py", "speed"],
    ["bench_mergepurge.py", "--house", "100000", "--per-list", "20000"] if QUICK else ["bench_mergepurge.py"],
    ["bench_select.py"],
    ["bench_contacts.py"],
    ["bench_plan.py", "--persons", "100000", "--orders", "1000000"] if QUICK else ["bench_plan.py", "--persons",
                                                                                 "1000000", "--orders", "10000000"],
    ["bench_report.py"],
    ["bench_trust.py"],
    ["bench_quality.py", "--data", "all", "--persons", "20000"] if QUICK else ["bench_quality.py", "--data", "all"],
]

for args in RUNS:
    print(f"\n=== {' '.join(args)}", flush=True)
    result = subprocess.run([sys.executable, str(HERE / args[0]), *args[1:]])
    if result.returncode:
        print(f"({args[0]} exited {result.returncode})", flush=True)
