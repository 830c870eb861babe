-- arbiter_audit.metrics_reviewer_agreement: Cohen's kappa per reviewer pair and use case, on
-- double-reviewed cases (ADR-0016 "Reviewer agreement >= kappa 0.8 on sampled cases").
--
-- A policy's quality.doubleReviewRate sends a deterministic share of decided cases to a second,
-- independent reviewer (review_purpose = 'double-review'; never the first reviewer, and blind to the
-- first verdict). Each such case is
-- one rated subject for the pair (first reviewer's decision verdict, second reviewer's verdict);
-- the pair is ordered (reviewer_a < reviewer_b) so A/B is the same pair whoever went first.
--
--   observed  P_o = agreed / subjects
--   expected  P_e = sum over outcomes c of (n_a(c) / n) * (n_b(c) / n)
--   kappa         = (P_o - P_e) / (1 - P_e);  when P_e = 1 (every verdict the same single outcome)
--                   kappa is defined as 1 and degenerate = TRUE — as @arbiter/core's cohensKappa.
-- meets_target: kappa >= the policy's quality.minKappa (carried on the reviewed rows).
-- Needs volume: kappa over fewer than ~30 shared cases per pair is noise.
WITH reviews AS (
  SELECT case_id, use_case, review_purpose, actor_id, outcome, quality_min_kappa
  FROM `{{project}}.{{dataset}}.audit_events_dedup`
  WHERE state = 'reviewed' AND review_purpose IN ('decision', 'double-review')
),
pairs AS (
  SELECT
    f.use_case,
    f.case_id,
    LEAST(f.actor_id, s.actor_id) AS reviewer_a,
    GREATEST(f.actor_id, s.actor_id) AS reviewer_b,
    IF(f.actor_id < s.actor_id, f.outcome, s.outcome) AS rating_a,
    IF(f.actor_id < s.actor_id, s.outcome, f.outcome) AS rating_b,
    s.quality_min_kappa
  FROM reviews f
  JOIN reviews s ON s.case_id = f.case_id
  WHERE f.review_purpose = 'decision' AND s.review_purpose = 'double-review' AND f.actor_id <> s.actor_id
),
totals AS (
  SELECT use_case, reviewer_a, reviewer_b, COUNT(*) AS subjects, COUNTIF(rating_a = rating_b) AS agreed, MAX(quality_min_kappa) AS min_kappa
  FROM pairs
  GROUP BY use_case, reviewer_a, reviewer_b
),
by_a AS (SELECT use_case, reviewer_a, reviewer_b, rating_a AS outcome, COUNT(*) AS n FROM pairs GROUP BY use_case, reviewer_a, reviewer_b, rating_a),
by_b AS (SELECT use_case, reviewer_a, reviewer_b, rating_b AS outcome, COUNT(*) AS n FROM pairs GROUP BY use_case, reviewer_a, reviewer_b, rating_b),
chance AS (
  SELECT a.use_case, a.reviewer_a, a.reviewer_b, SUM(a.n * b.n) AS cross_products
  FROM by_a a
  JOIN by_b b ON b.use_case = a.use_case AND b.reviewer_a = a.reviewer_a AND b.reviewer_b = a.reviewer_b AND b.outcome = a.outcome
  GROUP BY a.use_case, a.reviewer_a, a.reviewer_b
),
measured AS (
  SELECT
    t.use_case, t.reviewer_a, t.reviewer_b, t.subjects, t.agreed, t.min_kappa,
    t.agreed / t.subjects AS observed,
    IFNULL(c.cross_products, 0) / (t.subjects * t.subjects) AS expected
  FROM totals t
  LEFT JOIN chance c ON c.use_case = t.use_case AND c.reviewer_a = t.reviewer_a AND c.reviewer_b = t.reviewer_b
)
SELECT
  use_case,
  reviewer_a,
  reviewer_b,
  subjects AS double_reviewed,
  agreed,
  observed,
  expected,
  IF(ABS(1 - expected) < 1e-12, 1.0, (observed - expected) / (1 - expected)) AS kappa,
  ABS(1 - expected) < 1e-12 AS degenerate,
  min_kappa,
  IF(ABS(1 - expected) < 1e-12, 1.0, (observed - expected) / (1 - expected)) >= min_kappa AS meets_target
FROM measured
