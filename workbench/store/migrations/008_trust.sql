-- Trust: the audit log (append-only, hash-chained) and the erasure tombstones.
-- See workbench/audit/, workbench/privacy/ and docs/trust.md.

-- One row per operation that changed what the database knows or who gets contacted. Rows are only ever
-- appended (workbench.audit.record, inside the operation's own transaction). hash = sha256 of prev_hash
-- and the row's fields (see workbench/audit/chain.py), prev_hash = the previous row's hash (64 zeros for
-- the first row), so an edited, removed or inserted row breaks the chain: `workbench audit --verify`.
-- details never hold personal data: file names, counts, ids and salted hashes only.
-- (logged_at, not "at": AT is a reserved word in DuckDB 2.)
CREATE TABLE audit_log (
    id BIGINT NOT NULL,
    logged_at TIMESTAMP NOT NULL,
    action VARCHAR NOT NULL,
    actor VARCHAR,
    target VARCHAR,
    details JSON,
    prev_hash VARCHAR NOT NULL,
    hash VARCHAR NOT NULL
);

-- What stays of an erased person: salted sha256 hashes of the standard email, phone and name + address
-- key (salt: settings 'privacy.salt', made once per database). A record that a later load brings back
-- with one of these keys is suppressed on every channel (suppression 'erasure').
-- kind: email | phone | name_address. audit_id: the erasure's row in audit_log. quick: DuckDB's fast
-- hash() of the same salted key, used only to find candidates before key_hash is compared (when
-- hash() still gives the value stored in settings 'privacy.hash_check'; else every key is sha256-ed).
CREATE TABLE erasure_tombstones (
    kind VARCHAR NOT NULL,
    key_hash VARCHAR NOT NULL,
    quick UBIGINT,
    channel VARCHAR NOT NULL,
    brand VARCHAR,
    erased_at TIMESTAMP NOT NULL,
    audit_id BIGINT
);
