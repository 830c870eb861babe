-- arbiter_audit.metrics_critical_path: HITL-OPT "HITL Response Time: target < 2 hours for critical
-- path", per use case.
--
-- Critical-path cases: decided rows with critical_path = true (a priority rule with its own SLA
-- target held when the case was routed — HITL-OPT's "prioritized processing within 2 hours").
-- Response time: wall-clock seconds from opening to the decision (elapsed_seconds). A critical-path
-- case counts as answered in time only if a person decided it (actor_kind = 'human') within 7200 s;
-- an expiry by the policy is a miss.
-- within_2h_rate = answered_within_2h / decided_cases; median_seconds / p95_seconds: nearest-rank
-- percentiles (the k-th smallest, k = CEIL(p × n)).
WITH critical AS (
  SELECT use_case, actor_kind, elapsed_seconds
  FROM `{{project}}.{{dataset}}.audit_events_dedup`
  WHERE state = 'decided' AND critical_path AND elapsed_seconds IS NOT NULL
)
SELECT
  use_case,
  COUNT(*) AS decided_cases,
  COUNTIF(actor_kind = 'human') AS human_decided,
  COUNTIF(actor_kind = 'human' AND elapsed_seconds < 7200) AS answered_within_2h,
  SAFE_DIVIDE(COUNTIF(actor_kind = 'human' AND elapsed_seconds < 7200), COUNT(*)) AS within_2h_rate,
  ARRAY_AGG(elapsed_seconds ORDER BY elapsed_seconds)[OFFSET(CAST(CEIL(0.5 * COUNT(*)) AS INT64) - 1)] AS median_seconds,
  ARRAY_AGG(elapsed_seconds ORDER BY elapsed_seconds)[OFFSET(CAST(CEIL(0.95 * COUNT(*)) AS INT64) - 1)] AS p95_seconds
FROM critical
GROUP BY use_case
