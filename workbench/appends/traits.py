"""The traits each person carries, and where each value came from (``person_traits``).

Household-level traits (``presence_of_children``, ``income_band``, ``home_owner``,
``length_of_residence``) hold for everyone in the household: an append row reaching one member reaches
the household. Person-level traits (``age_band``, ``marital_status``, ``occupation``) hold for the
persons a row reaches.

**A customer's word wins.** A people record of ours whose extract carried a column of a trait's name
(kept in the record's attributes) is what the customer told us: that value stands, whatever an agency
says (origin ``customer``, with the record's source and key). For a household-level trait the most
recent record of any member speaks for the household. Otherwise the appended value of the newest
agency file stands (origin ``append``, with the agency, the file's date and the append source).

:func:`ensure_traits` rebuilds the table when its inputs changed (any load, match run, golden records,
households run: the attribute tables' stamp), else it is a no-op.
"""

from __future__ import annotations

import time

import duckdb

from workbench import clock
from workbench.select.trait_fields import TRAITS, Trait
from workbench.store.sql import has_relation, rows, run, scalar
from workbench.store.stamp import inputs_stamp

BY_NAME = {t.name: t for t in TRAITS}

_YES = "('y', 'yes', 'true', 't', '1')"
_NO = "('n', 'no', 'false', 'f', '0')"


def _normal(trait: Trait, expr: str) -> str:
    """A customer-given text value in the form an append stores it (VARCHAR)."""
    if trait.type == "bool":
        return (
            f"CASE WHEN lower(trim({expr})) IN {_YES} THEN 'true' "
            f"WHEN lower(trim({expr})) IN {_NO} THEN 'false' END"
        )
    if trait.type == "number":
        return f"CAST(TRY_CAST(trim({expr}) AS INTEGER) AS VARCHAR)"
    return f"nullif(upper(trim({expr})), '')"


def _append_value(trait: Trait) -> str:
    col = f"r.{trait.name}"
    return f"CAST({col} AS VARCHAR)"


def _has(conn: duckdb.DuckDBPyConnection, name: str) -> bool:
    return has_relation(conn, name)


def traits_stamp(conn: duckdb.DuckDBPyConnection) -> str:
    return "t1|" + inputs_stamp(conn)


def ensure_traits(conn: duckdb.DuckDBPyConnection, force: bool = False) -> bool:
    """Rebuild ``person_traits`` when its inputs changed; returns whether it rebuilt (writable connection)."""
    from workbench.ingest.derived import ensure_derived

    ensure_derived(conn)
    stamp = traits_stamp(conn)
    if not force and scalar(conn, "SELECT count(*) FROM trait_builds WHERE stamp = ?", [stamp]):
        return False
    t0 = time.perf_counter()
    run(conn, "DELETE FROM trait_builds")
    figures = build_traits(conn)
    run(
        conn,
        "INSERT INTO trait_builds VALUES (?, ?, ?, ?, ?, ?)",
        [
            stamp,
            clock.now(),
            figures["persons"],
            figures["households"],
            figures["households_matched"],
            round(time.perf_counter() - t0, 3),
        ],
    )
    return True


def household_key_sql(conn: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """(JOIN clause, key expression) giving each person ``p`` their household (themselves before any run)."""
    if _has(conn, "household_members"):
        return (
            "LEFT JOIN household_members hm ON hm.person_id = p.person_id",
            "coalesce(hm.household_id, -p.person_id)",
        )
    return "", "-p.person_id"


def build_traits(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Match every append row, then write ``person_traits``. Returns persons, households and the
    households an append reached."""
    from workbench.appends.match import HITS, ROWS, build_hits, drop_temp

    join, key = household_key_sql(conn)
    run(
        conn, f"CREATE OR REPLACE TEMP TABLE _app_hh AS SELECT p.person_id, {key} AS hh FROM persons p {join}"
    )
    run(conn, "DELETE FROM person_traits")
    has_rows = bool(scalar(conn, "SELECT count(*) FROM append_entries"))
    if has_rows:
        build_hits(conn)
    else:
        run(
            conn,
            f"CREATE OR REPLACE TEMP TABLE {HITS} (entry_id BIGINT, person_id BIGINT, matched_by VARCHAR)",
        )
        run(
            conn,
            f"CREATE OR REPLACE TEMP TABLE {ROWS} AS SELECT 0 AS entry_id, *, CAST(NULL AS DATE) AS "
            "effective_file_date FROM append_entries LIMIT 0",
        )
    # each person's appended value of each trait: household traits through any member's hits
    # (the newest file wins, then the latest load, then the first row)
    for trait in TRAITS:
        if trait.level == "household":
            reach = f"""SELECT m.person_id, h.entry_id, h.matched_by FROM {HITS} h
                        JOIN _app_hh hx ON hx.person_id = h.person_id JOIN _app_hh m ON m.hh = hx.hh"""
        else:
            reach = f"SELECT person_id, entry_id, matched_by FROM {HITS}"
        run(
            conn,
            f"""INSERT INTO person_traits
            SELECT person_id, ?, arg_max(v, rank), 'append', arg_max(source, rank), NULL, arg_max(agency, rank),
                   arg_max(effective_file_date, rank), ?, arg_max(matched_by, rank)
            FROM (SELECT x.person_id, {_append_value(trait)} AS v, r.source, r.agency, r.effective_file_date,
                         x.matched_by, struct_pack(d := r.effective_file_date, l := r.load_id,
                                                   e := -r.entry_id) AS rank
                  FROM ({reach}) x JOIN {ROWS} r USING (entry_id)
                  WHERE r.{trait.name} IS NOT NULL)
            GROUP BY person_id""",
            [trait.name, trait.level],
        )
    _customer_values(conn)
    _typed_values(conn)
    figures = rows(
        conn,
        f"""SELECT (SELECT count(*) FROM persons) AS persons,
        (SELECT count(DISTINCT hh) FROM _app_hh) AS households,
        (SELECT count(DISTINCT hx.hh) FROM {HITS} h JOIN _app_hh hx USING (person_id)) AS households_matched""",
    )[0]
    drop_temp(conn)
    run(conn, "DROP TABLE IF EXISTS _app_hh")
    return figures


_CAST = {"bool": "BOOLEAN", "number": "INTEGER", "text": "VARCHAR"}


def _typed_values(conn: duckdb.DuckDBPyConnection) -> None:
    """``person_trait_values``: one row per person, a typed column per trait (what selections read)."""
    cols = ", ".join(
        f"CAST(max(value) FILTER (WHERE trait = '{t.name}') AS {_CAST[t.type]}) AS {t.name}" for t in TRAITS
    )
    run(conn, "DELETE FROM person_trait_values")
    run(
        conn,
        f"INSERT INTO person_trait_values SELECT person_id, {cols} FROM person_traits GROUP BY person_id",
    )


def _customer_values(conn: duckdb.DuckDBPyConnection) -> None:
    """Values our own people records carry (the customer told us): they replace any appended value."""
    if not scalar(conn, "SELECT count(*) FROM records WHERE attrs IS NOT NULL"):
        return
    names = [t.name for t in TRAITS]
    run(
        conn,
        """CREATE OR REPLACE TEMP TABLE _app_told AS
        SELECT pr.person_id, r.record_id, r.source, r.source_key, r.as_of, lower(k) AS trait, r.attrs ->> k AS raw
        FROM records r JOIN person_records pr USING (record_id),
             unnest(json_keys(r.attrs)) AS u(k)
        WHERE r.attrs IS NOT NULL AND list_contains(?::VARCHAR[], lower(k))""",
        [names],
    )
    for trait in TRAITS:
        scope = (
            (
                "SELECT m.person_id, t.* EXCLUDE (person_id) FROM _app_told t JOIN _app_hh hx USING (person_id) "
                "JOIN _app_hh m ON m.hh = hx.hh"
            )
            if trait.level == "household"
            else "SELECT * FROM _app_told"
        )
        run(
            conn,
            f"""CREATE OR REPLACE TEMP TABLE _app_told_one AS
            SELECT person_id, arg_max(v, rank) AS v, arg_max(source, rank) AS source,
                   arg_max(source_key, rank) AS source_key
            FROM (SELECT person_id, {_normal(trait, "raw")} AS v, source, source_key,
                         struct_pack(a := as_of, r := record_id) AS rank
                  FROM ({scope}) WHERE trait = ?) WHERE v IS NOT NULL
            GROUP BY person_id""",
            [trait.name],
        )
        run(
            conn,
            "DELETE FROM person_traits WHERE trait = ? AND person_id IN (SELECT person_id FROM _app_told_one)",
            [trait.name],
        )
        run(
            conn,
            """INSERT INTO person_traits SELECT person_id, ?, v, 'customer', source, source_key, NULL, NULL, ?,
                NULL FROM _app_told_one""",
            [trait.name, trait.level],
        )
    run(conn, "DROP TABLE IF EXISTS _app_told_one")
    run(conn, "DROP TABLE IF EXISTS _app_told")


def person_trait_origins(conn: duckdb.DuckDBPyConnection, person_id: int) -> list[dict]:
    """Every trait the person carries with where its value came from (for the golden record)."""
    found = {
        r["trait"]: r for r in rows(conn, "SELECT * FROM person_traits WHERE person_id = ?", [person_id])
    }
    out = []
    for trait in TRAITS:
        r = found.get(trait.name)
        if r is None:
            continue
        if r["origin"] == "customer":
            origin = f"customer: {r['source']}:{r['source_key']}"
        else:
            origin = f"append: {r['agency']}, file of {r['file_date']} ({r['source']}, matched by {r['matched_by']})"
        out.append(
            {
                "trait": trait.name,
                "level": trait.level,
                "value": r["value"],
                "origin": r["origin"],
                "from": origin,
            }
        )
    return out
