-- arbiter_audit.metrics_batch_same_day: HITL-OPT "Batch Approval Efficiency: target > 80% same-day
-- processing", per use case and batch queue.
--
-- Batch cases: cases routed to a queue with batching (the routed row's payload carries a batchKey).
-- Same day: decided on the calendar day it was opened, in the queue calendar's time zone
-- (sla_time_zone on the decided row), whoever decided it (a batch verdict, an individual one, or an
-- expiry — which is never same-day under a 24 h expiry and so counts against the target).
-- same_day_rate = same_day / decided_cases; batch_decided = those decided through a batch verdict.
WITH batch_cases AS (
  SELECT case_id, use_case, queue
  FROM `{{project}}.{{dataset}}.audit_events_dedup`
  WHERE state = 'routed' AND JSON_VALUE(payload, '$.batchKey') IS NOT NULL
),
decided AS (
  SELECT case_id, event_time AS decided_at, opened_at, sla_time_zone
  FROM `{{project}}.{{dataset}}.audit_events_dedup`
  WHERE state = 'decided' AND opened_at IS NOT NULL
),
batch_verdicts AS (
  SELECT DISTINCT case_id
  FROM `{{project}}.{{dataset}}.audit_events_dedup`
  WHERE state = 'reviewed' AND batch_id IS NOT NULL
)
SELECT
  b.use_case,
  b.queue,
  COUNT(*) AS decided_cases,
  COUNTIF(v.case_id IS NOT NULL) AS batch_decided,
  COUNTIF(DATE(d.decided_at, IFNULL(d.sla_time_zone, 'UTC')) = DATE(d.opened_at, IFNULL(d.sla_time_zone, 'UTC'))) AS same_day,
  SAFE_DIVIDE(COUNTIF(DATE(d.decided_at, IFNULL(d.sla_time_zone, 'UTC')) = DATE(d.opened_at, IFNULL(d.sla_time_zone, 'UTC'))), COUNT(*)) AS same_day_rate
FROM batch_cases b
JOIN decided d ON d.case_id = b.case_id
LEFT JOIN batch_verdicts v ON v.case_id = b.case_id
GROUP BY b.use_case, b.queue
