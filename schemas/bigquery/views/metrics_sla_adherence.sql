-- arbiter_audit.metrics_sla_adherence: share of reviewed cases decided by their SLA due time, per use
-- case, queue and day of decision (ADR-0016 success metric "resolution SLA adherence ≥ 95%").
-- The due time is the one the router set (routed row); the decision is the case's one decided row.
WITH routed AS (
  SELECT case_id, use_case, queue, due_at
  FROM `{{project}}.{{dataset}}.audit_events_dedup`
  WHERE state = 'routed' AND due_at IS NOT NULL
),
decided AS (
  SELECT case_id, event_time AS decided_at, actor_kind
  FROM `{{project}}.{{dataset}}.audit_events_dedup`
  WHERE state = 'decided'
)
SELECT
  routed.use_case,
  routed.queue,
  DATE(decided.decided_at) AS day,
  COUNT(*) AS decided_cases,
  COUNTIF(decided.decided_at <= routed.due_at) AS within_sla,
  COUNTIF(decided.actor_kind = 'policy') AS expired_or_defaulted,
  SAFE_DIVIDE(COUNTIF(decided.decided_at <= routed.due_at), COUNT(*)) AS adherence
FROM routed
JOIN decided ON decided.case_id = routed.case_id
GROUP BY routed.use_case, routed.queue, day
