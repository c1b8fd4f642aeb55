"""Throughput of the address standardiser over a table of messy synthetic addresses.

Run: ``.venv/bin/python bench/bench_address.py [--rows 1000000] [--threads N]``

Builds ``rows`` addresses in DuckDB (seeded, so every run sees the same data), then times
``CREATE TABLE ... AS SELECT wb_addr_key(...)`` next to a bare ``upper(line1)`` over the same table, and
``wb_addr_parts(...)`` (the Pub 28 line and every part: what the standardisation after a load computes).
The mix is messy on purpose and heavier in units than a real file (the unit path costs most): a third
of rows each upper, lower and mixed case; periods, commas, '#', double spaces; about 70% with a unit
in line 1, 54% with a line 2; ZIPs as 5, 9, ZIP+4 and lost-leading-zero forms. CPU seconds are shown
next to wall time because other processes may share the two cores.
"""

from __future__ import annotations

import argparse
import os
import time

import duckdb

from workbench.standardise import install_macros


def _pick(options: list[str]) -> str:
    """SQL choosing one of ``options`` at random per row."""
    quoted = ", ".join("'" + option.replace("'", "''") + "'" for option in options)
    return f"list_element([{quoted}], 1 + floor(random() * {len(options)})::INTEGER)"


NAMES = [
    "Oak",
    "Maple",
    "Main",
    "Park",
    "Washington",
    "Lake",
    "Hill",
    "Cedar",
    "Elm",
    "Pine",
    "Sunset",
    "Lincoln",
    "Jackson",
    "Highland",
    "Ridge",
    "Church",
    "Mill",
    "Spring",
    "Forest",
    "Meadow",
    "Saint James",
    "Martin Luther King",
    "First",
    "Third",
    "Ocean View",
]
SUFFIXES = [
    "Street",
    "St",
    "St.",
    "STREET",
    "Avenue",
    "Ave",
    "Av.",
    "Road",
    "Rd",
    "Drive",
    "Dr.",
    "Lane",
    "Ln",
    "Court",
    "Ct",
    "Place",
    "Boulevard",
    "Blvd",
    "Terrace",
    "Parkway",
    "Circle",
    "Highway",
    "Way",
    "Trail",
]
PRE = ["", "", "", "", "North ", "N ", "N. ", "South ", "S ", "East ", "W. ", "West ", "Northeast ", "NW "]
POST = ["", "", "", "", "", "", " North", " SW", " E", " West"]
UNITS = [
    "",
    "",
    "",
    "",
    "",
    " Apt 4B",
    " Apt. 12",
    " #3",
    " # 7C",
    ", Unit 5",
    " Suite 200",
    " STE 10",
    " Apartment 2A",
    " Fl 3",
    " Rm 101",
    " Bldg 4",
]
LINE2 = ["", "", "", "", "", "", "Apt 4B", "Apt. 12", "#3", "Suite 200", "Unit 5", "Apartment 2A", "Rear"]
ZIPS = ["{z}", "{z}", "{z}-{p}", "{z}{p}", "{s}", "{s}-{p}", " {z} "]


def build_addresses(conn: duckdb.DuckDBPyConnection, rows: int) -> None:
    zip_forms = "[" + ", ".join("'" + form + "'" for form in ZIPS) + "]"
    conn.execute("SELECT setseed(0.42)").fetchall()
    conn.execute(
        f"""
        CREATE OR REPLACE TABLE t AS
        SELECT i,
               CASE floor(random() * 3)::INTEGER WHEN 0 THEN upper(raw1) WHEN 1 THEN lower(raw1)
                    ELSE raw1 END AS line1,
               line2,
               replace(replace(replace(list_element({zip_forms}, 1 + floor(random() * {len(ZIPS)})::INTEGER),
                   '{{z}}', z), '{{s}}', ltrim(z, '0')), '{{p}}', plus4) AS postal_code
        FROM (
            SELECT i,
                   (1 + floor(random() * 9999))::INTEGER::VARCHAR
                       || CASE WHEN random() < 0.1 THEN '  ' ELSE ' ' END
                       || {_pick(PRE)} || {_pick(NAMES)} || ' ' || {_pick(SUFFIXES)}
                       || {_pick(POST)} || {_pick(UNITS)} AS raw1,
                   nullif({_pick(LINE2)}, '') AS line2,
                   lpad((floor(random() * 99999))::INTEGER::VARCHAR, 5, '0') AS z,
                   lpad((floor(random() * 9999))::INTEGER::VARCHAR, 4, '0') AS plus4
            FROM range({int(rows)}) AS r(i)
        )
        """
    ).fetchall()


def _timed(conn: duckdb.DuckDBPyConnection, sql: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) for one statement."""
    started, cpu_started = time.perf_counter(), time.process_time()
    conn.execute(sql).fetchall()
    return time.perf_counter() - started, time.process_time() - cpu_started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=0, help="DuckDB threads (default: all cores)")
    args = parser.parse_args()

    conn = duckdb.connect()
    if args.threads:
        conn.execute(f"SET threads = {int(args.threads)}").fetchall()
    started = time.perf_counter()
    install_macros(conn)
    install_ms = (time.perf_counter() - started) * 1000
    build_addresses(conn, args.rows)
    threads = conn.execute("SELECT current_setting('threads')").fetchall()[0][0]

    baseline, baseline_cpu = _timed(conn, "CREATE OR REPLACE TABLE t3 AS SELECT upper(line1) AS u FROM t")
    keyed, keyed_cpu = _timed(
        conn,
        "CREATE OR REPLACE TABLE t2 AS SELECT wb_addr_key(line1, line2, postal_code) AS k FROM t",
    )
    parts, parts_cpu = _timed(
        conn,
        "CREATE OR REPLACE TABLE t4 AS SELECT wb_addr_parts(line1, line2) AS p FROM t",
    )
    distinct, nulls = conn.execute("SELECT count(DISTINCT k), count(*) - count(k) FROM t2").fetchall()[0]
    sample = conn.execute(
        "SELECT line1, line2, postal_code, wb_addr_key(line1, line2, postal_code) FROM t LIMIT 5"
    ).fetchall()

    print(f"rows: {args.rows:,}  threads: {threads}  install_macros: {install_ms:.1f} ms")
    for label, wall, cpu in [
        ("baseline upper(line1)", baseline, baseline_cpu),
        ("wb_addr_key", keyed, keyed_cpu),
        ("wb_addr_parts", parts, parts_cpu),
    ]:
        print(
            f"{label:22s} {wall:7.3f} s wall  {args.rows / wall:>12,.0f} rows/s   "
            f"{cpu:7.3f} s CPU  {args.rows / cpu:>12,.0f} rows per CPU-second"
        )
    print(
        f"ratio (key time / baseline time): {keyed / baseline:.1f}x wall, {keyed_cpu / baseline_cpu:.1f}x CPU"
    )
    print(f"load average while running: {os.getloadavg()[0]:.2f} (other processes share the cores)")
    print(f"distinct keys: {distinct:,}  NULL keys: {nulls:,}")
    for row in sample:
        print("  ", row)


if __name__ == "__main__":
    main()
