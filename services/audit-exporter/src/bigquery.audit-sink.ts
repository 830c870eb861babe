import type { BigQuery, Table } from '@google-cloud/bigquery';
import { BigQueryDataset, BigQueryTables } from '@arbiter/contract';
import type { AuditEntry, AuditSink, InsertOutcome } from './ports';

const TRANSIENT_HTTP = new Set([408, 429, 500, 502, 503, 504]);
const TRANSIENT_NET = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET']);
const TRANSIENT_REASONS = new Set(['backendError', 'internalError', 'rateLimitExceeded', 'timeout', 'quotaExceeded']);

interface RowError {
  reason?: string;
  message?: string;
}
interface PartialFailure {
  name: 'PartialFailureError';
  errors: Array<{ errors?: RowError[]; row?: { insertId?: string } }>;
}
const isPartialFailure = (error: unknown): error is PartialFailure => (error as { name?: unknown }).name === 'PartialFailureError' && Array.isArray((error as { errors?: unknown }).errors);

/** BigQuery streaming inserts (`tabledata.insertAll`) into `arbiter_audit.audit_events`, one `insertId` per event. */
export class BigQueryAuditSink implements AuditSink {
  private readonly table: Table;

  constructor(bigquery: BigQuery, dataset: string = BigQueryDataset.id, table: string = BigQueryTables.audit) {
    this.table = bigquery.dataset(dataset).table(table);
  }

  async insert(entries: readonly AuditEntry[]): Promise<InsertOutcome> {
    const rows = entries.map((entry) => ({ insertId: entry.insertId, json: withoutNulls(entry.row) }));
    try {
      await this.table.insert(rows, { raw: true });
      return { rejected: new Map() };
    } catch (error) {
      if (!isPartialFailure(error)) throw error;
      const rejected = new Map<string, string>();
      for (const failed of error.errors) {
        const reasons = failed.errors ?? [];
        // A row that failed for a server-side reason is worth another try: throw, the batcher retries.
        if (reasons.some((e) => TRANSIENT_REASONS.has(e.reason ?? ''))) throw Object.assign(new Error(`transient row error: ${reasons.map((e) => e.reason).join(', ')}`), { transient: true });
        const insertId = failed.row?.insertId;
        if (insertId) rejected.set(insertId, reasons.map((e) => `${e.reason ?? 'error'}: ${e.message ?? ''}`).join('; '));
      }
      return { rejected };
    }
  }

  isTransient(error: unknown): boolean {
    const e = error as { code?: unknown; transient?: unknown; errors?: Array<{ reason?: string }>; cause?: { code?: unknown } };
    if (e.transient === true) return true;
    if (typeof e.code === 'number') return TRANSIENT_HTTP.has(e.code);
    if (typeof e.code === 'string' && TRANSIENT_NET.has(e.code)) return true;
    if (typeof e.cause?.code === 'string' && TRANSIENT_NET.has(e.cause.code)) return true;
    if (Array.isArray(e.errors) && e.errors.some((x) => TRANSIENT_REASONS.has(x.reason ?? ''))) return true;
    // No status at all: the request never got an answer (socket closed, DNS), so trying again is safe.
    return e.code === undefined && !(error instanceof TypeError);
  }
}

/** NULLABLE columns are simply left out when null (the same for BigQuery, and friendlier to the emulator). */
function withoutNulls(row: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null && value !== undefined));
}
