-- arbiter_audit.metrics_human_alignment: HITL-OPT "Approval Quality: target > 95% human-approval
-- alignment", per use case and model version.
--
-- A share of automatic decisions (policy sampling.blindReviewRate) also goes to blind human review:
-- the reviewer sees neither the model's label nor the automatic outcome. Alignment = blind reviews
-- (reviewed rows, review_purpose = 'blind-review') of cases decided automatically
-- (decided row actor_kind = 'auto') whose outcome equals the automatic outcome, over all of them.
-- Needs volume: at 5% sampling, 1,000 automatic decisions give ~50 blind reviews (±6 points).
--
-- One pass over the trail, grouped by case (one automatic decision and at most one blind review per
-- case: the blind-review queue item is one per case): no join. The BigQuery emulator ran the join of
-- the deduplicated trail this view was before in 22.7 s over 2,118 rows, this in 3.5 s
-- (bench/METRICS.md); on BigQuery both forms are the same query.
WITH cases AS (
  SELECT
    case_id,
    MAX(IF(state = 'decided' AND actor_kind = 'auto', use_case, NULL)) AS use_case,
    MAX(IF(state = 'decided' AND actor_kind = 'auto', model_name, NULL)) AS model_name,
    MAX(IF(state = 'decided' AND actor_kind = 'auto', model_version, NULL)) AS model_version,
    MAX(IF(state = 'decided' AND actor_kind = 'auto', outcome, NULL)) AS automatic_outcome,
    MAX(IF(state = 'reviewed' AND review_purpose = 'blind-review', outcome, NULL)) AS blind_outcome
  FROM `{{project}}.{{dataset}}.audit_events_dedup`
  WHERE (state = 'decided' AND actor_kind = 'auto') OR (state = 'reviewed' AND review_purpose = 'blind-review')
  GROUP BY case_id
)
SELECT
  use_case,
  model_name,
  model_version,
  COUNT(*) AS blind_reviews,
  COUNTIF(blind_outcome = automatic_outcome) AS aligned,
  SAFE_DIVIDE(COUNTIF(blind_outcome = automatic_outcome), COUNT(*)) AS alignment_rate
FROM cases
WHERE use_case IS NOT NULL AND blind_outcome IS NOT NULL
GROUP BY use_case, model_name, model_version
