/**
 * The learning loop end to end on the emulators:
 * - threshold recommendation: a seeded history of decided and reviewed cases in BigQuery's audit
 *   table, read back (deduplicated) by the `thresholds` command (thresholdsReport), which recommends a
 *   high threshold with a bootstrap interval and the change in the reviewers' load;
 * - golden-set re-scoring: a golden set loaded into Firestore (`golden load`), re-scored with a new
 *   model version's predictions (`rescore <predictions>`, rescoreLoadedGoldenSet).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import { Collections } from '@arbiter/case-store';
import { BigQueryDataset, BigQueryTables } from '@arbiter/contract';
import { parsePolicyFiles } from '@arbiter/policy';
import { bigQueryRest, testEndpoints, uniqueName } from '@arbiter/testing';
import { loadGoldenSet, rescoreLoadedGoldenSet, thresholdsReport } from '../src/learning-loop';
import { repoRoot } from '@arbiter/platform';

jest.setTimeout(180_000);

const dataset = BigQueryDataset.id;

it('thresholds: recommends the lowest high threshold meeting the precision target on a seeded history, with a bootstrap interval and the change in review load', async () => {
  const endpoints = testEndpoints();
  const useCase = uniqueName('ll');
  // 38 cases of cleanliness-vit 2.3.0 at 0.62, 0.63, …, 0.99. At 0.80 and above the reviewer agreed
  // with the model; below, every other case. Precision of "automatic iff c >= t": t = 0.78 → 21 of 22
  // (0.955), t = 0.77 → 21 of 23 (0.913): 0.78 is the lowest threshold reaching 0.95.
  // Review load (0.70 <= c < high) among the 38: at 0.95 (in force) 25 = 65.8 %; at 0.78, 8 = 21.1 %.
  const rows: Array<Record<string, unknown>> = [];
  for (let i = 0; i < 38; i += 1) {
    const confidence = Math.round((0.62 + i * 0.01) * 100) / 100;
    const agreed = confidence >= 0.8 || i % 2 === 0;
    const caseId = `${useCase}-case-${i}`;
    const common = { case_id: caseId, use_case: useCase, event_source: '/arbiter/seed', event_time: new Date(Date.UTC(2026, 10, 23, 9, i)).toISOString(), ingested_at: new Date().toISOString(), evidence_uris: [], model_name: 'cleanliness-vit', model_version: '2.3.0' };
    rows.push({ ...common, event_id: `${caseId}-reviewed`, event_type: 'arbiter.case.reviewed.v1', state: 'reviewed', actor_kind: 'human', actor_id: 'reviewer-1', review_purpose: 'decision', outcome: agreed ? 'fee_applied' : 'fee_waived', model_outcome: 'fee_applied' });
    rows.push({ ...common, event_id: `${caseId}-decided`, event_type: 'arbiter.decision.made.v1', state: 'decided', actor_kind: 'human', actor_id: 'reviewer-1', confidence, outcome: agreed ? 'fee_applied' : 'fee_waived' });
  }
  const inserted = await bigQueryRest<{ insertErrors?: unknown[] }>('POST', `/datasets/${dataset}/tables/${BigQueryTables.audit}/insertAll`, { rows: rows.map((json) => ({ insertId: `${json.event_source}/${json.event_id}`, json })) });
  expect(inserted.insertErrors ?? []).toEqual([]);

  // The shipped cleanliness policy under the seeded use case's id: default high 0.95, low 0.70.
  const text = readFileSync(join(repoRoot(), 'policies', 'vehicle-cleanliness.yaml'), 'utf8').replace(/^id: vehicle-cleanliness$/m, `id: ${useCase}`);
  const parsed = parsePolicyFiles([{ file: `${useCase}.yaml`, text }]);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));

  const report = await thresholdsReport(endpoints, 0.95, { useCase, policies: parsed.value, resamples: 300 });
  expect(report).toContain('from 38 labelled outcomes');
  expect(report).toContain(`${useCase} 2.3.0: 38 examples; high 0.78 (now 0.95), 95% bootstrap interval `);
  expect(report).toContain('precision 95.5% on 22; automatic 57.9%, review load 21.1%, default 21.1%; review load 65.8% → 21.1% (-44.7 points)');
  const interval = /95% bootstrap interval (0\.\d+)\.\.(0\.\d+)/.exec(report);
  expect(Number(interval?.[1])).toBeLessThanOrEqual(0.78);
  expect(Number(interval?.[2])).toBeGreaterThanOrEqual(0.78);
});

it('rescore: a new model version scored on the golden set as loaded into the stack, precision and recall per label against the old one', async () => {
  const endpoints = testEndpoints();
  const set = uniqueName('gold');
  // Six cleanliness golden cases: three clean (no_fee), three dirty (fee_applied; "dirty" named, as
  // heavily_soiled means a fee too). cleanliness-vit 2.3.0 said clean, dirty, dirty | dirty, dirty, clean
  // (3 of 6 right); 2.4.0 says clean ×3 | dirty ×3 (6 of 6).
  const old = ['clean', 'dirty', 'dirty', 'dirty', 'dirty', 'clean'];
  const records = old.map((label, i) => ({
    goldenId: `${set}-${i}`,
    useCase: 'vehicle-cleanliness',
    prediction: { useCase: 'vehicle-cleanliness', subject: { type: 'booking', id: `${set}-bk-${i}` }, model: { name: 'cleanliness-vit', version: '2.3.0' }, prediction: { label, confidence: 0.8 } },
    expectedOutcome: i < 3 ? 'no_fee' : 'fee_applied',
    ...(i < 3 ? {} : { expectedLabel: 'dirty' }),
  }));
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-rescore-'));
  try {
    const goldenFile = join(dir, 'golden.ndjson');
    writeFileSync(goldenFile, records.map((r) => JSON.stringify(r)).join('\n'));
    const loaded = await loadGoldenSet(endpoints, goldenFile);
    expect(loaded).toContain('loaded 6 golden cases into goldenCases');
    // In the stack: what the review queue mixes in and measures reviewers against.
    const firestore = new Firestore({ projectId: endpoints.projectId, host: endpoints.firestoreEmulatorHost, ssl: false });
    const stored = await firestore.collection(Collections.goldenCases).doc(`${set}-3`).get();
    expect(stored.data()).toMatchObject({ useCase: 'vehicle-cleanliness', expectedOutcome: 'fee_applied', expectedLabel: 'dirty', band: 'medium' });
    await firestore.terminate();

    const predictionsFile = join(dir, 'new.ndjson');
    writeFileSync(predictionsFile, records.map((r, i) => JSON.stringify({ goldenId: r.goldenId, model: { name: 'cleanliness-vit', version: '2.4.0' }, label: i < 3 ? 'clean' : 'dirty' })).join('\n'));
    const report = await rescoreLoadedGoldenSet(endpoints, predictionsFile);
    expect(report.split('\n')).toEqual([
      'Re-scoring 6 golden cases: cleanliness-vit@2.3.0 → cleanliness-vit@2.4.0',
      '  accuracy 50.0% → 100.0%',
      // Old: clean predicted twice, right once (1 of 3 clean found); dirty predicted four times, right twice (2 of 3 found).
      '  clean: precision 50.0% → 100.0%, recall 33.3% → 100.0% (support 3)',
      '  dirty: precision 50.0% → 100.0%, recall 66.7% → 100.0% (support 3)',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
