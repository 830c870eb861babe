-- arbiter_audit.metrics_queue_agreement: Fleiss' kappa per use case and review queue on
-- double-reviewed cases (ADR-0016 "Reviewer agreement >= kappa 0.8"), whoever the reviewers were.
--
-- Subjects: cases with a decision verdict and a double-review verdict (review_purpose), i.e. exactly
-- n = 2 ratings each (Fleiss needs the same number of raters per subject; a case with any other
-- count is left out). The queue is the one the case was routed to.
--   P_i   = sum_c n_ic (n_ic - 1) / (n (n - 1))        (per subject; with n = 2: 1 if agreed, else 0)
--   P     = mean of P_i
--   p_c   = (ratings in outcome c) / (N * n)
--   P_e   = sum_c p_c^2
--   kappa = (P - P_e) / (1 - P_e); P_e = 1 → kappa 1, degenerate — as @arbiter/core's fleissKappa.
WITH routed AS (
  SELECT case_id, ANY_VALUE(queue) AS queue
  FROM `{{project}}.{{dataset}}.audit_events_dedup`
  WHERE state = 'routed' AND queue IS NOT NULL
  GROUP BY case_id
),
reviews AS (
  SELECT r.case_id, r.use_case, COALESCE(routed.queue, r.queue) AS queue, r.review_purpose, r.outcome, r.quality_min_kappa
  FROM `{{project}}.{{dataset}}.audit_events_dedup` r
  LEFT JOIN routed ON routed.case_id = r.case_id
  WHERE r.state = 'reviewed' AND r.review_purpose IN ('decision', 'double-review')
),
doubled AS (
  SELECT case_id FROM reviews GROUP BY case_id
  HAVING COUNTIF(review_purpose = 'double-review') >= 1 AND COUNT(*) = 2
),
cells AS (
  SELECT r.use_case, r.queue, r.case_id, r.outcome, COUNT(*) AS n_ic, MAX(r.quality_min_kappa) AS min_kappa
  FROM reviews r JOIN doubled d ON d.case_id = r.case_id
  GROUP BY r.use_case, r.queue, r.case_id, r.outcome
),
subjects AS (
  SELECT use_case, queue, case_id, SUM(n_ic * (n_ic - 1)) / (2 * 1) AS p_i, MAX(min_kappa) AS min_kappa
  FROM cells GROUP BY use_case, queue, case_id
),
categories AS (
  SELECT use_case, queue, outcome, SUM(n_ic) AS ratings FROM cells GROUP BY use_case, queue, outcome
),
chance AS (
  SELECT c.use_case, c.queue, SUM(POW(c.ratings / (s.n * 2), 2)) AS expected
  FROM categories c
  JOIN (SELECT use_case, queue, COUNT(*) AS n FROM subjects GROUP BY use_case, queue) s ON s.use_case = c.use_case AND s.queue = c.queue
  GROUP BY c.use_case, c.queue
),
observed AS (
  SELECT use_case, queue, COUNT(*) AS subjects, AVG(p_i) AS observed, MAX(min_kappa) AS min_kappa FROM subjects GROUP BY use_case, queue
)
SELECT
  o.use_case,
  o.queue,
  o.subjects AS double_reviewed,
  o.observed,
  c.expected,
  IF(ABS(1 - c.expected) < 1e-12, 1.0, (o.observed - c.expected) / (1 - c.expected)) AS kappa,
  ABS(1 - c.expected) < 1e-12 AS degenerate,
  o.min_kappa,
  IF(ABS(1 - c.expected) < 1e-12, 1.0, (o.observed - c.expected) / (1 - c.expected)) >= o.min_kappa AS meets_target
FROM observed o
JOIN chance c ON c.use_case = o.use_case AND c.queue = o.queue
