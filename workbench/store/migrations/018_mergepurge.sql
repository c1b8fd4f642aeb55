-- Prospect lists and merge/purge (issue 15): rented or bought lists, kept apart from the house file;
-- each merge/purge run, the lists it used (a one-time list is refused a second use) and what became of
-- every name; the persons whose origin is a list (they responded); the database-wide seed list.
-- See docs/mergepurge.md.

-- The rows of every prospects source's current delivery (a full load replaces them). Raw values, then
-- the standard forms the house file's matching uses (standardised at load, like suppression entries).
-- Never linked to persons: a prospect is not a customer.
CREATE TABLE prospects (
    source VARCHAR NOT NULL,
    load_id BIGINT NOT NULL,
    source_key VARCHAR NOT NULL,
    first_name VARCHAR,
    last_name VARCHAR,
    address_line1 VARCHAR,
    address_line2 VARCHAR,
    city VARCHAR,
    state VARCHAR,
    postal_code VARCHAR,
    email VARCHAR,
    phone VARCHAR,
    is_seed BOOLEAN NOT NULL DEFAULT false,
    first_name_key VARCHAR,
    first_name_root VARCHAR,
    last_name_key VARCHAR,
    email_std VARCHAR,
    phone_std VARCHAR,
    addr_street VARCHAR,
    addr_unit VARCHAR,
    addr_key VARCHAR,
    zip5 VARCHAR,
    city_std VARCHAR,
    state_std VARCHAR,
    attrs JSON
);

-- One row per merge/purge run that wrote its file (a dry run writes nothing). report: the net-name
-- report (JSON, as printed); no_seeds: the file left without the database's seeds (--no-seeds).
CREATE TABLE mergepurge_runs (
    run_id BIGINT NOT NULL,
    name VARCHAR NOT NULL,
    channel VARCHAR NOT NULL,
    brand VARCHAR,
    house VARCHAR NOT NULL,
    one_per VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    report_file VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    rows_written BIGINT NOT NULL,
    seeds INTEGER NOT NULL,
    owner_seeds INTEGER NOT NULL,
    no_seeds BOOLEAN NOT NULL,
    definition VARCHAR NOT NULL,
    report JSON NOT NULL,
    run_at TIMESTAMP NOT NULL,
    run_by VARCHAR,
    duration_s DOUBLE NOT NULL
);

-- The lists of each run, in priority order (rank 1 wins a duplicate): the delivery used (load and
-- content hash: a one-time list's delivery is refused a second use) and the rental terms then.
CREATE TABLE mergepurge_lists (
    run_id BIGINT NOT NULL,
    source VARCHAR NOT NULL,
    rank INTEGER NOT NULL,
    load_id BIGINT NOT NULL,
    file_hash VARCHAR NOT NULL,
    supplier VARCHAR,
    one_time BOOLEAN NOT NULL,
    expires DATE,
    cpm DECIMAL(12, 2),
    gross BIGINT NOT NULL,
    net BIGINT NOT NULL,
    cost DECIMAL(14, 2)
);

-- What became of every name of every list in a run. outcome: net | reject | house | suppressed |
-- duplicate; step: the suppression's name (suppressed), the list that kept the name (duplicate), 'person'
-- or 'household' (house, duplicate); keycode: printed on the piece (net names).
CREATE TABLE mergepurge_names (
    run_id BIGINT NOT NULL,
    source VARCHAR NOT NULL,
    source_key VARCHAR NOT NULL,
    outcome VARCHAR NOT NULL,
    step VARCHAR,
    kept_by VARCHAR,
    person_id BIGINT,
    is_seed BOOLEAN NOT NULL,
    keycode VARCHAR,
    email_std VARCHAR,
    phone_std VARCHAR,
    first_name_root VARCHAR,
    last_name_key VARCHAR,
    addr_key VARCHAR
);

-- Customers who came from a list: a person whose record first appeared after a run mailed them from a
-- prospect list (same email, or same name and address). One row per person (the first run).
CREATE TABLE customer_origins (
    person_id BIGINT NOT NULL,
    source VARCHAR NOT NULL,
    run_id BIGINT NOT NULL,
    source_key VARCHAR NOT NULL,
    matched_by VARCHAR NOT NULL,
    first_seen TIMESTAMP,
    marked_at TIMESTAMP NOT NULL
);

-- The database-wide seed (decoy) list: staff addresses added to every export and merge/purge file of
-- their channel and brand (NULL brand: every brand) unless a selection names its own.
CREATE TABLE seed_names (
    seed_id BIGINT NOT NULL,
    name VARCHAR NOT NULL,
    channel VARCHAR NOT NULL,
    brand VARCHAR,
    first_name VARCHAR,
    last_name VARCHAR,
    address_line1 VARCHAR,
    address_line2 VARCHAR,
    city VARCHAR,
    state VARCHAR,
    zip5 VARCHAR,
    zip4 VARCHAR,
    email VARCHAR,
    phone VARCHAR,
    added_at TIMESTAMP NOT NULL
);
