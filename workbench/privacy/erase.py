"""Erasure (GDPR art. 17 / CCPA deletion): the person's personal data leaves every table, a salted-hash
tombstone stays on a global suppression list, the request goes into the audit log; one transaction.

:func:`erase` does it on a store and then rewrites the file (:func:`workbench.privacy.compact.compact_database`),
or scrubs it in place (:func:`workbench.privacy.wipe.scrub_file`), so the old values do not stay in the
database file either (DuckDB keeps old copies of changed data until something overwrites them).
:func:`erase_in` does the database part inside a caller's transaction (the TUI's customer view).
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb

from workbench import audit, clock
from workbench.errors import RefusedError, WorkbenchError
from workbench.privacy import registry, tombstones
from workbench.privacy import subject as subj
from workbench.privacy.compact import compact_database
from workbench.privacy.wipe import COMPACT_PENDING, WIPE_PENDING, scrub_file, storage_map
from workbench.store import Store
from workbench.store.sql import quote_ident, quote_literal, rows, run, scalar

COMPLEX = re.compile(r"[\[\]]|^(STRUCT|MAP|UNION)\b")


@dataclass
class ErasureResult:
    by: str  # email | phone | person
    persons: int
    records: int
    tombstones: int  # new tombstones written (keys already tombstoned are not counted)
    tables: dict[str, int] = field(default_factory=dict)  # table -> rows deleted or anonymised
    skipped: list[str] = field(default_factory=list)  # registry entries whose table is not installed
    exports: list[int] = field(default_factory=list)  # exports whose files held the person (outside the DB)
    audit_id: int | None = None
    compacted: dict[str, Any] | None = None  # the file rewritten (the default)
    scrubbed: dict[str, Any] | None = None  # or scrubbed in place (compact=False; workbench.privacy.wipe)
    erased_s: float = 0.0  # the database part (one transaction)
    duration_s: float = 0.0  # all of it

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def message(self) -> str:
        """One line for the operator, without personal data."""
        who = (f"{self.persons} person(s), {self.records} record(s)" if self.persons else
               f"nobody in the database held that {self.by}")
        return f"erased {who}; {self.tombstones} tombstone(s) kept (audit {self.audit_id})"


def erase(store: Store, *, email: str | None = None, phone: str | None = None, person_id: int | None = None,
          reason: str | None = None, allow_many: bool = False, compact: bool = True) -> ErasureResult:
    """Erase the person named by exactly one of ``email``, ``phone``, ``person_id`` (see :func:`erase_in`),
    then make sure the values leave the file too.

    ``compact`` (the default): the file is rewritten (:func:`compact_database`): nothing erased survives
    in it. Without: the file is scrubbed in place (:func:`scrub_file`: the old copies of every text and
    date segment the erasure rewrote, the free blocks and the free metadata are overwritten), which leaves
    at most short prefixes of erased values in the tails of reused metadata sub-blocks (segment
    statistics), and ``privacy.compact_pending`` is set until ``workbench compact`` runs."""
    t0 = time.perf_counter()
    store.finish_pending_wipe = False  # this erasure cleans the file itself, below
    try:
        with store.connect() as conn:
            before: dict = {}
            if not compact:
                run(conn, "CHECKPOINT")
                before = storage_map(conn)  # where every segment lives before the erasure
            run(conn, "BEGIN TRANSACTION")
            try:
                result = erase_in(conn, email=email, phone=phone, person_id=person_id, reason=reason,
                                  allow_many=allow_many)
            except BaseException:
                run(conn, "ROLLBACK")
                raise
            run(conn, "COMMIT")  # the erasure is durable here; what follows cleans the file
            result.erased_s = round(time.perf_counter() - t0, 3)
            if not compact:
                try:
                    result.scrubbed = scrub_file(conn, before)
                except Exception as exc:  # the erasure stands (committed); the compaction is left to do
                    result.scrubbed = {"data_clean": False, "error": str(exc).splitlines()[0]}
                run(conn, "DELETE FROM settings WHERE key = ?", [COMPACT_PENDING])
                run(conn, "INSERT INTO settings VALUES (?, ?)", [COMPACT_PENDING, str(result.audit_id)])
        if compact:
            try:
                result.compacted = compact_database(store)
            except (WorkbenchError, OSError, duckdb.Error) as exc:  # the erasure stands: say what is left to do
                result.compacted = {"error": str(exc).splitlines()[0]}
                store.finish_pending_wipe = False  # (the compaction turned it back on) no second try here
                store.set_setting(COMPACT_PENDING, str(result.audit_id))
    finally:
        store.finish_pending_wipe = True
    result.duration_s = round(time.perf_counter() - t0, 3)
    return result


def erase_in(conn: duckdb.DuckDBPyConnection, *, email: str | None = None, phone: str | None = None,
             person_id: int | None = None, reason: str | None = None, allow_many: bool = False) -> ErasureResult:
    """The database part of an erasure, in the caller's transaction.

    An email or phone held by several persons is erased for all of them when they carry one name (duplicate
    records not merged yet); held by persons of different names (a family's landline) it is refused unless
    ``allow_many``.
    Tombstones: every standard email, phone and name + address key of the person's records and golden
    record, and the key the operator gave (even when nobody holds it). A key still held by someone who
    is not erased is tombstoned for its own channel only (email, phone, mail), else for every channel.
    """
    from workbench.ingest.derived import ensure_derived

    ensure_derived(conn)  # standard addresses first: the name + address tombstone needs them
    who = subj.find_subject(conn, email=email, phone=phone, person_id=person_id)
    names = subj.distinct_names(conn, who.person_ids)
    if names > 1 and not allow_many:
        raise RefusedError(f"That {who.by} is held by {len(who.person_ids)} persons with {names} different names "
                           "(a family line or a shared address).",
                           "Erase one person with --person ID, or all of them with --all-holders.")
    subj.describe(conn, who)
    now = clock.now()
    exports = subj.exports_with(conn)
    salt = tombstones.get_salt(conn, create=True)
    new_keys = _tombstone_keys(conn, who, salt)
    result = ErasureResult(by=who.by, persons=len(who.person_ids), records=who.records, tombstones=new_keys,
                           exports=exports)
    needles = subj.needle_pattern(conn)
    for entry in registry.PERSONAL_DATA:
        done = _apply(conn, entry, who.person_ids, now, needles)
        if done is None:
            result.skipped.append(f"{entry.table} ({entry.action})")
        elif done:
            key = entry.table if entry.table not in result.tables else f"{entry.table} ({entry.action})"
            result.tables[key] = done
    hashes = [r["key_hash"] for r in rows(conn, "SELECT key_hash FROM _erase_keys ORDER BY kind, key_hash")]
    result.audit_id = audit.record(conn, "erasure", f"by {who.by}", {
        "by": who.by, "persons": result.persons, "person_ids": who.person_ids[:20], "records": result.records,
        "tombstones_new": new_keys, "tombstone_hashes": hashes[:20], "tables": result.tables,
        "exports_with_person": exports, "reason": scrub(reason, conn)})
    run(conn, """INSERT INTO erasure_tombstones (kind, key_hash, quick, channel, brand, erased_at, audit_id)
        SELECT kind, key_hash, quick, channel, NULL, ?, ? FROM _erase_keys k
        WHERE NOT EXISTS (SELECT 1 FROM erasure_tombstones t WHERE t.kind = k.kind AND t.key_hash = k.key_hash)""",
        [now, result.audit_id])
    run(conn, """UPDATE erasure_tombstones t SET channel = 'all' FROM _erase_keys k
        WHERE t.kind = k.kind AND t.key_hash = k.key_hash AND k.channel = 'all' AND t.channel <> 'all'""")
    run(conn, "DELETE FROM settings WHERE key = ?", [WIPE_PENDING])
    run(conn, "INSERT INTO settings VALUES (?, ?)", [WIPE_PENDING, str(result.audit_id)])
    subj.drop_temp(conn)
    return result


def _tombstone_keys(conn: duckdb.DuckDBPyConnection, who: subj.Subject, salt: str) -> int:
    """TEMP ``_erase_keys(kind, value, key_hash, channel)``; returns how many are not tombstoned yet."""
    mine = "record_id IN (SELECT record_id FROM _erase_records)"
    golden = "person_id IN (SELECT person_id FROM _erase_persons)"
    kind, value = who.request or (None, None)
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _erase_keys AS
        SELECT DISTINCT kind, value, {tombstones.hash_sql('value', 'kind')} AS key_hash,
               {tombstones.hash_sql('value', 'kind', fn='hash')} AS quick, 'all' AS channel FROM (
            SELECT kind, value FROM ({tombstones.keys_sql('records', 'record_id', where=mine)})
            UNION ALL SELECT kind, value FROM ({tombstones.keys_sql('persons', 'person_id', 'email', 'phone', golden)})
            UNION ALL SELECT CAST(? AS VARCHAR), CAST(? AS VARCHAR) WHERE ? IS NOT NULL)""",
        [salt, salt, kind, value, kind])
    # a key someone who stays still holds keeps its own channel only
    for kind, column, channel in (("email", "email_std", "email"), ("phone", "phone_std", "phone")):
        run(conn, f"""UPDATE _erase_keys k SET channel = '{channel}' WHERE k.kind = '{kind}' AND k.value IN (
                SELECT {column} FROM records WHERE {column} IN (SELECT value FROM _erase_keys WHERE kind = '{kind}')
                  AND record_id NOT IN (SELECT record_id FROM _erase_records))""")
    others = ("record_id NOT IN (SELECT record_id FROM _erase_records) AND last_name_key IN "
              "(SELECT last_name_key FROM _erase_names) AND zip5 IN (SELECT zip5 FROM _erase_names)")
    run(conn, f"""UPDATE _erase_keys k SET channel = 'mail' WHERE k.kind = 'name_address' AND k.value IN (
            SELECT value FROM ({tombstones.keys_sql('records', 'record_id', where=others)}) WHERE kind = 'name_address')""")
    return scalar(conn, """SELECT count(*) FROM _erase_keys k WHERE NOT EXISTS (SELECT 1 FROM erasure_tombstones t
        WHERE t.kind = k.kind AND t.key_hash = k.key_hash)""")


def _columns(conn: duckdb.DuckDBPyConnection, table: str) -> dict[str, dict[str, Any]]:
    return {r["column_name"]: r for r in rows(
        conn, "SELECT column_name, data_type, is_nullable FROM duckdb_columns() WHERE table_name = ? "
              "AND schema_name = 'main' AND NOT internal", [table])}


def _apply(conn: duckdb.DuckDBPyConnection, entry: registry.PersonalData, person_ids: list[int], now,
           needles: str) -> int | None:
    """Apply one registry entry; returns the rows it touched, or None when its table or a column is missing."""
    if not scalar(conn, "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main' "
                        "AND NOT temporary", [entry.table]):
        return None
    cols = _columns(conn, entry.table)
    if any(c not in cols for c in (*entry.needs, *entry.set)):
        return None
    table = quote_ident(entry.table)
    where = entry.where.replace("{needles}", quote_literal(needles))
    run(conn, f"CREATE OR REPLACE TEMP TABLE _erase_rows AS SELECT rowid AS rid FROM {table} t WHERE {where}")
    n = scalar(conn, "SELECT count(*) FROM _erase_rows")
    if not n:
        return 0
    target = "rowid IN (SELECT rid FROM _erase_rows)"
    if entry.action == "delete":
        # plain columns only: DuckDB updates a list/struct column by moving the row (new rowid)
        blank = {c: _blank_value(info) for c, info in cols.items() if not COMPLEX.search(info["data_type"])}
        _update(conn, table, {c: v for c, v in blank.items() if v is not None}, cols, target)
        run(conn, f"DELETE FROM {table} WHERE {target}")
    else:
        values = {c: e.replace("{now}", f"TIMESTAMP {quote_literal(now.isoformat(sep=' '))}")
                  .replace("{persons}", "[" + ", ".join(str(int(p)) for p in person_ids) + "]::BIGINT[]")
                  for c, e in entry.set.items()}
        _update(conn, table, values, cols, target)
    return n


def _blank_value(info: dict[str, Any]) -> str | None:
    """What a column is set to before its row is deleted: NULL, '' for a required text, None to leave it."""
    if info["is_nullable"]:
        return "NULL"
    if info["data_type"] in ("VARCHAR", "JSON"):
        return "''"
    return None


def _update(conn, table: str, values: dict[str, str], cols: dict[str, dict[str, Any]], target: str) -> None:
    """UPDATE in two steps: plain columns first (in place), then list/struct/map columns (which DuckDB
    updates by deleting and re-inserting the row: by then its plain values are already blank)."""
    plain = {c: v for c, v in values.items() if not COMPLEX.search(cols[c]["data_type"])}
    nested = {c: v for c, v in values.items() if c not in plain}
    for part in (plain, nested):
        if part:
            sets = ", ".join(f"{quote_ident(c)} = {v}" for c, v in part.items())
            run(conn, f"UPDATE {table} AS t SET {sets} WHERE {target}")


def scrub(reason: str | None, conn: duckdb.DuckDBPyConnection) -> str | None:
    """The operator's reason without the erased person's emails, phones or names (they go to the log)."""
    if not reason:
        return None
    text = str(reason)[:500]
    needles = [r["v"] for r in rows(conn, """SELECT needle AS v FROM _erase_needles UNION SELECT digits FROM _erase_digits
        UNION SELECT first FROM _erase_name_pairs UNION SELECT last FROM _erase_name_pairs
        UNION SELECT email_std FROM _erase_emails""") if r["v"]]
    for needle in sorted(needles, key=len, reverse=True):
        text = re.sub(re.escape(needle), "[erased]", text, flags=re.IGNORECASE)
    digits = {r["v"] for r in rows(conn, "SELECT digits AS v FROM _erase_digits")}
    if digits:  # a phone written another way: (617) 555-0101
        text = re.sub(r"[+(]?\d[\d\s().-]{6,}\d", lambda m: "[erased]" if re.sub(r"\D", "", m.group())[-10:] in digits
                      else m.group(), text)
    return text
