-- Segments and scores (issue 14): RFM per person (overall and per brand), the churn model and its
-- scores, and what was published back to the operational systems. See docs/segments.md.

-- One row per RFM computation. as_of: the latest order day the scores were measured on (recency is
-- counted back from it); stamp: the attribute tables' stamp the orders came from (a newer stamp means
-- the scores are behind the data); rules: the segment rules used (TOML text).
CREATE TABLE rfm_runs (
    run_id BIGINT NOT NULL,
    computed_at TIMESTAMP NOT NULL,
    as_of DATE,
    lookback_days INTEGER NOT NULL,
    stamp VARCHAR NOT NULL,
    rules VARCHAR NOT NULL,
    persons BIGINT NOT NULL,
    brands VARCHAR[],
    duration_s DOUBLE NOT NULL
);

-- The scores of the last run: one row per person and brand ('' = every brand together) for persons
-- with at least one order that was not returned. Scores 1-5 (5 best: most recent, most orders, most
-- spend) are NTILE(5) quintiles within the brand; segment by the first rule that matches.
CREATE TABLE rfm_scores (
    person_id BIGINT NOT NULL,
    brand VARCHAR NOT NULL,
    recency_days INTEGER NOT NULL,
    frequency INTEGER NOT NULL,
    monetary DECIMAL(18, 2) NOT NULL,
    tenure_days INTEGER NOT NULL,
    recency_score TINYINT NOT NULL,
    frequency_score TINYINT NOT NULL,
    monetary_score TINYINT NOT NULL,
    segment VARCHAR NOT NULL,
    as_of DATE NOT NULL
);

-- Churn models: the fitted model (pickled scikit-learn estimator), its features, its honest evaluation
-- (time split), the cut-off it was trained up to and the data's as-of, and the stamp of the data.
CREATE TABLE churn_models (
    model_id BIGINT NOT NULL,
    trained_at TIMESTAMP NOT NULL,
    as_of DATE NOT NULL,
    horizon_days INTEGER NOT NULL,
    train_cutoff DATE NOT NULL,
    eval_cutoff DATE NOT NULL,
    features VARCHAR[] NOT NULL,
    settings JSON NOT NULL,
    evaluation JSON NOT NULL,
    model BLOB NOT NULL,
    library VARCHAR NOT NULL,
    stamp VARCHAR NOT NULL,
    duration_s DOUBLE NOT NULL
);

-- The scores of the last scoring: probability of lapsing in the next horizon_days, and its decile
-- (10 = the most likely to lapse) among the persons scored.
CREATE TABLE churn_scores (
    person_id BIGINT NOT NULL,
    model_id BIGINT NOT NULL,
    score DOUBLE NOT NULL,
    decile TINYINT NOT NULL,
    as_of DATE NOT NULL,
    scored_at TIMESTAMP NOT NULL
);

-- One row per file published to an operational system (`workbench publish`).
CREATE TABLE publishes (
    publish_id BIGINT NOT NULL,
    name VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    mode VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    manifest VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    rows_written BIGINT NOT NULL,
    keys_total BIGINT NOT NULL,
    rfm_as_of DATE,
    churn_model_id BIGINT,
    stale_sources VARCHAR[],
    published_at TIMESTAMP NOT NULL,
    published_by VARCHAR
);

-- What each publish name last sent per source key (for delta files): the values' hash.
CREATE TABLE publish_state (
    name VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    source_key VARCHAR NOT NULL,
    value_hash UBIGINT NOT NULL,
    publish_id BIGINT NOT NULL
);
