import type { ServiceName } from '@arbiter/contract';
import { readCommonServiceConfig, type CommonServiceConfig, type EnvReader } from '@arbiter/platform';

export const DEFAULT_PORT = 8105;
export const SERVICE = 'audit-exporter' satisfies ServiceName;

export interface AuditExporterConfig extends CommonServiceConfig {
  /** `http://host:port` of the BigQuery emulator; unset on GCP. */
  bigqueryEmulatorHost?: string;
  /** Project of the audit dataset: the service's own unless set (an analytics project of its own). */
  bigqueryProjectId: string;
  dataset: string;
  /** Flush a batch at this many rows… */
  batchMaxRows: number;
  /** …or when its oldest row has waited this long (ms)… */
  batchMaxWaitMs: number;
  /** …or when no row has come for this long (ms; 0: never). */
  batchIdleMs: number;
  /** Insert attempts on transient BigQuery errors, and the backoff between them (ms). */
  insertAttempts: number;
  retryStartMs: number;
  retryMaxMs: number;
  /** Create or update the views in schemas/bigquery/views at start-up. */
  ensureViews: boolean;
}

export function readAuditExporterConfig(read: EnvReader): AuditExporterConfig {
  const common = readCommonServiceConfig(read, DEFAULT_PORT);
  const emulator = read.optional('BIGQUERY_EMULATOR_HOST');
  let bigqueryEmulatorHost: string | undefined;
  if (emulator !== undefined) {
    const url = /^https?:\/\//.test(emulator) ? emulator : `http://${emulator}`;
    if (read.hostPort('BIGQUERY_EMULATOR_HOST') !== undefined) bigqueryEmulatorHost = url;
  }
  return {
    ...common,
    ...(bigqueryEmulatorHost ? { bigqueryEmulatorHost } : {}),
    bigqueryProjectId: read.string('ARBITER_BIGQUERY_PROJECT_ID', common.projectId),
    dataset: read.string('ARBITER_AUDIT_DATASET', 'arbiter_audit'),
    batchMaxRows: read.int('ARBITER_AUDIT_BATCH_ROWS', 200, { min: 1, max: 10_000 }),
    batchMaxWaitMs: read.int('ARBITER_AUDIT_BATCH_WAIT_MS', 1_000, { min: 0, max: 60_000 }),
    batchIdleMs: read.int('ARBITER_AUDIT_BATCH_IDLE_MS', 25, { min: 0, max: 60_000 }),
    insertAttempts: read.int('ARBITER_AUDIT_INSERT_ATTEMPTS', 6, { min: 1, max: 20 }),
    retryStartMs: read.int('ARBITER_AUDIT_RETRY_START_MS', 200, { min: 1 }),
    retryMaxMs: read.int('ARBITER_AUDIT_RETRY_MAX_MS', 10_000, { min: 1 }),
    ensureViews: read.bool('ARBITER_AUDIT_ENSURE_VIEWS', true),
  };
}
