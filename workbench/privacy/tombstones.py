"""Erasure tombstones: salted hashes of an erased person's standard email, phone and name + address key.

The salt is made once per database (``settings['privacy.salt']``, 32 random bytes in hex) the first time a
tombstone is written. A key is hashed as ``sha256(salt || kind || ':' || value)`` where value is:

- ``email``: the standard email (``wb_email``: lower case, unwrapped);
- ``phone``: the standard phone (``wb_phone``: 10 digits);
- ``name_address``: ``first name root | last name key | address key`` (the nickname root, so Bob and Robert
  give one key; the address key is street|unit|ZIP5 after USPS Pub 28 standardisation).

Python (:func:`key_hash`) and DuckDB (``sha256``) give the same hex string, so matching a whole load
against the tombstones is one join. Anyone holding the database file holds the salt too: the hash stops
a casual reader, not someone who tries every email they know (see docs/trust.md).
"""

from __future__ import annotations

import hashlib
import secrets

import duckdb

from workbench.store.sql import run, scalar

SALT_KEY = "privacy.salt"
KINDS = ("email", "phone", "name_address")
# The channel a tombstone keeps when its key is still held by someone who is not erased (a family's
# landline): only that channel, so the others in the family are not suppressed everywhere.
OWN_CHANNEL = {"email": "email", "phone": "phone", "name_address": "mail"}


HASH_CHECK_KEY = "privacy.hash_check"
HASH_CHECK_TEXT = "workbench tombstone hash check"


def get_salt(conn: duckdb.DuckDBPyConnection, create: bool = False) -> str | None:
    """The database's salt; made (and stored, in the caller's transaction) when ``create`` and missing."""
    salt = scalar(conn, "SELECT value FROM settings WHERE key = ?", [SALT_KEY])
    if salt is None and create:
        salt = secrets.token_hex(32)
        run(conn, "INSERT INTO settings VALUES (?, ?)", [SALT_KEY, salt])
        run(conn, "DELETE FROM settings WHERE key = ?", [HASH_CHECK_KEY])
        run(conn, "INSERT INTO settings SELECT ?, hash(?)::VARCHAR", [HASH_CHECK_KEY, HASH_CHECK_TEXT])
    return salt


def quick_hash_usable(conn: duckdb.DuckDBPyConnection) -> bool:
    """Whether DuckDB's hash() still gives what it gave when the tombstones' ``quick`` column was written
    (it is not promised to stay the same across DuckDB versions)."""
    stored = scalar(conn, "SELECT value FROM settings WHERE key = ?", [HASH_CHECK_KEY])
    return stored is not None and stored == scalar(conn, "SELECT hash(?)::VARCHAR", [HASH_CHECK_TEXT]) and not \
        scalar(conn, "SELECT count(*) FROM erasure_tombstones WHERE quick IS NULL")


def key_hash(salt: str, kind: str, value: str) -> str:
    """The tombstone hash of one standard key (``value`` as the keys SQL builds it, without the kind)."""
    return hashlib.sha256(f"{salt}{kind}:{value}".encode()).hexdigest()


def keys_sql(table: str, id_col: str, email: str = "email_std", phone: str = "phone_std",
             where: str = "true") -> str:
    """SELECT (id, kind, value) of every tombstone key of the rows of ``table`` (records or persons).
    ``value`` is what is hashed after ``kind || ':'``."""
    name_value = ("coalesce(first_name_root, first_name_key, '') || '|' || last_name_key || '|' || addr_key")
    return f"""
        SELECT {id_col} AS id, 'email' AS kind, {email} AS value FROM {table} WHERE {email} IS NOT NULL AND ({where})
        UNION ALL
        SELECT {id_col}, 'phone', {phone} FROM {table} WHERE {phone} IS NOT NULL AND ({where})
        UNION ALL
        SELECT {id_col}, 'name_address', {name_value} FROM {table}
        WHERE last_name_key IS NOT NULL AND addr_street IS NOT NULL AND zip5 IS NOT NULL AND addr_key IS NOT NULL
          AND ({where})"""


def hash_sql(value_expr: str = "k.value", kind_expr: str = "k.kind", fn: str = "sha256") -> str:
    """DuckDB expression of the tombstone hash (``fn`` = hash for the quick one); the salt is the first
    bound parameter of the query."""
    return f"{fn}(CAST(? AS VARCHAR) || {kind_expr} || ':' || {value_expr})"


def has_tombstones(conn: duckdb.DuckDBPyConnection) -> bool:
    from workbench.store.sql import has_relation

    return has_relation(conn, "erasure_tombstones") and bool(scalar(conn, "SELECT count(*) FROM erasure_tombstones"))


def build_tombstone_hits(conn: duckdb.DuckDBPyConnection, salt: str) -> None:
    """TEMP ``_tomb_hits(person_id, record_id, kind, channel, erased_at)``: every person one of whose records
    (or whose golden record) carries a tombstoned key.

    When DuckDB's hash() is the one the tombstones were written with, keys are first matched on it (one
    cheap pass over the records) into a TEMP table, and only those candidates are compared on sha256 (two
    statements, so the optimiser cannot fold the sha256 back into the join); else every key is sha256-ed."""
    parts = (("records", "record_id", "email_std", "phone_std"), ("persons", "person_id", "email", "phone"))
    quick = quick_hash_usable(conn)
    on = f"t.quick = {hash_sql(fn='hash')}" if quick else f"t.key_hash = {hash_sql()}"
    run(conn, "CREATE OR REPLACE TEMP TABLE _tomb_cand AS " + " UNION ALL ".join(
        f"""SELECT '{table}' AS side, k.id, k.kind, k.value, t.key_hash AS want, t.channel, t.erased_at
            FROM ({keys_sql(table, id_col, email, phone)}) k JOIN erasure_tombstones t ON t.kind = k.kind AND {on}"""
        for table, id_col, email, phone in parts), [salt, salt])
    verify = f"c.want = {hash_sql('c.value', 'c.kind')}" if quick else "true"
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _tomb_hits AS
        SELECT pr.person_id, c.id AS record_id, c.kind, c.channel, c.erased_at FROM _tomb_cand c
        JOIN person_records pr ON pr.record_id = c.id WHERE c.side = 'records' AND {verify}
        UNION ALL
        SELECT c.id, p.golden_from.address, c.kind, c.channel, c.erased_at FROM _tomb_cand c
        JOIN persons p ON p.person_id = c.id WHERE c.side = 'persons' AND {verify}""",
        [salt, salt] if quick else None)
    run(conn, "DROP TABLE IF EXISTS _tomb_cand")


def contact_tombstones(conn: duckdb.DuckDBPyConnection, email_std: str | None,
                       phone_std: str | None) -> list[dict]:
    """The tombstones an email or phone (standard forms) hits: [{kind, channel, erased_at}]."""
    from workbench.store.sql import rows

    if not has_tombstones(conn):
        return []
    salt = get_salt(conn)
    if salt is None:
        return []
    wanted = [key_hash(salt, k, v) for k, v in (("email", email_std), ("phone", phone_std)) if v]
    if not wanted:
        return []
    return rows(conn, "SELECT kind, channel, min(erased_at) AS erased_at FROM erasure_tombstones "
                      "WHERE list_contains(?, key_hash) GROUP BY kind, channel ORDER BY kind", [wanted])


# -- stopping erased persons at load ----------------------------------------------------------------------
# What a row of each kind carries of the tombstone keys (over a load's _derived table). People rows have
# no standard address yet (that is done after the load): it is computed here for the rows' distinct
# addresses, only when name + address tombstones exist.
_LOAD_KEYS = {
    "people": {"email_std": "email_std", "phone_std": "phone_std", "first_name_root": "first_name_root",
               "first_name_key": "first_name_key", "last_name_key": "last_name_key", "zip5": "zip5"},
    "contacts": {"email_std": "email_std"},
    "moves": {"first_name_root": "first_name_root", "first_name_key": "first_name_key",
              "last_name_key": "last_name_key", "addr_street": "old_addr_street", "addr_key": "old_addr_key",
              "zip5": "old_zip5"},
    "prospects": {"email_std": "email_std", "phone_std": "phone_std", "first_name_root": "first_name_root",
                  "first_name_key": "first_name_key", "last_name_key": "last_name_key",
                  "addr_street": "addr_street", "addr_key": "addr_key", "zip5": "zip5"},
}
ERASED_REASON = "erased person"


def erased_rows(conn: duckdb.DuckDBPyConnection, kind: str, table: str = "_derived") -> int:
    """TEMP ``_erased(_row, kind)``: the rows of a load's ``table`` that carry a key tombstoned for every
    channel (a key only the erased person held: their email, phone or name + address). Such rows are the
    erased person coming back and are not stored. A key tombstoned for one channel only (a family landline
    still held by someone who stays) does not stop the row; the suppression build suppresses it on that
    channel. Returns how many rows."""
    run(conn, "CREATE OR REPLACE TEMP TABLE _erased (_row BIGINT, kind VARCHAR)")
    cols = _LOAD_KEYS.get(kind)
    if not cols or not has_tombstones(conn):
        return 0
    salt = get_salt(conn)
    if salt is None:
        return 0
    names = ("email_std", "phone_std", "first_name_root", "first_name_key", "last_name_key", "addr_street",
             "zip5", "addr_key")
    select = ", ".join(f"{cols[n] if n in cols else 'CAST(NULL AS VARCHAR)'} AS {n}" for n in names)
    run(conn, f"CREATE OR REPLACE TEMP TABLE _tomb_src AS SELECT _row, {select} FROM {table}")
    if kind == "people" and scalar(conn, "SELECT count(*) FROM erasure_tombstones WHERE kind = 'name_address' "
                                         "AND channel = 'all'"):
        run(conn, f"""CREATE OR REPLACE TEMP TABLE _tomb_addr AS
            SELECT l1, l2, pc, wb_addr_street(l1, l2) AS street, wb_addr_key(l1, l2, pc) AS akey FROM (
                SELECT DISTINCT coalesce(address_line1, '') AS l1, coalesce(address_line2, '') AS l2,
                       coalesce(postal_code, '') AS pc FROM {table} WHERE last_name_key IS NOT NULL)""")
        run(conn, f"""UPDATE _tomb_src t SET addr_street = a.street, addr_key = a.akey FROM {table} d, _tomb_addr a
            WHERE d._row = t._row AND a.l1 = coalesce(d.address_line1, '') AND a.l2 = coalesce(d.address_line2, '')
              AND a.pc = coalesce(d.postal_code, '')""")
        run(conn, "DROP TABLE _tomb_addr")
    quick = quick_hash_usable(conn)
    on = f"t.quick = {hash_sql(fn='hash')}" if quick else f"t.key_hash = {hash_sql()}"
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _tomb_cand AS SELECT k.id AS _row, k.kind, k.value, t.key_hash AS want
        FROM ({keys_sql('_tomb_src', '_row')}) k JOIN erasure_tombstones t ON t.kind = k.kind AND {on}
        WHERE t.channel = 'all'""", [salt])
    verify = f"want = {hash_sql('value', 'kind')}" if quick else "true"
    run(conn, f"INSERT INTO _erased SELECT _row, string_agg(DISTINCT kind, ', ' ORDER BY kind) FROM _tomb_cand "
              f"WHERE {verify} GROUP BY _row", [salt] if quick else None)
    run(conn, "DROP TABLE IF EXISTS _tomb_cand")
    run(conn, "DROP TABLE IF EXISTS _tomb_src")
    return scalar(conn, "SELECT count(*) FROM _erased")


def scrub_erased_rejects(conn: duckdb.DuckDBPyConnection, load_id: int) -> int:
    """Rejects of load ``load_id`` (lines the parser could not read) whose raw text holds an email or a phone
    number tombstoned for every channel: their raw text is dropped and their reason says so. Returns how many."""
    if not has_tombstones(conn):
        return 0
    salt = get_salt(conn)
    if salt is None:
        return 0
    run(conn, r"""CREATE OR REPLACE TEMP TABLE _tomb_raw AS
        SELECT rowid AS rid, 'email' AS kind, wb_email(unnest(regexp_extract_all(raw, '[^\s,;|"<>()]+@[^\s,;|"<>()]+')))
               AS value FROM rejects WHERE load_id = ? AND raw IS NOT NULL
        UNION ALL
        SELECT rowid, 'phone', wb_phone(unnest(regexp_extract_all(raw, '[+(]?\d[\d\s().-]{8,}\d')))
        FROM rejects WHERE load_id = ? AND raw IS NOT NULL""", [load_id, load_id])
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _tomb_raw_hit AS SELECT r.rid, string_agg(DISTINCT r.kind, ', ') AS kind
        FROM _tomb_raw r JOIN erasure_tombstones t ON t.kind = r.kind AND t.key_hash = {hash_sql('r.value', 'r.kind')}
        WHERE r.value IS NOT NULL AND t.channel = 'all' GROUP BY r.rid""", [salt])
    n = scalar(conn, "SELECT count(*) FROM _tomb_raw_hit")
    if n:
        run(conn, """UPDATE rejects SET raw = NULL, reason = ? || ' (an unreadable line holding a tombstoned ' || h.kind
            || ')' FROM _tomb_raw_hit h WHERE rejects.rowid = h.rid""", [ERASED_REASON])
    run(conn, "DROP TABLE IF EXISTS _tomb_raw")
    run(conn, "DROP TABLE IF EXISTS _tomb_raw_hit")
    return n
