-- arbiter_audit.metrics_review_quality: per use case and day of review,
-- - override rate: human decisions whose outcome differs from what the model said (feedback rows
--   labelled with source `override`), over human decisions;
-- - human-approval alignment: blind reviews of automatic decisions that reached the same outcome;
-- - reviewer agreement: double reviews that agree with the case's deciding review (raw agreement;
--   Cohen's/Fleiss' kappa is computed by @arbiter/core from the same rows).
WITH reviews AS (
  SELECT case_id, use_case, DATE(event_time) AS day, outcome, JSON_VALUE(payload, '$.purpose') AS purpose
  FROM `{{project}}.{{dataset}}.audit_events_dedup`
  WHERE state = 'reviewed'
),
decisions AS (
  SELECT case_id, use_case, DATE(event_time) AS day, outcome, actor_kind
  FROM `{{project}}.{{dataset}}.audit_events_dedup`
  WHERE state = 'decided'
),
overrides AS (
  SELECT case_id
  FROM `{{project}}.{{dataset}}.audit_events_dedup`
  WHERE state = 'labelled' AND JSON_VALUE(payload, '$.source') = 'override'
),
blind AS (
  SELECT r.use_case, r.day, r.outcome = d.outcome AS aligned
  FROM reviews r JOIN decisions d ON d.case_id = r.case_id
  WHERE r.purpose = 'blind-review' AND d.actor_kind = 'auto'
),
doubled AS (
  SELECT second.use_case, second.day, second.outcome = first.outcome AS agreed
  FROM reviews second JOIN reviews first ON first.case_id = second.case_id
  WHERE second.purpose = 'double-review' AND first.purpose = 'decision'
),
human AS (
  SELECT d.use_case, d.day, o.case_id IS NOT NULL AS overridden
  FROM decisions d LEFT JOIN (SELECT DISTINCT case_id FROM overrides) o ON o.case_id = d.case_id
  WHERE d.actor_kind = 'human'
),
human_agg AS (SELECT use_case, day, COUNT(*) AS human_decisions, COUNTIF(overridden) AS overrides FROM human GROUP BY use_case, day),
blind_agg AS (SELECT use_case, day, COUNT(*) AS blind_reviews, COUNTIF(aligned) AS blind_aligned FROM blind GROUP BY use_case, day),
double_agg AS (SELECT use_case, day, COUNT(*) AS double_reviews, COUNTIF(agreed) AS double_agreed FROM doubled GROUP BY use_case, day),
keys AS (
  SELECT use_case, day FROM human_agg
  UNION DISTINCT SELECT use_case, day FROM blind_agg
  UNION DISTINCT SELECT use_case, day FROM double_agg
)
SELECT
  keys.use_case,
  keys.day,
  IFNULL(h.human_decisions, 0) AS human_decisions,
  IFNULL(h.overrides, 0) AS overrides,
  SAFE_DIVIDE(h.overrides, h.human_decisions) AS override_rate,
  IFNULL(b.blind_reviews, 0) AS blind_reviews,
  SAFE_DIVIDE(b.blind_aligned, b.blind_reviews) AS human_alignment,
  IFNULL(x.double_reviews, 0) AS double_reviews,
  SAFE_DIVIDE(x.double_agreed, x.double_reviews) AS reviewer_agreement
FROM keys
LEFT JOIN human_agg h ON h.use_case = keys.use_case AND h.day = keys.day
LEFT JOIN blind_agg b ON b.use_case = keys.use_case AND b.day = keys.day
LEFT JOIN double_agg x ON x.use_case = keys.use_case AND x.day = keys.day
