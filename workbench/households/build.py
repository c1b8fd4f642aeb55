"""One households run: group persons, keep ids stable, choose heads, figure spend and brands, raise review."""

from __future__ import annotations

import json
import time
from typing import Any

import duckdb

from workbench import clock
from workbench.households.graph import stable_ids
from workbench.households.grouping import group_persons
from workbench.households.review import raise_review_items
from workbench.households.rules import head_order_sql, install_household_macros, load_rules
from workbench.households.spend import person_spend
from workbench.progress import Progress, step
from workbench.store.sql import rows, run, scalar

# who the members are, order-free and cheap: their count and the xor of their anchor records' hashes
SIGNATURE = "count(*) || '-' || bit_xor(hash(anchor))"


# stage -> (what comes next, how far the whole run is once it is done)
STAGES = {"group": ("giving households their ids", 0.45), "ids": ("adding up spend", 0.55),
          "spend": ("writing members", 0.65), "members": ("writing households", 0.8),
          "households": ("raising review items", 0.9), "review": ("recording the run", 0.97)}


def compute_households(conn: duckdb.DuckDBPyConnection, moves_applied: int = 0,
                       progress: Progress | None = None) -> dict[str, Any]:
    """Recompute every household inside the caller's transaction; returns counts and timings (seconds).
    ``progress`` is called between the stages (it may raise :class:`workbench.errors.Cancelled`)."""
    started, t0 = clock.now(), time.perf_counter()
    timings: dict[str, float] = {}

    mark = [t0]

    def lap(name: str) -> None:
        now = time.perf_counter()
        timings[name] = round(now - mark[0], 3)
        mark[0] = now
        done, fraction = STAGES[name]
        step(progress, done, fraction)

    install_household_macros(conn)
    rules = load_rules(conn)
    figures = group_persons(conn, rules)
    lap("group")
    kept, new = stable_ids(conn, "_hh_person", "_hh_ids")
    lap("ids")
    person_spend(conn, "_hh_spend")
    lap("spend")
    _write_members(conn, rules)
    lap("members")
    _write_households(conn, started)
    lap("households")
    raise_review_items(conn)
    lap("review")
    counts = rows(conn, """SELECT count(*) AS households,
            count(*) FILTER (WHERE size > 1) AS multi_person,
            coalesce(sum(size), 0) AS persons_in_households,
            count(*) FILTER (WHERE needs_review) AS needs_review,
            (SELECT count(*) FROM household_review_items WHERE status = 'open') AS review_open,
            (SELECT count(*) FROM household_records) AS records
        FROM households""")[0]
    duration = round(time.perf_counter() - t0, 3)
    run_id = scalar(conn, "SELECT nextval('household_run_id_seq')")
    run(conn, "INSERT INTO household_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [run_id, started, clock.now(), figures["persons"], figures["addresses"], counts["households"], kept, new,
         counts["review_open"], moves_applied, duration, json.dumps(timings)])
    from workbench import audit

    audit.record(conn, "household.run", f"run {run_id}", {
        "persons": figures["persons"], "households": counts["households"], "kept": kept, "new": new,
        "review_open": counts["review_open"], "moves_applied": moves_applied})
    for t in ("_hp", "_hh_addr", "_hh_doors", "_hh_person", "_hh_ids", "_hh_spend", "_hh_pin", "_hh_together", "_hh_m"):
        run(conn, f"DROP TABLE IF EXISTS {t}")
    return {"run_id": run_id, "persons": figures["persons"], "addresses": figures["addresses"],
            "crowded_addresses": figures["crowded_addresses"], "households": counts["households"],
            "multi_person_households": counts["multi_person"], "households_kept": kept, "households_new": new,
            "records": counts["records"], "needs_review": counts["needs_review"],
            "review_open": counts["review_open"], "head_rule": rules.head_rule_text, "partners": rules.partners,
            "crowded_people": rules.crowded_people, "rounds": figures["rounds"],
            "followed_family": figures["followed_family"], "seconds": duration,
            "timings": timings}


def _write_members(conn: duckdb.DuckDBPyConnection, rules) -> None:
    today = clock.now().date()
    run(conn, """CREATE OR REPLACE TEMP TABLE _hh_g AS
        SELECT i.household_id, g.* FROM _hh_person g JOIN _hh_ids i USING (label)""")
    run(conn, """CREATE OR REPLACE TEMP TABLE _hh_sizes AS
        WITH s AS (SELECT household_id, sg, count(*) AS n FROM _hh_g GROUP BY ALL)
        SELECT household_id, sg, n AS sg_size, sum(n) OVER (PARTITION BY household_id) AS size,
               count(sg) OVER (PARTITION BY household_id) AS sg_count FROM s""")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _hh_m AS
        WITH base AS (
            SELECT g.household_id, g.person_id, g.sg, g.pinned, g.linked, g.attached, h.anchor, h.door,
                   coalesce(s.spend_12m, 0)::DECIMAL(18, 2) AS spend_12m, coalesce(s.orders_12m, 0) AS orders_12m,
                   coalesce(s.spend_total, 0)::DECIMAL(18, 2) AS spend_total, s.last_order, s.brands,
                   p.first_seen, date_diff('day', p.birth_date, ?::DATE) AS age_days, p.record_count,
                   z.size, z.sg_size, z.sg_count
            FROM _hh_g g JOIN _hp h USING (person_id) JOIN persons p USING (person_id)
            JOIN _hh_sizes z ON z.household_id = g.household_id AND z.sg IS NOT DISTINCT FROM g.sg
            LEFT JOIN _hh_spend s USING (person_id))
        SELECT m.*, row_number() OVER (PARTITION BY m.household_id
                                       ORDER BY m.door IS NULL, {head_order_sql(rules.head_rule)}) AS head_rank,
               CASE WHEN m.pinned OR m.linked THEN 'decision' WHEN m.attached IS NOT NULL THEN m.attached
                    WHEN m.size = 1 THEN 'alone'
                    WHEN m.sg IS NOT NULL AND (m.sg_size > 1 OR m.sg_count = 1) THEN 'surname'
                    WHEN m.sg IS NULL THEN 'no surname' ELSE 'partner' END AS joined_by
        FROM base m""", [today])
    run(conn, "DROP TABLE IF EXISTS _hh_g")
    run(conn, "DROP TABLE IF EXISTS _hh_sizes")
    run(conn, "DELETE FROM household_members")
    run(conn, """INSERT INTO household_members
        SELECT household_id, person_id, head_rank = 1, head_rank, joined_by, spend_12m, orders_12m, first_seen
        FROM _hh_m ORDER BY household_id, head_rank""")
    run(conn, "DELETE FROM household_records")
    run(conn, "INSERT INTO household_records SELECT pr.record_id, m.household_id FROM _hh_m m "
              "JOIN person_records pr USING (person_id)")


def _write_households(conn: duckdb.DuckDBPyConnection, started) -> None:
    run(conn, "CREATE OR REPLACE TEMP TABLE _hh_prev AS SELECT household_id, formed_at FROM households")
    run(conn, "DELETE FROM households")
    run(conn, f"""INSERT INTO households
        WITH per AS (
            SELECT household_id, count(*) AS size, count(DISTINCT sg) AS groups,
                   sum(spend_12m) AS spend_12m, sum(orders_12m) AS orders_12m, {SIGNATURE} AS signature,
                   arg_min(person_id, head_rank) AS head
            FROM _hh_m GROUP BY household_id
        ), bought AS (
            SELECT household_id, list(DISTINCT brand ORDER BY brand) AS brands
            FROM (SELECT household_id, unnest(brands) AS brand FROM _hh_m WHERE len(brands) > 0) GROUP BY ALL
        ), at_door AS (
            SELECT h.door, count(DISTINCT m.household_id) AS households, count(*) AS persons
            FROM _hh_m m JOIN _hp h USING (person_id) WHERE h.door IS NOT NULL GROUP BY h.door)
        SELECT per.household_id, h.door, h.address_line1, h.address_line2, h.city, h.state, h.zip5,
               p.last_name, per.head, per.size, per.groups,
               coalesce(a.persons, per.size), coalesce(a.households, 1), per.spend_12m, per.orders_12m,
               b.brands, false, NULL, per.signature, coalesce(prev.formed_at, ?), ?
        FROM per JOIN persons p ON p.person_id = per.head JOIN _hp h ON h.person_id = per.head
        LEFT JOIN bought b USING (household_id)
        LEFT JOIN at_door a ON a.door = h.door
        LEFT JOIN _hh_prev prev USING (household_id)
        ORDER BY per.household_id""", [started, started])
    run(conn, "DROP TABLE IF EXISTS _hh_prev")
