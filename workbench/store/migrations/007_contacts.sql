-- Contact strategy: pressure and capacity rules, triggers, planned contacts of prioritised selections,
-- response files carrying keycodes, and the person of every contact-history row.
-- See workbench/contacts/ and docs/contacts.md.

-- Pressure rules (at most max_contacts per person or household over a sliding window of window_days)
-- and capacity rules (at most max_per_day contacts on one day). channel: mail | email | phone (only
-- that channel's selections, counting that channel) | any (every selection, counting every channel) |
-- each (every selection, counting its own channel). brand: all | each | one brand's name.
CREATE TABLE contact_rules (
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    description VARCHAR,
    per VARCHAR,
    channel VARCHAR NOT NULL,
    brand VARCHAR NOT NULL,
    window_days INTEGER,
    max_contacts INTEGER,
    max_per_day INTEGER,
    enabled BOOLEAN NOT NULL DEFAULT true,
    position INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Triggers: a declarative definition (workbench/contacts/triggers.py checks it; SQL is generated from
-- it, never taken from the file). cadence_s: how often the trigger is meant to be acted on.
CREATE TABLE trigger_definitions (
    name VARCHAR NOT NULL,
    description VARCHAR,
    source_kind VARCHAR NOT NULL,
    cadence VARCHAR NOT NULL,
    cadence_s BIGINT NOT NULL,
    window_days INTEGER,
    definition JSON NOT NULL,
    position INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Contacts a selection plans to make but has not exported yet. A selection with a higher priority
-- keeps a person: pressure and capacity steps of every other selection count the planned contacts of
-- selections with a strictly higher priority as if they were made. Removed when the export writes
-- its contact history; plans dated before today are ignored.
CREATE TABLE planned_contacts (
    selection VARCHAR NOT NULL,
    priority INTEGER NOT NULL,
    campaign VARCHAR,
    person_id BIGINT NOT NULL,
    channel VARCHAR NOT NULL,
    brand VARCHAR,
    contact_date DATE NOT NULL,
    planned_at TIMESTAMP NOT NULL
);

-- Response files carrying keycodes (an order, a call, a coupon redeemed), imported by
-- `workbench responses import FILE`; the respondent is found by person_id, source_key or email.
CREATE TABLE response_imports (
    import_id BIGINT NOT NULL,
    file VARCHAR NOT NULL,
    file_hash VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    imported_at TIMESTAMP NOT NULL
);

CREATE TABLE campaign_responses (
    import_id BIGINT NOT NULL,
    line BIGINT,
    keycode VARCHAR NOT NULL,
    response_date DATE NOT NULL,
    person_id BIGINT,
    source_key VARCHAR,
    email_std VARCHAR,
    record_id BIGINT,
    order_id VARCHAR,
    amount DECIMAL(18, 2)
);

-- Every contact-history row with its person today: through its people record when it has one (stable
-- across match runs), else the person the export wrote.
CREATE VIEW contact_history_persons AS
SELECT ch.*, coalesce(pr.person_id, ch.person_id) AS contact_person_id
FROM contact_history ch
LEFT JOIN person_records pr ON pr.record_id = ch.record_id;

-- One row per campaign: brand, channel, dates, cells (a loaded row's keycode stands for its cell),
-- contacts made and persons held out (control).
CREATE VIEW campaign_summary AS
WITH per_cell AS (
    SELECT campaign, cell, keycode, origin, brand, channel, min(contact_date) AS first_contact,
           max(contact_date) AS last_contact, count(*) FILTER (WHERE NOT is_control) AS contacted,
           count(*) FILTER (WHERE is_control) AS held_out
    FROM contact_history GROUP BY ALL
)
SELECT campaign,
       CASE WHEN count(DISTINCT brand) > 1 THEN 'several' ELSE any_value(brand) END AS brand,
       CASE WHEN count(DISTINCT channel) > 1 THEN 'several' ELSE any_value(channel) END AS channel,
       min(first_contact) AS first_contact,
       max(last_contact) AS last_contact,
       count(DISTINCT coalesce(cell, keycode, '')) AS cells,
       sum(contacted)::BIGINT AS contacted,
       sum(held_out)::BIGINT AS held_out,
       list(DISTINCT origin ORDER BY origin) AS origins
FROM per_cell
GROUP BY campaign;
