-- arbiter_audit.metrics_labelled_examples: the learning loop's output, per use case, model, version
-- and source (override, enrichment, …): how many labelled examples exist for retraining and how many
-- low-band cases still wait for a person's label (ADR-0016 §5 "capture reviewer overrides and edge
-- cases as labeled examples"). Reads arbiter_audit.labelled_examples, one example per example_id
-- (the latest row: a pending enrichment example becomes labelled when a person labels it; a
-- redelivered row is counted once).
WITH latest AS (
  SELECT * EXCEPT (rn)
  FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY example_id ORDER BY IF(label_status = 'labelled', 1, 0) DESC, event_time DESC, ingested_at) AS rn
    FROM `{{project}}.{{dataset}}.labelled_examples`
  )
  WHERE rn = 1
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
