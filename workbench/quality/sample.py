"""Drawing a review sample: stratified, seeded, set-based.

Four populations, each built by one statement over the current database:

- ``persons``: every pair of records in one person (the pairs the person's merging asserts are one
  individual). Strata: score band of the pair (its match probability, or "linked through others" when the
  two records were joined by a chain of other pairs) | the two records' sources | the person's size.
- ``near_miss``: every scored pair whose records are in two persons (below the auto-accept threshold, or
  held) and that no operator has decided. Strata: score band | sources.
- ``households``: every pair of persons in one household. Strata: household size | same or other surname.
- ``suppressions``: every (person, suppression, rule) a suppression removes. Strata: suppression | rule.

Within a stratum the items drawn are the first by ``hash(seed, keys)``: the same seed on the same database
draws the same sample; the draw per stratum is proportional to its population (stats.allocate).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import duckdb

from workbench import clock
from workbench.quality.stats import allocate
from workbench.store.sql import rows, run, scalar

AREAS = ("persons", "near_miss", "households", "suppressions")
DEFAULT_SIZES = {"persons": 200, "near_miss": 100, "households": 100, "suppressions": 100}

_SIZE_BAND = "CASE WHEN {n} <= 2 THEN 'size 2' WHEN {n} <= 4 THEN 'size 3-4' ELSE 'size 5+' END"
_SCORE_BAND = (
    "CASE WHEN {p} IS NULL THEN 'linked through others' WHEN {p} >= 0.99 THEN 'p >= 0.99' "
    "WHEN {p} >= 0.9 THEN 'p 0.90-0.99' WHEN {p} >= 0.5 THEN 'p 0.50-0.90' ELSE 'p < 0.50' END"
)
_SOURCES = "CASE WHEN {a} <= {b} THEN {a} || '+' || {b} ELSE {b} || '+' || {a} END"
# the two blocking families of the capture-recapture recall (docs/quality.md): contact keys, and
# name / birth date / address keys
CAPTURE_A = "coalesce(l.email_std = r.email_std, false) OR coalesce(l.phone_std = r.phone_std, false)"
CAPTURE_B = """coalesce(l.last_name_key = r.last_name_key AND l.birth_dt = r.birth_dt, false)
    OR coalesce(coalesce(l.first_name_root, l.first_name_key) = coalesce(r.first_name_root, r.first_name_key)
                AND l.birth_dt = r.birth_dt, false)
    OR coalesce(l.last_name_key = r.last_name_key AND l.zip5 = r.zip5, false)
    OR coalesce(l.addr_street = r.addr_street AND l.zip5 = r.zip5, false)
    OR coalesce(l.birth_dt = r.birth_dt AND l.zip5 = r.zip5, false)"""


@dataclass
class SampleResult:
    sample_id: int
    seed: int
    drawn: dict[str, int] = field(default_factory=dict)
    population: dict[str, int] = field(default_factory=dict)
    strata: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sample_id": self.sample_id,
            "seed": self.seed,
            "drawn": self.drawn,
            "population": self.population,
            "strata": self.strata,
        }


def _population_sql(area: str) -> str:
    """One row per item of ``area``: stratum, the item's columns, and ``k1``/``k2`` (its hash keys)."""
    if area == "persons":
        return f"""WITH sizes AS (SELECT person_id, count(*) AS n FROM person_records GROUP BY person_id
                                  HAVING count(*) > 1)
            SELECT {_SCORE_BAND.format(p="mp.probability")} || ' | ' || {_SOURCES.format(a="l.source", b="r.source")}
                       || ' | ' || {_SIZE_BAND.format(n="s.n")} AS stratum,
                   a.record_id AS record_l, b.record_id AS record_r, a.person_id AS person_l, a.person_id AS person_r,
                   NULL::BIGINT AS household_id, NULL::VARCHAR AS suppression, NULL::VARCHAR AS match_on,
                   mp.probability AS score, ({CAPTURE_A}) AS capture_a, ({CAPTURE_B}) AS capture_b,
                   a.record_id AS k1, b.record_id AS k2
            FROM person_records a JOIN sizes s USING (person_id)
            JOIN person_records b ON b.person_id = a.person_id AND a.record_id < b.record_id
            JOIN records l ON l.record_id = a.record_id JOIN records r ON r.record_id = b.record_id
            LEFT JOIN match_pairs mp ON mp.record_id_l = a.record_id AND mp.record_id_r = b.record_id"""
    if area == "near_miss":
        return f"""SELECT {_SCORE_BAND.format(p="mp.probability")} || ' | '
                       || {_SOURCES.format(a="l.source", b="r.source")} AS stratum,
                   mp.record_id_l AS record_l, mp.record_id_r AS record_r, a.person_id AS person_l,
                   b.person_id AS person_r, NULL::BIGINT AS household_id, NULL::VARCHAR AS suppression,
                   NULL::VARCHAR AS match_on, mp.probability AS score, ({CAPTURE_A}) AS capture_a,
                   ({CAPTURE_B}) AS capture_b, mp.record_id_l AS k1, mp.record_id_r AS k2
            FROM match_pairs mp
            JOIN person_records a ON a.record_id = mp.record_id_l JOIN person_records b ON b.record_id = mp.record_id_r
            JOIN records l ON l.record_id = mp.record_id_l JOIN records r ON r.record_id = mp.record_id_r
            WHERE a.person_id <> b.person_id AND NOT EXISTS (SELECT 1 FROM match_decisions d
                WHERE d.record_id_l = mp.record_id_l AND d.record_id_r = mp.record_id_r AND d.undone_at IS NULL)"""
    if area == "households":
        return f"""WITH anchors AS (SELECT person_id, min(record_id) AS anchor FROM person_records GROUP BY person_id)
            SELECT {_SIZE_BAND.format(n="h.size")} || ' | ' || CASE WHEN pa.last_name_key = pb.last_name_key
                       THEN 'same surname' ELSE 'other surname' END AS stratum,
                   aa.anchor AS record_l, ab.anchor AS record_r, a.person_id AS person_l, b.person_id AS person_r,
                   a.household_id, NULL::VARCHAR AS suppression, NULL::VARCHAR AS match_on, NULL::DOUBLE AS score,
                   NULL::BOOLEAN AS capture_a, NULL::BOOLEAN AS capture_b, a.person_id AS k1, b.person_id AS k2
            FROM household_members a JOIN household_members b
                ON b.household_id = a.household_id AND a.person_id < b.person_id
            JOIN households h ON h.household_id = a.household_id
            JOIN persons pa ON pa.person_id = a.person_id JOIN persons pb ON pb.person_id = b.person_id
            JOIN anchors aa ON aa.person_id = a.person_id JOIN anchors ab ON ab.person_id = b.person_id"""
    if area == "suppressions":
        return """SELECT suppression || ' | ' || match_on AS stratum, min(record_id) AS record_l,
                   NULL::BIGINT AS record_r, person_id AS person_l, NULL::BIGINT AS person_r,
                   NULL::BIGINT AS household_id, suppression, match_on, NULL::DOUBLE AS score,
                   NULL::BOOLEAN AS capture_a, NULL::BOOLEAN AS capture_b, person_id AS k1,
                   hash(suppression, match_on) AS k2
            FROM person_suppressions GROUP BY person_id, suppression, match_on"""
    raise ValueError(area)


def draw(
    conn: duckdb.DuckDBPyConnection, sizes: dict[str, int], seed: int = 1, by: str | None = None
) -> SampleResult:
    """Draw a new sample of ``sizes[area]`` items per area and queue it for review. Runs on an open write
    connection (the caller's transaction); everything it reads must be current (persons, households and
    suppressions built: see :func:`workbench.quality.draw_sample`)."""
    sample_id = (scalar(conn, "SELECT coalesce(max(sample_id), 0) FROM quality_samples") or 0) + 1
    loads = scalar(conn, "SELECT count(*) FROM loads") or 0
    run(
        conn,
        "INSERT INTO quality_samples VALUES (?, ?, ?, ?, ?, ?)",
        [sample_id, clock.now(), by, seed, loads, json.dumps(sizes)],
    )
    result = SampleResult(sample_id, seed)
    for area in AREAS:
        want = int(sizes.get(area, 0) or 0)
        run(conn, f"CREATE OR REPLACE TEMP TABLE _q_pop AS {_population_sql(area)}")
        counts = {
            r["stratum"]: r["n"]
            for r in rows(conn, "SELECT stratum, count(*) AS n FROM _q_pop GROUP BY stratum ORDER BY stratum")
        }
        result.population[area] = sum(counts.values())
        result.strata[area] = len(counts)
        take = allocate(counts, want)
        run(
            conn,
            "CREATE OR REPLACE TEMP TABLE _q_take AS SELECT unnest(?::VARCHAR[]) AS stratum, "
            "unnest(?::BIGINT[]) AS take, unnest(?::BIGINT[]) AS population",
            [list(take), list(take.values()), [counts[k] for k in take]],
        )
        run(
            conn,
            "INSERT INTO quality_strata SELECT ?, ?, stratum, population, take FROM _q_take",
            [sample_id, area],
        )
        run(
            conn,
            """INSERT INTO quality_items
            SELECT ?, (SELECT coalesce(max(item_id), 0) FROM quality_items) + row_number() OVER (ORDER BY stratum, h),
                   ?, stratum, population, record_l, record_r, person_l, person_r, household_id, suppression,
                   match_on, score, capture_a, capture_b, NULL, NULL, NULL, NULL
            FROM (SELECT p.*, t.population, t.take, hash(?, p.k1, p.k2) AS h,
                         row_number() OVER (PARTITION BY p.stratum ORDER BY hash(?, p.k1, p.k2), p.k1, p.k2) AS rn
                  FROM _q_pop p JOIN _q_take t USING (stratum))
            WHERE rn <= take""",
            [sample_id, area, seed, seed],
        )
        result.drawn[area] = (
            scalar(
                conn, "SELECT count(*) FROM quality_items WHERE sample_id = ? AND area = ?", [sample_id, area]
            )
            or 0
        )
    for t in ("_q_pop", "_q_take"):
        run(conn, f"DROP TABLE IF EXISTS {t}")
    from workbench import audit

    audit.record(
        conn,
        "quality.sample",
        str(sample_id),
        {"seed": seed, "drawn": result.drawn, "population": result.population},
    )
    return result
