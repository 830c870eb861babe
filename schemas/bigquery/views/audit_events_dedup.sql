-- arbiter_audit.audit_events_dedup: the audit trail as analysts should read it — one row per event.
--
-- The exporter writes each event once per delivery that gets past its ledger (auditLedger/{eventKey}
-- in Firestore) with insertId = the event identity. BigQuery's insertId deduplication is best effort
-- (about a minute) and the emulator ignores it, and a crash between the insert and the ledger write
-- lets a redelivery insert the row again. This view keeps the first row written for each event
-- identity (ce-source, ce-id), so a state change is never counted twice.
-- {{project}} and {{dataset}} are filled in by the audit exporter when it creates or updates the view.
--
-- Written as an aggregation (ARRAY_AGG … ORDER BY ingested_at LIMIT 1 per event identity) rather
-- than ROW_NUMBER() OVER (PARTITION BY …): the same result, and the BigQuery emulator evaluates
-- window functions in quadratic time (minutes at a few thousand rows) and crashes on windows over
-- windows, while it aggregates quickly. On BigQuery both forms are fine.
SELECT first_row.*
FROM (
  SELECT ARRAY_AGG(t ORDER BY t.ingested_at LIMIT 1)[OFFSET(0)] AS first_row
  FROM `{{project}}.{{dataset}}.audit_events` t
  GROUP BY t.event_source, t.event_id
)
