-- Know your own accuracy (issue 18): stratified review samples of merged person pairs, household pairs and
-- suppression hits, the operator's answers, and the estimates computed from them. See workbench/quality/
-- and docs/quality.md.

-- One row per sample drawn (`workbench quality sample`). loads_before: how many loads the database had
-- when it was drawn (the age of an estimate in loads counts the loads since).
CREATE TABLE quality_samples (
    sample_id BIGINT NOT NULL,
    drawn_at TIMESTAMP NOT NULL,
    drawn_by VARCHAR,
    seed BIGINT NOT NULL,
    loads_before BIGINT NOT NULL,
    requested JSON
);

-- Every stratum of every area when the sample was drawn: its population and how many items were drawn
-- from it (0 for a stratum too small for its share: its population still counts, see stats.stratum_weights).
CREATE TABLE quality_strata (
    sample_id BIGINT NOT NULL,
    area VARCHAR NOT NULL,
    stratum VARCHAR NOT NULL,
    population BIGINT NOT NULL,
    drawn BIGINT NOT NULL
);

-- The items of a sample. area: persons (two records in one person: a merged pair), near_miss (a scored
-- pair left in two persons, below the auto-accept threshold), households (two persons in one household),
-- suppressions (a person a suppression removes). stratum: score band | source combination | cluster size
-- (or the household's size and join, or the suppression and rule); population: the stratum's size in the
-- whole database when drawn. capture_a / capture_b: the pair agrees on a contact key (email or phone) /
-- on a name, birth date or address key (the two blocking families of the capture-recapture recall).
-- answer: NULL (waiting), same, different, skip; decision_id: the ordinary review decision it made.
CREATE TABLE quality_items (
    sample_id BIGINT NOT NULL,
    item_id BIGINT NOT NULL,
    area VARCHAR NOT NULL,
    stratum VARCHAR NOT NULL,
    population BIGINT NOT NULL,
    record_l BIGINT,
    record_r BIGINT,
    person_l BIGINT,
    person_r BIGINT,
    household_id BIGINT,
    suppression VARCHAR,
    match_on VARCHAR,
    score DOUBLE,
    capture_a BOOLEAN,
    capture_b BOOLEAN,
    answer VARCHAR,
    answered_at TIMESTAMP,
    answered_by VARCHAR,
    decision_id BIGINT
);

-- Estimates computed from a sample's answers (one row per area and measure each time they are computed).
-- measure: precision, recall (the headline: capture-recapture over found pairs, never below what review
-- found), recall_capture, recall_near_miss, duplicate_rate. low/high: the 95% interval (Wilson, on the
-- effective sample size of the stratum weights), NULL where there is none.
CREATE TABLE quality_estimates (
    sample_id BIGINT NOT NULL,
    computed_at TIMESTAMP NOT NULL,
    area VARCHAR NOT NULL,
    measure VARCHAR NOT NULL,
    estimate DOUBLE,
    low DOUBLE,
    high DOUBLE,
    answered BIGINT NOT NULL,
    population BIGINT NOT NULL,
    details JSON
);

-- The export gate (workbench/quality/gate.py). An estimate is stale after max_loads loads or max_days days;
-- an export refuses (unless --allow-unmeasured) when the area's lower bound is under its floor (an empty floor
-- does not gate). when_unmeasured: allow (a database never sampled exports; its manifest says "unmeasured")
-- or refuse.
INSERT INTO settings VALUES ('quality.max_loads', '20');
INSERT INTO settings VALUES ('quality.max_days', '30');
INSERT INTO settings VALUES ('quality.floor.persons', '0.98');
INSERT INTO settings VALUES ('quality.floor.suppressions', '0.98');
INSERT INTO settings VALUES ('quality.floor.households', '');
INSERT INTO settings VALUES ('quality.when_unmeasured', 'allow');
