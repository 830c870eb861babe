/**
 * The metrics page's data (`GET /api/metrics`, leads, admins and auditors): every success metric of
 * both seeds read from the audit dataset's metric views (metric-catalog.ts), per-reviewer throughput,
 * golden accuracy and agreement, and the threshold recommendations with their effect on queue load.
 *
 * A page view never queries BigQuery. A refresh job (`startMetricsRefresh`, every `refreshMs` in each
 * process) takes one reading of every view and stores it in Firestore (`metricReadings/{slot}`, one
 * document per refresh slot: the instance that creates the slot's document reads the views, the
 * others skip that slot, so N instances cost one reading). The page is built from the last `keep`
 * (96: eight hours at PT5M) readings, so the charts show the metrics over time — across restarts and
 * instances — and the trend of a metric is what the views said at each reading.
 */
import { fail, ok, recommendThresholds, type Result } from '@arbiter/core';
import type { PolicyRegistry } from '@arbiter/policy';
import type { Clock, Logger } from '@arbiter/platform';
import type { Principal } from '../auth';
import { chartsOf, METRICS, readingOf, type MetricChart, type Row } from '../metric-catalog';
import type { AuditQueries, MetricReadingsStore, ReviewerRow, StoredReading, ThresholdRow } from '../ports';

export interface MetricsPage {
  /** When the latest reading was taken (the page's "as of"); the page's own time when there is none yet. */
  generatedAt: string;
  refreshSeconds: number;
  readings: number;
  charts: MetricChart[];
  reviewers: ReviewerRow[];
  thresholds: ThresholdRow[];
  /** Queries that failed at the latest reading (the rest still shows). */
  errors: string[];
}

export interface MetricsDeps {
  readings: MetricReadingsStore;
  policies: PolicyRegistry;
  clock: Clock;
  audit: AuditQueries;
  refreshMs: number;
  /** Readings kept for the charts. */
  keep?: number;
  targetPrecision?: number;
  /** How long one view query may take before it is reported as failed (default 60 s). */
  queryTimeoutMs?: number;
  /** How long a page built from the stored readings is served before they are read again (default min(refreshMs, 15 s)). */
  pageCacheMs?: number;
  logger?: Pick<Logger, 'info' | 'warn'>;
}

const n = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0)) || 0;
const nOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number.isFinite(Number(v)) ? Number(v) : null);

export const mayViewMetrics = (p: Principal): boolean => p.roles.some((r) => r === 'lead' || r === 'admin' || r === 'auditor');

/**
 * The threshold examples — one per verdict of a person on a case whose decision carries the model's
 * confidence — counted per case without a join: the emulator ran the self-join of audit_events_dedup
 * in quadratic time (170 s over 528 rows; `bench/METRICS.md`). Grouping by case gives the decided
 * row's model version and confidence beside the reviewed rows' agreement counts, the same examples.
 */
export const thresholdExamplesSql = (dedup: string): string =>
  `SELECT use_case, case_id, MAX(IF(state = 'decided', model_version, NULL)) AS model_version, MAX(IF(state = 'decided', confidence, NULL)) AS confidence, ` +
  `COUNTIF(state = 'reviewed' AND review_purpose IN ('decision', 'blind-review') AND model_outcome IS NOT NULL AND outcome = model_outcome) AS agreed, ` +
  `COUNTIF(state = 'reviewed' AND review_purpose IN ('decision', 'blind-review') AND model_outcome IS NOT NULL AND outcome <> model_outcome) AS disagreed ` +
  `FROM ${dedup} WHERE state IN ('decided', 'reviewed') AND use_case NOT LIKE 'fx-%' GROUP BY use_case, case_id`;

export const reviewerThroughputSql = (dedup: string, since: string): string =>
  `SELECT actor_id AS reviewer_id, COUNT(*) AS reviewed_total, COUNTIF(event_time >= TIMESTAMP('${since}')) AS reviewed_24h FROM ${dedup} WHERE state = 'reviewed' AND actor_kind = 'human' AND use_case NOT LIKE 'fx-%' GROUP BY actor_id`;

/** Per case's counts → one example per verdict (what `recommendThresholds` takes). */
export function thresholdExamplesOf(rows: readonly Row[]): Array<{ use_case: string; model_version: string; confidence: number; agreed: boolean }> {
  return rows.flatMap((r) => {
    const confidence = nOrNull(r.confidence);
    if (confidence === null || r.model_version === null || r.model_version === undefined) return [];
    const example = { use_case: String(r.use_case), model_version: String(r.model_version), confidence };
    return [...Array.from({ length: n(r.agreed) }, () => ({ ...example, agreed: true })), ...Array.from({ length: n(r.disagreed) }, () => ({ ...example, agreed: false }))];
  });
}

export function createMetrics(deps: MetricsDeps) {
  const keep = deps.keep ?? 96;
  const pageCacheMs = deps.pageCacheMs ?? Math.min(deps.refreshMs, 15_000);
  let cached: { at: number; page: MetricsPage } | undefined;
  let reading: Promise<'read' | 'skipped'> | undefined;

  const readAll = async (): Promise<Omit<StoredReading, 'at' | 'values'> & { rows: Record<string, Row[]> }> => {
    const errors: string[] = [];
    // One statement at a time, each bounded: a view that does not answer is reported, never waited for.
    const timeoutMs = deps.queryTimeoutMs ?? 60_000;
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
    const throughput = await safe('reviewer throughput', reviewerThroughputSql(dedup, since));
    const labelled = thresholdExamplesOf(await safe('threshold examples', thresholdExamplesSql(dedup)));
    return { rows, reviewers: reviewersOf(throughput, rows.golden_accuracy ?? [], rows.reviewer_kappa ?? []), thresholds: thresholdsOf(deps.policies, labelled, deps.targetPrecision ?? 0.95), errors };
  };

  /**
   * Takes this refresh slot's reading, unless another instance (or an earlier call) already has:
   * 'read' when this call read the views and stored the reading, 'skipped' otherwise.
   */
  const refresh = (): Promise<'read' | 'skipped'> => {
    reading ??= (async (): Promise<'read' | 'skipped'> => {
      const now = deps.clock.now().getTime();
      const slot = Math.floor(now / deps.refreshMs) * deps.refreshMs;
      if (!(await deps.readings.claim(slot, now))) return 'skipped';
      const started = deps.clock.now().getTime();
      const { rows, reviewers, thresholds, errors } = await readAll();
      await deps.readings.save(slot, { at: now, values: readingOf(now, rows).values, reviewers, thresholds, errors }, deps.clock.now().getTime() - started);
      // Only the last `keep` readings are kept (the charts' window); older ones go as new ones come.
      await deps.readings.trim(keep);
      cached = undefined;
      deps.logger?.info({ ms: deps.clock.now().getTime() - started, errors: errors.length }, 'metrics: read the audit views');
      return 'read';
    })().finally(() => {
      reading = undefined;
    });
    return reading;
  };

  /** The page from the stored readings (never from BigQuery). */
  const build = async (): Promise<MetricsPage> => {
    const stored = await deps.readings.latest(keep);
    const latest = stored[0];
    return {
      generatedAt: new Date(latest?.at ?? deps.clock.now().getTime()).toISOString(),
      refreshSeconds: Math.round(deps.refreshMs / 1000),
      readings: stored.length,
      charts: chartsOf(stored),
      reviewers: latest?.reviewers ?? [],
      thresholds: latest?.thresholds ?? [],
      errors: latest?.errors ?? [],
    };
  };

  const page = async (p: Principal): Promise<Result<MetricsPage>> => {
    if (!mayViewMetrics(p)) return fail({ code: 'AUTH.FORBIDDEN', message: 'the metrics page is for leads, admins and auditors' });
    const now = deps.clock.now().getTime();
    if (cached && now - cached.at < pageCacheMs) return ok(cached.page);
    const built = await build();
    cached = { at: now, page: built };
    return ok(built);
  };

  return { page, refresh };
}

/**
 * The refresh job: a reading at start and every `everyMs` after (a tick while the last reading still
 * runs is skipped). Returns its stop.
 */
export function startMetricsRefresh(refresh: () => Promise<unknown>, everyMs: number, logger?: Pick<Logger, 'warn'>): () => void {
  let running = false;
  const tick = (): void => {
    if (running) return;
    running = true;
    refresh()
      .catch((error: unknown) => logger?.warn({ err: error }, 'metrics: reading the audit views failed; the next refresh tries again'))
      .finally(() => {
        running = false;
      });
  };
  const first = setTimeout(tick, 0);
  const timer = setInterval(tick, everyMs);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
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

function thresholdsOf(policies: PolicyRegistry, rows: ReturnType<typeof thresholdExamplesOf>, targetPrecision: number): ThresholdRow[] {
  const out: ThresholdRow[] = [];
  for (const useCase of [...new Set(rows.map((r) => String(r.use_case)))].sort()) {
    const policy = policies.get(useCase);
    const low = policy.ok ? policy.value.bands.default.low : 0;
    const currentHigh = policy.ok ? policy.value.bands.default.high : null;
    const examples = rows.filter((r) => r.use_case === useCase).map((r) => ({ modelVersion: r.model_version, confidence: r.confidence, agreed: r.agreed }));
    for (const rec of recommendThresholds(examples, { targetPrecision, low, minSupport: 3 })) {
      const mine = examples.filter((e) => e.modelVersion === rec.modelVersion);
      const reviewNow = currentHigh === null ? 1 : mine.filter((e) => e.confidence >= low && e.confidence < currentHigh).length / (mine.length || 1);
      out.push({ useCase, modelVersion: rec.modelVersion, examples: rec.examples, currentHigh, recommendedHigh: rec.high, precision: rec.precision, reviewRateNow: reviewNow, reviewRateRecommended: rec.reviewRate, automaticRateRecommended: rec.automaticRate, note: rec.note });
    }
  }
  return out;
}
