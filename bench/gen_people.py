"""Write N synthetic people rows (canonical headers, messy values) as CSV, fast, with DuckDB.

    python bench/gen_people.py --rows 1000000 --out bench/out/people_1m.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "William", "Elizabeth",
         "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Bob", "Liz", "José", "Zoë"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "O'Brien"]
STREETS = ["Oak", "Maple", "Pine", "Cedar", "Elm", "Washington", "Lake", "Hill", "North Park", "Main"]
SUFFIX = ["Street", "St.", "Avenue", "Ave", "Road", "Rd", "Boulevard", "Lane", "Drive", "Court"]
UNIT = ["", "", "", "Apt 4B", "#12", "Unit 3", "Suite 200", "Apartment 7"]
STATES = ["MA", "New York", "CA", "tx", "Illinois", "WA", "FL", "Ohio"]


def sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def generate(rows: int, out: Path, seed: float = 0.42) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"SELECT setseed({seed})").fetchall()
    con.execute(f"""
    COPY (
      SELECT 'P' || i AS source_key,
        list_extract({sql_list(FIRST)}, 1 + (hash(i, 1) % {len(FIRST)})::INT) AS first_name,
        list_extract({sql_list(LAST)}, 1 + (hash(i, 2) % {len(LAST)})::INT) AS last_name,
        (1 + hash(i, 3) % 9999)::VARCHAR || ' ' || list_extract({sql_list(STREETS)}, 1 + (hash(i, 4) % {len(STREETS)})::INT)
          || ' ' || list_extract({sql_list(SUFFIX)}, 1 + (hash(i, 5) % {len(SUFFIX)})::INT) AS address_line1,
        list_extract({sql_list(UNIT)}, 1 + (hash(i, 6) % {len(UNIT)})::INT) AS address_line2,
        'Springfield' AS city,
        list_extract({sql_list(STATES)}, 1 + (hash(i, 7) % {len(STATES)})::INT) AS state,
        CASE WHEN hash(i, 8) % 5 = 0 THEN (1000 + hash(i, 9) % 8999)::VARCHAR
             ELSE lpad((hash(i, 9) % 99999)::VARCHAR, 5, '0') END AS postal_code,
        list_extract(['US', 'USA', 'United States', ''], 1 + (hash(i, 10) % 4)::INT) AS country,
        CASE WHEN hash(i, 11) % 10 = 0 THEN '' ELSE 'User' || i || '@Example.com' END AS email,
        CASE hash(i, 12) % 3 WHEN 0 THEN '(617) 555-' || lpad((i % 10000)::VARCHAR, 4, '0')
             WHEN 1 THEN '617.555.' || lpad((i % 10000)::VARCHAR, 4, '0') ELSE '' END AS phone,
        CASE WHEN hash(i, 13) % 2 = 0 THEN strftime(DATE '1940-01-01' + (hash(i, 14) % 25000)::INT, '%Y-%m-%d')
             ELSE strftime(DATE '1940-01-01' + (hash(i, 14) % 25000)::INT, '%m/%d/%Y') END AS birth_date,
        strftime(TIMESTAMP '2026-11-01' + INTERVAL (hash(i, 15) % 1000000) SECOND, '%Y-%m-%d %H:%M:%S') AS updated_at
      FROM range({rows}) t(i)
    ) TO '{out}' (HEADER, DELIMITER ',')""").fetchall()
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--out", type=Path, default=Path("bench/out/people.csv"))
    args = ap.parse_args()
    print(generate(args.rows, args.out))
