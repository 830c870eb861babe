/**
 * `node bench/dist/metrics-views.js [--cases N] [--timeout S]`: how long each metric view takes on the
 * BigQuery emulator (the pinned goccy build), one statement at a time, over the audit rows of N
 * synthetic cases (default 100: about 530 rows) — and the metrics page's threshold query, as it was
 * (the deduplicated view joined with itself) and as it is (grouped by case). Starts an emulator of its
 * own on free ports, creates the tables and the views of schemas/bigquery, inserts the rows, prints
 * one line per statement. A statement that takes longer than the timeout (default 120 s) is reported
 * as such (the emulator is stopped at the end). Figures and reading: bench/METRICS.md.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BigQueryDataset, BigQueryTables } from '@arbiter/contract';
import { bigQueryClient, freePorts, provisionBigQuery, requireBigQueryEmulator, startBigQueryEmulator } from '@arbiter/local-stack';

const argument = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

const root = join(__dirname, '..', '..');
const projectId = 'arbiter-bench';
const dataset = BigQueryDataset.id;

/** The audit rows of `cases` cases: opened, routed, and for two in three a claim, an evidence view, a review (some double, golden or blind), then the decision. */
function auditRows(cases: number): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = [];
  const t0 = Date.now() - 3_600_000;
  let second = 0;
  for (let c = 0; c < cases; c += 1) {
    const useCase = c % 2 ? 'vehicle-damage' : 'vehicle-cleanliness';
    const human = c % 3 !== 0;
    const queue = human ? `${useCase}-review` : null;
    const base = { case_id: `case-${c}`, use_case: useCase, model_name: 'model', model_version: '1.0.0', confidence: (c % 97) / 100, policy_id: useCase, policy_version: '1', evidence_uris: [], ingested_at: new Date().toISOString(), event_source: '//bench/metrics-views' };
    const row = (state: string, extra: Record<string, unknown> = {}) => rows.push({ ...base, event_id: randomUUID(), event_type: `arbiter.bench.${state}.v1`, event_time: new Date(t0 + (second += 1) * 1000).toISOString(), state, actor_kind: 'system', ...extra });
    const reviewer = `reviewer-${c % 5}`;
    row('opened');
    row('routed', { route: human ? 'human-review' : 'auto', queue, payload: JSON.stringify(c % 4 === 1 ? { batchKey: 'b1' } : {}) });
    if (human) {
      row('claimed', { actor_kind: 'human', actor_id: reviewer });
      row('evidence_accessed', { actor_kind: 'human', actor_id: reviewer });
      const golden = c % 10 === 2;
      row('reviewed', { actor_kind: 'human', actor_id: reviewer, outcome: c % 7 ? 'approve' : 'reject', model_outcome: 'approve', review_purpose: golden ? 'golden' : 'decision', expected_outcome: golden ? 'approve' : null, quality_min_golden_accuracy: 0.9, quality_min_kappa: 0.8 });
      if (c % 5 === 1) row('reviewed', { actor_kind: 'human', actor_id: `reviewer-${(c + 1) % 5}`, outcome: 'approve', model_outcome: 'approve', review_purpose: 'double-review', quality_min_kappa: 0.8 });
    } else if (c % 6 === 3) row('reviewed', { actor_kind: 'human', actor_id: 'reviewer-2', outcome: 'approve', model_outcome: 'approve', review_purpose: 'blind-review' });
    row('decided', { actor_kind: human ? 'human' : 'auto', outcome: 'approve', customer_favorable: true, model_outcome: 'approve', model_customer_favorable: c % 2 === 0, queue, opened_at: new Date(t0).toISOString(), elapsed_seconds: 100 + c, sla_clock: 'wall', sla_elapsed_seconds: 100 + c, sla_target_seconds: 3600, sla_percentile: 0.95, sla_time_zone: 'Europe/Berlin', critical_path: c % 9 === 0, category: 'operational' });
  }
  return rows;
}

/** schemas/bigquery/views/*.sql, the deduplicated trail first (the others read it). */
function views(): Array<{ id: string; query: string }> {
  const dir = join(root, 'schemas', 'bigquery', 'views');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => ({ id: f.replace(/\.sql$/, ''), query: readFileSync(join(dir, f), 'utf8').replaceAll('{{project}}', projectId).replaceAll('{{dataset}}', dataset) }))
    .sort((a, b) => (a.id === 'audit_events_dedup' ? -1 : b.id === 'audit_events_dedup' ? 1 : a.id.localeCompare(b.id)));
}

async function main(): Promise<void> {
  const cases = argument('cases', 100);
  const timeoutMs = argument('timeout', 120) * 1000;
  const [port, grpcPort] = await freePorts(2);
  const emulator = await startBigQueryEmulator({ binary: await requireBigQueryEmulator(), port: port as number, grpcPort: grpcPort as number, projectId, logDir: mkdtempSync(join(tmpdir(), 'arbiter-metrics-views-')) });
  try {
    const bq = bigQueryClient(projectId, emulator.endpoint);
    await provisionBigQuery(bq);
    for (const view of views()) await bq.dataset(dataset).createTable(view.id, { view: { query: view.query, useLegacySql: false } });
    const rows = auditRows(cases);
    for (let i = 0; i < rows.length; i += 500) await bq.dataset(dataset).table(BigQueryTables.audit).insert(rows.slice(i, i + 500).map((json) => ({ insertId: randomUUID(), json })), { raw: true });
    process.stdout.write(`${rows.length} audit rows for ${cases} cases\n`);
    const name = (view: string): string => `\`${projectId}.${dataset}.${view}\``;
    const dedup = name('audit_events_dedup');
    const statements: Array<[string, string]> = [
      ...views().filter((v) => v.id.startsWith('metrics_')).map((v): [string, string] => [v.id, `SELECT * FROM ${name(v.id)} WHERE use_case NOT LIKE 'fx-%'`]),
      ['audit_events_dedup (count)', `SELECT COUNT(*) AS n FROM ${dedup}`],
      ['threshold examples, grouped by case (the page now)', `SELECT use_case, case_id, MAX(IF(state = 'decided', confidence, NULL)) AS confidence, COUNTIF(state = 'reviewed' AND outcome = model_outcome) AS agreed FROM ${dedup} WHERE state IN ('decided', 'reviewed') GROUP BY use_case, case_id`],
      ['threshold examples, the view joined with itself (before)', `SELECT d.use_case, d.model_version, d.confidence, r.outcome = r.model_outcome AS agreed FROM ${dedup} r JOIN ${dedup} d ON d.case_id = r.case_id AND d.state = 'decided' WHERE r.state = 'reviewed' AND r.review_purpose IN ('decision', 'blind-review') AND r.model_outcome IS NOT NULL AND d.confidence IS NOT NULL`],
    ];
    for (const [what, sql] of statements) {
      const started = process.hrtime.bigint();
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        bq.query({ query: sql, useLegacySql: false }).then(([r]) => `${(r as unknown[]).length} rows`, (e: unknown) => `error: ${e instanceof Error ? e.message : String(e)}`),
        new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`no answer in ${timeoutMs / 1000} s`), timeoutMs))),
      ]);
      clearTimeout(timer);
      process.stdout.write(`${what.padEnd(58)} ${String(Math.round(Number(process.hrtime.bigint() - started) / 1e6)).padStart(8)} ms  ${outcome}\n`);
      if (outcome.startsWith('no answer')) break; // the emulator is still busy with it: later figures would be wrong
    }
  } finally {
    await emulator.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
