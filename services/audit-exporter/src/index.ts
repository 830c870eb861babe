export { buildAuditExporterApp, auditSubscriptions, type AuditExporterDeps } from './app';
export { AuditBatcher, RejectedRowError, type AuditBatcherOptions, type WriteOutcome } from './audit-batcher';
export { toAuditRow, redactionPaths, redactEventData, routeLabel, stateOf, FREE_TEXT_PATHS, type AuditRow, type AuditState, type AuditContext } from './audit-row';
export { FirestoreAuditLedger, FirestoreCaseUseCases, AUDIT_LEDGER_COLLECTION } from './audit-ledger.firestore';
export { BigQueryAuditSink } from './bigquery.audit-sink';
export { readAuditExporterConfig, DEFAULT_PORT, EVENT_SOURCE, type AuditExporterConfig } from './config';
export { createRecordEvent, recordEventHandler, insertIdOf, ledgerKeyOf } from './record-event';
export { ensureViews, loadViews, viewsDir, type ViewDefinition } from './views';
export * from './ports';
