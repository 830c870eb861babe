/**
 * BigQuery streaming inserts (`tabledata.insertAll`) through the client library
 * (`@google-cloud/bigquery`), one `insertId` per event. Entries name their table (the audit trail by
 * default, `labelled_examples` for the learning loop); one insert per table.
 */
import type { BigQuery } from '@google-cloud/bigquery';
import { BigQueryDataset, BigQueryTables } from '@arbiter/contract';
import type { AuditEntry, AuditSink, InsertOutcome } from './ports';

const TRANSIENT_HTTP = new Set([408, 429, 500, 502, 503, 504]);
const TRANSIENT_REASONS = new Set(['backendError', 'internalError', 'rateLimitExceeded', 'timeout', 'quotaExceeded']);
const TRANSIENT_NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ERR_STREAM_PREMATURE_CLOSE']);

/** A row error BigQuery reports for a server-side reason: the whole batch is tried again. */
export class TransientRowError extends Error {
  override readonly name = 'TransientRowError';
}

interface InsertErrors {
  insertErrors?: Array<{ index: number; errors?: Array<{ reason?: string; message?: string; location?: string }> }>;
}

/** The part of the client the sink uses (the whole client in production; a twin in unit tests). */
export type BigQueryInserter = Pick<BigQuery, 'dataset'>;

export class BigQueryAuditSink implements AuditSink {
  constructor(
    private readonly bigquery: BigQueryInserter,
    private readonly datasetId: string = BigQueryDataset.id,
    private readonly defaultTable: string = BigQueryTables.audit,
  ) {}

  async insert(entries: readonly AuditEntry[]): Promise<InsertOutcome> {
    const rejected = new Map<string, string>();
    const byTable = new Map<string, AuditEntry[]>();
    for (const entry of entries) {
      const table = entry.table ?? this.defaultTable;
      byTable.set(table, [...(byTable.get(table) ?? []), entry]);
    }
    for (const [table, group] of byTable) {
      const rows = group.map((entry) => ({ insertId: entry.insertId, json: withoutNulls(entry.row) }));
      let response: InsertErrors = {};
      try {
        await this.bigquery.dataset(this.datasetId).table(table).insert(rows, { raw: true, partialRetries: 0, skipInvalidRows: false, ignoreUnknownValues: false });
      } catch (error) {
        // The client reports row errors as a PartialFailureError carrying BigQuery's answer.
        if ((error as { name?: string }).name !== 'PartialFailureError') throw error;
        response = ((error as { response?: InsertErrors }).response ?? {}) as InsertErrors;
      }
      for (const failed of response.insertErrors ?? []) {
        const reasons = failed.errors ?? [];
        if (reasons.some((e) => TRANSIENT_REASONS.has(e.reason ?? ''))) throw new TransientRowError(`row ${failed.index}: ${reasons.map((e) => e.reason).join(', ')}`);
        const insertId = group[failed.index]?.insertId;
        if (insertId !== undefined) rejected.set(insertId, reasons.map((e) => `${e.reason ?? 'error'}: ${e.message ?? ''}${e.location ? ` (${e.location})` : ''}`).join('; '));
      }
    }
    return { rejected };
  }

  isTransient(error: unknown): boolean {
    return isTransientBigQueryError(error);
  }
}

/** Worth retrying: a server-side row error, a 5xx/408/429 (ApiError `code`), a retryable reason, or no answer at all. */
export function isTransientBigQueryError(error: unknown): boolean {
  if (error instanceof TransientRowError) return true;
  const e = error as { code?: unknown; errors?: Array<{ reason?: string }>; name?: string };
  if (typeof e?.code === 'number') return TRANSIENT_HTTP.has(e.code) || (e.errors ?? []).some((x) => TRANSIENT_REASONS.has(x.reason ?? ''));
  if (typeof e?.code === 'string') return TRANSIENT_NETWORK.has(e.code);
  return e?.name === 'FetchError' || e?.name === 'AbortError';
}

/** NULLABLE columns are simply left out when null (the same for BigQuery). */
function withoutNulls(row: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null && value !== undefined));
}
