-- Selections and exports: the selections (current version and every earlier one), logged overrides of
-- the default suppressions, exports, and the person attributes a selection reads (materialised from
-- persons, households and transactions; rebuilt when their inputs change). See workbench/select/,
-- workbench/export/ and docs/selections.md. Contact history written by exports goes to contact_history
-- (origin 'export', export_id set).

-- The current version of each selection (one row per name).
CREATE TABLE selections (
    name VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    channel VARCHAR NOT NULL,
    brand VARCHAR,
    priority INTEGER,
    description VARCHAR,
    definition JSON NOT NULL,
    toml VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by VARCHAR
);

-- Every version ever saved (the current one too). origin: 'import FILE' or 'tui'.
CREATE TABLE selection_versions (
    name VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    definition JSON NOT NULL,
    toml VARCHAR NOT NULL,
    saved_at TIMESTAMP NOT NULL,
    saved_by VARCHAR,
    origin VARCHAR NOT NULL
);

-- A selection that leaves out suppressions the default would apply: which ones, why, who, when.
CREATE TABLE selection_overrides (
    name VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    suppressions VARCHAR[] NOT NULL,
    reason VARCHAR NOT NULL,
    logged_at TIMESTAMP NOT NULL,
    logged_by VARCHAR,
    origin VARCHAR NOT NULL
);

-- One row per export written (dry runs write nothing). stale_sources: sources in error the operator
-- exported over (--allow-stale); overrides: suppressions the selection left out by override.
CREATE TABLE exports (
    export_id BIGINT NOT NULL,
    selection VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    campaign VARCHAR NOT NULL,
    channel VARCHAR NOT NULL,
    brand VARCHAR,
    file VARCHAR NOT NULL,
    format VARCHAR NOT NULL,
    manifest VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    rows_written BIGINT NOT NULL,
    persons_contacted BIGINT NOT NULL,
    persons_held_out BIGINT NOT NULL,
    seeds INTEGER NOT NULL,
    cells JSON NOT NULL,
    waterfall JSON NOT NULL,
    stale_sources VARCHAR[],
    overrides VARCHAR[],
    exported_at TIMESTAMP NOT NULL,
    exported_by VARCHAR,
    duration_s DOUBLE NOT NULL
);

-- The attributes of every person a where expression reads (one row per person), and every order of a
-- known person (in the order of the transactions, which loads append in time order, so a window
-- reads the recent part of it).
-- Derived data: rebuilt by workbench.select.attributes.ensure_attributes() when its inputs change.
CREATE TABLE person_attributes (
    person_id BIGINT NOT NULL,
    anchor_record_id BIGINT,
    first_name VARCHAR,
    last_name VARCHAR,
    address_line1 VARCHAR,
    address_line2 VARCHAR,
    city VARCHAR,
    state VARCHAR,
    zip5 VARCHAR,
    zip4 VARCHAR,
    addr_key VARCHAR,
    has_address BOOLEAN NOT NULL,
    mail_deliverable BOOLEAN NOT NULL,
    email VARCHAR,
    phone VARCHAR,
    birth_date DATE,
    first_seen DATE,
    record_count INTEGER,
    sources VARCHAR[],
    household_id BIGINT,
    household_key BIGINT NOT NULL,
    household_size INTEGER NOT NULL,
    is_head BOOLEAN NOT NULL,
    head_rank INTEGER NOT NULL,
    orders_total INTEGER NOT NULL,
    spend_total DECIMAL(18, 2) NOT NULL,
    returns_total INTEGER NOT NULL,
    first_order DATE,
    last_order DATE,
    -- every brand, the last N days up to the day of the build (N in WINDOWS of attributes.py)
    orders_90 INTEGER NOT NULL,
    spend_90 DECIMAL(18, 2) NOT NULL,
    orders_180 INTEGER NOT NULL,
    spend_180 DECIMAL(18, 2) NOT NULL,
    orders_365 INTEGER NOT NULL,
    spend_365 DECIMAL(18, 2) NOT NULL,
    orders_730 INTEGER NOT NULL,
    spend_730 DECIMAL(18, 2) NOT NULL
);

CREATE TABLE order_facts (
    brand VARCHAR,
    order_day DATE NOT NULL,
    person_id BIGINT NOT NULL,
    amount DECIMAL(18, 2) NOT NULL,
    returned BOOLEAN NOT NULL
);

-- One row: the stamp of the inputs person_attributes and order_facts were last built from (the day
-- of the build among them: the windows of person_attributes end on it), the brands with orders, and
-- the text columns of person_attributes where some value starts like a spreadsheet formula (an export
-- neutralises those columns; the others are written as they are).
CREATE TABLE attribute_builds (
    stamp VARCHAR NOT NULL,
    built_at TIMESTAMP NOT NULL,
    persons BIGINT NOT NULL,
    orders BIGINT NOT NULL,
    brands VARCHAR[],
    quote_columns VARCHAR[],
    duration_s DOUBLE NOT NULL
);
