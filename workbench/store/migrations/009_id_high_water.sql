-- Ids are never reused (issue 12). New record and person ids were max(id) + 1, so when a full-mode load
-- removed the newest records their ids went to the next new records, and an opt-out, a decision, a
-- contact or a tombstone keyed by the old id moved to an unrelated person.
-- id_high_water keeps the highest id ever handed out of each kind; workbench.store.ids.reserve_ids
-- hands out the next block set-based (base + row_number()) and raises the mark in the same transaction.
-- Started from the highest id any table still mentions. (Household ids come from household_id_seq, a
-- sequence, which never goes back either.)
CREATE TABLE id_high_water (
    name VARCHAR NOT NULL,
    last_id BIGINT NOT NULL
);
INSERT INTO id_high_water SELECT 'record', greatest(
    (SELECT coalesce(max(record_id), 0) FROM records),
    (SELECT coalesce(max(record_id), 0) FROM person_records),
    (SELECT coalesce(max(record_id), 0) FROM transactions),
    (SELECT coalesce(max(record_id), 0) FROM events),
    (SELECT coalesce(max(record_id), 0) FROM contact_history),
    (SELECT coalesce(max(greatest(record_id_l, record_id_r)), 0) FROM match_decisions),
    (SELECT coalesce(max(record_id), 0) FROM match_record_state),
    (SELECT coalesce(max(record_id), 0) FROM household_records),
    (SELECT coalesce(max(record_id), 0) FROM person_suppressions),
    (SELECT coalesce(max(list_max(record_ids)), 0) FROM manual_suppressions),
    (SELECT coalesce(max(record_id), 0) FROM campaign_responses));
INSERT INTO id_high_water SELECT 'person', greatest(
    (SELECT coalesce(max(person_id), 0) FROM person_records),
    (SELECT coalesce(max(person_id), 0) FROM persons),
    (SELECT coalesce(max(person_id), 0) FROM contact_history),
    (SELECT coalesce(max(person_id), 0) FROM manual_suppressions),
    (SELECT coalesce(max(person_id), 0) FROM person_suppressions),
    (SELECT coalesce(max(person_id), 0) FROM household_members),
    (SELECT coalesce(max(person_id), 0) FROM address_history),
    (SELECT coalesce(max(person_id), 0) FROM campaign_responses),
    (SELECT coalesce(max(person_id), 0) FROM planned_contacts),
    (SELECT coalesce(max(person_id), 0) FROM person_attributes));
