-- The cluster guard (workbench/identity/guard.py): why a candidate pair is held back from merging, and
-- which guard held it. held_by: 'pair' (the household guard at scoring) or 'cluster' (merging the two
-- records' clusters would put two different people in one person: different first names and birth dates,
-- a generation apart, or JR / SR). A held pair waits for review and is never bulk accepted.
ALTER TABLE match_pairs ADD COLUMN reason VARCHAR;
ALTER TABLE match_pairs ADD COLUMN held_by VARCHAR;

INSERT INTO settings VALUES ('identity.cluster_guard', 'on');
