"""Benchmark householding on synthetic people with known households (bench/synth.py), beside a naive grouping.

    python bench/bench_households.py                  # 1,000,000 people records
    python bench/bench_households.py --rows 100000 --json bench/out/households_100k.json

1. generate (cached under bench/out/synth_<rows>) and load the three extracts into a fresh database; bring
   standard addresses and golden records up to date (``ensure_derived``; timed apart: it is the loads' work);
2. time ``run_households`` (moves, grouping, stable ids, heads, attributes, review items; one transaction)
   before any match run (every record its own person: the most persons householding can meet) and again
   unchanged (the rerun);
3. in the same run, time the naive grouping: ``GROUP BY upper(address_line1), postal_code`` on raw values;
4. pairwise precision / recall of "same household" of both against the generator's truth;
5. with ``--ncoa``: an NCOA file made from the truth (each household whose records sit at two addresses
   moved, as a family, from the address of its oldest record to that of its newest), loaded as a moves
   source and households again: moves applied at scale, and the recall they win back;
6. with ``--truth-persons``: persons set from the truth's person ids (a perfect match run) and households
   again, to show householding's own quality apart from identity resolution's.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

NAIVE = """CREATE OR REPLACE TABLE naive_households AS
    SELECT record_id, dense_rank() OVER (ORDER BY upper(address_line1), postal_code) AS household_id
    FROM records WHERE address_line1 IS NOT NULL AND postal_code IS NOT NULL"""


def data(rows: int) -> Path:
    import synth

    folder = ROOT / "bench" / "out" / f"synth_{rows}"
    if not (folder / "truth.csv").is_file():
        print(f"generating {rows:,} records into {folder} ...", flush=True)
        print(synth.generate(folder, rows), flush=True)
    return folder


ROOMMATES_SQL = """
CREATE TABLE recs AS
    SELECT 'web' AS source, * FROM read_csv('{d}/web.csv', all_varchar = true)
    UNION ALL SELECT 'ecom', * FROM read_csv('{d}/ecom.csv', all_varchar = true)
    UNION ALL SELECT 'loyalty', * FROM read_csv('{d}/loyalty.csv', all_varchar = true);
CREATE TABLE truth AS SELECT * FROM read_csv('{d}/truth.csv', all_varchar = true);
CREATE TABLE single AS  -- households of one person at one address (not movers), every record with a street
    SELECT t.household_id, row_number() OVER (ORDER BY hash(t.household_id, 'rm')) AS rn
    FROM recs r JOIN truth t USING (source, source_key)
    GROUP BY t.household_id
    HAVING count(DISTINCT t.person_id) = 1 AND count(DISTINCT upper(r.address_line1)) = 1
       AND count(*) = count(r.address_line1) AND hash(t.household_id, 'rmpick') % 1000 < {per_mille};
CREATE TABLE host AS  -- odd ranks host; the next even rank moves in (same door, own surname, nothing shared)
    SELECT s.household_id, s.rn, arg_max(struct_pack(l1 := r.address_line1, l2 := r.address_line2, c := r.city,
           st := r.state, pc := r.postal_code), r.updated_at) AS a
    FROM single s JOIN truth t USING (household_id) JOIN recs r USING (source, source_key)
    WHERE s.rn % 2 = 1 GROUP BY ALL;
CREATE TABLE guest AS SELECT s.household_id, h.a FROM single s JOIN host h ON h.rn = s.rn - 1;
UPDATE recs SET address_line1 = g.a.l1, address_line2 = g.a.l2, city = g.a.c, state = g.a.st,
    postal_code = g.a.pc
FROM truth t JOIN guest g USING (household_id)
WHERE recs.source = t.source AND recs.source_key = t.source_key;
"""


def roommates(folder: Path, share: float) -> Path:
    """A copy of the synthetic data where pairs of one-person households share a door (roommates: other
    surnames, no shared phone or email; separate households in the truth). ``share`` of the one-person
    households take part."""
    import shutil

    import duckdb

    out = folder.parent / f"{folder.name}_roommates{int(share * 100)}"
    if (out / "truth.csv").is_file():
        return out
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(ROOMMATES_SQL.format(d=folder, per_mille=int(share * 1000))).fetchall()
    cols = "source_key, first_name, last_name, address_line1, address_line2, city, state, postal_code, country, " \
           "email, phone, birth_date, updated_at"
    for source in ("web", "ecom", "loyalty"):
        con.execute(f"COPY (SELECT {cols} FROM recs WHERE source = '{source}' ORDER BY source_key) "
                    f"TO '{out / (source + '.csv')}' (HEADER)").fetchall()
    print(f"roommates: {con.execute('SELECT count(*) FROM guest').fetchall()[0][0]:,} one-person households "
          f"moved in with another", flush=True)
    con.close()
    for name in ("truth.csv", "sources.toml"):
        shutil.copy(folder / name, out / name)
    return out


def build(folder: Path, db: Path) -> tuple[object, float, float]:
    from workbench import clock
    from workbench.ingest.derived import ensure_derived
    from workbench.ingest.load import load_file
    from workbench.ingest.sources import parse_sources_toml, save_sources
    from workbench.store import Store

    for suffix in ("", ".wal"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    clock.set_now("2026-11-20T10:00:00")
    store = Store(db)
    with store.transaction() as conn:
        save_sources(conn, parse_sources_toml(folder / "sources.toml"))
    t0 = time.perf_counter()
    for source in ("web", "ecom", "loyalty"):
        load_file(store, source, folder / f"{source}.csv")
    loaded = time.perf_counter() - t0
    t0 = time.perf_counter()
    with store.transaction() as conn:
        ensure_derived(conn)
    return store, round(loaded, 2), round(time.perf_counter() - t0, 2)


def quality(store, truth: Path) -> dict[str, dict]:
    from workbench.households.quality import pairwise_quality

    with store.connect() as conn:
        conn.execute(f"CREATE OR REPLACE TEMP TABLE truth AS SELECT * FROM read_csv('{truth}', all_varchar = true)"
                     ).fetchall()
        base = "FROM records r JOIN truth t USING (source, source_key)"
        hh = pairwise_quality(conn, f"SELECT hr.household_id AS predicted, t.household_id AS truth "
                                    f"{base} LEFT JOIN household_records hr USING (record_id)")
        # one piece per household with an address, to its head: pieces that reach a true household twice
        pieces = conn.execute(f"""WITH head AS (
                SELECT h.head_person_id AS person_id FROM households h WHERE h.addr_key IS NOT NULL),
            th AS (SELECT pr.person_id, mode(t.household_id) AS th {base} JOIN person_records pr USING (record_id)
                   GROUP BY pr.person_id)
            SELECT count(*), count(*) - count(DISTINCT th.th) FROM head JOIN th USING (person_id)""").fetchall()[0]
        hh.update(pieces=pieces[0], second_pieces=pieces[1],
                  second_share=round(pieces[1] / pieces[0], 4) if pieces[0] else 0.0)
        return {
            "households": hh,
            "naive": pairwise_quality(conn, f"SELECT n.household_id AS predicted, t.household_id AS truth "
                                            f"{base} LEFT JOIN naive_households n USING (record_id)"),
        }


NCOA_SQL = """COPY (
    WITH r AS (
        SELECT r.*, t.household_id AS th FROM records r JOIN truth t USING (source, source_key)
        WHERE r.addr_key IS NOT NULL),
    hh AS (
        SELECT th, arg_min(addr_key, as_of) AS old_key, arg_max(addr_key, as_of) AS new_key FROM r
        GROUP BY th HAVING count(DISTINCT addr_key) = 2),
    ends AS (
        SELECT hh.th,
               arg_min(struct_pack(last := r.last_name, l1 := r.address_line1, l2 := r.address_line2,
                                   pc := r.postal_code, at := r.as_of), r.as_of) FILTER (WHERE r.addr_key = hh.old_key) AS o,
               arg_max(struct_pack(l1 := r.address_line1, l2 := r.address_line2, city := r.city, st := r.state,
                                   pc := r.postal_code, at := r.as_of), r.as_of) FILTER (WHERE r.addr_key = hh.new_key) AS n
        FROM hh JOIN r USING (th) GROUP BY hh.th)
    SELECT '' AS first_name, o.last AS last_name, o.l1 AS address_line1, o.l2 AS address_line2, '' AS city,
           '' AS state, o.pc AS postal_code, n.l1 AS new_address_line1, n.l2 AS new_address_line2,
           n.city AS new_city, n.st AS new_state, n.pc AS new_postal_code, 'A' AS return_code, 'F' AS move_type,
           strftime(CAST(n.at AS DATE), '%Y-%m-%d') AS move_effective_date
    FROM ends WHERE o.last IS NOT NULL AND o.pc IS NOT NULL AND o.at < n.at
    ORDER BY th) TO '{path}' (HEADER)"""


def ncoa(store, truth: Path, folder: Path) -> int:
    """Write and load an NCOA file made from the truth; returns its rows."""
    from workbench.ingest.load import load_file
    from workbench.ingest.sources import save_sources, source_from_dict

    path = folder / "ncoa_from_truth.csv"
    with store.transaction() as conn:
        conn.execute(f"CREATE OR REPLACE TEMP TABLE truth AS SELECT * FROM read_csv('{truth}', all_varchar = true)"
                     ).fetchall()
        conn.execute(NCOA_SQL.format(path=path)).fetchall()
        save_sources(conn, [source_from_dict("ncoa", {"kind": "moves", "cadence": "monthly", "mode": "full"})])
    return load_file(store, "ncoa", path).rows_loaded


def truth_persons(store, truth: Path) -> None:
    from workbench.identity.golden import refresh_golden

    with store.transaction() as conn:
        conn.execute(f"""CREATE OR REPLACE TEMP TABLE tp AS SELECT r.record_id,
                dense_rank() OVER (ORDER BY t.person_id) AS pid
            FROM records r JOIN read_csv('{truth}', all_varchar = true) t USING (source, source_key)""").fetchall()
        conn.execute("DELETE FROM person_records").fetchall()
        conn.execute("INSERT INTO person_records SELECT record_id, pid, now() FROM tp").fetchall()
        refresh_golden(conn)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", default=None, help="database file (default bench/out/households_<rows>.duckdb)")
    parser.add_argument("--ncoa", action="store_true", help="also load an NCOA file made from the truth")
    parser.add_argument("--roommates", type=float, default=0.0, metavar="SHARE",
                        help="put this share of one-person households in pairs at one door (roommates)")
    parser.add_argument("--partners", choices=["marked", "probable"], help="households.partners (default: marked)")
    parser.add_argument("--match", action="store_true", help="also run `workbench match` (Splink), then households")
    parser.add_argument("--truth-persons", action="store_true", help="also run with persons from the truth")
    parser.add_argument("--json", dest="json_out", help="write the figures to this JSON file")
    args = parser.parse_args()
    from workbench.households import run_households

    folder = data(args.rows)
    if args.roommates:
        folder = roommates(folder, args.roommates)
    db = Path(args.db or ROOT / "bench" / "out" / f"households_{args.rows}.duckdb")
    store, load_s, derived_s = build(folder, db)
    if args.partners:
        store.set_setting("households.partners", args.partners)
    result = run_households(store)
    rerun = run_households(store)
    with store.connect() as conn:
        t0 = time.perf_counter()
        conn.execute(NAIVE).fetchall()
        naive_s = round(time.perf_counter() - t0, 3)
        records = conn.execute("SELECT count(*) FROM records").fetchall()[0][0]
    q = quality(store, folder / "truth.csv")
    figures = {
        "records": records, "load_s": load_s, "standardise_and_golden_s": derived_s,
        "households_s": result["seconds"], "households_rerun_s": rerun["seconds"], "naive_s": naive_s,
        "ratio_to_naive": round(result["seconds"] / naive_s, 1) if naive_s else None,
        "persons": result["persons"], "households": result["households"], "addresses": result["addresses"],
        "crowded_addresses": result["crowded_addresses"], "review_open": result["review_open"],
        "timings": result["timings"], "quality": q,
    }
    if args.match:
        from workbench.identity.run import match

        t0 = time.perf_counter()
        match(store)
        match_s = round(time.perf_counter() - t0, 1)
        matched = run_households(store)
        figures["match"] = {"match_s": match_s, "households_s": matched["seconds"], "persons": matched["persons"],
                            "followed_family": matched.get("followed_family"),
                            "quality": quality(store, folder / "truth.csv")["households"]}
    if args.ncoa:
        moves = ncoa(store, folder / "truth.csv", folder)
        moved = run_households(store)
        figures["ncoa"] = {"moves": moves, "households_s": moved["seconds"], "moves_s": moved["timings"]["moves"],
                           "applied": moved["moves"]["applied_now"], "persons_moved": moved["moves"]["persons_moved"],
                           "quality": quality(store, folder / "truth.csv")["households"]}
    if args.truth_persons:
        truth_persons(store, folder / "truth.csv")
        ideal = run_households(store)
        figures["truth_persons"] = {"households_s": ideal["seconds"], "persons": ideal["persons"],
                                    "households": ideal["households"],
                                    "quality": quality(store, folder / "truth.csv")["households"]}
    print(report(figures))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(figures, indent=2, default=str), encoding="utf-8")


def _pieces(q: dict) -> str:
    """Second pieces: one piece per household (to its head) that reaches a true household again."""
    return f"{q['second_pieces']:,} of {q['pieces']:,} ({100 * q['second_share']:.2f}%)"


def report(f: dict) -> str:
    h, n = f["quality"]["households"], f["quality"]["naive"]
    lines = [
        f"households for {f['records']:,} people records ({f['persons']:,} persons before matching): "
        f"{f['households_s']:.1f} s (rerun {f['households_rerun_s']:.1f} s); naive grouping {f['naive_s']:.2f} s "
        f"(x{f['ratio_to_naive']})",
        f"  load {f['load_s']:.1f} s, standard addresses and golden records {f['standardise_and_golden_s']:.1f} s "
        "(the loads' deferred work, not counted above)",
        f"  steps: {', '.join(f'{k} {v:.2f}' for k, v in f['timings'].items())}",
        f"  {f['households']:,} households at {f['addresses']:,} addresses; {f['crowded_addresses']:,} crowded; "
        f"{f['review_open']:,} review items",
        "",
        "| grouping | seconds | precision | recall | predicted pairs | true pairs | second pieces |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| workbench households | {f['households_s']:.1f} | {h['precision']:.4f} | {h['recall']:.4f} | "
        f"{h['predicted_pairs']:,} | {h['true_pairs']:,} | {_pieces(h)} |",
        f"| naive: upper(address_line1), postal_code | {f['naive_s']:.2f} | {n['precision']:.4f} | "
        f"{n['recall']:.4f} | {n['predicted_pairs']:,} | {n['true_pairs']:,} | |",
    ]
    if "match" in f:
        m = f["match"]
        q = m["quality"]
        lines.append(f"| workbench households after `workbench match` ({m['persons']:,} persons, match "
                     f"{m['match_s']:.0f} s) | {m['households_s']:.1f} | {q['precision']:.4f} | {q['recall']:.4f} | "
                     f"{q['predicted_pairs']:,} | {q['true_pairs']:,} | {_pieces(q)} |")
    if "ncoa" in f:
        m = f["ncoa"]
        q = m["quality"]
        lines.insert(4, f"  NCOA file from the truth: {m['moves']:,} family moves, {m['applied']:,} applied to "
                        f"{m['persons_moved']:,} persons in {m['moves_s']:.1f} s")
        lines.append(f"| workbench households, after the NCOA file | {m['households_s']:.1f} | {q['precision']:.4f} | "
                     f"{q['recall']:.4f} | {q['predicted_pairs']:,} | {q['true_pairs']:,} | {_pieces(q)} |")
    if "truth_persons" in f:
        t = f["truth_persons"]
        q = t["quality"]
        lines.append(f"| workbench households, persons from the truth{', after the NCOA file' if 'ncoa' in f else ''} | {t['households_s']:.1f} | "
                     f"{q['precision']:.4f} | {q['recall']:.4f} | {q['predicted_pairs']:,} | {q['true_pairs']:,} | "
                     f"{_pieces(q)} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
