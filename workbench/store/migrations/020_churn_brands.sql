-- Churn per brand (issue 14): a model per brand ('' = every brand together), each with its own horizon
-- (setting churn.horizon_days.<brand>, default 180), and its scores beside the other brands' scores.
ALTER TABLE churn_models ADD COLUMN brand VARCHAR DEFAULT '';
ALTER TABLE churn_scores ADD COLUMN brand VARCHAR DEFAULT '';
UPDATE churn_models SET brand = coalesce(lower(json_extract_string(settings, '$.brand')), '');
