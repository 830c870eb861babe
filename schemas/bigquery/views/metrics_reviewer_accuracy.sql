-- arbiter_audit.metrics_reviewer_accuracy: each reviewer's accuracy on cases with a known answer,
-- per use case, and the reviewers below the policy's bar (flagged to the lead).
--
-- Known answers come from two places:
--   golden       a golden case's expected_outcome (review_purpose = 'golden'), as in
--                metrics_golden_accuracy;
--   adjudicated  a double review that disagreed went to a lead; the lead's verdict (a reviewed row
--                with review_purpose = 'adjudication') is the answer both reviewers' verdicts (the
--                decision's and the double review's) are judged against.
--   accuracy  = correct / judged
--   below_bar = accuracy < the policy's quality.minGoldenAccuracy (min_accuracy)
WITH reviews AS (
  SELECT case_id, use_case, review_purpose, actor_id, outcome, expected_outcome, quality_min_golden_accuracy
  FROM `{{project}}.{{dataset}}.audit_events_dedup`
  WHERE state = 'reviewed'
),
judged AS (
  SELECT use_case, actor_id, 'golden' AS answer_source, outcome = expected_outcome AS correct, quality_min_golden_accuracy
  FROM reviews
  WHERE review_purpose = 'golden' AND expected_outcome IS NOT NULL
  UNION ALL
  SELECT r.use_case, r.actor_id, 'adjudicated' AS answer_source, r.outcome = a.outcome AS correct, a.quality_min_golden_accuracy
  FROM reviews r
  JOIN reviews a ON a.case_id = r.case_id AND a.review_purpose = 'adjudication'
  WHERE r.review_purpose IN ('decision', 'double-review')
)
SELECT
  use_case,
  actor_id AS reviewer_id,
  COUNT(*) AS judged,
  COUNTIF(answer_source = 'golden') AS golden,
  COUNTIF(answer_source = 'adjudicated') AS adjudicated,
  COUNTIF(correct) AS correct,
  SAFE_DIVIDE(COUNTIF(correct), COUNT(*)) AS accuracy,
  MAX(quality_min_golden_accuracy) AS min_accuracy,
  SAFE_DIVIDE(COUNTIF(correct), COUNT(*)) < MAX(quality_min_golden_accuracy) AS below_bar
FROM judged
GROUP BY use_case, actor_id
