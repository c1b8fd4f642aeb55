-- Addresses: the Pub 28 delivery line and parts of every people record, ZIP completion and ZIP/state
-- checks, the offline ZIP table, and a postal address without a ZIP (street, city and state) counted as
-- mailable. See workbench/ingest/addresses.py and workbench/standardise/address.py.

-- records.zip5 is the ZIP5 as loaded or, when the record has none, the one completed from the
-- database's own addresses (zip_source 'completed'); the raw postal_code is never changed.
-- address_line1_std: the Pub 28 delivery line (street, then unit designator and unit: '12 N OAK ST APT 4B').
-- addr_house, addr_name: the house number and the street name alone (no directionals, suffix or unit),
-- for comparisons that must ignore a directional or unit written on one side only.
-- zip_source: 'loaded' | 'completed' | 'corrected' (the ZIP5 for the mail piece, zip5_std, replaced a
-- loaded ZIP that does not belong to the state) | NULL (no ZIP).
-- zip_check: 'ok' | 'state mismatch' | 'unknown ZIP' (not in the ZIP table) | NULL (no ZIP or no state).
ALTER TABLE records ADD COLUMN address_line1_std VARCHAR;
ALTER TABLE records ADD COLUMN addr_house VARCHAR;
ALTER TABLE records ADD COLUMN addr_name VARCHAR;
ALTER TABLE records ADD COLUMN zip5_std VARCHAR;
ALTER TABLE records ADD COLUMN zip_source VARCHAR;
ALTER TABLE records ADD COLUMN zip_check VARCHAR;
-- every address is standardised again (on first use) to fill them
UPDATE records SET addr_done = false;

-- The offline ZIP table (PyPI package `zipcodes`), copied in on first use (settings 'zip_codes.version').
-- kind: STANDARD | PO BOX | UNIQUE | MILITARY. No city names: a town's name can be a person's name, and the
-- erasure checks search the whole file for the erased person's words (city names are read from the
-- package when a record needs one, see workbench/ingest/addresses.py).
CREATE TABLE zip_codes (
    zip5 VARCHAR NOT NULL,
    state VARCHAR NOT NULL,
    kind VARCHAR,
    active BOOLEAN
);

-- The standard address beside the raw one, for exports (mail houses price on it), and every source:key
-- of the person.
ALTER TABLE person_attributes ADD COLUMN std_address_line1 VARCHAR;
ALTER TABLE person_attributes ADD COLUMN std_city VARCHAR;
ALTER TABLE person_attributes ADD COLUMN std_state VARCHAR;
ALTER TABLE person_attributes ADD COLUMN std_zip5 VARCHAR;
ALTER TABLE person_attributes ADD COLUMN zip_source VARCHAR;
ALTER TABLE person_attributes ADD COLUMN zip_check VARCHAR;
ALTER TABLE person_attributes ADD COLUMN source_keys VARCHAR;
ALTER TABLE person_attributes ADD COLUMN postal_code VARCHAR;
DELETE FROM attribute_builds;

-- Mail deliverability (004) again, with one change: a street with city and state and no ZIP is an address.
CREATE OR REPLACE VIEW person_deliverability AS
WITH reached AS (
    SELECT pr.person_id, am.move_key, am.kind, am.return_code, am.old_addr_key,
           coalesce(am.move_effective_date, DATE '1900-01-01') AS effective, am.applied_at
    FROM move_applications ma
    JOIN applied_moves am USING (move_key)
    JOIN person_records pr USING (record_id)
), latest AS (
    SELECT person_id, list(DISTINCT old_addr_key) AS left_addresses,
           arg_max(struct_pack(kind := kind, return_code := return_code, effective := effective),
                   struct_pack(e := effective, a := applied_at, k := move_key)) AS last_move
    FROM reached GROUP BY person_id
)
SELECT p.person_id,
       CASE WHEN l.last_move.kind = 'undeliverable' AND list_contains(l.left_addresses, p.addr_key) THEN false
            WHEN p.addr_street IS NULL OR (p.zip5 IS NULL AND (p.city IS NULL OR p.state IS NULL)) THEN false
            ELSE true END AS mail_deliverable,
       CASE WHEN l.last_move.kind = 'undeliverable' AND list_contains(l.left_addresses, p.addr_key) THEN
                CASE l.last_move.return_code WHEN '01' THEN 'foreign move (NCOA 01)'
                     WHEN '02' THEN 'moved, left no address (NCOA 02)'
                     WHEN '03' THEN 'PO box closed (NCOA 03)'
                     ELSE 'undeliverable (NCOA ' || l.last_move.return_code || ')' END
            WHEN p.addr_street IS NULL OR (p.zip5 IS NULL AND (p.city IS NULL OR p.state IS NULL)) THEN 'no address'
       END AS reason,
       CASE WHEN l.last_move.kind = 'undeliverable' AND list_contains(l.left_addresses, p.addr_key)
            THEN nullif(l.last_move.effective, DATE '1900-01-01') END AS since
FROM persons p
LEFT JOIN latest l USING (person_id);
