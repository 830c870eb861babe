-- arbiter_audit.metrics_human_alignment: HITL-OPT "Approval Quality: target > 95% human-approval
-- alignment", per use case and model version.
--
-- A share of automatic decisions (policy sampling.blindReviewRate) also goes to blind human review:
-- the reviewer sees neither the model's label nor the automatic outcome. Alignment = blind reviews
-- (reviewed rows, review_purpose = 'blind-review') of cases decided automatically
-- (decided row actor_kind = 'auto') whose outcome equals the automatic outcome, over all of them.
-- Needs volume: at 5% sampling, 1,000 automatic decisions give ~50 blind reviews (±6 points).
WITH blind AS (
  SELECT case_id, outcome, actor_id
  FROM `{{project}}.{{dataset}}.audit_events_dedup`
  WHERE state = 'reviewed' AND review_purpose = 'blind-review'
),
automatic AS (
  SELECT case_id, use_case, model_name, model_version, outcome
  FROM `{{project}}.{{dataset}}.audit_events_dedup`
  WHERE state = 'decided' AND actor_kind = 'auto'
)
SELECT
  a.use_case,
  a.model_name,
  a.model_version,
  COUNT(*) AS blind_reviews,
  COUNTIF(b.outcome = a.outcome) AS aligned,
  SAFE_DIVIDE(COUNTIF(b.outcome = a.outcome), COUNT(*)) AS alignment_rate
FROM automatic a
JOIN blind b ON b.case_id = a.case_id
GROUP BY a.use_case, a.model_name, a.model_version
