-- Suppressions: opt-outs added by hand, the persons every suppression removes (materialised), and
-- the stamp of the inputs that materialisation was built from. See workbench/suppress/ and docs/suppressions.md.

-- Opt-outs an operator adds by hand (kept with reason and time; removed ones stay, with removed_at).
-- person_id: the person named at the time; record_ids: that person's records then (persons may be
-- renumbered by a later match run, records are not), and they are what the matching uses.
CREATE TABLE manual_suppressions (
    manual_id BIGINT NOT NULL,
    channel VARCHAR NOT NULL,
    brand VARCHAR,
    reason VARCHAR NOT NULL,
    email VARCHAR,
    phone VARCHAR,
    person_id BIGINT,
    record_ids BIGINT[],
    first_name VARCHAR,
    last_name VARCHAR,
    address_line1 VARCHAR,
    postal_code VARCHAR,
    email_std VARCHAR,
    phone_std VARCHAR,
    first_name_key VARCHAR,
    first_name_root VARCHAR,
    last_name_key VARCHAR,
    addr_street VARCHAR,
    addr_unit VARCHAR,
    addr_key VARCHAR,
    zip5 VARCHAR,
    effective_date DATE,
    added_at TIMESTAMP NOT NULL,
    added_by VARCHAR,
    removed_at TIMESTAMP,
    removed_reason VARCHAR
);

-- Who is suppressed, by what, for which channel and brand (NULL brand = every brand). Rebuilt by
-- workbench.suppress.ensure_person_suppressions() when its inputs change; holds only entries in effect
-- today (an entry with a future effective_date is left out until its date).
CREATE TABLE person_suppressions (
    person_id BIGINT NOT NULL,
    suppression VARCHAR NOT NULL,
    channel VARCHAR NOT NULL,
    brand VARCHAR,
    reason VARCHAR,
    match_on VARCHAR NOT NULL,
    record_id BIGINT,
    effective_date DATE
);

-- One row: the stamp of the inputs person_suppressions was last built from.
CREATE TABLE suppression_builds (
    stamp VARCHAR NOT NULL,
    built_at TIMESTAMP NOT NULL,
    as_of_date DATE NOT NULL,
    rows_built BIGINT NOT NULL,
    persons BIGINT NOT NULL,
    duration_s DOUBLE NOT NULL
);
