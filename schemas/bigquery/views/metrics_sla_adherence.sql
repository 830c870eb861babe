-- arbiter_audit.metrics_sla_adherence: per use case and review queue (ADR-0016 "Resolution SLA
-- adherence >= 95%"; "Cleanliness P95 <= 2 hours; Damage P95 <= 1 hour during business hours").
--
-- A case counts once, on its decided row, when it went through a review queue (queue IS NOT NULL:
-- automatic and low-band default decisions have no SLA). Time to decision is measured on the
-- queue's SLA clock: the exporter writes sla_elapsed_seconds on the decided row — business seconds
-- within the queue calendar's business hours when the policy says `clock: business` (computed with
-- @arbiter/core's calendar functions, which a view cannot run: the calendars live in the policies),
-- wall seconds otherwise — and sla_target_seconds, the queue's target on the same clock.
--
-- adherence       = within_target / decided_cases (decided no later than the target; expiries by
--                   the policy count as decided, usually late)
-- p95_seconds     = the nearest-rank 95th percentile: the smallest time such that at least 95% of
--                   the queue's cases took no longer (the k-th smallest, k = CEIL(0.95 × n)). An
--                   aggregate, not PERCENTILE_CONT (a window function the emulator cannot run at volume).
-- meets_target    = adherence >= target_share (the policy's sla.percentile, e.g. 0.95 for "P95")
--                   — the same thing as "P<percentile> <= target".
WITH decided AS (
  SELECT use_case, queue, actor_kind, sla_clock, sla_elapsed_seconds, sla_target_seconds, sla_percentile
  FROM `{{project}}.{{dataset}}.audit_events_dedup`
  WHERE state = 'decided' AND queue IS NOT NULL AND sla_elapsed_seconds IS NOT NULL
)
SELECT
  use_case,
  queue,
  ANY_VALUE(sla_clock) AS sla_clock,
  MAX(sla_target_seconds) AS target_seconds,
  MAX(sla_percentile) AS target_share,
  COUNT(*) AS decided_cases,
  COUNTIF(sla_elapsed_seconds <= sla_target_seconds) AS within_target,
  COUNTIF(actor_kind = 'policy') AS expired,
  SAFE_DIVIDE(COUNTIF(sla_elapsed_seconds <= sla_target_seconds), COUNT(*)) AS adherence,
  ARRAY_AGG(sla_elapsed_seconds ORDER BY sla_elapsed_seconds)[OFFSET(CAST(CEIL(0.95 * COUNT(*)) AS INT64) - 1)] AS p95_seconds,
  SAFE_DIVIDE(COUNTIF(sla_elapsed_seconds <= sla_target_seconds), COUNT(*)) >= MAX(sla_percentile) AS meets_target
FROM decided
GROUP BY use_case, queue
