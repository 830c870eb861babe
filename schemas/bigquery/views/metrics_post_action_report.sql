-- arbiter_audit.metrics_post_action_report: what was decided automatically, per use case, category,
-- day, outcome and model version (HITL-OPT "High Confidence (>85%): Automatic approval with
-- post-action reporting"; "Post-Action Review: >85% confidence, summary reporting").
-- The command `pnpm learning-loop post-action-report` renders it with each policy's post-action-report
-- template where it has one. blind_sampled / blind_aligned: how many of these went to blind human
-- review, and how many of those the reviewer agreed with.
WITH blind AS (
  SELECT case_id, ANY_VALUE(outcome) AS outcome
  FROM `{{project}}.{{dataset}}.audit_events_dedup`
  WHERE state = 'reviewed' AND review_purpose = 'blind-review'
  GROUP BY case_id
)
SELECT
  d.use_case,
  IFNULL(d.category, 'uncategorised') AS category,
  DATE(d.event_time) AS day,
  d.outcome,
  d.model_name,
  d.model_version,
  COUNT(*) AS decisions,
  COUNTIF(d.actor_id = 'fast-track') AS fast_tracked,
  AVG(d.confidence) AS mean_confidence,
  MIN(d.confidence) AS min_confidence,
  COUNTIF(b.case_id IS NOT NULL) AS blind_sampled,
  COUNTIF(b.outcome = d.outcome) AS blind_aligned
FROM `{{project}}.{{dataset}}.audit_events_dedup` d
LEFT JOIN blind b ON b.case_id = d.case_id
WHERE d.state = 'decided' AND d.actor_kind = 'auto'
GROUP BY use_case, category, day, outcome, model_name, model_version
