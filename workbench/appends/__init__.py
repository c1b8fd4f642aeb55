"""Agency appends: an outside company's household and person traits, matched to our persons.

An ``appends`` source (``kind = "appends"``, ``match_on = "address" | "household" | "person"``) loads
rows of traits with the agency and the file's date into ``append_entries``. They are matched by the
suppressions' rules (:mod:`workbench.appends.match`) and resolved into ``person_traits`` with where each
value came from; a value a customer gave us is never overwritten (:mod:`workbench.appends.traits`).
See docs/appends.md.

Public surface:

- :data:`TRAITS` (name, level, type, help); :func:`ensure_traits(conn)`;
- :func:`coverage(conn, source=None)`: households matched by one source (or all), as a share;
- :func:`after_load(conn, source)`: the coverage line a load of an appends source reports;
- :func:`person_trait_origins(conn, person_id)`: each trait's value and where it came from;
- :func:`trait_profile(conn)`: coverage and each trait's values (the profile report).
"""

from __future__ import annotations

from typing import Any

import duckdb

from workbench.appends.traits import TRAITS, ensure_traits, household_key_sql, person_trait_origins
from workbench.store.sql import rows

__all__ = [
    "TRAITS",
    "after_load",
    "coverage",
    "coverage_text",
    "ensure_traits",
    "person_trait_origins",
    "trait_profile",
]


def coverage(conn: duckdb.DuckDBPyConnection, source: str | None = None) -> dict[str, Any]:
    """Households (persons grouped by the last households run; a person on their own before one) that an
    append row of ``source`` (or of any appends source) reaches, and the share of all households."""
    from workbench.appends.match import HITS, ROWS, build_hits, drop_temp
    from workbench.ingest.derived import ensure_derived

    ensure_derived(conn)
    build_hits(conn, source)
    join, key = household_key_sql(conn)
    found = rows(
        conn,
        f"""WITH hh AS (SELECT p.person_id, {key} AS hh FROM persons p {join})
        SELECT (SELECT count(DISTINCT hh) FROM hh) AS households,
               (SELECT count(DISTINCT hh.hh) FROM {HITS} h JOIN hh USING (person_id)) AS households_matched,
               (SELECT count(DISTINCT person_id) FROM {HITS}) AS persons_matched,
               (SELECT count(*) FROM {ROWS}) AS rows,
               (SELECT count(DISTINCT entry_id) FROM {HITS}) AS rows_matched""",
    )[0]
    drop_temp(conn)
    found["share"] = (
        round(found["households_matched"] / found["households"], 4) if found["households"] else 0.0
    )
    found["source"] = source
    return found


def coverage_text(c: dict[str, Any]) -> str:
    return (
        f"coverage: {c['households_matched']:,} of {c['households']:,} households matched "
        f"({c['share']:.1%}); {c['rows_matched']:,} of {c['rows']:,} append rows reached a person"
    )


def after_load(conn: duckdb.DuckDBPyConnection, source: str) -> dict[str, Any]:
    """What a load of appends source ``source`` reports: its coverage."""
    return coverage(conn, source)


def trait_profile(conn: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """Read-only: coverage as of the last traits build and, per trait, persons by value and by origin
    (appended / told by the customer); None when no appends source was ever loaded."""
    if not rows(conn, "SELECT 1 FROM append_entries LIMIT 1"):
        return None
    build = rows(
        conn,
        "SELECT built_at, households, households_matched FROM trait_builds ORDER BY built_at DESC LIMIT 1",
    )
    cov = None
    if build:
        b = build[0]
        cov = {**b, "share": round(b["households_matched"] / b["households"], 4) if b["households"] else 0.0}
    by_trait = {}
    for trait in TRAITS:
        by_trait[trait.name] = rows(
            conn,
            """SELECT value, count(*) FILTER (WHERE origin = 'append') AS appended,
                count(*) FILTER (WHERE origin = 'customer') AS customer, count(*) AS persons
            FROM person_traits WHERE trait = ? GROUP BY value ORDER BY persons DESC, value LIMIT 12""",
            [trait.name],
        )
    agencies = rows(
        conn,
        """SELECT source, any_value(agency) AS agency, max(file_date) AS file_date,
            count(*) AS rows FROM append_entries GROUP BY source ORDER BY source""",
    )
    return {"coverage": cov, "traits": by_trait, "agencies": agencies}
