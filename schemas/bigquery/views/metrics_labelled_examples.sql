-- arbiter_audit.metrics_labelled_examples: the learning loop's output, per use case, model, version
-- and source (override, enrichment, …): how many labelled examples exist for retraining and how many
-- low-band cases still wait for a person's label (ADR-0016 §5 "capture reviewer overrides and edge
-- cases as labeled examples"). Reads arbiter_audit.labelled_examples, one example per example_id
-- (the latest row: a pending enrichment example becomes labelled when a person labels it; a
-- redelivered row is counted once).
WITH latest AS (
  SELECT example.*
  FROM (
    SELECT ARRAY_AGG(e ORDER BY IF(e.label_status = 'labelled', 1, 0) DESC, e.event_time DESC, e.ingested_at LIMIT 1)[OFFSET(0)] AS example
    FROM `{{project}}.{{dataset}}.labelled_examples` e
    GROUP BY e.example_id
  )
)
SELECT
  use_case,
  model_name,
  model_version,
  source,
  COUNT(*) AS examples,
  COUNTIF(label_status = 'labelled') AS labelled,
  COUNTIF(label_status = 'pending') AS pending,
  COUNTIF(label_status = 'labelled' AND human_outcome <> model_outcome) AS model_wrong
FROM latest
GROUP BY use_case, model_name, model_version, source
