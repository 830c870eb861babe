-- arbiter_audit.audit_events_dedup: the audit trail as analysts should read it — one row per event.
--
-- The exporter writes each event once per delivery that gets past its ledger (auditLedger/{eventKey}
-- in Firestore) with insertId = the event identity. BigQuery's insertId deduplication is best effort
-- (about a minute) and the emulator ignores it, and a crash between the insert and the ledger write
-- lets a redelivery insert the row again. This view keeps the first row written for each event
-- identity (ce-source, ce-id), so a state change is never counted twice.
--
-- {{project}} and {{dataset}} are filled in by the audit exporter when it creates or updates the view.
SELECT * EXCEPT (row_number_in_event)
FROM (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY event_source, event_id ORDER BY ingested_at) AS row_number_in_event
  FROM `{{project}}.{{dataset}}.audit_events`
)
WHERE row_number_in_event = 1
