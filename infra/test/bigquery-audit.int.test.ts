import { BigQueryDataset, BigQueryTables } from '@arbiter/contract';
import type { BigQuery } from '@google-cloud/bigquery';
import { loadTableDefinitions, provisionBigQuery } from '../src/provision';
import { testBigQuery, testStack, uniqueName } from './support';

// jest.config.cjs sets testTimeout on the project, which Jest 29 ignores there: emulator calls need more than 5 s.
jest.setTimeout(120_000);

describe('the BigQuery audit table', () => {
  let bigquery: BigQuery;
  const { projectId } = testStack();

  beforeAll(() => {
    bigquery = testBigQuery();
  });

  it('exists with the columns of schemas/bigquery/audit_events.json, and provisioning again changes nothing', async () => {
    const [definition] = loadTableDefinitions().filter((table) => table.tableReference.tableId === BigQueryTables.audit);
    if (definition === undefined) throw new Error('schemas/bigquery has no audit_events table');
    const [metadata] = await bigquery.dataset(BigQueryDataset.id).table(BigQueryTables.audit).getMetadata();
    const columns = (metadata as { schema: { fields: Array<{ name: string; type: string; mode?: string }> } }).schema.fields;
    expect(columns.map((column) => column.name)).toEqual(definition.schema.fields.map((field) => field.name));

    const again = await provisionBigQuery(bigquery);
    expect(again).toEqual({ datasetCreated: false, tablesCreated: [], tablesExtended: [], unchanged: [BigQueryTables.audit] });
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
    const table = bigquery.dataset(BigQueryDataset.id).table(BigQueryTables.audit);
    await table.insert([{ insertId: `${row.event_source}/${row.event_id}`, json: row }], { raw: true });

    const [rows] = await bigquery.query({
      query:
        `SELECT event_id, case_id, state, actor_kind, confidence, customer_favorable, evidence_uris, outcome, ` +
        `TO_JSON_STRING(payload) AS payload_json, FORMAT_TIMESTAMP('%FT%TZ', event_time) AS event_time ` +
        `FROM \`${projectId}.${BigQueryDataset.id}.${BigQueryTables.audit}\` WHERE case_id = @caseId`,
      params: { caseId },
    });
    expect(rows).toHaveLength(1);
    const [back] = rows as Array<Record<string, unknown>>;
    expect(back).toMatchObject({
      event_id: row.event_id,
      case_id: caseId,
      state: 'decided',
      actor_kind: 'human',
      confidence: 0.78,
      customer_favorable: true,
      evidence_uris: row.evidence_uris,
      outcome: 'fee_waived',
      event_time: '2026-11-21T12:03:11Z',
    });
    expect(JSON.parse(String(back?.payload_json))).toEqual({ outcome: 'fee_waived', customerId: '[redacted]' });
  });
});
