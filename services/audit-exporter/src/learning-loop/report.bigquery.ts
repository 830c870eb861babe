/**
 * The learning-loop commands (docs/metrics.md), beside the views they read (../views.ts): they query
 * the metric views in BigQuery and keep the golden set in Firestore `goldenCases`. `arbiter-learning-loop`
 * (./main.ts) runs them against the stack in .arbiter/stack.json or the emulator variables.
 *   report                      every seed success metric, read from the metric views of the running
 *                               stack's BigQuery emulator (.arbiter/stack.json)
 *   thresholds [--target=0.95]  band thresholds per model version from labelled outcomes
 *   rescore [<golden>] <file>   a new model version's predictions for the golden set (JSON/NDJSON:
 *                               { goldenId, model: { name, version }, label }) against the old one;
 *                               without a golden file, the golden set loaded into the stack
 *   golden load <file>          a golden set (JSON/NDJSON: { goldenId, useCase, prediction, expectedOutcome })
 *                               into Firestore `goldenCases`, assessed with the shipped policies
 *   post-action-report [--days=1]  what was decided automatically, per category, rendered with the
 *                               policies' post-action-report templates
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BigQuery } from '@google-cloud/bigquery';
import { Firestore } from '@google-cloud/firestore';
import { caseConverter, Collections, goldenCaseConverter, type GoldenCaseDoc } from '@arbiter/case-store';
import { BigQueryDataset } from '@arbiter/contract';
import {
  assessCase,
  classificationReport,
  recommendThresholds,
  renderTemplate,
  thresholdUncertainty,
  templateView,
  twoRaterAgreement,
  type Policy,
  type PredictionSubmitted,
} from '@arbiter/core';
import { repoRoot } from '@arbiter/platform';
import { loadPolicies, policiesDirFrom, type PolicyRegistry } from '@arbiter/policy';
import { createBigQuery } from '../client.bigquery';

/** Where the commands find BigQuery and Firestore (the emulators' hosts; the local stack's StackEndpoints fit). */
export interface LearningLoopEndpoints {
  projectId: string;
  /** `host:port` (FIRESTORE_EMULATOR_HOST). */
  firestoreEmulatorHost: string;
  /** `http://host:port` or `host:port` (BIGQUERY_EMULATOR_HOST). */
  bigqueryEmulatorHost: string;
}

const bigQueryClient = (projectId: string, emulatorHost: string): BigQuery => createBigQuery(projectId, emulatorHost);

type Row = Record<string, unknown>;

const query = async (bq: BigQuery, sql: string): Promise<Row[]> => {
  const [rows] = await bq.query({ query: sql, useLegacySql: false });
  return (rows as Row[]).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v !== null && typeof v === 'object' && 'value' in (v as object) ? (v as { value: unknown }).value : v])));
};

const pct = (v: unknown): string => (typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : '—');
const num = (v: unknown, digits = 3): string => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(digits)) : v === null || v === undefined ? '—' : String(v));
const dur = (seconds: unknown): string => (typeof seconds === 'number' ? (seconds >= 3600 ? `${(seconds / 3600).toFixed(2)} h` : `${(seconds / 60).toFixed(1)} min`) : '—');

function table(title: string, target: string, rows: Row[], columns: Array<[string, (r: Row) => string]>): string {
  const head = `\n■ ${title}\n  target: ${target}\n`;
  if (rows.length === 0) return `${head}  (no data yet)\n`;
  const cells = rows.map((r) => columns.map(([, f]) => f(r)));
  const widths = columns.map(([h], i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: string[]): string => `  ${c.map((x, i) => x.padEnd(widths[i] as number)).join('  ')}`;
  return `${head}${line(columns.map(([h]) => h))}\n${cells.map(line).join('\n')}\n`;
}

const sum = (rows: Row[], key: string): number => rows.reduce((s, r) => s + (typeof r[key] === 'number' ? (r[key] as number) : 0), 0);

/** Every metric of both seeds, from the views. */
export async function metricsReport(endpoints: LearningLoopEndpoints): Promise<string> {
  const bq = bigQueryClient(endpoints.projectId, endpoints.bigqueryEmulatorHost);
  const v = (name: string): string => `\`${endpoints.projectId}.${BigQueryDataset.id}.${name}\``;
  const hitl = "use_case NOT LIKE 'vehicle-%' AND use_case NOT LIKE 'fx-%'";
  const real = "use_case NOT LIKE 'fx-%'";
  const out: string[] = [`Arbiter decision quality — BigQuery ${endpoints.bigqueryEmulatorHost}, dataset ${BigQueryDataset.id}`];

  const mix = await query(bq, `SELECT use_case, SUM(decisions) AS decisions, SUM(automatic) AS automatic, SUM(human) AS human, SUM(policy) AS policy, SAFE_DIVIDE(SUM(automatic), SUM(decisions)) AS automatic_rate FROM ${v('metrics_decision_mix')} WHERE ${real} GROUP BY use_case ORDER BY use_case`);
  const hitlMix = mix.filter((r) => !String(r.use_case).startsWith('vehicle-'));
  out.push(table('Automatic-approval rate (HITL-OPT)', '> 60% of decisions automatic, across the HITL-OPT use cases', [...mix, { use_case: 'ALL HITL-OPT', decisions: sum(hitlMix, 'decisions'), automatic: sum(hitlMix, 'automatic'), human: sum(hitlMix, 'human'), policy: sum(hitlMix, 'policy'), automatic_rate: sum(hitlMix, 'decisions') ? sum(hitlMix, 'automatic') / sum(hitlMix, 'decisions') : null }], [
    ['use case', (r) => String(r.use_case)], ['decisions', (r) => num(r.decisions)], ['auto', (r) => num(r.automatic)], ['human', (r) => num(r.human)], ['policy', (r) => num(r.policy)], ['automatic rate', (r) => pct(r.automatic_rate)],
  ]));

  out.push(table('SLA adherence per queue (ADR-0016)', 'adherence >= 95% (cleanliness P95 <= 2 h; damage P95 <= 1 h business time); HITL-OPT queues: their own target share', await query(bq, `SELECT * FROM ${v('metrics_sla_adherence')} WHERE ${real} ORDER BY use_case, queue`), [
    ['queue', (r) => String(r.queue)], ['clock', (r) => String(r.sla_clock)], ['target', (r) => dur(r.target_seconds)], ['decided', (r) => num(r.decided_cases)], ['within', (r) => num(r.within_target)], ['expired', (r) => num(r.expired)], ['adherence', (r) => pct(r.adherence)], ['P95', (r) => dur(r.p95_seconds)], ['target share', (r) => pct(r.target_share)], ['meets', (r) => String(r.meets_target)],
  ]));

  out.push(table('Batch approval efficiency (HITL-OPT)', '> 80% of batch cases decided the same day (queue time zone)', await query(bq, `SELECT * FROM ${v('metrics_batch_same_day')} WHERE ${hitl} ORDER BY use_case, queue`), [
    ['queue', (r) => String(r.queue)], ['decided', (r) => num(r.decided_cases)], ['by batch', (r) => num(r.batch_decided)], ['same day', (r) => num(r.same_day)], ['same-day rate', (r) => pct(r.same_day_rate)],
  ]));

  out.push(table('Critical-path HITL response time (HITL-OPT)', 'a person decides critical-path cases in < 2 h', await query(bq, `SELECT * FROM ${v('metrics_critical_path')} WHERE ${real} ORDER BY use_case`), [
    ['use case', (r) => String(r.use_case)], ['decided', (r) => num(r.decided_cases)], ['by a person', (r) => num(r.human_decided)], ['< 2 h', (r) => num(r.answered_within_2h)], ['rate', (r) => pct(r.within_2h_rate)], ['median', (r) => dur(r.median_seconds)], ['P95', (r) => dur(r.p95_seconds)],
  ]));

  out.push(table('Human-approval alignment of automatic decisions (HITL-OPT)', '> 95% of blind reviews agree with the automatic outcome', await query(bq, `SELECT * FROM ${v('metrics_human_alignment')} WHERE ${real} ORDER BY use_case, model_version`), [
    ['use case', (r) => String(r.use_case)], ['model', (r) => `${String(r.model_name)}@${String(r.model_version)}`], ['blind reviews', (r) => num(r.blind_reviews)], ['aligned', (r) => num(r.aligned)], ['alignment', (r) => pct(r.alignment_rate)],
  ]));

  out.push(table('Overrides and false-positive reduction per model version (ADR-0016)', 'false-positive reduction >= 30% (share of the model\'s customer-unfavourable calls on reviewed cases that the person overturned)', await query(bq, `SELECT * FROM ${v('metrics_model_overrides')} WHERE ${real} ORDER BY use_case, model_version`), [
    ['use case', (r) => String(r.use_case)], ['model', (r) => `${String(r.model_name)}@${String(r.model_version)}`], ['human decisions', (r) => num(r.human_decisions)], ['overrides', (r) => num(r.overrides)], ['override rate', (r) => pct(r.override_rate)], ['model unfav.', (r) => num(r.model_unfavourable)], ['overturned', (r) => num(r.overturned_favourable)], ['FP reduction', (r) => pct(r.false_positive_reduction)],
  ]));

  out.push(table("Reviewer agreement: Cohen's κ per reviewer pair (ADR-0016)", 'κ >= 0.8 on double-reviewed cases', await query(bq, `SELECT * FROM ${v('metrics_reviewer_agreement')} WHERE ${real} ORDER BY use_case, reviewer_a, reviewer_b`), [
    ['use case', (r) => String(r.use_case)], ['pair', (r) => `${String(r.reviewer_a)} / ${String(r.reviewer_b)}`], ['cases', (r) => num(r.double_reviewed)], ['agreed', (r) => num(r.agreed)], ['κ', (r) => num(r.kappa)], ['degenerate', (r) => String(r.degenerate)], ['meets', (r) => String(r.meets_target)],
  ]));

  // κ collapses on skewed labels (approve-heavy queues): Gwet's AC1 beside it, both with 95 % intervals,
  // computed by @arbiter/core from the paired verdicts (decision vs double review) per use case.
  const pairRows = await query(bq, `SELECT f.use_case, f.outcome AS first, s.outcome AS second FROM ${v('audit_events_dedup')} f JOIN ${v('audit_events_dedup')} s ON s.case_id = f.case_id WHERE f.state = 'reviewed' AND s.state = 'reviewed' AND f.review_purpose = 'decision' AND s.review_purpose = 'double-review' AND f.actor_id <> s.actor_id AND f.${real} ORDER BY f.use_case`);
  const byUseCase = new Map<string, Array<readonly [string, string]>>();
  for (const r of pairRows) byUseCase.set(String(r.use_case), [...(byUseCase.get(String(r.use_case)) ?? []), [String(r.first), String(r.second)] as const]);
  const registry = policies();
  const ci = (i: { low: number; high: number }): string => `${num(i.low)}..${num(i.high)}`;
  const agreementRows: Row[] = [];
  for (const [useCase, pairs] of byUseCase) {
    const policy = registry.get(useCase);
    const measured = twoRaterAgreement(pairs, policy.ok ? policy.value.outcomes.map((o) => o.id) : []);
    if (measured.ok) agreementRows.push({ use_case: useCase, cases: measured.value.subjects, observed: measured.value.observed, kappa: measured.value.kappa.value, kappa_ci: ci(measured.value.kappa.interval), ac1: measured.value.ac1.value, ac1_ci: ci(measured.value.ac1.interval) });
  }
  out.push(table("Reviewer agreement: Cohen's κ and Gwet's AC1 per use case, 95 % intervals", 'κ >= 0.8 (AC1 beside it: κ collapses when nearly every verdict is the same)', agreementRows, [
    ['use case', (r) => String(r.use_case)], ['cases', (r) => num(r.cases)], ['observed', (r) => pct(r.observed)], ['κ', (r) => num(r.kappa)], ['κ 95% CI', (r) => String(r.kappa_ci)], ['AC1', (r) => num(r.ac1)], ['AC1 95% CI', (r) => String(r.ac1_ci)],
  ]));

  out.push(table("Reviewer agreement: Fleiss' κ per queue (ADR-0016)", 'κ >= 0.8', await query(bq, `SELECT * FROM ${v('metrics_queue_agreement')} WHERE ${real} ORDER BY use_case, queue`), [
    ['queue', (r) => String(r.queue)], ['cases', (r) => num(r.double_reviewed)], ['observed', (r) => num(r.observed)], ['expected', (r) => num(r.expected)], ['κ', (r) => num(r.kappa)], ['meets', (r) => String(r.meets_target)],
  ]));

  out.push(table('Reviewer accuracy on golden cases (ADR-0016)', "at least the policy's quality.minGoldenAccuracy; below it: flagged to the lead", await query(bq, `SELECT * FROM ${v('metrics_golden_accuracy')} WHERE ${real} ORDER BY use_case, reviewer_id`), [
    ['use case', (r) => String(r.use_case)], ['reviewer', (r) => String(r.reviewer_id)], ['golden', (r) => num(r.golden_reviews)], ['correct', (r) => num(r.correct)], ['accuracy', (r) => pct(r.accuracy)], ['bar', (r) => pct(r.min_accuracy)], ['flagged', (r) => String(r.below_bar)],
  ]));

  out.push(table('Post-action report: automatic decisions per category (HITL-OPT)', 'summary reporting of every automatic approval', await query(bq, `SELECT use_case, category, outcome, SUM(decisions) AS decisions, SUM(fast_tracked) AS fast_tracked, SUM(decisions * mean_confidence) / SUM(decisions) AS mean_confidence, SUM(blind_sampled) AS blind_sampled, SUM(blind_aligned) AS blind_aligned FROM ${v('metrics_post_action_report')} WHERE ${real} GROUP BY use_case, category, outcome ORDER BY use_case, category, outcome`), [
    ['use case', (r) => String(r.use_case)], ['category', (r) => String(r.category)], ['outcome', (r) => String(r.outcome)], ['decisions', (r) => num(r.decisions)], ['fast-track', (r) => num(r.fast_tracked)], ['mean conf.', (r) => pct(r.mean_confidence)], ['blind', (r) => num(r.blind_sampled)], ['aligned', (r) => num(r.blind_aligned)],
  ]));

  out.push(table('Labelled examples for retraining (ADR-0016 learning loop)', 'every override and every low-band enrichment flag becomes a labelled example', await query(bq, `SELECT * FROM ${v('metrics_labelled_examples')} WHERE ${real} ORDER BY use_case, model_version, source`), [
    ['use case', (r) => String(r.use_case)], ['model', (r) => `${String(r.model_name)}@${String(r.model_version)}`], ['source', (r) => String(r.source)], ['examples', (r) => num(r.examples)], ['labelled', (r) => num(r.labelled)], ['pending', (r) => num(r.pending)], ['model wrong', (r) => num(r.model_wrong)],
  ]));
  return out.join('\n');
}

/** The policies the commands read: `dir`, else the services' (`ARBITER_POLICIES_DIR`, else the repository's). */
const policies = (dir?: string): PolicyRegistry => {
  const loaded = loadPolicies(dir ?? policiesDirFrom(process.env, repoRoot()));
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.value;
};

export interface ThresholdsOptions {
  /** Only this use case (by default every use case but test fixtures'). */
  useCase?: string;
  /** The policies whose thresholds are in force (default: the shipped ones). */
  policies?: PolicyRegistry;
  resamples?: number;
}

/**
 * Threshold recommendation per use case and model version, from the labelled outcomes of reviewed
 * cases, with a bootstrap interval of the recommended threshold and the expected change in the
 * reviewers' load against the threshold in force.
 */
export async function thresholdsReport(endpoints: LearningLoopEndpoints, targetPrecision: number, options: ThresholdsOptions = {}): Promise<string> {
  const bq = bigQueryClient(endpoints.projectId, endpoints.bigqueryEmulatorHost);
  const which = options.useCase !== undefined ? `t.use_case = '${options.useCase.replace(/[^a-z0-9-]/g, '')}'` : "t.use_case NOT LIKE 'fx-%'";
  // Every case a person decided or blind-reviewed is a labelled outcome: the model agreed iff the person's outcome is the model's.
  // Deduplicated like audit_events_dedup (first row per event identity), but only over the rows the
  // recommendation needs: the view aggregates the whole table before any filter, twice for this
  // self-join, which on the emulator took over 3 minutes once the whole test suite had written its
  // rows (it took seconds on an empty table).
  const rows = await query(bq, `WITH trail AS (
      SELECT first_row.* FROM (
        SELECT ARRAY_AGG(t ORDER BY t.ingested_at LIMIT 1)[OFFSET(0)] AS first_row
        FROM \`${endpoints.projectId}.${BigQueryDataset.id}.audit_events\` t
        WHERE ${which} AND t.state IN ('reviewed', 'decided')
        GROUP BY t.event_source, t.event_id
      )
    )
    SELECT d.use_case, d.model_version, d.confidence, r.outcome = r.model_outcome AS agreed
    FROM trail r
    JOIN trail d ON d.case_id = r.case_id AND d.state = 'decided'
    WHERE r.state = 'reviewed' AND r.review_purpose IN ('decision', 'blind-review') AND r.model_outcome IS NOT NULL AND d.confidence IS NOT NULL`);
  const registry = options.policies ?? policies();
  const out: string[] = [`Threshold recommendation — automatic decisions at >= ${pct(targetPrecision)} precision (from ${rows.length} labelled outcomes)`];
  for (const useCase of [...new Set(rows.map((r) => String(r.use_case)))].sort()) {
    const policy = registry.get(useCase);
    const low = policy.ok ? policy.value.bands.default.low : 0;
    const current = policy.ok ? policy.value.bands.default.high : undefined;
    const examples = rows.filter((r) => r.use_case === useCase).map((r) => ({ modelVersion: String(r.model_version), confidence: Number(r.confidence), agreed: r.agreed === true || r.agreed === 'true' }));
    const recs = recommendThresholds(examples, { targetPrecision, low, minSupport: 3 });
    const uncertain = thresholdUncertainty(examples, { targetPrecision, low, minSupport: 3, ...(current !== undefined ? { currentHigh: current } : {}), resamples: options.resamples ?? 500, seed: 1 });
    for (const r of recs) {
      const u = uncertain.find((x) => x.modelVersion === r.modelVersion);
      const interval = u?.high ? `95% bootstrap interval ${u.high.low}..${u.high.high} (a threshold in ${pct(u.resolvedShare)} of ${u.resamples} resamples)` : `no bootstrap interval (no threshold in any of ${u?.resamples ?? 0} resamples)`;
      const load = u?.reviewLoad ? `; review load ${pct(u.reviewLoad.current)} → ${pct(u.reviewLoad.recommended)} (${u.reviewLoad.change <= 0 ? '' : '+'}${(u.reviewLoad.change * 100).toFixed(1)} points)` : '';
      out.push(`  ${useCase} ${r.modelVersion}: ${r.examples} examples; high ${r.high === null ? 'none' : r.high} (now ${current ?? '—'}), ${interval}, precision ${pct(r.precision)} on ${r.support}; automatic ${pct(r.automaticRate)}, review load ${pct(r.reviewRate)}, default ${pct(r.defaultRate)}${load} — ${r.note}`);
    }
  }
  return out.join('\n');
}

const readRecords = <T>(file: string): T[] => {
  const text = readFileSync(file, 'utf8').trim();
  if (text.startsWith('[')) return JSON.parse(text) as T[];
  return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
};

export interface GoldenRecord {
  goldenId: string;
  useCase: string;
  prediction: PredictionSubmitted;
  expectedOutcome: string;
  /** The model label that stands for the expected outcome (for re-scoring); derived from the policy when absent. */
  expectedLabel?: string;
  queue?: string;
}

/** Loads a golden set into Firestore `goldenCases` (assessed like a case of its policy would be). */
export async function loadGoldenSet(endpoints: LearningLoopEndpoints, file: string, options: { policiesDir?: string } = {}): Promise<string> {
  const registry = policies(options.policiesDir);
  const firestore = new Firestore({ projectId: endpoints.projectId, host: endpoints.firestoreEmulatorHost, ssl: false });
  const lines: string[] = [];
  try {
    for (const g of readRecords<GoldenRecord>(file)) {
      const policy = registry.get(g.useCase);
      if (!policy.ok) throw new Error(`golden ${g.goldenId}: ${policy.error.message}`);
      const p: Policy = policy.value;
      if (!p.outcomes.some((o) => o.id === g.expectedOutcome)) throw new Error(`golden ${g.goldenId}: ${g.expectedOutcome} is not an outcome of ${p.id}`);
      const assessed = assessCase(g.prediction, p);
      if (!assessed.ok) throw new Error(`golden ${g.goldenId}: ${assessed.error.message}`);
      const action = p.actions[assessed.value.band];
      const queue = g.queue ?? (action.route === 'review' ? action.queue : p.actions.medium.route === 'review' ? p.actions.medium.queue : p.alwaysHuman.queue);
      const loaded: GoldenCaseDoc = { goldenId: g.goldenId, useCase: p.id, queue, policy: { id: p.id, version: p.version }, prediction: g.prediction, ...assessed.value, expectedOutcome: g.expectedOutcome, ...(g.expectedLabel ? { expectedLabel: g.expectedLabel } : {}), loadedAt: Date.now() };
      await firestore.collection(Collections.goldenCases).withConverter(goldenCaseConverter).doc(g.goldenId).set(loaded);
      lines.push(`  ${g.goldenId} → ${queue} (expects ${g.expectedOutcome})`);
    }
  } finally {
    await firestore.terminate();
  }
  return `loaded ${lines.length} golden cases into ${Collections.goldenCases}\n${lines.join('\n')}`;
}

interface RescoredPrediction {
  goldenId: string;
  model: { name: string; version: string };
  label: string;
}

/** Re-scores the golden set with a new model version's predictions: precision and recall per label, old vs new. */
export function rescoreReport(goldenFile: string, newFile: string): string {
  return rescoreRecords(readRecords<GoldenRecord>(goldenFile), readRecords<RescoredPrediction>(newFile), policies());
}

/**
 * Re-scores the golden set as loaded into the stack (Firestore `goldenCases`, what reviewers are
 * measured against) with a new model version's predictions (a file: `{ goldenId, model, label }` per line).
 */
export async function rescoreLoadedGoldenSet(endpoints: LearningLoopEndpoints, newFile: string, options: { policiesDir?: string } = {}): Promise<string> {
  const firestore = new Firestore({ projectId: endpoints.projectId, host: endpoints.firestoreEmulatorHost, ssl: false });
  try {
    const snapshot = await firestore.collection(Collections.goldenCases).withConverter(goldenCaseConverter).get();
    const golden = snapshot.docs.map((d) => d.data()).sort((a, b) => (a.goldenId < b.goldenId ? -1 : 1));
    return rescoreRecords(golden, readRecords<RescoredPrediction>(newFile), policies(options.policiesDir));
  } finally {
    await firestore.terminate();
  }
}

/** What re-scoring needs of a golden case, as a file record or as loaded. */
type ScoredGolden = Pick<GoldenRecord, 'goldenId' | 'useCase' | 'prediction' | 'expectedOutcome' | 'expectedLabel'>;

function rescoreRecords(golden: readonly ScoredGolden[], predictions: readonly RescoredPrediction[], registry: PolicyRegistry): string {
  const fresh = new Map(predictions.map((r) => [r.goldenId, r]));
  const expectedLabel = (g: ScoredGolden): string | undefined => {
    if (g.expectedLabel) return g.expectedLabel;
    const policy = registry.get(g.useCase);
    if (!policy.ok) return undefined;
    const labels = Object.entries(policy.value.modelOutcome.byLabel).filter(([, o]) => o === g.expectedOutcome).map(([l]) => l);
    return labels.length === 1 ? labels[0] : undefined;
  };
  const scored = golden.filter((g) => fresh.has(g.goldenId) && expectedLabel(g) !== undefined && g.prediction.prediction?.label !== undefined);
  const old = classificationReport(scored.map((g) => ({ predicted: g.prediction.prediction?.label as string, expected: expectedLabel(g) as string })));
  const neu = classificationReport(scored.map((g) => ({ predicted: fresh.get(g.goldenId)?.label as string, expected: expectedLabel(g) as string })));
  const oldVersion = [...new Set(scored.map((g) => `${g.prediction.model.name}@${g.prediction.model.version}`))].join(', ');
  const newVersion = [...new Set(scored.map((g) => `${fresh.get(g.goldenId)?.model.name}@${fresh.get(g.goldenId)?.model.version}`))].join(', ');
  const lines = [`Re-scoring ${scored.length} golden cases: ${oldVersion} → ${newVersion}`, `  accuracy ${pct(old.accuracy)} → ${pct(neu.accuracy)}`];
  for (const l of neu.labels) {
    const o = old.labels.find((x) => x.label === l.label);
    lines.push(`  ${l.label}: precision ${pct(o?.precision)} → ${pct(l.precision)}, recall ${pct(o?.recall)} → ${pct(l.recall)} (support ${l.support})`);
  }
  return lines.join('\n');
}

/** What was decided automatically in the last `days` days, per use case and category, rendered with each policy's post-action-report template. */
export async function postActionReport(endpoints: LearningLoopEndpoints, days: number, perUseCase = 3): Promise<string> {
  const bq = bigQueryClient(endpoints.projectId, endpoints.bigqueryEmulatorHost);
  const since = new Date(Date.now() - days * 86_400_000);
  const rows = await query(bq, `SELECT use_case, category, outcome, SUM(decisions) AS decisions, SUM(blind_sampled) AS blind_sampled, SUM(blind_aligned) AS blind_aligned FROM \`${endpoints.projectId}.${BigQueryDataset.id}.metrics_post_action_report\` WHERE day >= DATE '${since.toISOString().slice(0, 10)}' AND use_case NOT LIKE 'fx-%' GROUP BY use_case, category, outcome ORDER BY use_case, category, outcome`);
  const registry = policies();
  const firestore = new Firestore({ projectId: endpoints.projectId, host: endpoints.firestoreEmulatorHost, ssl: false });
  const out: string[] = [`# Post-action report — automatic decisions since ${since.toISOString()}`, ''];
  try {
    for (const useCase of [...new Set(rows.map((r) => String(r.use_case)))]) {
      out.push(`## ${useCase}`, '', '| category | outcome | decisions | blind-reviewed | aligned |', '|---|---|---|---|---|');
      for (const r of rows.filter((x) => x.use_case === useCase)) out.push(`| ${String(r.category)} | ${String(r.outcome)} | ${num(r.decisions)} | ${num(r.blind_sampled)} | ${num(r.blind_aligned)} |`);
      out.push('');
      const policy = registry.get(useCase);
      const template = policy.ok ? policy.value.templates?.find((t) => t.kind === 'post-action-report') : undefined;
      if (!policy.ok || !template) continue;
      const snap = await firestore.collection(Collections.cases).withConverter(caseConverter).where('useCase', '==', useCase).where('status', '==', 'decided').where('decidedAt', '>=', since.getTime()).limit(200).get();
      const auto = snap.docs.map((d) => d.data()).filter((c) => c.decision?.decidedBy?.kind === 'auto').slice(0, perUseCase);
      for (const c of auto) {
        out.push(renderTemplate(template.markdown, templateView({ caseId: c.caseId, useCase: c.useCase, policy: c.policy, subject: c.subject, model: c.model, confidence: c.confidence, band: c.band, thresholds: c.thresholds, prediction: c.prediction, openedAt: new Date(c.openedAt).toISOString() })), '');
      }
    }
  } finally {
    await firestore.terminate();
  }
  return out.join('\n');
}
