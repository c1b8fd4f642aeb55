-- Suppression evidence: which rule matched and a sentence an operator can read (which list entry reached
-- which record, by which comparison, with which tolerances). See workbench/suppress/rules.py.
ALTER TABLE person_suppressions ADD COLUMN matched_by VARCHAR;
ALTER TABLE person_suppressions ADD COLUMN explanation VARCHAR;
