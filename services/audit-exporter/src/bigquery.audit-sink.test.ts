import { BigQueryAuditSink } from './bigquery.audit-sink';
import { BigQueryHttpError, type BigQueryRest, type InsertAllResponse } from './bigquery.rest';
import type { AuditRow } from './audit-row';
import type { AuditEntry } from './ports';

const entry = (n: number): AuditEntry => ({ key: `k${n}`, insertId: `/src/e${n}`, row: { event_id: `e${n}`, outcome: null, evidence_uris: [] } as unknown as AuditRow });

function sinkAnswering(answer: InsertAllResponse | Error): { sink: BigQueryAuditSink; sent: unknown[] } {
  const sent: unknown[] = [];
  const rest = {
    insertAll: async (_d: string, _t: string, rows: unknown[]) => {
      sent.push(...rows);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  } as unknown as BigQueryRest;
  return { sink: new BigQueryAuditSink(rest), sent };
}

describe('BigQueryAuditSink', () => {
  it('sends each row with its insertId, leaving out null columns', async () => {
    const { sink, sent } = sinkAnswering({});
    await expect(sink.insert([entry(1)])).resolves.toEqual({ rejected: new Map() });
    expect(sent).toEqual([{ insertId: '/src/e1', json: { event_id: 'e1', evidence_uris: [] } }]);
  });

  it('reports invalid rows (and stopped batch-mates) by insertId', async () => {
    const { sink } = sinkAnswering({ insertErrors: [{ index: 1, errors: [{ reason: 'invalid', message: 'no such field: x', location: 'x' }] }, { index: 0, errors: [{ reason: 'stopped' }] }] });
    const outcome = await sink.insert([entry(1), entry(2)]);
    expect(outcome.rejected.get('/src/e2')).toBe('invalid: no such field: x (x)');
    expect(outcome.rejected.get('/src/e1')).toMatch(/^stopped/);
  });

  it('treats backend row errors, 5xx, 429 and no answer as transient; other statuses not', async () => {
    const { sink } = sinkAnswering({ insertErrors: [{ index: 0, errors: [{ reason: 'backendError' }] }] });
    const thrown = await sink.insert([entry(1)]).catch((error: unknown) => error);
    expect(sink.isTransient(thrown)).toBe(true);
    expect(sink.isTransient(new BigQueryHttpError(503, 'unavailable'))).toBe(true);
    expect(sink.isTransient(new BigQueryHttpError(429, 'slow down'))).toBe(true);
    expect(sink.isTransient(new BigQueryHttpError(undefined, 'ECONNRESET'))).toBe(true);
    expect(sink.isTransient(new BigQueryHttpError(403, 'denied'))).toBe(false);
    expect(sink.isTransient(new Error('bug'))).toBe(false);
  });
});
