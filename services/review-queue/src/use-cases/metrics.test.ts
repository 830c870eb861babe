import path from 'node:path';
import { ManualClock } from '@arbiter/platform/testing';
import { loadPolicies } from '@arbiter/policy';
import type { Principal } from '../auth';
import { METRICS, type Row } from '../metric-catalog';
import { InMemoryMetricReadings } from '../metric-readings.test-support';
import type { AuditQueries } from '../ports';
import { createMetrics, startMetricsRefresh, thresholdExamplesOf, thresholdExamplesSql, type MetricsPage } from './metrics';

const policies = (() => {
  const loaded = loadPolicies(path.resolve(__dirname, '..', '..', '..', '..', 'policies'));
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.value;
})();
const lead: Principal = { id: 'lead-1', roles: ['lead'], queueRoles: [] };
const reviewer: Principal = { id: 'rev-1', roles: ['reviewer'], queueRoles: [] };

/** The audit dataset's answers per view (keyed by the view or query the SQL names), and every SQL asked. */
class ScriptedAudit implements AuditQueries {
  readonly asked: string[] = [];
  constructor(private readonly answer: (sql: string) => Row[]) {}
  table(name: string): string {
    return `\`p.d.${name}\``;
  }
  async query(sql: string): Promise<Row[]> {
    this.asked.push(sql);
    return this.answer(sql);
  }
}

/** The page a caller may see (a refusal fails the test). */
async function pageOf(metrics: ReturnType<typeof createMetrics>, p: Principal): Promise<MetricsPage> {
  const page = await metrics.page(p);
  if (!page.ok) throw new Error(`${page.error.code}: ${page.error.message}`);
  return page.value;
}

describe('metrics page: threshold examples', () => {
  it('gives one example per verdict of a person, with the decided row’s model version and confidence', () => {
    const examples = thresholdExamplesOf([
      { use_case: 'vehicle-damage', case_id: 'c1', model_version: '1.4.0', confidence: 0.82, agreed: 1, disagreed: 0 },
      { use_case: 'vehicle-damage', case_id: 'c2', model_version: '1.4.0', confidence: '0.64', agreed: 1, disagreed: 1 }, // a decision and a blind review that differ
      { use_case: 'vehicle-damage', case_id: 'c3', model_version: '1.4.0', confidence: 0.9, agreed: 0, disagreed: 0 }, // decided automatically, never reviewed
      { use_case: 'vehicle-damage', case_id: 'c4', model_version: null, confidence: null, agreed: 1, disagreed: 0 }, // reviewed, not decided yet
    ]);
    expect(examples).toEqual([
      { use_case: 'vehicle-damage', model_version: '1.4.0', confidence: 0.82, agreed: true },
      { use_case: 'vehicle-damage', model_version: '1.4.0', confidence: 0.64, agreed: true },
      { use_case: 'vehicle-damage', model_version: '1.4.0', confidence: 0.64, agreed: false },
    ]);
  });

  it('reads them grouped by case, never joining the audit trail with itself', () => {
    const sql = thresholdExamplesSql('`p.d.audit_events_dedup`');
    expect(sql.match(/audit_events_dedup/g)).toHaveLength(1);
    expect(sql).not.toMatch(/\bJOIN\b/i);
    expect(sql).toMatch(/GROUP BY use_case, case_id$/);
  });
});

describe('metrics refresh job', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('reads at start and every period, never two readings at once, and stops', async () => {
    let calls = 0;
    let finish: () => void = () => undefined;
    const refresh = () => {
      calls += 1;
      return new Promise<void>((resolve) => (finish = resolve));
    };
    const stop = startMetricsRefresh(refresh, 1_000);
    await jest.advanceTimersByTimeAsync(0);
    expect(calls).toBe(1);
    await jest.advanceTimersByTimeAsync(2_500); // the first reading still runs: ticks are skipped
    expect(calls).toBe(1);
    finish();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(2);
    stop();
    finish();
    await jest.advanceTimersByTimeAsync(5_000);
    expect(calls).toBe(2);
  });
});

describe('metrics page and its refresh job', () => {
  const answers = (adherence: number) => (sql: string): Row[] => {
    if (sql.includes('metrics_sla_adherence')) return [{ use_case: 'vehicle-damage', queue: 'damage-review', adherence, target_share: 0.95, p95_seconds: 1800, target_seconds: 3600 }];
    if (sql.includes('metrics_golden_accuracy')) return [{ use_case: 'vehicle-damage', reviewer_id: 'rev-ada', golden_reviews: 4, correct: 3, accuracy: 0.75, min_accuracy: 0.9, below_bar: true }];
    if (sql.startsWith('SELECT actor_id AS reviewer_id')) return [{ reviewer_id: 'rev-ada', reviewed_total: 9, reviewed_24h: 5 }];
    return [];
  };

  it('a page view never queries the views: it shows what the refresh job stored, over time', async () => {
    const clock = new ManualClock(new Date('2026-12-07T08:00:00Z'));
    const readings = new InMemoryMetricReadings();
    let adherence = 0.8;
    const audit = new ScriptedAudit((sql) => answers(adherence)(sql));
    const metrics = createMetrics({ readings, policies, clock, audit, refreshMs: 60_000, pageCacheMs: 0 });

    const empty = await pageOf(metrics, lead);
    expect(audit.asked).toEqual([]);
    expect(empty.readings).toBe(0);
    expect(empty.charts.map((c) => c.id)).toEqual(METRICS.map((m) => m.id));

    expect(await metrics.refresh()).toBe('read');
    const asked = audit.asked.length;
    expect(asked).toBeGreaterThan(0);
    clock.advance(60_000);
    adherence = 0.9;
    expect(await metrics.refresh()).toBe('read');
    const page = await pageOf(metrics, lead);
    await pageOf(metrics, lead);
    expect(audit.asked).toHaveLength(asked * 2); // two readings; the page views asked nothing
    expect(page.readings).toBe(2);
    expect(page.generatedAt).toBe('2026-12-07T08:01:00.000Z');
    expect(page.charts.find((c) => c.id === 'sla_adherence')?.series).toEqual([{ key: 'vehicle-damage · damage-review', values: [0.8, 0.9], target: 0.95 }]);
    expect(page.reviewers).toEqual([expect.objectContaining({ reviewerId: 'rev-ada', reviewedTotal: 9, reviewedLast24h: 5, goldenReviews: 4, goldenAccuracy: 0.75, belowGoldenBar: true })]);
  });

  it('takes one reading per refresh slot, whichever instance comes first', async () => {
    const clock = new ManualClock(new Date('2026-12-07T08:00:10Z'));
    const readings = new InMemoryMetricReadings();
    const audits = [new ScriptedAudit(answers(0.8)), new ScriptedAudit(answers(0.8))];
    const [a, b] = audits.map((audit) => createMetrics({ readings, policies, clock, audit, refreshMs: 60_000 }));
    expect(await Promise.all([a?.refresh(), b?.refresh()])).toEqual(['read', 'skipped']);
    expect(audits[1]?.asked).toEqual([]);
    clock.advance(60_000); // the next slot
    expect(await b?.refresh()).toBe('read');
  });

  it('keeps the last `keep` readings only', async () => {
    const clock = new ManualClock(new Date('2026-12-07T08:00:00Z'));
    const readings = new InMemoryMetricReadings();
    const metrics = createMetrics({ readings, policies, clock, audit: new ScriptedAudit(answers(0.8)), refreshMs: 1_000, keep: 3, pageCacheMs: 0 });
    for (let i = 0; i < 5; i += 1) {
      await metrics.refresh();
      clock.advance(1_000);
    }
    expect(readings.slots.size).toBe(3);
    expect((await pageOf(metrics, lead)).readings).toBe(3);
  });

  it('reports a view that does not answer, and still shows the rest', async () => {
    const clock = new ManualClock(new Date('2026-12-07T08:00:00Z'));
    const audit = new ScriptedAudit((sql) => {
      if (sql.includes('metrics_batch_same_day')) throw new Error('view failed');
      return answers(0.8)(sql);
    });
    const metrics = createMetrics({ readings: new InMemoryMetricReadings(), policies, clock, audit, refreshMs: 60_000 });
    await metrics.refresh();
    const page = await pageOf(metrics, lead);
    expect(page.errors).toEqual(['metrics_batch_same_day: view failed']);
    expect(page.charts.find((c) => c.id === 'sla_adherence')?.series).toHaveLength(1);
  });

  it('is for leads, admins and auditors', async () => {
    const metrics = createMetrics({ readings: new InMemoryMetricReadings(), policies, clock: new ManualClock(new Date()), audit: new ScriptedAudit(() => []), refreshMs: 60_000 });
    expect(await metrics.page(reviewer)).toMatchObject({ ok: false, error: { code: 'AUTH.FORBIDDEN' } });
  });
});
