-- What each publish last sent per source key, keyed by the publish that sent it (issue 14). The name and
-- source of a state row are its publish's (table publishes); writing them on every one of a million rows
-- made the delta state a third of a publish's time.
CREATE TABLE publish_state_new (
    publish_id BIGINT NOT NULL,
    source_key VARCHAR NOT NULL,
    value_hash UBIGINT NOT NULL
);
INSERT INTO publish_state_new SELECT publish_id, source_key, value_hash FROM publish_state;
DROP TABLE publish_state;
ALTER TABLE publish_state_new RENAME TO publish_state;
