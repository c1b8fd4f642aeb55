"""Issue 17: the workbench end to end at 1M, 3M, 10M people records, each stage beside a bare baseline.

    python bench/bench_scale.py --records 200k                    # a quick run to check the machinery
    python bench/bench_scale.py --records 1M 3M --json bench/out/scale.json
    python bench/bench_scale.py --demo-only                       # `workbench demo --build-only` and its profile

Sizes are people records (``1M``, ``2.5M``, ``200k`` or a plain number). For each size, one synthetic
population (bench/synth.py with ``lists=True``: three people sources with households and duplicates, a
mail-preference name + address list, a do-not-call phone list and an e-mail unsubscribe list), then the
stages an operator runs, each `python -m workbench ...` in a subprocess of its own on one database file:

    sources import, load (each source in turn), match, households, suppressions, selections import,
    count (every mailable household), export (the same selection, every row), and then a reload of the
    web extract with 2% of its rows changed, 1% new and 0.5% gone, and the first count after it.

Each stage: wall time, CPU time (user + sys of the child, from ``os.wait4``) and peak memory (the
child's ``ru_maxrss``), with the load average (``os.getloadavg``) before and after. Beside each stage a
bare baseline, in its own subprocess on the same files in the same run:

    load         CREATE TABLE t AS SELECT * FROM read_csv(FILE) into a fresh database file (one per size)
    match        bare Splink, the same settings and training (bench/bench_match.py's bare_splink)
    households   naive GROUP BY upper(address_line1), postal_code of the records
    suppressions an equi-join of the entries to the records (email, phone, ZIP5 + street + surname)
    count        count(DISTINCT household) of persons with an address, less the mail-suppressed
    export       COPY of the same rows (the exported persons' fields) to a CSV file
    reload       as load, on the new web file

Growth factor per stage between sizes: (time per record at size N) / (time per record at the smallest
size); 1.0 is linear. With two or more sizes a 10M projection (power law through the two largest sizes)
is printed, labelled as a projection.

The database runs as the product runs it: DuckDB's ``memory_limit`` at 60% of the machine (workbench/store/
memory.py, ``$WORKBENCH_MEMORY_LIMIT``), spilling to ``DB.tmp``; a full match scores in slices of 2,500,000
records (``identity.predict_chunk_records``). The bare baselines keep DuckDB's own default (80%).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "bench"
sys.path.insert(0, str(HERE))

NOW = "2026-01-16T09:00:00"
PEOPLE = ("web", "ecom", "loyalty")
LISTS = ("mail_preference", "do_not_call", "email_unsubscribes")
E2E = ("load", "match", "households", "suppressions", "selections import", "count", "export")

SELECTIONS = """
[selections.scale_mail]
description = "scale bench: every mailable household"
channel = "mail"
one_per = "household"
fields = ["first_name", "last_name", "address_line1", "address_line2", "city", "state", "zip5"]
"""


def parse_size(text: str) -> int:
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([kKmM]?)\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size (1M, 2.5M, 200k, 200000)")
    return int(float(m.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2).lower()])


def label(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1e6:g}M"
    return f"{n / 1e3:g}k" if n >= 1_000 else str(n)


# ------------------------------------------------------------------------------------------- children


def child(argv: list[str], log: Path, env: dict | None = None, ok=(0,)) -> dict:
    """Run ``argv``, stdout and stderr to ``log``(.out/.err); wall, CPU and peak RSS of that child alone."""
    la0 = os.getloadavg()
    t = time.perf_counter()
    hwm = 0
    with open(f"{log}.out", "w") as out, open(f"{log}.err", "w") as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env or os.environ.copy(), cwd=ROOT)
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            hwm = max(hwm, vm_hwm(proc.pid))
            time.sleep(0.05)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    la1 = os.getloadavg()
    result = {
        "wall_s": round(wall, 2),
        "cpu_s": round(ru.ru_utime + ru.ru_stime, 2),
        "user_s": round(ru.ru_utime, 2),
        "sys_s": round(ru.ru_stime, 2),
        # VmHWM of the child's own address space, read every 50 ms (ru_maxrss would carry this process's
        # size at the fork); the last read is at most 50 ms before the child ended
        "peak_rss_mib": round(max(hwm, 1) / 1024),
        "ru_maxrss_mib": round(ru.ru_maxrss / 1024),
        "load_before": [round(x, 2) for x in la0],
        "load_after": [round(x, 2) for x in la1],
        "rc": proc.returncode,
    }
    if proc.returncode not in ok:
        tail = Path(f"{log}.err").read_text(errors="replace")[-3000:]
        oom = "out of memory" in tail.lower() or proc.returncode in (-9, 137)
        result["error"] = ("OUT OF MEMORY: " if oom else "") + tail.strip().splitlines()[-1] if tail.strip() else \
            f"exit {proc.returncode}"
    return result


def vm_hwm(pid: int) -> int:
    """Peak resident memory (KiB) of process ``pid`` so far; 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def stdout_json(log: Path):
    text = Path(f"{log}.out").read_text()
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:  # a bare child that printed something before its one-line JSON
        return json.loads(text.strip().splitlines()[-1])
    except (ValueError, IndexError):
        # `load --json` prints one object per file; several are concatenated
        dec, pos, out = json.JSONDecoder(), 0, []
        while pos < len(text):
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos >= len(text):
                break
            obj, pos = dec.raw_decode(text, pos)
            out.append(obj)
        return out[-1] if len(out) == 1 else out


class Workbench:
    """`python -m workbench` on one database with a fixed clock."""

    def __init__(self, db: Path, logs: Path, profile: bool = False) -> None:
        self.env = {**os.environ, "WORKBENCH_DB": str(db), "WORKBENCH_NOW": NOW, "PYTHONPATH": str(ROOT),
                    "WORKBENCH_BUSY_TIMEOUT": "60"}
        self.logs = logs
        self.profile = profile
        self.n = 0

    def __call__(self, *args: str) -> tuple[dict, Path]:
        self.n += 1
        log = self.logs / f"{self.n:02d}_{'_'.join(a for a in args[:2] if '/' not in a)}"
        prof = ["-m", "cProfile", "-o", f"{log}.prof"] if self.profile else []
        r = child([sys.executable, *prof, "-m", "workbench", *args], log, self.env)
        if self.profile and Path(f"{log}.prof").is_file():
            r["profile"] = profile_summary(Path(f"{log}.prof"))
        return r, log


SQL_HELPERS = {("sql.py", "run"), ("sql.py", "rows"), ("sql.py", "scalar")}
WRAPPERS = ("/workbench/cli.py", "/workbench/commands/", "/workbench/__main__.py", "/workbench/store/")


def profile_summary(prof: Path, top: int = 15) -> dict:
    """Where a stage's time goes: the workbench functions with the most cumulative time (the command-line
    and store wrappers left out), and the time of the SQL statements run through workbench.store.sql by the
    function that ran them (DuckDB's own time is inside those calls)."""
    import pstats

    st = pstats.Stats(str(prof)).stats
    total = max((v[3] for v in st.values()), default=0.0)
    funcs = sorted(((v[3], f"{Path(k[0]).parent.name}/{Path(k[0]).name}:{k[2]}") for k, v in st.items()
                    if "/workbench/" in k[0] and not any(w in k[0] for w in WRAPPERS)), reverse=True)
    by_caller: dict[str, float] = {}
    for k, v in st.items():
        if (Path(k[0]).name, k[2]) in SQL_HELPERS and "/workbench/store/" in k[0]:
            for caller, cv in v[4].items():
                name = f"{Path(caller[0]).parent.name}/{Path(caller[0]).name}:{caller[2]}"
                by_caller[name] = by_caller.get(name, 0.0) + cv[3]
    splink = max((v[3] for k, v in st.items() if "/splink/" in k[0] and k[2] == "_execute_sql_against_backend"),
                 default=0.0)
    return {"total_s": round(total, 2),
            "cumulative": [[n, round(t, 2)] for t, n in funcs[:top]],
            "sql_by_caller": sorted(([n, round(t, 2)] for n, t in by_caller.items()), key=lambda x: -x[1])[:top],
            "splink_sql_s": round(splink, 2)}


BARE_READ = """
import duckdb, json, sys, time
con = duckdb.connect(sys.argv[1])
t = time.perf_counter()
con.execute(f"CREATE OR REPLACE TABLE {sys.argv[3]} AS SELECT * FROM read_csv('{sys.argv[2]}')")
con.execute("CHECKPOINT")
print(json.dumps({"inner_s": round(time.perf_counter() - t, 3),
                  "rows": con.execute(f"SELECT count(*) FROM {sys.argv[3]}").fetchone()[0]}))
"""

# the bare queries on the workbench database (attached read-only; results into an in-memory database)
BARE_SQL = {
    "households": """CREATE TABLE hh AS SELECT upper(address_line1) AS line1, postal_code, list(record_id) AS recs
        FROM w.records WHERE address_line1 IS NOT NULL AND source IN ('web', 'ecom', 'loyalty') GROUP BY ALL""",
    "suppressions": """CREATE TABLE sup AS SELECT DISTINCT pr.person_id, e.source FROM (
            SELECT e.source, r.record_id FROM w.suppression_entries e JOIN w.records r ON r.email_std = e.email_std
            WHERE e.match_on = 'email'
            UNION ALL SELECT e.source, r.record_id FROM w.suppression_entries e JOIN w.records r
                ON r.phone_std = e.phone_std WHERE e.match_on = 'phone'
            UNION ALL SELECT e.source, r.record_id FROM w.suppression_entries e JOIN w.records r
                ON r.zip5 = e.zip5 AND r.addr_street = e.addr_street AND r.last_name_key = e.last_name_key
            WHERE e.match_on = 'name_address'
        ) e JOIN w.person_records pr USING (record_id)""",
    "count": """CREATE TABLE c AS SELECT count(DISTINCT m.household_id) AS n FROM w.persons p
        JOIN w.household_members m USING (person_id)
        WHERE p.address_line1 IS NOT NULL AND p.zip5 IS NOT NULL AND p.person_id NOT IN (
            SELECT person_id FROM w.person_suppressions WHERE channel IN ('mail', 'all'))""",
}

BARE_QUERY = """
import duckdb, json, sys, time
con = duckdb.connect()
con.execute(f"ATTACH '{sys.argv[1]}' AS w (READ_ONLY)")
t = time.perf_counter()
con.execute(sys.argv[2])
print(json.dumps({"inner_s": round(time.perf_counter() - t, 3)}))
"""

BARE_COPY = """
import duckdb, json, sys, time
con = duckdb.connect(sys.argv[1], read_only=True)
t = time.perf_counter()
con.execute(f'''COPY (SELECT a.first_name, a.last_name, a.address_line1, a.address_line2, a.city, a.state, a.zip5
    FROM person_attributes a JOIN contact_history ch USING (person_id)
    WHERE ch.export_id = {int(sys.argv[3])} AND NOT ch.is_control) TO '{sys.argv[2]}' (FORMAT csv, HEADER true)''')
print(json.dumps({"inner_s": round(time.perf_counter() - t, 3)}))
"""

BARE_SPLINK = """
import json, sys, time
from pathlib import Path
import duckdb
_connect = duckdb.connect
def connect(*a, **k):  # no progress bar, as in workbench's own connections
    con = _connect(*a, **k)
    con.execute("SET enable_progress_bar = false")
    return con
duckdb.connect = connect
sys.path.insert(0, sys.argv[4])
from bench_match import bare_splink
r = bare_splink(Path(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]))
r.pop("clusters")
r["inner_s"] = r["seconds"]
print(json.dumps(r))
"""


def bare(code: str, args: list[str], log: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WORKBENCH_NOW": NOW}
    r = child([sys.executable, "-c", code, *map(str, args)], log, env)
    if r["rc"] == 0:
        r.update(stdout_json(log))
    return r


# ------------------------------------------------------------------------------------------- one size


def reload_file(data: Path) -> Path:
    """web_2.csv: the web extract again with 2% of rows changed (new street line, later as-of), 0.5% gone
    and 1% new rows (copies of others under new keys): a second full load of the source."""
    import duckdb

    src, dst = data / "web.csv", data / "web_2.csv"
    if dst.is_file():
        return dst
    con = duckdb.connect()
    con.execute(f"""COPY (
        SELECT * REPLACE (
            CASE WHEN hash(source_key, 'chg') % 100 < 2 AND address_line1 IS NOT NULL
                 THEN (1 + hash(source_key, 'num') % 9000)::VARCHAR || ' Reload Street' ELSE address_line1 END
                 AS address_line1,
            CASE WHEN hash(source_key, 'chg') % 100 < 2 THEN '2026-01-10' ELSE updated_at END AS updated_at)
        FROM read_csv('{src}', all_varchar = true) WHERE hash(source_key, 'del') % 1000 >= 5
        UNION ALL
        SELECT * REPLACE ('WN' || source_key[2:] AS source_key, '2026-01-12' AS updated_at)
        FROM read_csv('{src}', all_varchar = true) WHERE hash(source_key, 'new') % 100 = 0
        ORDER BY source_key) TO '{dst}' (HEADER, DELIMITER ',')""")
    con.close()
    return dst


def run_size(n: int, out: Path, args) -> dict:
    import synth

    data = out / f"synth_{n}"
    t = time.perf_counter()
    if not (data / "email_unsubscribes.csv").is_file():
        gen = synth.generate(data, n, lists=True)
    else:
        gen = {"cached": str(data)}
    gen["seconds"] = round(time.perf_counter() - t, 1)
    reload_file(data)
    work = out / f"run_{n}"
    shutil.rmtree(work, ignore_errors=True)
    (work / "logs").mkdir(parents=True)
    db, bare_db = work / "wb.duckdb", work / "bare.duckdb"
    logs = work / "logs"
    wb = Workbench(db, logs, profile=args.profile)
    stages: list[dict] = []
    size = {"records_requested": n, "generate": gen, "stages": stages}
    print(f"\n== {label(n)} people records ({data}); load average {os.getloadavg()}", flush=True)

    def stage(name: str, r: dict, base: dict | None = None, **extra) -> dict:
        s = {"stage": name, **r, **extra}
        if base is not None:
            s["bare"] = base
        stages.append(s)
        b = f"| bare {base['wall_s']:.1f} s wall ({base.get('inner_s', 0):.2f} s in SQL)" if base else ""
        print(f"  {name:28} {r['wall_s']:8.1f} s wall {r['cpu_s']:8.1f} s CPU {r['peak_rss_mib']:7,} MiB  "
              f"load {r['load_before'][0]:.1f} {b}" + (f"  ERROR {r['error']}" if r.get("error") else ""),
              flush=True)
        if r.get("profile"):
            prof = r["profile"]
            print("      slowest (cumulative): " + "; ".join(f"{n} {t:.1f}" for n, t in prof["cumulative"][:8]))
            print("      SQL by caller: " + "; ".join(f"{n} {t:.1f}" for n, t in prof["sql_by_caller"][:8]),
                  flush=True)
        return s

    def failed(r: dict) -> bool:
        if r["rc"] != 0:
            size["failed_at"] = stages[-1]["stage"]
            return True
        return False

    r, _ = wb("sources", "import", str(data / "sources.toml"))
    stage("sources import", r)
    if failed(r):
        return size
    # one load per source (people, then the lists); the bare read of each file beside it
    loads = []
    for src in (*PEOPLE, *LISTS):
        r, log = wb("load", src, str(data / f"{src}.csv"), "--json")
        summary = stdout_json(log) if r["rc"] == 0 else {}
        base = bare(BARE_READ, [bare_db, data / f"{src}.csv", src], logs / f"bare_read_{src}")
        s = stage(f"load {src}", r, base, rows=summary.get("rows_loaded"), rejected=summary.get("rows_rejected"),
                  load_s=summary.get("duration_s"))
        loads.append(s)
        if failed(r):
            return size
    size["records"] = sum(s["rows"] or 0 for s in loads[:3])
    size["list_entries"] = sum(s["rows"] or 0 for s in loads[3:])
    agg = {k: round(sum(s[k] for s in loads), 2) for k in ("wall_s", "cpu_s")}
    agg["peak_rss_mib"] = max(s["peak_rss_mib"] for s in loads)
    agg["load_before"], agg["load_after"] = loads[0]["load_before"], loads[-1]["load_after"]
    bagg = {k: round(sum(s["bare"][k] for s in loads), 2) for k in ("wall_s", "cpu_s", "inner_s")}
    bagg["peak_rss_mib"] = max(s["bare"]["peak_rss_mib"] for s in loads)
    bagg["rc"] = 0
    stage("load", {**agg, "rc": 0}, bagg, total=True)

    r, log = wb("match", "--json")
    m = stdout_json(log) if r["rc"] == 0 else {}
    base = None
    if r["rc"] == 0 and not args.no_bare_match:
        base = bare(BARE_SPLINK, [db, m["auto_accept"], m["review"], HERE], logs / "bare_splink")
    stage("match", r, base, timings=m.get("timings"), pairs_scored=m.get("pairs_scored"), persons=m.get("persons"))
    if failed(r):
        return size

    r, log = wb("households", "--json")
    h = stdout_json(log) if r["rc"] == 0 else {}
    base = bare(BARE_QUERY, [db, BARE_SQL["households"]], logs / "bare_households") if r["rc"] == 0 else None
    stage("households", r, base, timings=h.get("timings"), households=h.get("households"))
    if failed(r):
        return size

    r, log = wb("suppressions", "--json")
    sup = stdout_json(log) if r["rc"] == 0 else []
    base = bare(BARE_QUERY, [db, BARE_SQL["suppressions"]], logs / "bare_suppressions") if r["rc"] == 0 else None
    stage("suppressions", r, base, persons={x["name"]: x["persons"] for x in sup} if sup else None)
    if failed(r):
        return size

    (work / "selections.toml").write_text(SELECTIONS, encoding="utf-8")
    r, _ = wb("selections", "import", str(work / "selections.toml"))
    stage("selections import", r)
    if failed(r):
        return size

    r, log = wb("count", "scale_mail", "--json")
    c = stdout_json(log) if r["rc"] == 0 else {}
    base = bare(BARE_QUERY, [db, BARE_SQL["count"]], logs / "bare_count") if r["rc"] == 0 else None
    stage("count", r, base, net=c.get("net"), inner_s=c.get("seconds"))
    if failed(r):
        return size

    r, log = wb("export", "scale_mail", "--out", str(work / "mail.csv"), "--allow-stale", "--json")
    e = stdout_json(log) if r["rc"] == 0 else {}
    base = bare(BARE_COPY, [db, work / "bare_mail.csv", e["export_id"]], logs / "bare_copy") if e else None
    stage("export", r, base, rows=e.get("rows"), timings=e.get("timings"))
    if failed(r):
        return size

    e2e = [s for s in stages if s["stage"] in E2E]
    size["end_to_end"] = {
        "wall_s": round(sum(s["wall_s"] for s in e2e), 1),
        "cpu_s": round(sum(s["cpu_s"] for s in e2e), 1),
        "peak_rss_mib": max(s["peak_rss_mib"] for s in e2e),
        "db_file_mib": round(db.stat().st_size / 2**20),
    }
    print(f"  {'END TO END':28} {size['end_to_end']['wall_s']:8.1f} s wall "
          f"{size['end_to_end']['cpu_s']:8.1f} s CPU {size['end_to_end']['peak_rss_mib']:7,} MiB peak  "
          f"(database file {size['end_to_end']['db_file_mib']:,} MiB)", flush=True)

    if not args.no_reload:
        r, log = wb("load", "web", str(data / "web_2.csv"), "--json")
        summary = stdout_json(log) if r["rc"] == 0 else {}
        base = bare(BARE_READ, [bare_db, data / "web_2.csv", "web_2"], logs / "bare_read_web_2")
        stage("reload web", r, base, rows=summary.get("rows_loaded"), inserted=summary.get("rows_inserted"),
              updated=summary.get("rows_updated"), removed=summary.get("rows_removed"))
        if failed(r):
            return size
        r, log = wb("count", "scale_mail", "--json")
        c = stdout_json(log) if r["rc"] == 0 else {}
        base = bare(BARE_QUERY, [db, BARE_SQL["count"]], logs / "bare_count_2") if r["rc"] == 0 else None
        stage("count after reload", r, base, net=c.get("net"), inner_s=c.get("seconds"))
    if not args.keep:
        for p in (db, bare_db, Path(f"{db}.wal"), Path(f"{bare_db}.wal"), work / "mail.csv", work / "bare_mail.csv"):
            p.unlink(missing_ok=True)
    return size


# ------------------------------------------------------------------------------------------- demo


DEMO_STEPS = """
import json, sys, time
from pathlib import Path
from workbench.demo import build_demo
marks = [("start", time.perf_counter())]
build_demo(Path(sys.argv[1]), progress=lambda m: marks.append((m.strip(), time.perf_counter())))
marks.append(("checkpoint, rename (end)", time.perf_counter()))
steps = [(marks[i][0] if i else "sources import", round(marks[i + 1][1] - marks[i][1], 3))
         for i in range(len(marks) - 1)]
print(json.dumps(steps))
"""


def run_demo(out: Path) -> dict:
    """`workbench demo --build-only` (timed as a child), its steps (progress marks) and a cProfile top 20."""
    work = out / "demo"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = {}
    r = child([sys.executable, "-m", "workbench", "--db", str(work / "a.duckdb"), "demo", "--build-only", "--json"],
              work / "build", env)
    res["build"] = {**r, **(stdout_json(work / "build") if r["rc"] == 0 else {})}
    print(f"\n== demo --build-only: {r['wall_s']:.1f} s wall, {r['cpu_s']:.1f} s CPU, {r['peak_rss_mib']} MiB, "
          f"load {r['load_before'][0]:.1f} (target <= 5 s)", flush=True)
    r = child([sys.executable, "-c", DEMO_STEPS, str(work / "b.duckdb")], work / "steps", env)
    if r["rc"] == 0:
        steps = stdout_json(work / "steps")
        loads = [s for s in steps if re.match(r"\d{4}-\d\d-\d\d", s[0])]
        by_source: dict[str, float] = {}
        for name, sec in loads:
            src = re.search(r"-> (\w+):", name)
            key = src.group(1) if src else name
            by_source[key] = round(by_source.get(key, 0) + sec, 3)
        other = [s for s in steps if s not in loads]
        res["steps"] = {"wall_s": r["wall_s"], "loads": len(loads), "loads_s": round(sum(s for _, s in loads), 2),
                        "load_by_source_s": by_source, "other_steps_s": other,
                        "slowest_loads": sorted(loads, key=lambda s: -s[1])[:5]}
        print(f"  {len(loads)} loads {res['steps']['loads_s']:.1f} s; then " +
              ", ".join(f"{n} {s:.2f}" for n, s in other), flush=True)
    prof = work / "demo.prof"
    r = child([sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "workbench", "--db", str(work / "c.duckdb"),
               "demo", "--build-only"], work / "profile", env)
    if r["rc"] == 0:
        import io
        import pstats

        for key in ("cumulative", "tottime"):
            buf = io.StringIO()
            pstats.Stats(str(prof), stream=buf).sort_stats(key).print_stats(20)
            res[f"profile_{key}"] = buf.getvalue()
        res["profile_wall_s"] = r["wall_s"]
        res["profile"] = profile_summary(prof, top=20)
    return res


# ------------------------------------------------------------------------------------------- report


def growth(sizes: list[dict]) -> dict:
    """Per stage: time per record at each size over time per record at the smallest size (wall and CPU)."""
    done = [s for s in sizes if "end_to_end" in s]
    if len(done) < 2:
        return {}
    base = done[0]
    out = {}
    names = [s["stage"] for s in base["stages"]] + ["end to end"]
    for name in names:
        row = {}
        for s in done[1:]:
            def get(size, key, name=name):
                if name == "end to end":
                    return size["end_to_end"][key]
                return next((x[key] for x in size["stages"] if x["stage"] == name), None)
            ratio = s["records"] / base["records"]
            w0, w1, c0, c1 = get(base, "wall_s"), get(s, "wall_s"), get(base, "cpu_s"), get(s, "cpu_s")
            if None in (w0, w1, c0, c1) or not w0 or not c0:
                continue
            row[label(s["records_requested"])] = {"wall": round(w1 / w0 / ratio, 2), "cpu": round(c1 / c0 / ratio, 2)}
        out[name] = row
    return out


def projection(sizes: list[dict], target: int = 10_000_000) -> dict:
    """A power law through the two largest sizes measured, per stage: a projection, not a measurement."""
    done = [s for s in sizes if "end_to_end" in s]
    if len(done) < 2:
        return {}
    a, b = done[-2], done[-1]
    out = {"from": [label(a["records_requested"]), label(b["records_requested"])], "to": label(target),
           "stages": {}}
    for sb in b["stages"]:
        sa = next((x for x in a["stages"] if x["stage"] == sb["stage"]), None)
        if sa is None or sb["stage"] in ("reload web", "count after reload"):
            continue
        row = {}
        for key in ("wall_s", "cpu_s", "peak_rss_mib"):
            if not sa[key] or not sb[key]:
                continue
            k = math.log(sb[key] / sa[key]) / math.log(b["records"] / a["records"])
            row[key] = round(sb[key] * (target / b["records"]) ** k, 1)
            row[key.split("_")[0] + "_exponent"] = round(k, 2)
        out["stages"][sb["stage"]] = row
    e2e = [out["stages"][s] for s in E2E if s in out["stages"]]
    out["end_to_end_wall_s"] = round(sum(x.get("wall_s", 0) for x in e2e), 0)
    out["end_to_end_cpu_s"] = round(sum(x.get("cpu_s", 0) for x in e2e), 0)
    out["peak_rss_mib"] = max(x.get("peak_rss_mib", 0) for x in e2e)
    return out


def print_table(sizes: list[dict]) -> None:
    for s in sizes:
        print(f"\n{label(s['records_requested'])}: {s.get('records', 0):,} people records, "
              f"{s.get('list_entries', 0):,} list entries" + (f"  FAILED at {s['failed_at']}" if s.get("failed_at")
                                                               else ""))
        print(f"  {'stage':24} {'wall s':>8} {'CPU s':>8} {'peak MiB':>9} | {'bare wall':>9} {'bare SQL':>9} "
              f"{'bare CPU':>8} {'bare MiB':>8} | {'x wall':>6} {'x CPU':>6} | load avg")
        for st in s["stages"]:
            b = st.get("bare")
            line = f"  {st['stage']:24} {st['wall_s']:8.1f} {st['cpu_s']:8.1f} {st['peak_rss_mib']:9,} |"
            if b and b.get("rc") == 0:
                line += (f" {b['wall_s']:9.1f} {b.get('inner_s', 0):9.2f} {b['cpu_s']:8.1f} {b['peak_rss_mib']:8,} |"
                         f" {st['wall_s'] / b['wall_s']:6.1f} {st['cpu_s'] / max(b['cpu_s'], 0.01):6.1f} |")
            else:
                line += f" {'':9} {'':9} {'':8} {'':8} | {'':6} {'':6} |"
            print(line + f" {st['load_before'][0]:.1f}-{st['load_after'][0]:.1f}")
        if "end_to_end" in s:
            e = s["end_to_end"]
            print(f"  {'END TO END':24} {e['wall_s']:8.1f} {e['cpu_s']:8.1f} {e['peak_rss_mib']:9,} |  database "
                  f"{e['db_file_mib']:,} MiB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=parse_size, nargs="+", default=[1_000_000, 3_000_000, 10_000_000],
                    help="sizes in people records: 1M 3M 10M, 200k, 200000")
    ap.add_argument("--json", dest="json_path", help="write every figure as JSON here")
    ap.add_argument("--out", default=str(HERE / "out" / "scale"), help="generated data and the run folders")
    ap.add_argument("--keep", action="store_true", help="keep the databases and export files")
    ap.add_argument("--no-bare-match", action="store_true", help="skip the bare Splink baseline (long at 3M+)")
    ap.add_argument("--no-reload", action="store_true", help="skip the reload of the web extract and its count")
    ap.add_argument("--no-demo", action="store_true", help="skip `workbench demo --build-only`")
    ap.add_argument("--profile", action="store_true",
                    help="run every workbench stage under cProfile and say where its time goes (slower: a separate "
                         "pass, not the measured one)")
    ap.add_argument("--demo-only", action="store_true", help="only `workbench demo --build-only` and its profile")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    import duckdb

    report = {"machine": {"cpus": os.cpu_count(), "memory_gib": round(os.sysconf("SC_PAGE_SIZE") *
                                                                          os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
                          "python": platform.python_version(), "duckdb": duckdb.__version__,
                          "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()},
              "command": " ".join(sys.argv), "started": time.strftime("%Y-%m-%d %H:%M:%S"), "sizes": []}

    def save() -> None:
        if args.json_path:
            Path(args.json_path).parent.mkdir(parents=True, exist_ok=True)
            Path(args.json_path).write_text(json.dumps(report, indent=1, default=str))

    if not args.no_demo or args.demo_only:
        report["demo"] = run_demo(out)
        save()
    if not args.demo_only:
        for n in sorted(args.records):
            report["sizes"].append(run_size(n, out, args))
            report["growth"] = growth(report["sizes"])
            report["projection_10M"] = projection(report["sizes"])
            save()
        print_table(report["sizes"])
        if report.get("growth"):
            print("\ngrowth factor (time per record / time per record at "
                  f"{label(report['sizes'][0]['records_requested'])}; 1.0 = linear): wall | CPU")
            for name, row in report["growth"].items():
                print(f"  {name:24} " + "  ".join(f"{k}: {v['wall']:.2f} | {v['cpu']:.2f}" for k, v in row.items()))
        p = report.get("projection_10M")
        if p:
            print(f"\nPROJECTION (not measured) to {p['to']}, power law through {p['from'][0]} and {p['from'][1]}: "
                  f"end to end ~{p['end_to_end_wall_s']:.0f} s wall ({p['end_to_end_cpu_s']:.0f} s CPU), "
                  f"peak ~{p['peak_rss_mib']:,.0f} MiB")
            for name, row in p["stages"].items():
                print(f"  {name:24} " + "  ".join(f"{k} {v}" for k, v in row.items()))
    report["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    report["machine"]["uptime_end"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    save()
    if "demo" in report:
        d = report["demo"]
        print(f"\ndemo --build-only: {d['build']['wall_s']:.1f} s wall, {d['build']['cpu_s']:.1f} s CPU "
              f"(target <= 5 s); load average {d['build']['load_before']}")
        if "profile" in d:
            print("  profile, cumulative s (workbench functions): " +
                  "; ".join(f"{n} {t:.1f}" for n, t in d["profile"]["cumulative"]))
            print("  profile, SQL s by caller: " + "; ".join(f"{n} {t:.1f}" for n, t in d["profile"]["sql_by_caller"]))


if __name__ == "__main__":
    main()
