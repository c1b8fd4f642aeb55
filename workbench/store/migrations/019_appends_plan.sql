-- Agency appends and one contact plan across brands (issue 15). See docs/appends.md and docs/plan.md.

-- Rows of `appends` sources (kind = 'appends'): an outside agency's traits for an address, a household
-- (surname + address) or a person (name + address), as loaded. match_on: address | household | person.
-- Household-level traits (children, income band, home owner, length of residence) apply to every member
-- of the household a row reaches; person-level traits (age band, marital status, occupation) to the
-- persons it reaches.
CREATE TABLE append_entries (
    source VARCHAR NOT NULL,
    load_id BIGINT NOT NULL,
    match_on VARCHAR NOT NULL,
    agency VARCHAR NOT NULL,
    file_date DATE,
    first_name_key VARCHAR,
    first_name_root VARCHAR,
    last_name_key VARCHAR,
    addr_street VARCHAR,
    addr_unit VARCHAR,
    addr_key VARCHAR,
    zip5 VARCHAR,
    city VARCHAR,
    state VARCHAR,
    presence_of_children BOOLEAN,
    income_band VARCHAR,
    home_owner BOOLEAN,
    length_of_residence INTEGER,
    age_band VARCHAR,
    marital_status VARCHAR,
    occupation VARCHAR,
    raw JSON
);

-- The traits each person carries, one row per person and trait, with where the value came from:
-- origin 'customer' (a people record of ours: the customer told us; never overwritten by an append)
-- or 'append' (agency, file_date, the append source). Rebuilt by workbench.appends.ensure_traits when
-- its inputs changed (stamp).
CREATE TABLE person_traits (
    person_id BIGINT NOT NULL,
    trait VARCHAR NOT NULL,
    value VARCHAR,
    origin VARCHAR NOT NULL,
    source VARCHAR,
    source_key VARCHAR,
    agency VARCHAR,
    file_date DATE,
    level VARCHAR NOT NULL,
    matched_by VARCHAR
);

-- The same, one row per person with a trait and one typed column per trait: what selections read.
CREATE TABLE person_trait_values (
    person_id BIGINT NOT NULL,
    presence_of_children BOOLEAN,
    income_band VARCHAR,
    home_owner BOOLEAN,
    length_of_residence INTEGER,
    age_band VARCHAR,
    marital_status VARCHAR,
    occupation VARCHAR
);

CREATE TABLE trait_builds (
    stamp VARCHAR NOT NULL,
    built_at TIMESTAMP NOT NULL,
    persons BIGINT NOT NULL,
    households BIGINT NOT NULL,
    households_matched BIGINT NOT NULL,
    duration_s DOUBLE NOT NULL
);

-- Contact plans: one period, its selections in priority order (or by expected value), kept so exports
-- follow it and a later export outside it is checked against it.
CREATE TABLE contact_plans (
    plan VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    order_by VARCHAR NOT NULL,
    definition VARCHAR NOT NULL,
    planned_at TIMESTAMP NOT NULL
);

CREATE TABLE contact_plan_selections (
    plan VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    selection VARCHAR NOT NULL,
    version INTEGER,
    brand VARCHAR,
    channel VARCHAR NOT NULL,
    contact_date DATE NOT NULL,
    expected_value DOUBLE,
    gross BIGINT NOT NULL,
    taken_by_higher BIGINT NOT NULL,
    planned BIGINT NOT NULL,
    waterfall JSON NOT NULL
);

-- A planned contact belongs to a kept plan (NULL: planned by hand with plan_contacts).
ALTER TABLE planned_contacts ADD COLUMN plan VARCHAR;
