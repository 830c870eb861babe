-- arbiter_audit.metrics_model_overrides: per use case, model and version, over the cases a person
-- decided (decided rows with actor_kind = 'human'; model_outcome = what the model's label stands
-- for under the policy, i.e. what the model alone would have decided).
--
-- override_rate = overrides / human_decisions, an override being outcome <> model_outcome.
--
-- false_positive_reduction (ADR-0016 "Reduction in false positives by >= 30% compared to pre-HITL
-- baselines"). The pre-HITL baseline is the model acting alone on the same cases. A false positive
-- is a customer-unfavourable outcome (a fee, a change customers see) that should not have been:
--   model_unfavourable     = human-decided cases where model_customer_favorable = FALSE (the model
--                            alone would have charged / acted against the customer);
--   overturned_favourable  = of those, the ones the person decided customer-favourably
--                            (customer_favorable = TRUE): false positives the model alone would have
--                            made and the human review prevented;
--   false_positive_reduction = overturned_favourable / model_unfavourable: the share of the model's
--                            customer-unfavourable calls on reviewed cases that HITL removed.
-- It measures reviewed cases only (automatic decisions are the model's own; their false positives
-- show up in metrics_human_alignment). Needs production volume and honest reviewers to mean anything.
SELECT
  use_case,
  model_name,
  model_version,
  COUNT(*) AS human_decisions,
  COUNTIF(outcome <> model_outcome) AS overrides,
  SAFE_DIVIDE(COUNTIF(outcome <> model_outcome), COUNT(*)) AS override_rate,
  COUNTIF(model_customer_favorable = FALSE) AS model_unfavourable,
  COUNTIF(model_customer_favorable = FALSE AND customer_favorable) AS overturned_favourable,
  SAFE_DIVIDE(COUNTIF(model_customer_favorable = FALSE AND customer_favorable), COUNTIF(model_customer_favorable = FALSE)) AS false_positive_reduction
FROM `{{project}}.{{dataset}}.audit_events_dedup`
WHERE state = 'decided' AND actor_kind = 'human' AND model_outcome IS NOT NULL
GROUP BY use_case, model_name, model_version
