"""Materialising ``person_suppressions``: who every suppression removes, rebuilt only when its inputs change.

The inputs are the suppression entries (loaded suppression files), the manual opt-outs, the people
records and their persons (a load, a match run or an erasure changes them), the golden records, the
applied change-of-address moves, today's date (entries dated in the future start to apply on their
date) and the rules' version. Their stamp is a handful of cheap aggregates; when it equals the stamp of
the last build the call is a no-op.
"""

from __future__ import annotations

import time

import duckdb

from workbench import clock
from workbench.errors import WorkbenchError
from workbench.store.sql import rows, run, scalar
from workbench.suppress import rules

RULES_VERSION = "3"  # raise it when a rule changes: every database rebuilds on next use
NCOA_STEP = "ncoa_undeliverable"
MANUAL = "manual"
ERASURE = "erasure"  # tombstones of erased persons (workbench.privacy), every channel

# Aggregates whose values change whenever an input of the build changes.
_STAMP_PARTS = (
    "(SELECT count(*) || ':' || coalesce(max(load_id), 0) FROM loads)",
    "(SELECT count(*) || ':' || coalesce(max(load_id), 0) FROM suppression_entries)",
    "(SELECT count(*) || ':' || coalesce(max(manual_id), 0) || ':' || count(removed_at) FROM manual_suppressions)",
    "(SELECT count(*) || ':' || coalesce(max(load_id), 0) || ':' || coalesce(sum(record_id), 0) FROM records)",
    "(SELECT count(*) || ':' || coalesce(sum(hash(record_id, person_id)), 0) FROM person_records)",
    # golden records change with loads, match runs and moves (all stamped above); this catches the rest
    "(SELECT count(*) || ':' || coalesce(sum(person_id), 0) || ':' || coalesce(max(updated_at)::VARCHAR, '') "
    "FROM persons)",
)
_MOVES_PART = "(SELECT count(*) || ':' || coalesce(max(applied_at)::VARCHAR, '') FROM applied_moves)"
_TOMBSTONES_PART = ("(SELECT count(*) || ':' || coalesce(max(erased_at)::VARCHAR, '') || ':' || count(*) FILTER "
                    "(WHERE channel = 'all') FROM erasure_tombstones)")


def has_relation(conn: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether a table or view of that name exists in the main schema (another capability's, maybe)."""
    return bool(scalar(conn, "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main' "
                             "AND NOT temporary", [name])
                or scalar(conn, "SELECT count(*) FROM duckdb_views() WHERE view_name = ? AND schema_name = 'main' "
                                "AND NOT temporary", [name]))


def inputs_stamp(conn: duckdb.DuckDBPyConnection) -> str:
    """The stamp of everything person_suppressions depends on (milliseconds even at 1M persons)."""
    parts = list(_STAMP_PARTS)
    if has_relation(conn, "applied_moves"):
        parts.append(_MOVES_PART)
    if has_relation(conn, "erasure_tombstones"):
        parts.append(_TOMBSTONES_PART)
    values = rows(conn, "SELECT " + ", ".join(f"{p} AS p{i}" for i, p in enumerate(parts)))[0]
    return "|".join([f"v{RULES_VERSION}", str(clock.now().date()), *map(str, values.values())])


def ensure_person_suppressions(conn: duckdb.DuckDBPyConnection, force: bool = False) -> bool:
    """(Re)build ``person_suppressions`` when its inputs changed since the last build; returns whether it
    rebuilt. Needs a writable connection. Inside the caller's transaction it is atomic; without one,
    the stamp is removed first and written last, so an interrupted build is redone by the next call.

    ``person_suppressions(person_id, suppression, channel, brand, reason, match_on, record_id,
    effective_date)``: one row per person, suppression (a suppression source's name, ``'manual'``,
    ``'ncoa_undeliverable'``, ``'erasure'``), channel (mail | email | phone | all), brand (NULL =
    every brand), reason and match rule; ``record_id`` is one record of the person that matched (NULL for
    the NCOA step), ``effective_date`` the earliest effective date of the entries that matched. Only
    entries in effect today are in it (NULL effective_date = always). A person is suppressed when ANY of
    their records (or their golden record) matches.
    """
    from workbench.ingest.derived import ensure_derived, pending_work

    read_only = scalar(conn, "SELECT readonly FROM duckdb_databases() WHERE database_name = current_database()")
    if read_only and any(pending_work(conn)):
        raise _stale_error()
    if not read_only:
        ensure_derived(conn)  # standard addresses and golden records first
    stamp = inputs_stamp(conn)
    if not force and scalar(conn, "SELECT count(*) FROM suppression_builds WHERE stamp = ?", [stamp]):
        return False
    if read_only:
        raise _stale_error()
    # The stamp goes first and comes back last: a build cut short (autocommit, no caller transaction)
    # leaves no stamp, so the next call rebuilds instead of trusting a half-written table.
    run(conn, "DELETE FROM suppression_builds")
    t0 = time.perf_counter()
    _rebuild(conn)
    built = rows(conn, "SELECT count(*) AS n, count(DISTINCT person_id) AS p FROM person_suppressions")[0]
    run(conn, "INSERT INTO suppression_builds VALUES (?, ?, ?, ?, ?, ?)",
        [stamp, clock.now(), clock.now().date(), built["n"], built["p"], round(time.perf_counter() - t0, 3)])
    return True


def run_suppressions(store) -> dict:
    """Bring ``person_suppressions`` up to date in one transaction (the demo's post-load step); returns
    the build's figures."""
    with store.transaction() as conn:
        rebuilt = ensure_person_suppressions(conn)
        built = rows(conn, "SELECT rows_built, persons, duration_s FROM suppression_builds")
    return {"rebuilt": rebuilt, **(built[0] if built else {})}


def _stale_error() -> WorkbenchError:
    return WorkbenchError("The suppressions are out of date (data changed since they were matched) and this "
                          "connection is read-only.",
                          "Open the database for writing (or run `workbench suppressions` once), then try again.")


def build_entries(conn: duckdb.DuckDBPyConnection, today, manual_id: int | None = None) -> None:
    """TEMP ``_sup_entries``: every entry in effect today (loaded and manual), one row per match key;
    with ``manual_id``, only that manual opt-out (whatever its date)."""
    rules.install_rule_macros(conn)
    rules.build_nickname_table(conn)
    keys = ("email_std, phone_std, first_name_key, last_name_key, addr_street, addr_unit, zip5")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _sup_raw AS
        SELECT source AS suppression, channel, brand, reason, match_on, effective_date,
               CAST(NULL AS BIGINT[]) AS record_ids, {keys}
        FROM suppression_entries WHERE (effective_date IS NULL OR effective_date <= ?) AND ? IS NULL
        UNION ALL
        SELECT '{MANUAL}', channel, brand, reason, k.match_on, effective_date,
               CASE WHEN k.match_on = 'person' THEN record_ids END,
               CASE WHEN k.match_on = 'email' THEN email_std END, CASE WHEN k.match_on = 'phone' THEN phone_std END,
               first_name_key, last_name_key, addr_street, addr_unit, zip5
        FROM manual_suppressions m, (VALUES ('email'), ('phone'), ('person'), ('name_address'), ('address')) k(match_on)
        WHERE (m.manual_id = ? OR (? IS NULL AND m.removed_at IS NULL
                                   AND (m.effective_date IS NULL OR m.effective_date <= ?)))
          AND CASE k.match_on WHEN 'email' THEN m.email_std IS NOT NULL WHEN 'phone' THEN m.phone_std IS NOT NULL
                   WHEN 'person' THEN m.record_ids IS NOT NULL
                   WHEN 'name_address' THEN m.last_name_key IS NOT NULL AND m.addr_street IS NOT NULL
                   ELSE m.last_name_key IS NULL AND m.addr_street IS NOT NULL END""",
        [today, manual_id, manual_id, manual_id, today])
    # identical keys collapse into one entry (a monthly full file repeats most rows)
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _sup_entries AS
        SELECT row_number() OVER () AS entry_id, x.*, coalesce(n.roots, [x.fn]) AS roots
        FROM (SELECT suppression, channel, brand, reason, match_on, min(effective_date) AS effective_date,
                     record_ids, {keys}, {rules.entry_name_features('r')}
              FROM _sup_raw r
              GROUP BY suppression, channel, brand, reason, match_on, record_ids, {keys}) x
        LEFT JOIN _sup_nick n ON n.name = x.fn""")


def manual_suppression_persons(conn: duckdb.DuckDBPyConnection, manual_id: int) -> list[int]:
    """The persons one manual opt-out reaches (by its own rules, whatever its date or channel)."""
    from workbench.ingest.derived import ensure_derived

    ensure_derived(conn)
    build_entries(conn, clock.now().date(), manual_id=manual_id)
    rules.build_name_hits(conn)
    found = rows(conn, f"SELECT DISTINCT person_id FROM ({rules.match_sql()}) ORDER BY person_id")
    _drop_temp(conn)
    return [r["person_id"] for r in found]


def _drop_temp(conn: duckdb.DuckDBPyConnection) -> None:
    for table in ("_sup_raw", "_sup_entries", "_sup_name_cand", "_sup_name_hits", "_sup_nick", "_sup_nick_pairs"):
        run(conn, f"DROP TABLE IF EXISTS {table}")


def _rebuild(conn: duckdb.DuckDBPyConnection) -> None:
    today = clock.now().date()
    build_entries(conn, today)
    rules.build_name_hits(conn)
    run(conn, "DELETE FROM person_suppressions")
    run(conn, f"""INSERT INTO person_suppressions
        SELECT h.person_id, e.suppression, e.channel, e.brand, e.reason, e.match_on, min(h.record_id),
               min(e.effective_date)
        FROM ({rules.match_sql()}) h JOIN _sup_entries e USING (entry_id)
        GROUP BY h.person_id, e.suppression, e.channel, e.brand, e.reason, e.match_on""")
    if has_relation(conn, "person_deliverability"):
        run(conn, f"""INSERT INTO person_suppressions
            SELECT person_id, '{NCOA_STEP}', 'mail', NULL, reason, 'ncoa', NULL, since
            FROM person_deliverability WHERE NOT mail_deliverable AND reason LIKE '%NCOA%'""")
    _insert_tombstone_hits(conn)
    _drop_temp(conn)


def _insert_tombstone_hits(conn: duckdb.DuckDBPyConnection) -> None:
    """Persons a later load brought back after an erasure: a record (or golden record) whose standard email,
    phone or name + address hashes to a tombstone. Suppressed on the tombstone's channel (every channel,
    unless the key was shared with someone not erased), every brand, from the day of the erasure."""
    from workbench.privacy.tombstones import build_tombstone_hits, get_salt, has_tombstones

    if not has_tombstones(conn):
        return
    salt = get_salt(conn)
    if salt is None:
        return
    build_tombstone_hits(conn, salt)
    run(conn, f"""INSERT INTO person_suppressions
        SELECT person_id, '{ERASURE}', channel, NULL, 'erased on request (tombstone): never contact again',
               'tombstone_' || kind, min(record_id), min(erased_at)::DATE
        FROM _tomb_hits GROUP BY person_id, channel, kind""")
    run(conn, "DROP TABLE IF EXISTS _tomb_hits")
