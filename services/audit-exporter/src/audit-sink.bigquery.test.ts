import { BigQueryAuditSink, isTransientBigQueryError, type BigQueryInserter } from './audit-sink.bigquery';
import type { AuditRow } from './audit-row';
import type { AuditEntry } from './ports';

const entry = (n: number, table?: string): AuditEntry => ({ key: `k${n}`, insertId: `/src/e${n}`, expireAt: new Date(0), ...(table ? { table } : {}), row: { event_id: `e${n}`, outcome: null, evidence_uris: [] } as unknown as AuditRow });

type InsertErrors = { insertErrors?: Array<{ index: number; errors?: Array<{ reason?: string; message?: string; location?: string }> }> };

/** A twin of the client's dataset().table().insert(): records what it was sent, answers as told. */
function sinkAnswering(answer: InsertErrors | Error): { sink: BigQueryAuditSink; sent: Array<{ table: string; rows: unknown[]; options: unknown }> } {
  const sent: Array<{ table: string; rows: unknown[]; options: unknown }> = [];
  const client = {
    dataset: () => ({
      table: (table: string) => ({
        insert: async (rows: unknown[], options: unknown) => {
          sent.push({ table, rows, options });
          if (answer instanceof Error) throw answer;
          // The client throws a PartialFailureError carrying BigQuery's answer when rows failed.
          if (answer.insertErrors?.length) throw Object.assign(new Error('A failure occurred during this request.'), { name: 'PartialFailureError', response: answer });
          return [answer];
        },
      }),
    }),
  } as unknown as BigQueryInserter;
  return { sink: new BigQueryAuditSink(client, 'arbiter_audit', 'audit_events'), sent };
}

describe('BigQueryAuditSink (client library)', () => {
  it('sends each row raw with its insertId, leaving out null columns, and no automatic partial retries', async () => {
    const { sink, sent } = sinkAnswering({});
    await expect(sink.insert([entry(1)])).resolves.toEqual({ rejected: new Map() });
    expect(sent).toEqual([{ table: 'audit_events', rows: [{ insertId: '/src/e1', json: { event_id: 'e1', evidence_uris: [] } }], options: { raw: true, partialRetries: 0, skipInvalidRows: false, ignoreUnknownValues: false } }]);
  });

  it('inserts into each entry’s table, one request per table', async () => {
    const { sink, sent } = sinkAnswering({});
    await sink.insert([entry(1), entry(2, 'labelled_examples'), entry(3)]);
    expect(sent.map((s) => [s.table, s.rows.length])).toEqual([['audit_events', 2], ['labelled_examples', 1]]);
  });

  it('reports invalid rows (and stopped batch-mates) by insertId', async () => {
    const { sink } = sinkAnswering({ insertErrors: [{ index: 1, errors: [{ reason: 'invalid', message: 'no such field: x', location: 'x' }] }, { index: 0, errors: [{ reason: 'stopped' }] }] });
    const outcome = await sink.insert([entry(1), entry(2)]);
    expect(outcome.rejected.get('/src/e2')).toBe('invalid: no such field: x (x)');
    expect(outcome.rejected.get('/src/e1')).toMatch(/^stopped/);
  });

  it('treats backend row errors, 5xx, 429 and network errors as transient; other statuses and bugs not', async () => {
    const { sink } = sinkAnswering({ insertErrors: [{ index: 0, errors: [{ reason: 'backendError' }] }] });
    const thrown = await sink.insert([entry(1)]).catch((error: unknown) => error);
    expect(sink.isTransient(thrown)).toBe(true);
    const apiError = (code: number, reason?: string) => Object.assign(new Error('api'), { name: 'ApiError', code, errors: reason ? [{ reason }] : [] });
    expect(isTransientBigQueryError(apiError(503))).toBe(true);
    expect(isTransientBigQueryError(apiError(429))).toBe(true);
    expect(isTransientBigQueryError(apiError(403, 'rateLimitExceeded'))).toBe(true);
    expect(isTransientBigQueryError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransientBigQueryError(apiError(403))).toBe(false);
    expect(isTransientBigQueryError(apiError(400))).toBe(false);
    expect(isTransientBigQueryError(new Error('bug'))).toBe(false);
  });
});
