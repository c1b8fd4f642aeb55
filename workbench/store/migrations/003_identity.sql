-- Identity resolution: the saved Splink model, match runs, merge candidates and operators' decisions.

-- A trained model (Splink settings + m/u probabilities as JSON), reused until the operator retrains.
-- method: 'splink' (probabilistic) or 'rules' (deterministic fallback when there is too little to train on).
CREATE TABLE match_models (
    model_id INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    method VARCHAR NOT NULL,
    fields VARCHAR[],
    trained_on BIGINT,
    model JSON,
    note VARCHAR
);

CREATE SEQUENCE match_run_seq START 1;
CREATE TABLE match_runs (
    run_id BIGINT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    mode VARCHAR NOT NULL,
    model_id INTEGER,
    method VARCHAR,
    auto_accept DOUBLE,
    review DOUBLE,
    records BIGINT,
    records_matched BIGINT,
    pairs_scored BIGINT,
    auto_accepted BIGINT,
    in_review BIGINT,
    conflicts BIGINT,
    persons BIGINT,
    persons_created BIGINT,
    persons_merged BIGINT,
    persons_split BIGINT,
    records_added BIGINT,
    timings JSON,
    message VARCHAR
);

-- Merge candidates at or above the review threshold (record_id_l < record_id_r).
-- status: auto (merged without review), review (waits for an operator), conflict (would join records an
-- operator kept apart), held (above auto_accept but held for review by the household guard).
-- levels/weights: per comparison of the model, the level reached and its match weight (with term frequency).
CREATE TABLE match_pairs (
    record_id_l BIGINT NOT NULL,
    record_id_r BIGINT NOT NULL,
    probability DOUBLE NOT NULL,
    match_weight DOUBLE,
    status VARCHAR NOT NULL,
    levels TINYINT[],
    weights FLOAT[],
    run_id BIGINT
);

-- Operators' decisions: accept = must-link (same person), reject = cannot-link (different people).
-- Never deleted: an undo sets undone_at, so the history stays. batch_id groups the decisions of one operation
-- (a split rejects a record against every other member; a bulk accept), undone together.
CREATE SEQUENCE match_decision_seq START 1;
CREATE TABLE match_decisions (
    decision_id BIGINT NOT NULL,
    record_id_l BIGINT NOT NULL,
    record_id_r BIGINT NOT NULL,
    decision VARCHAR NOT NULL,
    reason VARCHAR,
    probability DOUBLE,
    decided_at TIMESTAMP NOT NULL,
    decided_by VARCHAR,
    undone_at TIMESTAMP,
    batch_id BIGINT
);

-- The records (and their content hash) the last match run saw: what is new or changed since.
CREATE TABLE match_record_state (
    record_id BIGINT NOT NULL,
    row_hash UBIGINT
);

INSERT INTO settings VALUES ('identity.auto_accept', '0.3');
INSERT INTO settings VALUES ('identity.review', '0.1');
INSERT INTO settings VALUES ('identity.household_guard', 'on');
