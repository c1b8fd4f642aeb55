"""The input Splink reads: one row per people record, in the columns the model compares.

Values that are shared by implausibly many records (a placeholder phone, ``noemail@...``, a default
birth date) carry no identity and would create giant blocks, so they are blanked here.
"""

from __future__ import annotations

import duckdb

from workbench.identity.model import MATCH_COLUMNS, MIN_FILL
from workbench.store.sql import rows, run, scalar

INPUT_TABLE = "_match_input"

# a value shared by more records than this is a placeholder, not an identity
MAX_SHARED = {"email": 20, "phone": 30}
BLOCK_LIMIT = {"street": 200, "name": 50, "fn_zip": 30, "single": 20,  # an address with more residents than this is not used to block
               "sound": 50}  # a sound-alike key shared by more records than this is not used to block


def sound_key(col: str) -> str:
    """A surname's sound-alike key in SQL (DuckDB has no soundex): first letter, then the consonants after
    it with vowels, Y, H and W dropped and repeats collapsed, four characters: WELLER, WELELR -> WLR."""
    rest = f"string_split(regexp_replace(substr({col}, 2), '[^B-DF-GJ-NP-TV-XZ]', '', 'g'), '')"
    return (f"CASE WHEN {col} IS NOT NULL THEN left({col}, 1) || left(array_to_string(list_filter({rest}, "
            f"lambda c, i: i = 1 OR c <> {rest}[i - 1]), ''), 3) END")


def build_input(conn: duckdb.DuckDBPyConnection, table: str = INPUT_TABLE, where: str = "") -> int:
    """(Re)create ``table`` from ``records`` (optionally restricted by ``where`` over alias r). Returns rows.

    Shared values are found with one GROUP BY per key (only the values over the limit are kept), which is
    much cheaper than a window count per row."""
    # the sound-alike key and the house block once per distinct surname and street line, not per record
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _mi_sound AS SELECT ln, {sound_key('ln')} AS sk
        FROM (SELECT DISTINCT r.last_name_key AS ln FROM records r {where}) WHERE ln IS NOT NULL""")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _mi_house AS SELECT street,
            CASE WHEN regexp_matches(street, '^[0-9]+[A-Z]? [A-Z]') THEN
                regexp_extract(street, '^([0-9]+[A-Z]? [A-Z]{{1,3}})', 1) END AS hk
        FROM (SELECT DISTINCT r.addr_street AS street FROM records r {where}) WHERE street IS NOT NULL""")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _mi_base AS
        SELECT r.record_id AS unique_id, r.source,
            r.first_name_key AS fn, coalesce(r.first_name_root, r.first_name_key) AS fn_root,
            r.last_name_key AS ln, r.birth_dt AS dob_date, r.addr_street AS street, r.addr_unit AS unit,
            r.addr_house AS house, r.addr_name AS sname,
            r.zip5 AS zip, r.city_std AS city, r.email_std AS email, r.phone_std AS phone,
            s.sk || '|' || left(r.first_name_key, 1) || '|' || substr(r.zip5, 1, 3) AS sound_zip3,
            s.sk || '|' || strftime(r.birth_dt, '%Y-%m-%d') AS sound_dob,
            h.hk || '|' || substr(r.zip5, 1, 3) AS house_zip3
        FROM records r LEFT JOIN _mi_sound s ON s.ln = r.last_name_key
        LEFT JOIN _mi_house h ON h.street = r.addr_street {where}""")
    n_all = scalar(conn, "SELECT count(*) FROM _mi_base") or 0
    limits = {"email": MAX_SHARED["email"], "phone": MAX_SHARED["phone"], "dob_date": max(100, int(n_all * 0.002)),
              "street, zip": BLOCK_LIMIT["street"], "fn_root, ln": BLOCK_LIMIT["name"],
              "fn_root, zip": BLOCK_LIMIT["fn_zip"], "dob_date ": BLOCK_LIMIT["single"], "ln": BLOCK_LIMIT["single"],
              "fn_root": BLOCK_LIMIT["single"], "street": BLOCK_LIMIT["single"], "sound_zip3": BLOCK_LIMIT["sound"],
              "sound_dob": BLOCK_LIMIT["sound"], "house_zip3": BLOCK_LIMIT["sound"]}
    names = {}
    for i, (key, limit) in enumerate(limits.items()):
        cols = [c.strip() for c in key.split(",")]
        names[key] = f"_mi_many{i}"
        notnull = " AND ".join(f"{c} IS NOT NULL" for c in cols)
        run(conn, f"CREATE OR REPLACE TEMP TABLE _mi_many{i} AS SELECT {', '.join(cols)} FROM _mi_base "
                  f"WHERE {notnull} GROUP BY ALL HAVING count(*) > {int(limit)}")

    def rare(key: str) -> str:
        cols = [c.strip() for c in key.split(",")]
        return f"({', '.join(cols)}) NOT IN (SELECT ({', '.join(cols)}) FROM {names[key]})" if len(cols) > 1 \
            else f"{cols[0]} NOT IN (SELECT {cols[0]} FROM {names[key]})"

    # every name a first name may stand for (many-to-many nicknames: COLE is NICOLE and NICHOLAS), looked up
    # once per distinct name
    run(conn, """CREATE OR REPLACE TEMP TABLE _mi_roots AS SELECT fn, wb_first_name_roots(fn) AS fn_roots
        FROM (SELECT DISTINCT fn FROM _mi_base WHERE fn IS NOT NULL)""")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT unique_id, source, fn, fn_root, fn_roots, ln,
            CASE WHEN {rare('dob_date')} THEN strftime(dob_date, '%Y-%m-%d') END AS dob,
            CASE WHEN {rare('dob_date')} THEN dob_date END AS dob_date,
            street, unit, house, sname, zip, city,
            CASE WHEN {rare('email')} THEN email END AS email,
            CASE WHEN {rare('phone')} THEN phone END AS phone,
            CASE WHEN {rare('email')} THEN email END AS email_block,
            CASE WHEN {rare('phone')} THEN phone END AS phone_block,
            CASE WHEN {rare('street, zip')} THEN street END AS addr_block,
            CASE WHEN fn_root IS NOT NULL AND ln IS NOT NULL AND {rare('fn_root, ln')} THEN fn_root || '|' || ln END AS name_block,
            CASE WHEN fn_root IS NOT NULL AND zip IS NOT NULL AND {rare('fn_root, zip')} THEN fn_root || '|' || zip END AS fn_zip_block,
            CASE WHEN {rare('dob_date ')} THEN dob_date END AS dob_block,
            CASE WHEN {rare('ln')} THEN ln END AS ln_block,
            CASE WHEN {rare('fn_root')} THEN fn_root END AS fn_block,
            CASE WHEN {rare('street')} THEN street END AS street_block,
            substr(zip, 1, 3) AS zip3,
            CASE WHEN {rare('sound_zip3')} THEN sound_zip3 END AS sound_zip3_block,
            CASE WHEN {rare('sound_dob')} THEN sound_dob END AS sound_dob_block,
            CASE WHEN {rare('house_zip3')} THEN house_zip3 END AS house_block
        FROM _mi_base LEFT JOIN _mi_roots USING (fn)""")
    for name in ("_mi_base", "_mi_roots", "_mi_sound", "_mi_house", *names.values()):
        run(conn, f"DROP TABLE IF EXISTS {name}")
    return n_all


def present_fields(conn: duckdb.DuckDBPyConnection, table: str = INPUT_TABLE) -> set[str]:
    """The match columns filled on at least MIN_FILL of the records."""
    fills = ", ".join(f"count({c}) AS {c}" for c in MATCH_COLUMNS)
    got = rows(conn, f"SELECT count(*) AS n, {fills} FROM {table}")[0]
    n = got.pop("n") or 0
    return {c for c, k in got.items() if n and k / n >= MIN_FILL}
