-- Persons: every people record belongs to exactly one person (its own until matching merges it).
CREATE SEQUENCE person_id_seq START 1;
CREATE TABLE person_records (
    record_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    assigned_at TIMESTAMP NOT NULL
);

-- The golden record of each person, chosen field by field (see workbench/identity/golden.py);
-- golden_from holds, per field, the record_id it came from.
-- Ids are handed out as max(id) + row_number() (one writer at a time), which is much faster than nextval().
CREATE TABLE persons (
    person_id BIGINT NOT NULL,
    first_name VARCHAR,
    last_name VARCHAR,
    first_name_key VARCHAR,
    first_name_root VARCHAR,
    last_name_key VARCHAR,
    address_line1 VARCHAR,
    address_line2 VARCHAR,
    city VARCHAR,
    state VARCHAR,
    zip5 VARCHAR,
    zip4 VARCHAR,
    country VARCHAR,
    addr_street VARCHAR,
    addr_unit VARCHAR,
    addr_key VARCHAR,
    email VARCHAR,
    phone VARCHAR,
    birth_date DATE,
    golden_from STRUCT(first_name BIGINT, last_name BIGINT, address BIGINT, email BIGINT, phone BIGINT,
        birth_date BIGINT),
    record_count INTEGER NOT NULL,
    sources VARCHAR[],
    first_seen TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);

-- Persons whose golden record must be recomputed (filled by loads, emptied by ensure_derived()).
CREATE TABLE golden_pending (person_id BIGINT NOT NULL);
