/**
 * Threshold recommendations shown to leads (`GET /api/lead/thresholds`), end to end on the emulators:
 * a seeded history of reviewed and decided cases in BigQuery's audit table (a model version of this
 * test's own, so other tests' rows never mix in), read by review-queue through its audit port.
 */
import { BigQueryDataset, BigQueryTables } from '@arbiter/contract';
import { bigQueryAudit } from '../src/audit-queries.bigquery';
import { call, startApp, token, uid, type Running } from './support';

jest.setTimeout(180_000);

let app: Running;
beforeAll(async () => {
  const { ARBITER_PROJECT_ID, BIGQUERY_EMULATOR_HOST } = process.env;
  if (!ARBITER_PROJECT_ID || !BIGQUERY_EMULATOR_HOST) throw new Error('the integration global setup did not export the BigQuery emulator');
  app = await startApp({ audit: bigQueryAudit({ projectId: ARBITER_PROJECT_ID, dataset: BigQueryDataset.id, emulatorHost: BIGQUERY_EMULATOR_HOST }) });
});
afterAll(async () => {
  await app?.close();
});

async function insertRows(rows: Array<Record<string, unknown>>): Promise<void> {
  const { ARBITER_PROJECT_ID, BIGQUERY_EMULATOR_HOST } = process.env;
  const base = (/^https?:\/\//.test(BIGQUERY_EMULATOR_HOST as string) ? BIGQUERY_EMULATOR_HOST as string : `http://${BIGQUERY_EMULATOR_HOST}`).replace(/\/+$/, '');
  const response = await fetch(`${base}/bigquery/v2/projects/${ARBITER_PROJECT_ID}/datasets/${BigQueryDataset.id}/tables/${BigQueryTables.audit}/insertAll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ rows: rows.map((json) => ({ insertId: `${json.event_source}/${json.event_id}`, json })) }),
  });
  const body = (await response.json()) as { insertErrors?: unknown[] };
  expect(response.status).toBe(200);
  expect(body.insertErrors ?? []).toEqual([]);
}

it('recommends a high threshold per model version with its bootstrap interval and the change in review load, for leads only', async () => {
  // 38 cases of cleanliness-vit at 0.62, 0.63, …, 0.99; the person agreed with the model at 0.80 and
  // above, and every other case below. Precision of "automatic iff c >= t": t = 0.78 → 21 of 22 (95.5 %),
  // t = 0.77 → 21 of 23 (91.3 %): 0.78 is the lowest threshold reaching 95 %. Review load (0.70 <= c < high)
  // among the 38: under the policy's 0.95, 25 (65.8 %); under 0.78, 8 (21.1 %).
  const version = `seed-${uid()}`;
  const rows: Array<Record<string, unknown>> = [];
  for (let i = 0; i < 38; i += 1) {
    const confidence = Math.round((0.62 + i * 0.01) * 100) / 100;
    const agreed = confidence >= 0.8 || i % 2 === 0;
    const caseId = `thr-${version}-${i}`;
    const common = { case_id: caseId, use_case: 'vehicle-cleanliness', event_source: '/arbiter/seed', event_time: new Date(Date.UTC(2026, 10, 23, 9, i)).toISOString(), ingested_at: new Date().toISOString(), evidence_uris: [], model_name: 'cleanliness-vit', model_version: version };
    rows.push({ ...common, event_id: `${caseId}-reviewed`, event_type: 'arbiter.case.reviewed.v1', state: 'reviewed', actor_kind: 'human', actor_id: 'reviewer-1', review_purpose: 'decision', outcome: agreed ? 'fee_applied' : 'fee_waived', model_outcome: 'fee_applied' });
    rows.push({ ...common, event_id: `${caseId}-decided`, event_type: 'arbiter.decision.made.v1', state: 'decided', actor_kind: 'human', actor_id: 'reviewer-1', confidence, outcome: agreed ? 'fee_applied' : 'fee_waived' });
  }
  await insertRows(rows);

  const reviewer = await token(`rev-${uid()}`, ['reviewer', 'cleanliness-reviewer']);
  expect((await call(app, 'GET', '/api/lead/thresholds', reviewer)).status).toBe(403);

  const lead = await token(`lead-${uid()}`, ['lead']);
  const page = await call(app, 'GET', '/api/lead/thresholds', lead);
  expect(page.status).toBe(200);
  expect(page.body.targetPrecision).toBe(0.95);
  const mine = (page.body.recommendations as Array<Record<string, any>>).find((r) => r.modelVersion === version);
  expect(mine).toMatchObject({ useCase: 'vehicle-cleanliness', examples: 38, high: 0.78, currentHigh: 0.95, support: 22 });
  expect(mine?.precision).toBeCloseTo(21 / 22, 6);
  expect(mine?.reviewLoad.current).toBeCloseTo(25 / 38, 6);
  expect(mine?.reviewLoad.recommended).toBeCloseTo(8 / 38, 6);
  expect(mine?.reviewLoad.change).toBeCloseTo(-17 / 38, 6);
  expect(mine?.interval.level).toBe(0.95);
  expect(mine?.interval.low).toBeLessThanOrEqual(0.78);
  expect(mine?.interval.high).toBeGreaterThanOrEqual(0.78);
});
