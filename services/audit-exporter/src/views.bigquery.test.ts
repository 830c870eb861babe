import type { BigQuery } from '@google-cloud/bigquery';
import { ensureViews } from './views.bigquery';
import type { ViewDefinition } from './views';

/** An error as the BigQuery client throws it: `code` is the HTTP status. */
const answered = (code: number, message: string): Error => Object.assign(new Error(message), { code });

/** A dataset whose calls answer from `script` (one entry per call, in order; past its end: success). */
function scriptedDataset(script: Partial<Record<'getMetadata' | 'createTable' | 'setMetadata', Array<Error | undefined>>>, existingQuery?: string) {
  const calls: string[] = [];
  const next = (verb: 'getMetadata' | 'createTable' | 'setMetadata'): Error | undefined => script[verb]?.shift();
  const dataset = {
    table: (id: string) => ({
      getMetadata: async () => {
        calls.push(`getMetadata ${id}`);
        const failure = next('getMetadata');
        if (failure) throw failure;
        if (existingQuery === undefined) throw answered(404, `Not found: Table ${id}`);
        return [{ view: { query: existingQuery } }, {}];
      },
      setMetadata: async () => {
        calls.push(`setMetadata ${id}`);
        const failure = next('setMetadata');
        if (failure) throw failure;
        return [{}];
      },
    }),
    createTable: async (id: string) => {
      calls.push(`createTable ${id}`);
      const failure = next('createTable');
      if (failure) throw failure;
      return [{}];
    },
  };
  return { bigquery: { dataset: () => dataset } as unknown as Pick<BigQuery, 'dataset'>, calls };
}

const views: ViewDefinition[] = [{ id: 'audit_events_dedup', query: 'SELECT 1' }];
const fast = { attempts: 4, startingDelayMs: 1 };

describe('ensureViews', () => {
  it('tries again when BigQuery answers 500 (the emulator does, now and then) and creates the view', async () => {
    const { bigquery, calls } = scriptedDataset({ getMetadata: [answered(500, 'sql: connection is already closed')], createTable: [answered(503, 'backend error')] });
    await expect(ensureViews(bigquery, 'arbiter_audit', views, fast)).resolves.toEqual({ audit_events_dedup: 'created' });
    expect(calls).toEqual(['getMetadata audit_events_dedup', 'getMetadata audit_events_dedup', 'createTable audit_events_dedup', 'createTable audit_events_dedup']);
  });

  it('counts a view another instance created meanwhile (409) as unchanged', async () => {
    const { bigquery } = scriptedDataset({ createTable: [answered(409, 'Already Exists: Table audit_events_dedup')] });
    await expect(ensureViews(bigquery, 'arbiter_audit', views, fast)).resolves.toEqual({ audit_events_dedup: 'unchanged' });
  });

  it('gives up after its attempts, and at once on an error that another try cannot mend', async () => {
    const down = scriptedDataset({ getMetadata: [1, 2, 3, 4].map(() => answered(500, 'still down')) });
    await expect(ensureViews(down.bigquery, 'arbiter_audit', views, fast)).rejects.toThrow('still down');
    expect(down.calls).toHaveLength(4);
    const refused = scriptedDataset({ setMetadata: [answered(400, 'Syntax error: Unexpected end of script')] }, 'SELECT 0');
    await expect(ensureViews(refused.bigquery, 'arbiter_audit', views, fast)).rejects.toThrow('Syntax error');
    expect(refused.calls).toEqual(['getMetadata audit_events_dedup', 'setMetadata audit_events_dedup']);
  });

  it('updates a view whose query changed and leaves an equal one alone', async () => {
    expect(await ensureViews(scriptedDataset({}, 'SELECT 0').bigquery, 'arbiter_audit', views, fast)).toEqual({ audit_events_dedup: 'updated' });
    expect(await ensureViews(scriptedDataset({}, 'SELECT 1').bigquery, 'arbiter_audit', views, fast)).toEqual({ audit_events_dedup: 'unchanged' });
  });
});
