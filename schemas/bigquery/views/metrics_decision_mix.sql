-- arbiter_audit.metrics_decision_mix: who decides, per use case and day (ADR-0016 success metric
-- "automatic-approval rate"; HITL-OPT share of automatic, batch and human decisions).
-- One decided row per case (audit_events_dedup); actor_kind: auto | human | policy.
SELECT
  use_case,
  DATE(event_time) AS day,
  COUNT(*) AS decisions,
  COUNTIF(actor_kind = 'auto') AS automatic,
  COUNTIF(actor_kind = 'human') AS human,
  COUNTIF(actor_kind = 'policy') AS policy,
  SAFE_DIVIDE(COUNTIF(actor_kind = 'auto'), COUNT(*)) AS automatic_rate,
  SAFE_DIVIDE(COUNTIF(customer_favorable), COUNT(*)) AS customer_favorable_rate
FROM `{{project}}.{{dataset}}.audit_events_dedup`
WHERE state = 'decided'
GROUP BY use_case, day
