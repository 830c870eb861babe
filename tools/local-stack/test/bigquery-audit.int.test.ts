import { BigQueryDataset, BigQueryTables } from '@arbiter/contract';
import { loadTableDefinitions } from '../src/provision';
import { bigQueryRest, testStack, uniqueName } from './support';

// Emulator calls can take longer than Jest's default 5 s (`pnpm test` also passes --testTimeout).
jest.setTimeout(120_000);

interface Field {
  name: string;
  type: string;
  mode?: string;
}
interface TableResource {
  schema: { fields: Field[] };
  timePartitioning?: { type: string; field?: string };
  clustering?: { fields: string[] };
}
interface QueryResponse {
  jobComplete: boolean;
  schema: { fields: Field[] };
  rows?: Array<{ f: Array<{ v: unknown }> }>;
}

const tablePath = `/datasets/${BigQueryDataset.id}/tables/${BigQueryTables.audit}`;

/** Query results come as `{f: [{v}]}` cells; this maps them to `{column: value}` (repeated cells to arrays). */
const rowsOf = (response: QueryResponse): Array<Record<string, unknown>> =>
  (response.rows ?? []).map((row) =>
    Object.fromEntries(
      response.schema.fields.map((field, index) => {
        const cell = row.f[index]?.v;
        return [field.name, Array.isArray(cell) ? cell.map((item: { v: unknown }) => item.v) : cell];
      }),
    ),
  );

describe('the BigQuery audit table', () => {
  const { projectId } = testStack();

  it('exists in dataset arbiter_audit (EU) as schemas/bigquery/audit_events.json defines it', async () => {
    const [definition] = loadTableDefinitions().filter((table) => table.tableReference.tableId === BigQueryTables.audit);
    if (definition === undefined) throw new Error('schemas/bigquery has no audit_events table');
    const dataset = await bigQueryRest<{ location?: string }>('GET', `/datasets/${BigQueryDataset.id}`);
    expect(dataset.location).toBe('EU');
    const table = await bigQueryRest<TableResource>('GET', tablePath);
    expect(table.schema.fields.map(({ name, type, mode }) => ({ name, type, mode }))).toEqual(
      definition.schema.fields.map(({ name, type, mode }) => ({ name, type, mode })),
    );
    expect(table.timePartitioning).toEqual({ type: 'DAY', field: 'event_time' });
    expect(table.clustering).toEqual({ fields: ['use_case', 'case_id'] });
  });

  it('takes a streamed row and gives it back to SQL', async () => {
    const caseId = uniqueName('case');
    const row = {
      event_id: uniqueName('evt'),
      event_type: 'arbiter.decision.made.v1',
      event_source: '//arbiter/review-queue',
      event_time: '2026-11-21T12:03:11.000Z',
      case_id: caseId,
      use_case: 'vehicle-cleanliness',
      subject_type: 'booking',
      subject_id: 'bk-20261121-0042',
      state: 'decided',
      actor_kind: 'human',
      actor_role: 'reviewer',
      actor_id: 'reviewer-17',
      model_name: 'cleanliness-vit',
      model_version: '2.3.0',
      confidence: 0.78,
      band: 'medium',
      threshold_high: 0.9,
      threshold_low: 0.6,
      policy_id: 'vehicle-cleanliness',
      policy_version: '3',
      route: 'human-review',
      queue: 'cleanliness-review',
      outcome: 'fee_waived',
      reason_code: 'STAIN_NOT_VISIBLE_IN_RETURN',
      customer_favorable: true,
      evidence_uris: ['gs://evidence/bk-20261121-0042/before-1.jpg', 'gs://evidence/bk-20261121-0042/after-1.jpg'],
      escalation_level: null,
      due_at: '2026-11-21T14:00:00.000Z',
      decision_id: uniqueName('dec'),
      source_event_id: uniqueName('pred'),
      payload: JSON.stringify({ outcome: 'fee_waived', customerId: '[redacted]' }),
      ingested_at: '2026-11-21T12:03:12.000Z',
    };
    const inserted = await bigQueryRest<{ insertErrors?: unknown[] }>('POST', `${tablePath}/insertAll`, {
      rows: [{ insertId: `${row.event_source}/${row.event_id}`, json: row }],
    });
    expect(inserted.insertErrors ?? []).toEqual([]);

    const response = await bigQueryRest<QueryResponse>('POST', '/queries', {
      useLegacySql: false,
      parameterMode: 'NAMED',
      queryParameters: [{ name: 'caseId', parameterType: { type: 'STRING' }, parameterValue: { value: caseId } }],
      query:
        'SELECT event_id, case_id, state, actor_kind, CAST(confidence AS STRING) AS confidence, customer_favorable, evidence_uris, ' +
        "outcome, payload, JSON_VALUE(payload, '$.outcome') AS payload_outcome, FORMAT_TIMESTAMP('%FT%TZ', event_time) AS event_time " +
        `FROM \`${projectId}.${BigQueryDataset.id}.${BigQueryTables.audit}\` WHERE case_id = @caseId`,
    });
    expect(response.jobComplete).toBe(true);
    const rows = rowsOf(response);
    expect(rows).toHaveLength(1);
    const [back] = rows;
    expect(back).toMatchObject({
      event_id: row.event_id,
      case_id: caseId,
      state: 'decided',
      actor_kind: 'human',
      confidence: '0.78',
      customer_favorable: 'true',
      evidence_uris: row.evidence_uris,
      outcome: 'fee_waived',
      payload_outcome: 'fee_waived',
      event_time: '2026-11-21T12:03:11Z',
    });
    expect(JSON.parse(String(back?.payload))).toEqual({ outcome: 'fee_waived', customerId: '[redacted]' });
  });
});
