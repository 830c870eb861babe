-- arbiter_audit.metrics_batch_same_day: HITL-OPT "Batch Approval Efficiency: target > 80% same-day
-- processing", per use case and batch queue.
--
-- Batch cases: cases routed to a queue with batching (the routed row's payload carries a batchKey).
-- Same day: decided on the calendar day it was opened, in the queue calendar's time zone
-- (sla_time_zone on the decided row), whoever decided it (a batch verdict, an individual one, or an
-- expiry — which is never same-day under a 24 h expiry and so counts against the target).
-- same_day_rate = same_day / decided_cases; batch_decided = those decided through a batch verdict.
--
-- One pass over the trail, grouped by case (a case is routed once and decided once): no join. The
-- BigQuery emulator ran the three-way join of the deduplicated trail this view was before in time
-- growing much faster than the rows (2-4 s over 528 rows, no answer in 4 minutes over 2,118; this:
-- 5.2-5.5 s over 2,118; bench/METRICS.md); on BigQuery both are the same query.
WITH cases AS (
  SELECT
    case_id,
    MAX(IF(state = 'routed' AND JSON_VALUE(payload, '$.batchKey') IS NOT NULL, use_case, NULL)) AS use_case,
    MAX(IF(state = 'routed' AND JSON_VALUE(payload, '$.batchKey') IS NOT NULL, queue, NULL)) AS queue,
    MAX(IF(state = 'decided' AND opened_at IS NOT NULL, event_time, NULL)) AS decided_at,
    MAX(IF(state = 'decided' AND opened_at IS NOT NULL, opened_at, NULL)) AS opened_at,
    MAX(IF(state = 'decided' AND opened_at IS NOT NULL, IFNULL(sla_time_zone, 'UTC'), NULL)) AS time_zone,
    COUNTIF(state = 'reviewed' AND batch_id IS NOT NULL) > 0 AS batch_verdict
  FROM `{{project}}.{{dataset}}.audit_events_dedup`
  WHERE state IN ('routed', 'decided', 'reviewed')
  GROUP BY case_id
)
SELECT
  use_case,
  queue,
  COUNT(*) AS decided_cases,
  COUNTIF(batch_verdict) AS batch_decided,
  COUNTIF(DATE(decided_at, time_zone) = DATE(opened_at, time_zone)) AS same_day,
  SAFE_DIVIDE(COUNTIF(DATE(decided_at, time_zone) = DATE(opened_at, time_zone)), COUNT(*)) AS same_day_rate
FROM cases
WHERE use_case IS NOT NULL AND decided_at IS NOT NULL
GROUP BY use_case, queue
