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
from workbench.store.sql import has_relation, rows, run, scalar
from workbench.suppress import rules

RULES_VERSION = "5"  # raise it when a rule changes: every database rebuilds on next use
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
    effective_date, matched_by, explanation)``: one row per person, suppression (a suppression source's
    name, ``'manual'``, ``'ncoa_undeliverable'``, ``'erasure'``), channel (mail | email | phone | all),
    brand (NULL = every brand), reason and match rule; ``record_id`` is one record of the person that
    matched (NULL for the NCOA step), ``effective_date`` the earliest effective date of the entries that
    matched, ``matched_by`` the comparison that matched and ``explanation`` one sentence naming the entry,
    the record and the tolerances used (the plainest evidence when several matched). Only entries in
    effect today are in it (NULL effective_date = always). A person is suppressed when ANY of their
    records, their golden record or an old address of an applied move matches.
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


BIRTH_COLUMNS = ("birth_date", "date_of_birth", "dob", "birthdate", "birth_dt", "birthday", "born")


def build_entries(conn: duckdb.DuckDBPyConnection, today, manual_id: int | None = None) -> None:
    """TEMP ``_sup_entries``: every entry in effect today (loaded and manual), one row per match key;
    with ``manual_id``, only that manual opt-out (whatever its date). Besides the stored keys, a loaded
    entry's city, state and birth date come from its raw row (the columns the source maps to city and
    state; a birth date under any usual column name: birth_date, date_of_birth, dob, ...)."""
    rules.install_rule_macros(conn)
    rules.build_nickname_table(conn)
    # The raw column names of each load (one file: one set of names), looked up once per load.
    run(conn, r"""CREATE OR REPLACE TEMP MACRO wb_sup_key(keys, names) AS
        list_filter(keys, lambda k: list_contains(names, regexp_replace(lower(k), '[^a-z0-9]+', '_', 'g')))[1]""")
    run(conn, r"""CREATE OR REPLACE TEMP TABLE _sup_src_cols AS
        SELECT l.source, l.load_id,
               wb_sup_key(l.keys, list_filter([regexp_replace(lower(s.columns['city']), '[^a-z0-9]+', '_', 'g'),
                                               'city'], lambda x: x IS NOT NULL)) AS city_key,
               wb_sup_key(l.keys, list_filter([regexp_replace(lower(s.columns['state']), '[^a-z0-9]+', '_', 'g'),
                                               'state'], lambda x: x IS NOT NULL)) AS state_key,
               wb_sup_key(l.keys, ?::VARCHAR[]) AS birth_key
        FROM (SELECT source, load_id, json_keys(any_value(raw)) AS keys FROM suppression_entries
              GROUP BY source, load_id) l
        LEFT JOIN sources s ON s.name = l.source AND s.kind = 'suppression'""", [list(BIRTH_COLUMNS)])
    keys = ("email_std, phone_std, first_name_key, last_name_key, addr_street, addr_unit, zip5, city, state, "
            "birth_dt")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _sup_raw AS
        SELECT s.source AS suppression, channel, brand, reason, match_on, effective_date,
               CAST(NULL AS BIGINT[]) AS record_ids, email_std, phone_std, first_name_key, last_name_key,
               addr_street, addr_unit, zip5, wb_sup_city(raw ->> c.city_key) AS city,
               wb_state(raw ->> c.state_key) AS state, wb_date(raw ->> c.birth_key) AS birth_dt
        FROM suppression_entries s LEFT JOIN _sup_src_cols c USING (source, load_id)
        WHERE (effective_date IS NULL OR effective_date <= ?) AND ? IS NULL
        UNION ALL
        SELECT '{MANUAL}', channel, brand, reason, k.match_on, effective_date,
               CASE WHEN k.match_on = 'person' THEN record_ids END,
               CASE WHEN k.match_on = 'email' THEN email_std END, CASE WHEN k.match_on = 'phone' THEN phone_std END,
               first_name_key, last_name_key, addr_street, addr_unit, zip5, NULL, NULL, NULL
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
        SELECT row_number() OVER () AS entry_id, x.*, coalesce(n.roots, [x.fn]) AS roots, coalesce(n.root, x.fn) AS root
        FROM (SELECT suppression, channel, brand, reason, match_on, min(effective_date) AS effective_date,
                     record_ids, {keys}, {rules.entry_name_features('r')}
              FROM _sup_raw r
              GROUP BY suppression, channel, brand, reason, match_on, record_ids, {keys}) x
        LEFT JOIN _sup_nick n ON n.name = x.fn""")


def _build_hits(conn: duckdb.DuckDBPyConnection) -> str:
    """Build the TEMP tables of the rules; returns the SELECT of every hit (rules.match_sql)."""
    rules.build_all(conn, has_relation(conn, "move_applications") and has_relation(conn, "applied_moves"))
    return rules.match_sql(person_entries=bool(scalar(conn, "SELECT count(*) FROM _sup_entries "
                                                            "WHERE match_on = 'person'")))


# One sentence per hit: which entry reached which record, by which rule, with which tolerances.
_ENTRY_TEXT = """CASE e.match_on
    WHEN 'email' THEN e.email_std WHEN 'phone' THEN e.phone_std
    WHEN 'person' THEN 'opt-out of a person'
    ELSE concat_ws(' ', e.first_name_key, e.last_name_key) || CASE WHEN e.addr_street IS NULL THEN '' ELSE
         ', ' || e.addr_street || coalesce(' #' || e.addr_unit, '') || ' ' || coalesce(e.zip5, concat_ws(' ', e.city,
         e.state)) END || coalesce(', born ' || e.birth_dt, '') END"""
_RULE_TEXT = """CASE h.matched_by WHEN 'name_address' THEN 'name + address' WHEN 'name_birth_date' THEN 'name + birth date'
    WHEN 'person' THEN 'person' ELSE h.matched_by END"""
_VIA_TEXT = """CASE h.via WHEN 'golden' THEN 'the golden record (address of record ' || r.source || ':' || r.source_key || ')'
    WHEN 'move' THEN 'the old address (before an applied change of address) of record ' || r.source || ':' || r.source_key
    ELSE 'record ' || r.source || ':' || r.source_key END"""
EXPLANATION = (f"e.suppression || ' entry \"' || {_ENTRY_TEXT} || '\" matched ' || coalesce({_VIA_TEXT}, 'person ' || "
               f"h.person_id) || ' by ' || {_RULE_TEXT} || CASE WHEN len(h.notes) > 0 THEN ' (' || "
               "array_to_string(h.notes, '; ') || ')' ELSE '' END")


def manual_suppression_persons(conn: duckdb.DuckDBPyConnection, manual_id: int) -> list[int]:
    """The persons one manual opt-out reaches (by its own rules, whatever its date or channel)."""
    from workbench.ingest.derived import ensure_derived

    ensure_derived(conn)
    build_entries(conn, clock.now().date(), manual_id=manual_id)
    hits = _build_hits(conn)
    found = rows(conn, f"SELECT DISTINCT person_id FROM ({hits}) ORDER BY person_id")
    _drop_temp(conn)
    return [r["person_id"] for r in found]


def _drop_temp(conn: duckdb.DuckDBPyConnection) -> None:
    for table in rules.TEMP_TABLES:
        run(conn, f"DROP TABLE IF EXISTS {table}")


def _rebuild(conn: duckdb.DuckDBPyConnection) -> None:
    today = clock.now().date()
    build_entries(conn, today)
    hits = _build_hits(conn)
    run(conn, "DELETE FROM person_suppressions")
    # Per person and suppression, the plainest evidence is kept: fewest tolerances, then a record over a
    # golden record over an old address, then the lowest record id.
    run(conn, f"""INSERT INTO person_suppressions (person_id, suppression, channel, brand, reason, match_on,
            record_id, effective_date, matched_by, explanation)
        SELECT person_id, suppression, channel, brand, reason, match_on,
               arg_min(record_id, rank), min(effective_date), arg_min(matched_by, rank), arg_min(explanation, rank)
        FROM (SELECT h.person_id, e.suppression, e.channel, e.brand, e.reason, e.match_on, h.record_id,
                     e.effective_date, h.matched_by, {EXPLANATION} AS explanation,
                     struct_pack(n := len(h.notes), v := list_position(['record', 'golden', 'move'], h.via),
                                 r := coalesce(h.record_id, 0), e := h.entry_id) AS rank
              FROM ({hits}) h JOIN _sup_entries e USING (entry_id)
              LEFT JOIN records r ON r.record_id = h.record_id)
        GROUP BY person_id, suppression, channel, brand, reason, match_on""")
    if has_relation(conn, "person_deliverability"):
        run(conn, f"""INSERT INTO person_suppressions
            SELECT person_id, '{NCOA_STEP}', 'mail', NULL, reason, 'ncoa', NULL, since, 'ncoa',
                   'households: ' || reason || ' (the golden address is one a change of address left)'
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
               'tombstone_' || kind, min(record_id), min(erased_at)::DATE, 'tombstone_' || kind,
               'erased on request: a record''s ' || kind || ' hashes to an erasure tombstone'
        FROM _tomb_hits GROUP BY person_id, channel, kind""")
    run(conn, "DROP TABLE IF EXISTS _tomb_hits")
