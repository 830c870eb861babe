-- arbiter_audit.post_action_reports: one post-action report per automatic approval (HITL-OPT
-- "automatic approval with post-action reporting"), as the router produced it: the policy's
-- post-action-report template rendered for the case (PII paths redacted), carried by case.routed.
-- The daily per-category digest is metrics_post_action_report.
SELECT
  case_id,
  use_case,
  policy_version,
  event_time AS produced_at,
  JSON_VALUE(payload, '$.reason') AS reason,
  JSON_VALUE(payload, '$.postActionReport.title') AS title,
  JSON_VALUE(payload, '$.postActionReport.markdown') AS markdown
FROM `{{project}}.{{dataset}}.audit_events_dedup`
WHERE state = 'routed' AND route = 'auto' AND JSON_VALUE(payload, '$.postActionReport.title') IS NOT NULL
