-- arbiter_audit.metrics_decision_mix: who decides, per use case and day of decision.
-- HITL-OPT success metric "Automatic Approval Rate: target > 60%" = automatic_rate: the share of a
-- use case's decisions made automatically (high band or fast-track, actor_kind = 'auto') among all
-- its decisions (auto + human + policy). One decided row per case (audit_events_dedup).
-- Needs volume: a day with a handful of cases says little; read it over weeks.
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
