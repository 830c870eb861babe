import { BigQueryDataset, BigQueryTables } from '@arbiter/contract';
import { BigQueryHttpError, type BigQueryRest } from './bigquery.rest';
import type { AuditEntry, AuditSink, InsertOutcome } from './ports';

const TRANSIENT_HTTP = new Set([408, 429, 500, 502, 503, 504]);
const TRANSIENT_REASONS = new Set(['backendError', 'internalError', 'rateLimitExceeded', 'timeout', 'quotaExceeded']);

/** A row error BigQuery reports for a server-side reason: the whole batch is tried again. */
class TransientRowError extends Error {
  override readonly name = 'TransientRowError';
}

/** BigQuery streaming inserts (`tabledata.insertAll`) into `arbiter_audit.audit_events`, one `insertId` per event. */
export class BigQueryAuditSink implements AuditSink {
  constructor(
    private readonly bigquery: BigQueryRest,
    private readonly dataset: string = BigQueryDataset.id,
    private readonly table: string = BigQueryTables.audit,
  ) {}

  async insert(entries: readonly AuditEntry[]): Promise<InsertOutcome> {
    const rows = entries.map((entry) => ({ insertId: entry.insertId, json: withoutNulls(entry.row) }));
    const response = await this.bigquery.insertAll(this.dataset, this.table, rows);
    const rejected = new Map<string, string>();
    for (const failed of response.insertErrors ?? []) {
      const reasons = failed.errors ?? [];
      if (reasons.some((e) => TRANSIENT_REASONS.has(e.reason ?? ''))) throw new TransientRowError(`row ${failed.index}: ${reasons.map((e) => e.reason).join(', ')}`);
      const insertId = entries[failed.index]?.insertId;
      if (insertId !== undefined) rejected.set(insertId, reasons.map((e) => `${e.reason ?? 'error'}: ${e.message ?? ''}${e.location ? ` (${e.location})` : ''}`).join('; '));
    }
    return { rejected };
  }

  isTransient(error: unknown): boolean {
    if (error instanceof TransientRowError) return true;
    if (error instanceof BigQueryHttpError) return error.status === undefined || TRANSIENT_HTTP.has(error.status) || TRANSIENT_REASONS.has(error.reason ?? '');
    return false;
  }
}

/** NULLABLE columns are simply left out when null (the same for BigQuery). */
function withoutNulls(row: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null && value !== undefined));
}
