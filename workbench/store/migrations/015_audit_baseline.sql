-- Audit completeness (`workbench audit --verify`): every row of loads, exports and erasure_tombstones must
-- have its audit row. A database that already held loads or exports before the audit log existed (written
-- before migration 008 was applied) keeps them without one; remember the last such id so they are not
-- reported as missing. Rows written after 008 are never exempt, even if their audit row is gone already.
-- what: loads | exports. last_unaudited: the highest id written before the log (0 when none).
CREATE TABLE audit_baseline (
    what VARCHAR NOT NULL,
    last_unaudited BIGINT NOT NULL
);

INSERT INTO audit_baseline
SELECT 'loads', coalesce(max(l.load_id), 0) FROM loads l
WHERE l.started_at < (SELECT min(applied_at) FROM schema_version WHERE version = 8)
  AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.action = 'load'
                  AND TRY_CAST(json_extract_string(a.details, '$.load_id') AS BIGINT) = l.load_id);

INSERT INTO audit_baseline
SELECT 'exports', coalesce(max(e.export_id), 0) FROM exports e
WHERE e.exported_at < (SELECT min(applied_at) FROM schema_version WHERE version = 8)
  AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.action = 'export'
                  AND TRY_CAST(json_extract_string(a.details, '$.export_id') AS BIGINT) = e.export_id);
