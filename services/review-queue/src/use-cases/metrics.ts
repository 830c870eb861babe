/**
 * The metrics page's data (`GET /api/metrics`, leads, admins and auditors): every success metric of
 * both seeds read from the audit dataset's metric views (metrics/catalog.ts), per-reviewer throughput,
 * golden accuracy and agreement, and the threshold recommendations with their effect on queue load.
 *
 * Never a query per page view: one reading at most every `refreshMs` per process (requests arriving
 * meanwhile share the cached answer, or the one reading in flight). The last `keep` (96: eight hours
 * at PT5M) readings are kept in Firestore (`metricReadings/{slot}`), so the charts show the metrics over
 * time — across restarts and instances — and the trend of a metric is what the views said at each reading.
 */
import type { Firestore } from '@google-cloud/firestore';
import { recommendThresholds } from '@arbiter/core';
import type { PolicyRegistry } from '@arbiter/policy';
import type { Clock } from '@arbiter/platform';
import type { Principal } from '../auth';
import { chartsOf, METRICS, readingOf, type MetricChart, type MetricsReading, type Row } from '../metrics/catalog';
import { reject } from './common';

export const METRIC_READINGS = 'metricReadings';

/** The port: runs one query over the audit dataset (`{dataset}` is the qualified dataset prefix). */
export interface AuditQueries {
  /** The qualified name of a view or table (`project.dataset.name`, backquoted). */
  table(name: string): string;
  query(sql: string): Promise<Row[]>;
}

export interface ReviewerRow {
  reviewerId: string;
  reviewedLast24h: number;
  reviewedTotal: number;
  goldenReviews: number;
  goldenAccuracy: number | null;
  belowGoldenBar: boolean;
  /** Mean Cohen's κ over the pairs the reviewer is in, and how many double-reviewed cases that rests on. */
  kappa: number | null;
  doubleReviewed: number;
}

export interface ThresholdRow {
  useCase: string;
  modelVersion: string;
  examples: number;
  currentHigh: number | null;
  recommendedHigh: number | null;
  precision: number | null;
  /** Share of cases a person reviews now, and with the recommended threshold (the queue-load effect). */
  reviewRateNow: number;
  reviewRateRecommended: number;
  automaticRateRecommended: number;
  note: string;
}

export interface MetricsPage {
  generatedAt: string;
  refreshSeconds: number;
  readings: number;
  charts: MetricChart[];
  reviewers: ReviewerRow[];
  thresholds: ThresholdRow[];
  /** Queries that failed at the last reading (the rest still shows). */
  errors: string[];
}

export interface MetricsDeps {
  firestore: Firestore;
  policies: PolicyRegistry;
  clock: Clock;
  audit: AuditQueries;
  refreshMs: number;
  /** Readings kept for the charts. */
  keep?: number;
  targetPrecision?: number;
  /** How long one view query may take before it is reported as failed (default 30 s). */
  queryTimeoutMs?: number;
}

const n = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0)) || 0;
const nOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number.isFinite(Number(v)) ? Number(v) : null);

export const mayViewMetrics = (p: Principal): boolean => p.roles.some((r) => r === 'lead' || r === 'admin' || r === 'auditor');

export function createMetricsPage(deps: MetricsDeps) {
  const keep = deps.keep ?? 96;
  let cached: { at: number; page: MetricsPage } | undefined;
  let inFlight: Promise<MetricsPage> | undefined;

  const readAll = async (): Promise<{ rows: Record<string, Row[]>; reviewers: ReviewerRow[]; thresholds: ThresholdRow[]; errors: string[] }> => {
    const errors: string[] = [];
    // One statement at a time, each bounded: a view that does not answer is reported, never waited for
    // (the BigQuery emulator answered nothing for minutes when asked fifteen at once over ~300 cases).
    const timeoutMs = deps.queryTimeoutMs ?? 30_000;
    const safe = async (what: string, sql: string): Promise<Row[]> => {
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([deps.audit.query(sql), new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs)))]);
      } catch (error) {
        errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
        return [];
      } finally {
        clearTimeout(timer);
      }
    };
    // One query per distinct statement (two metrics may read the same view the same way).
    const statements = new Map<string, Row[]>();
    const rows: Record<string, Row[]> = {};
    for (const m of METRICS) {
      const sql = m.sql.replaceAll('{view}', deps.audit.table(m.view));
      if (!statements.has(sql)) statements.set(sql, await safe(m.view, sql));
      rows[m.id] = statements.get(sql) as Row[];
    }
    const dedup = deps.audit.table('audit_events_dedup');
    const since = new Date(deps.clock.now().getTime() - 86_400_000).toISOString();
    const throughput = await safe('reviewer throughput', `SELECT actor_id AS reviewer_id, COUNT(*) AS reviewed_total, COUNTIF(event_time >= TIMESTAMP('${since}')) AS reviewed_24h FROM ${dedup} WHERE state = 'reviewed' AND actor_kind = 'human' AND use_case NOT LIKE 'fx-%' GROUP BY actor_id`);
    const labelled = await safe('threshold examples', `SELECT d.use_case, d.model_version, d.confidence, r.outcome = r.model_outcome AS agreed FROM ${dedup} r JOIN ${dedup} d ON d.case_id = r.case_id AND d.state = 'decided' WHERE r.state = 'reviewed' AND r.review_purpose IN ('decision', 'blind-review') AND r.model_outcome IS NOT NULL AND d.confidence IS NOT NULL AND d.use_case NOT LIKE 'fx-%'`);
    return { rows, reviewers: reviewersOf(throughput, rows.golden_accuracy ?? [], rows.reviewer_kappa ?? []), thresholds: thresholdsOf(deps.policies, labelled, deps.targetPrecision ?? 0.95), errors };
  };

  const refresh = async (): Promise<MetricsPage> => {
    const now = deps.clock.now().getTime();
    const { rows, reviewers, thresholds, errors } = await readAll();
    const reading = readingOf(now, rows);
    const collection = deps.firestore.collection(METRIC_READINGS);
    // Readings are keyed by the refresh slot, so instances refreshing in the same slot write one.
    const slot = Math.floor(now / deps.refreshMs) * deps.refreshMs;
    await collection.doc(String(slot).padStart(15, '0')).set({ at: reading.at, values: JSON.stringify(reading.values) });
    const [snapshot, stale] = await Promise.all([collection.orderBy('at', 'desc').limit(keep).get(), collection.orderBy('at', 'desc').offset(keep).limit(50).get()]);
    // Only the last `keep` readings are kept (the charts' window); older ones go as new ones come.
    await Promise.all(stale.docs.map((d) => d.ref.delete()));
    const readings: MetricsReading[] = snapshot.docs.map((d) => ({ at: Number(d.get('at')), values: JSON.parse(String(d.get('values'))) as MetricsReading['values'] }));
    return { generatedAt: new Date(now).toISOString(), refreshSeconds: Math.round(deps.refreshMs / 1000), readings: readings.length, charts: chartsOf(readings), reviewers, thresholds, errors };
  };

  return async (p: Principal): Promise<MetricsPage> => {
    if (!mayViewMetrics(p)) return reject('AUTH.FORBIDDEN', 'the metrics page is for leads, admins and auditors');
    const now = deps.clock.now().getTime();
    if (cached && now - cached.at < deps.refreshMs) return cached.page;
    if (!inFlight) {
      inFlight = refresh()
        .then((page) => {
          cached = { at: deps.clock.now().getTime(), page };
          return page;
        })
        .finally(() => {
          inFlight = undefined;
        });
    }
    return inFlight;
  };
}

function reviewersOf(throughput: Row[], golden: Row[], pairs: Row[]): ReviewerRow[] {
  const ids = new Set<string>([...throughput.map((r) => String(r.reviewer_id)), ...golden.map((r) => String(r.reviewer_id)), ...pairs.flatMap((r) => [String(r.reviewer_a), String(r.reviewer_b)])]);
  return [...ids]
    .filter((id) => id && id !== 'undefined' && id !== 'null')
    .sort()
    .map((id) => {
      const t = throughput.find((r) => String(r.reviewer_id) === id);
      const g = golden.filter((r) => String(r.reviewer_id) === id);
      const goldenReviews = g.reduce((s, r) => s + n(r.golden_reviews), 0);
      const correct = g.reduce((s, r) => s + n(r.correct), 0);
      const mine = pairs.filter((r) => String(r.reviewer_a) === id || String(r.reviewer_b) === id).filter((r) => nOrNull(r.kappa) !== null);
      const weight = mine.reduce((s, r) => s + n(r.double_reviewed), 0);
      return {
        reviewerId: id,
        reviewedLast24h: n(t?.reviewed_24h),
        reviewedTotal: n(t?.reviewed_total),
        goldenReviews,
        goldenAccuracy: goldenReviews ? correct / goldenReviews : null,
        belowGoldenBar: g.some((r) => r.below_bar === true),
        kappa: weight ? mine.reduce((s, r) => s + n(r.kappa) * n(r.double_reviewed), 0) / weight : null,
        doubleReviewed: weight,
      };
    });
}

function thresholdsOf(policies: PolicyRegistry, rows: Row[], targetPrecision: number): ThresholdRow[] {
  const out: ThresholdRow[] = [];
  for (const useCase of [...new Set(rows.map((r) => String(r.use_case)))].sort()) {
    const policy = policies.get(useCase);
    const low = policy.ok ? policy.value.bands.default.low : 0;
    const currentHigh = policy.ok ? policy.value.bands.default.high : null;
    const examples = rows.filter((r) => r.use_case === useCase).map((r) => ({ modelVersion: String(r.model_version), confidence: Number(r.confidence), agreed: r.agreed === true }));
    for (const rec of recommendThresholds(examples, { targetPrecision, low, minSupport: 3 })) {
      const mine = examples.filter((e) => e.modelVersion === rec.modelVersion);
      const reviewNow = currentHigh === null ? 1 : mine.filter((e) => e.confidence >= low && e.confidence < currentHigh).length / (mine.length || 1);
      out.push({ useCase, modelVersion: rec.modelVersion, examples: rec.examples, currentHigh, recommendedHigh: rec.high, precision: rec.precision, reviewRateNow: reviewNow, reviewRateRecommended: rec.reviewRate, automaticRateRecommended: rec.automaticRate, note: rec.note });
    }
  }
  return out;
}
