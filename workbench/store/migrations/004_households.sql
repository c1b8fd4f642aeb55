-- Households (address -> household -> individual), operators' household decisions, review items,
-- and change of address (NCOA moves applied to persons, address history, mail deliverability).
-- See workbench/households/ and docs/households.md.

CREATE SEQUENCE household_id_seq START 1;

-- One row per household of the last households run (every person with or without an address is in one).
CREATE TABLE households (
    household_id BIGINT NOT NULL,
    addr_key VARCHAR,
    address_line1 VARCHAR,
    address_line2 VARCHAR,
    city VARCHAR,
    state VARCHAR,
    zip5 VARCHAR,
    surname VARCHAR,
    head_person_id BIGINT,
    size INTEGER NOT NULL,
    surname_groups INTEGER NOT NULL,
    address_people INTEGER NOT NULL,
    address_households INTEGER NOT NULL,
    spend_12m DECIMAL(18, 2) NOT NULL,
    orders_12m INTEGER NOT NULL,
    brands VARCHAR[],
    needs_review BOOLEAN NOT NULL,
    review_reasons VARCHAR[],
    signature VARCHAR NOT NULL,
    formed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Members of each household; joined_by says why the person is there (surname, partner, decision, alone).
CREATE TABLE household_members (
    household_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    is_head BOOLEAN NOT NULL,
    head_rank INTEGER NOT NULL,
    joined_by VARCHAR NOT NULL,
    spend_12m DECIMAL(18, 2) NOT NULL,
    orders_12m INTEGER NOT NULL,
    first_seen TIMESTAMP
);

-- The household of every people record (all of a person's records carry the person's household).
CREATE TABLE household_records (
    record_id BIGINT NOT NULL,
    household_id BIGINT NOT NULL
);

-- Operators' decisions, honoured by every later run. Persons are also kept by an anchor record (their
-- lowest record_id at the time) because a match run may renumber persons.
CREATE SEQUENCE household_decision_id_seq START 1;
CREATE TABLE household_decisions (
    decision_id BIGINT NOT NULL,
    action VARCHAR NOT NULL,
    household_id BIGINT,
    other_household_id BIGINT,
    person_ids BIGINT[],
    addr_key VARCHAR,
    note VARCHAR,
    decided_at TIMESTAMP NOT NULL,
    decided_by VARCHAR
);

-- What the decisions mean for the grouping: 'together' (record_a's person and record_b's person share a
-- household) or 'pin' (record_a's person is placed by decisions only, not by the surname rule).
-- A link holds only while its persons live at addr_key.
CREATE TABLE household_links (
    decision_id BIGINT NOT NULL,
    link VARCHAR NOT NULL,
    record_a BIGINT NOT NULL,
    record_b BIGINT,
    addr_key VARCHAR NOT NULL
);

-- Memberships an operator has looked at (an accept, or the households a move, split or merge left):
-- a review item of a household whose signature (its members' anchor records) is here is 'accepted'.
CREATE TABLE household_accepts (
    signature VARCHAR NOT NULL,
    decision_id BIGINT NOT NULL
);

-- Candidates that need an operator's eye; rebuilt by every run.
CREATE TABLE household_review_items (
    household_id BIGINT NOT NULL,
    reason VARCHAR NOT NULL,
    detail VARCHAR NOT NULL,
    person_id BIGINT,
    addr_key VARCHAR,
    status VARCHAR NOT NULL,
    raised_at TIMESTAMP NOT NULL
);

CREATE SEQUENCE household_run_id_seq START 1;
CREATE TABLE household_runs (
    run_id BIGINT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    persons BIGINT NOT NULL,
    addresses BIGINT NOT NULL,
    households BIGINT NOT NULL,
    households_kept BIGINT NOT NULL,
    households_new BIGINT NOT NULL,
    review_open BIGINT NOT NULL,
    moves_applied BIGINT NOT NULL,
    duration_s DOUBLE NOT NULL,
    timings JSON
);

-- Change of address: each move (a row of a moves source, keyed by its content) applied once.
-- kind: 'new_address' (A, 91, 92) or 'undeliverable' (01 foreign, 02 left no address, 03 PO box closed).
CREATE TABLE applied_moves (
    move_key VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    return_code VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    move_type VARCHAR,
    first_name_key VARCHAR,
    last_name_key VARCHAR,
    old_addr_key VARCHAR NOT NULL,
    address_line1 VARCHAR,
    address_line2 VARCHAR,
    city VARCHAR,
    state VARCHAR,
    zip5 VARCHAR,
    zip4 VARCHAR,
    addr_street VARCHAR,
    addr_unit VARCHAR,
    addr_key VARCHAR,
    move_effective_date DATE,
    persons INTEGER NOT NULL,
    applied_at TIMESTAMP NOT NULL
);

-- The people records each applied move reached (records, not persons: a match run may regroup persons).
CREATE TABLE move_applications (
    move_key VARCHAR NOT NULL,
    record_id BIGINT NOT NULL,
    applied_at TIMESTAMP NOT NULL
);

-- Golden addresses a move replaced.
CREATE TABLE address_history (
    person_id BIGINT NOT NULL,
    move_key VARCHAR NOT NULL,
    return_code VARCHAR NOT NULL,
    move_type VARCHAR,
    move_effective_date DATE,
    old_address_line1 VARCHAR,
    old_address_line2 VARCHAR,
    old_city VARCHAR,
    old_state VARCHAR,
    old_zip5 VARCHAR,
    old_addr_key VARCHAR,
    new_address_line1 VARCHAR,
    new_address_line2 VARCHAR,
    new_city VARCHAR,
    new_state VARCHAR,
    new_zip5 VARCHAR,
    new_addr_key VARCHAR,
    recorded_at TIMESTAMP NOT NULL
);

-- Mail deliverability of every person: false when the latest move applied to the person says
-- undeliverable and the person's golden address is still one that move (or an earlier one) left,
-- or when the person has no usable address. Selections use it for the mail universe.
CREATE VIEW person_deliverability AS
WITH reached AS (
    SELECT pr.person_id, am.move_key, am.kind, am.return_code, am.old_addr_key,
           coalesce(am.move_effective_date, DATE '1900-01-01') AS effective, am.applied_at
    FROM move_applications ma
    JOIN applied_moves am USING (move_key)
    JOIN person_records pr USING (record_id)
), latest AS (
    SELECT person_id, list(DISTINCT old_addr_key) AS left_addresses,
           arg_max(struct_pack(kind := kind, return_code := return_code, effective := effective),
                   struct_pack(e := effective, a := applied_at, k := move_key)) AS last_move
    FROM reached GROUP BY person_id
)
SELECT p.person_id,
       CASE WHEN l.last_move.kind = 'undeliverable' AND list_contains(l.left_addresses, p.addr_key) THEN false
            WHEN p.addr_street IS NULL OR p.zip5 IS NULL THEN false
            ELSE true END AS mail_deliverable,
       CASE WHEN l.last_move.kind = 'undeliverable' AND list_contains(l.left_addresses, p.addr_key) THEN
                CASE l.last_move.return_code WHEN '01' THEN 'foreign move (NCOA 01)'
                     WHEN '02' THEN 'moved, left no address (NCOA 02)'
                     WHEN '03' THEN 'PO box closed (NCOA 03)'
                     ELSE 'undeliverable (NCOA ' || l.last_move.return_code || ')' END
            WHEN p.addr_street IS NULL OR p.zip5 IS NULL THEN 'no address'
       END AS reason,
       CASE WHEN l.last_move.kind = 'undeliverable' AND list_contains(l.left_addresses, p.addr_key)
            THEN nullif(l.last_move.effective, DATE '1900-01-01') END AS since
FROM persons p
LEFT JOIN latest l USING (person_id);
