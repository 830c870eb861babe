-- arbiter_audit.metrics_golden_accuracy: reviewer accuracy on golden cases, per use case and
-- reviewer, and the reviewers below the policy's bar (ADR-0016 "golden review subsets for
-- calibration"; flagged to the lead).
--
-- Golden cases (a set with known answers, loaded with `pnpm learning-loop golden load`) are mixed into
-- the queues at the policy's quality.goldenRate, looking like any other case. Each verdict on one
-- is a reviewed row with review_purpose = 'golden' and the known answer in expected_outcome.
--   accuracy  = correct / golden_reviews, correct meaning outcome = expected_outcome
--   below_bar = accuracy < the policy's quality.minGoldenAccuracy (min_accuracy)
-- Needs volume: with 20 golden reviews one mistake moves accuracy by 5 points.
SELECT
  use_case,
  actor_id AS reviewer_id,
  COUNT(*) AS golden_reviews,
  COUNTIF(outcome = expected_outcome) AS correct,
  SAFE_DIVIDE(COUNTIF(outcome = expected_outcome), COUNT(*)) AS accuracy,
  MAX(quality_min_golden_accuracy) AS min_accuracy,
  SAFE_DIVIDE(COUNTIF(outcome = expected_outcome), COUNT(*)) < MAX(quality_min_golden_accuracy) AS below_bar
FROM `{{project}}.{{dataset}}.audit_events_dedup`
WHERE state = 'reviewed' AND review_purpose = 'golden' AND expected_outcome IS NOT NULL
GROUP BY use_case, actor_id
