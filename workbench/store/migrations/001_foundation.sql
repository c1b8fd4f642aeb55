-- Foundation: settings, sources, loads, rejects, and one table per kind of extract.
CREATE TABLE schema_version (
    version INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL,
    workbench_version VARCHAR
);

CREATE TABLE settings (key VARCHAR NOT NULL, value VARCHAR);

CREATE TABLE sources (
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    cadence VARCHAR NOT NULL,
    cadence_s BIGINT NOT NULL,
    warn_after_s BIGINT NOT NULL,
    error_after_s BIGINT NOT NULL,
    format VARCHAR,
    priority INTEGER NOT NULL,
    mode VARCHAR NOT NULL,
    as_of VARCHAR,
    encoding VARCHAR,
    delimiter VARCHAR,
    header BOOLEAN NOT NULL DEFAULT true,
    column_names VARCHAR[],
    columns MAP(VARCHAR, VARCHAR),
    channel VARCHAR,
    match_on VARCHAR,
    brand VARCHAR,
    reason VARCHAR,
    people_source VARCHAR,
    keep_when MAP(VARCHAR, VARCHAR[]),
    definition JSON,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE SEQUENCE load_id_seq START 1;
CREATE TABLE loads (
    load_id BIGINT NOT NULL,
    source VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    file_hash VARCHAR NOT NULL,
    file_bytes BIGINT,
    encoding VARCHAR,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    rows_read BIGINT,
    rows_loaded BIGINT,
    rows_rejected BIGINT,
    duplicate_keys BIGINT,
    rows_inserted BIGINT,
    rows_updated BIGINT,
    rows_removed BIGINT,
    as_of_min TIMESTAMP,
    as_of_max TIMESTAMP,
    duration_s DOUBLE,
    status VARCHAR NOT NULL
);

CREATE TABLE rejects (
    load_id BIGINT NOT NULL,
    source VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    line BIGINT,
    reason VARCHAR NOT NULL,
    raw VARCHAR
);

CREATE SEQUENCE record_id_seq START 1;
-- People records: raw values as given, then derived standard forms (suffix _std / _key).
CREATE TABLE records (
    record_id BIGINT NOT NULL,
    source VARCHAR NOT NULL,
    source_key VARCHAR NOT NULL,
    load_id BIGINT NOT NULL,
    row_hash UBIGINT,
    first_name VARCHAR,
    last_name VARCHAR,
    address_line1 VARCHAR,
    address_line2 VARCHAR,
    city VARCHAR,
    state VARCHAR,
    postal_code VARCHAR,
    country VARCHAR,
    email VARCHAR,
    phone VARCHAR,
    birth_date VARCHAR,
    first_name_display VARCHAR,
    last_name_display VARCHAR,
    first_name_key VARCHAR,
    first_name_root VARCHAR,
    last_name_key VARCHAR,
    email_std VARCHAR,
    phone_std VARCHAR,
    birth_dt DATE,
    addr_street VARCHAR,
    addr_unit VARCHAR,
    addr_key VARCHAR,
    addr_done BOOLEAN NOT NULL DEFAULT false,
    city_std VARCHAR,
    state_std VARCHAR,
    zip5 VARCHAR,
    zip4 VARCHAR,
    country_std VARCHAR,
    as_of TIMESTAMP,
    first_seen TIMESTAMP,
    updated_at TIMESTAMP,
    attrs JSON
);

CREATE TABLE transactions (
    source VARCHAR NOT NULL,
    order_id VARCHAR NOT NULL,
    source_key VARCHAR,
    record_id BIGINT,
    load_id BIGINT NOT NULL,
    order_date TIMESTAMP NOT NULL,
    amount DECIMAL(18, 2) NOT NULL,
    brand VARCHAR,
    channel VARCHAR,
    category VARCHAR,
    returned BOOLEAN NOT NULL DEFAULT false,
    attrs JSON
);

CREATE TABLE events (
    source VARCHAR NOT NULL,
    source_key VARCHAR NOT NULL,
    record_id BIGINT,
    load_id BIGINT NOT NULL,
    event_type VARCHAR NOT NULL,
    event_time TIMESTAMP NOT NULL,
    attrs JSON
);

CREATE TABLE suppression_entries (
    source VARCHAR NOT NULL,
    load_id BIGINT NOT NULL,
    channel VARCHAR NOT NULL,
    brand VARCHAR,
    match_on VARCHAR NOT NULL,
    reason VARCHAR,
    effective_date DATE,
    email_std VARCHAR,
    phone_std VARCHAR,
    first_name_key VARCHAR,
    first_name_root VARCHAR,
    last_name_key VARCHAR,
    addr_street VARCHAR,
    addr_unit VARCHAR,
    addr_key VARCHAR,
    zip5 VARCHAR,
    raw JSON
);

-- Contact history: loaded from other divisions (origin = 'load') and written by exports (origin = 'export').
CREATE TABLE contact_history (
    source VARCHAR,
    load_id BIGINT,
    export_id BIGINT,
    origin VARCHAR NOT NULL,
    source_key VARCHAR,
    record_id BIGINT,
    email_std VARCHAR,
    person_id BIGINT,
    household_id BIGINT,
    campaign VARCHAR NOT NULL,
    brand VARCHAR,
    channel VARCHAR,
    cell VARCHAR,
    keycode VARCHAR,
    is_control BOOLEAN NOT NULL DEFAULT false,
    contact_date DATE NOT NULL
);

CREATE TABLE moves (
    source VARCHAR NOT NULL,
    load_id BIGINT NOT NULL,
    first_name_key VARCHAR,
    first_name_root VARCHAR,
    last_name_key VARCHAR,
    old_addr_street VARCHAR,
    old_addr_unit VARCHAR,
    old_addr_key VARCHAR,
    old_zip5 VARCHAR,
    new_address_line1 VARCHAR,
    new_address_line2 VARCHAR,
    new_city VARCHAR,
    new_state VARCHAR,
    new_postal_code VARCHAR,
    new_addr_key VARCHAR,
    return_code VARCHAR,
    move_type VARCHAR,
    move_effective_date DATE,
    raw JSON
);
