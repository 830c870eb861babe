/**
 * The success metrics of both seeds (ADR-0016 and HITL-OPT v4.1) as the metrics page charts them:
 * each one a metric view of the audit dataset (schemas/bigquery/views, the same views analysts and
 * `pnpm report` read), the column that is the metric, what one line of the chart is (use case, queue,
 * model version, reviewer…), and the target line. Pure: rows in, series out.
 */

export type Row = Record<string, unknown>;

export type MetricUnit = 'share' | 'hours' | 'kappa' | 'count';

export interface MetricDefinition {
  id: string;
  title: string;
  seed: 'ADR-0016' | 'HITL-OPT';
  /** The view (and the query over it; `{view}` is the qualified view name). */
  view: string;
  sql: string;
  unit: MetricUnit;
  /** What the target is, in words. */
  targetText: string;
  /** One line of the chart per key. */
  key(row: Row): string;
  value(row: Row): number | null;
  /** The target for this line (null: the metric has none, it is a volume). */
  target(row: Row): number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null);
const hours = (v: unknown): number | null => {
  const n = num(v);
  return n === null ? null : Math.round((n / 3600) * 1000) / 1000;
};
const s = (v: unknown): string => (v === null || v === undefined ? '—' : String(v));
/** Real use cases only: the fault-injection suite's (`fx-…`) stay out of the lead's pictures. */
const REAL = "use_case NOT LIKE 'fx-%'";

export const METRICS: readonly MetricDefinition[] = [
  {
    id: 'automatic_rate',
    title: 'Automatic-decision rate',
    seed: 'HITL-OPT',
    view: 'metrics_decision_mix',
    sql: `SELECT use_case, SUM(decisions) AS decisions, SAFE_DIVIDE(SUM(automatic), SUM(decisions)) AS automatic_rate FROM {view} WHERE ${REAL} GROUP BY use_case`,
    unit: 'share',
    targetText: '> 60 % of decisions automatic (HITL-OPT use cases)',
    key: (r) => s(r.use_case),
    value: (r) => num(r.automatic_rate),
    target: () => 0.6,
  },
  {
    id: 'sla_adherence',
    title: 'SLA adherence per queue',
    seed: 'ADR-0016',
    view: 'metrics_sla_adherence',
    sql: `SELECT * FROM {view} WHERE ${REAL}`,
    unit: 'share',
    targetText: 'adherence ≥ the queue’s target share (95 %)',
    key: (r) => `${s(r.use_case)} · ${s(r.queue)}`,
    value: (r) => num(r.adherence),
    target: (r) => num(r.target_share) ?? 0.95,
  },
  {
    id: 'sla_p95',
    title: 'Time to decision, P95 per queue (SLA clock)',
    seed: 'ADR-0016',
    view: 'metrics_sla_adherence',
    sql: `SELECT * FROM {view} WHERE ${REAL}`,
    unit: 'hours',
    targetText: 'cleanliness P95 ≤ 2 h, damage P95 ≤ 1 h (business time); each queue its own target',
    key: (r) => `${s(r.use_case)} · ${s(r.queue)}`,
    value: (r) => hours(r.p95_seconds),
    target: (r) => hours(r.target_seconds),
  },
  {
    id: 'batch_same_day',
    title: 'Batch cases decided the same day',
    seed: 'HITL-OPT',
    view: 'metrics_batch_same_day',
    sql: `SELECT * FROM {view} WHERE ${REAL}`,
    unit: 'share',
    targetText: '> 80 % of batch cases decided the same day',
    key: (r) => `${s(r.use_case)} · ${s(r.queue)}`,
    value: (r) => num(r.same_day_rate),
    target: () => 0.8,
  },
  {
    id: 'critical_path',
    title: 'Critical-path response time, P95',
    seed: 'HITL-OPT',
    view: 'metrics_critical_path',
    sql: `SELECT * FROM {view} WHERE ${REAL}`,
    unit: 'hours',
    targetText: 'a person decides critical-path cases in < 2 h',
    key: (r) => s(r.use_case),
    value: (r) => hours(r.p95_seconds),
    target: () => 2,
  },
  {
    id: 'human_alignment',
    title: 'Human alignment of automatic decisions',
    seed: 'HITL-OPT',
    view: 'metrics_human_alignment',
    sql: `SELECT * FROM {view} WHERE ${REAL}`,
    unit: 'share',
    targetText: '> 95 % of blind reviews agree with the automatic outcome',
    key: (r) => `${s(r.use_case)} · ${s(r.model_name)}@${s(r.model_version)}`,
    value: (r) => num(r.alignment_rate),
    target: () => 0.95,
  },
  {
    id: 'false_positive_reduction',
    title: 'False-positive reduction per model version',
    seed: 'ADR-0016',
    view: 'metrics_model_overrides',
    sql: `SELECT * FROM {view} WHERE ${REAL}`,
    unit: 'share',
    targetText: '≥ 30 % of the model’s customer-unfavourable calls overturned by a person',
    key: (r) => `${s(r.use_case)} · ${s(r.model_name)}@${s(r.model_version)}`,
    value: (r) => num(r.false_positive_reduction),
    target: () => 0.3,
  },
  {
    id: 'override_rate',
    title: 'Override rate per model version',
    seed: 'ADR-0016',
    view: 'metrics_model_overrides',
    sql: `SELECT * FROM {view} WHERE ${REAL}`,
    unit: 'share',
    targetText: 'watched, no target: a rising rate means the model drifts',
    key: (r) => `${s(r.use_case)} · ${s(r.model_name)}@${s(r.model_version)}`,
    value: (r) => num(r.override_rate),
    target: () => null,
  },
  {
    id: 'reviewer_kappa',
    title: 'Reviewer agreement, Cohen’s κ per pair',
    seed: 'ADR-0016',
    view: 'metrics_reviewer_agreement',
    sql: `SELECT * FROM {view} WHERE ${REAL}`,
    unit: 'kappa',
    targetText: 'κ ≥ 0.8 on double-reviewed cases',
    key: (r) => `${s(r.use_case)} · ${s(r.reviewer_a)} / ${s(r.reviewer_b)}`,
    value: (r) => num(r.kappa),
    target: () => 0.8,
  },
  {
    id: 'queue_kappa',
    title: 'Reviewer agreement, Fleiss’ κ per queue',
    seed: 'ADR-0016',
    view: 'metrics_queue_agreement',
    sql: `SELECT * FROM {view} WHERE ${REAL}`,
    unit: 'kappa',
    targetText: 'κ ≥ 0.8',
    key: (r) => `${s(r.use_case)} · ${s(r.queue)}`,
    value: (r) => num(r.kappa),
    target: () => 0.8,
  },
  {
    id: 'golden_accuracy',
    title: 'Reviewer accuracy on golden cases',
    seed: 'ADR-0016',
    view: 'metrics_golden_accuracy',
    sql: `SELECT * FROM {view} WHERE ${REAL}`,
    unit: 'share',
    targetText: 'at least the policy’s quality.minGoldenAccuracy; below it, flagged to the lead',
    key: (r) => `${s(r.use_case)} · ${s(r.reviewer_id)}`,
    value: (r) => num(r.accuracy),
    target: (r) => num(r.min_accuracy),
  },
  {
    id: 'post_action',
    title: 'Automatic decisions per category (post-action report)',
    seed: 'HITL-OPT',
    view: 'metrics_post_action_report',
    sql: `SELECT use_case, category, SUM(decisions) AS decisions FROM {view} WHERE ${REAL} GROUP BY use_case, category`,
    unit: 'count',
    targetText: 'every automatic approval reported',
    key: (r) => `${s(r.use_case)} · ${s(r.category)}`,
    value: (r) => num(r.decisions),
    target: () => null,
  },
  {
    id: 'labelled_examples',
    title: 'Labelled examples for retraining',
    seed: 'ADR-0016',
    view: 'metrics_labelled_examples',
    sql: `SELECT use_case, source, SUM(examples) AS examples FROM {view} WHERE ${REAL} GROUP BY use_case, source`,
    unit: 'count',
    targetText: 'every override and every low-band enrichment becomes a labelled example',
    key: (r) => `${s(r.use_case)} · ${s(r.source)}`,
    value: (r) => num(r.examples),
    target: () => null,
  },
];

/** One reading of every metric: per metric, per line, the value and its target. */
export interface MetricsReading {
  at: number;
  values: Record<string, Record<string, { value: number | null; target: number | null }>>;
}

export function readingOf(at: number, rowsByMetric: Record<string, Row[]>): MetricsReading {
  const values: MetricsReading['values'] = {};
  for (const m of METRICS) {
    const lines: Record<string, { value: number | null; target: number | null }> = {};
    for (const row of rowsByMetric[m.id] ?? []) lines[m.key(row)] = { value: m.value(row), target: m.target(row) };
    values[m.id] = lines;
  }
  return { at, values };
}

export interface MetricChart {
  id: string;
  title: string;
  seed: string;
  view: string;
  unit: MetricUnit;
  targetText: string;
  /** Reading times (epoch seconds), oldest first. */
  times: number[];
  series: Array<{ key: string; values: Array<number | null>; target: number | null }>;
}

/** Readings over time → one chart per metric, one series per line, aligned on the reading times. */
export function chartsOf(readings: readonly MetricsReading[]): MetricChart[] {
  const ordered = [...readings].sort((a, b) => a.at - b.at);
  const times = ordered.map((r) => Math.round(r.at / 1000));
  return METRICS.map((m) => {
    const keys = [...new Set(ordered.flatMap((r) => Object.keys(r.values[m.id] ?? {})))].sort();
    return {
      id: m.id,
      title: m.title,
      seed: m.seed,
      view: m.view,
      unit: m.unit,
      targetText: m.targetText,
      times,
      series: keys.map((key) => {
        const points = ordered.map((r) => r.values[m.id]?.[key]);
        const latest = [...points].reverse().find((p) => p !== undefined);
        return { key, values: points.map((p) => p?.value ?? null), target: latest?.target ?? null };
      }),
    };
  });
}
