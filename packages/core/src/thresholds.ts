/**
 * Threshold recommendation from labelled outcomes (ADR-0016 §5 "feed outcomes into evaluation
 * pipelines to tune thresholds"; "Threshold drift … periodic recalibration").
 *
 * Input: labelled examples of one use case — the model's confidence and whether the people agreed
 * with what the model said (`agreed`: the human outcome equals the model's outcome). For each model
 * version, the recommended high threshold is the LOWEST confidence t such that, were every example
 * with confidence >= t decided automatically, the share of them the people agreed with (precision of
 * the automatic decisions) is at least `targetPrecision` — with at least `minSupport` such examples.
 * The lowest such t gives the highest automatic rate that meets the target. Given the low threshold
 * in force, the recommendation also says how the examples would split:
 *   automaticRate = share with c >= high, reviewRate = share with low <= c < high (reviewer load),
 *   defaultRate = share with c < low.
 * Candidate thresholds are the examples' own confidences (nothing between two observed values
 * changes the split). Pure: plain data in, plain data out.
 */
import { mulberry32 } from './hash';

export interface ThresholdExample {
  modelVersion: string;
  confidence: number;
  /** The human outcome equals the model's outcome. */
  agreed: boolean;
}

export interface ThresholdOptions {
  /** Precision the automatic decisions must reach, 0..1 (e.g. 0.95, HITL-OPT's "> 95% alignment"). */
  targetPrecision: number;
  /** The low threshold in force (cases below it are not reviewed). */
  low: number;
  /** At least this many examples at or above the threshold (default 1). */
  minSupport?: number;
}

export interface ThresholdRecommendation {
  modelVersion: string;
  examples: number;
  /** The recommended high threshold (automatic iff confidence >= high); null when no threshold meets the target. */
  high: number | null;
  /** Precision of the automatic decisions at that threshold, and how many examples it rests on. */
  precision: number | null;
  support: number;
  automaticRate: number;
  reviewRate: number;
  defaultRate: number;
  /** Why this threshold (or why none). */
  note: string;
}

export function recommendThresholds(examples: readonly ThresholdExample[], options: ThresholdOptions): ThresholdRecommendation[] {
  const minSupport = Math.max(1, options.minSupport ?? 1);
  const byVersion = new Map<string, ThresholdExample[]>();
  for (const e of examples) byVersion.set(e.modelVersion, [...(byVersion.get(e.modelVersion) ?? []), e]);
  return [...byVersion.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([modelVersion, list]) => recommendOne(modelVersion, list, options.targetPrecision, options.low, minSupport));
}

function recommendOne(modelVersion: string, list: readonly ThresholdExample[], target: number, low: number, minSupport: number): ThresholdRecommendation {
  const candidates = [...new Set(list.map((e) => e.confidence))].sort((a, b) => a - b);
  for (const t of candidates) {
    if (t < low) continue; // the high band starts at or above the low threshold
    const above = list.filter((e) => e.confidence >= t);
    if (above.length < minSupport) break; // fewer still at higher thresholds
    const precision = above.filter((e) => e.agreed).length / above.length;
    if (precision >= target) return split(modelVersion, list, t, low, precision, above.length, `lowest threshold whose automatic decisions reach ${target} precision on ${above.length} example(s)`);
  }
  return split(modelVersion, list, null, low, null, 0, `no threshold reaches ${target} precision with at least ${minSupport} example(s) above it: keep every case of this version in review`);
}

function split(modelVersion: string, list: readonly ThresholdExample[], high: number | null, low: number, precision: number | null, support: number, note: string): ThresholdRecommendation {
  const n = list.length || 1;
  const automatic = high === null ? 0 : list.filter((e) => e.confidence >= high).length;
  const defaulted = list.filter((e) => e.confidence < low).length;
  return {
    modelVersion,
    examples: list.length,
    high,
    precision,
    support,
    automaticRate: automatic / n,
    reviewRate: (list.length - automatic - defaulted) / n,
    defaultRate: defaulted / n,
    note,
  };
}

/** How sure a recommendation is, and what it would do to the reviewers' queue. */
export interface ThresholdUncertainty {
  modelVersion: string;
  /** Bootstrap percentile interval of the recommended high threshold (resamples with no threshold left out). */
  high: { low: number; high: number; level: number } | null;
  /** Share of the resamples in which some threshold met the target. */
  resolvedShare: number;
  resamples: number;
  /** The review share under the threshold in force, under the recommendation, and the change (negative: less load). */
  reviewLoad: { current: number; recommended: number; change: number } | null;
}

/**
 * Bootstrap (pure, deterministic: mulberry32 seeded from `seed`): resample each version's examples
 * with replacement `resamples` times, recommend on each, and report the 2.5–97.5 % (for level 0.95)
 * percentiles of the recommended threshold; plus the expected change in review load from the threshold
 * in force (`currentHigh`, automatic iff confidence > currentHigh is approximated by >=) to the
 * recommended one, on the examples as they are.
 */
export function thresholdUncertainty(
  examples: readonly ThresholdExample[],
  options: ThresholdOptions & { currentHigh?: number; resamples?: number; seed?: number; level?: number },
): ThresholdUncertainty[] {
  const resamples = Math.max(1, options.resamples ?? 500);
  const level = options.level ?? 0.95;
  const random = mulberry32(options.seed ?? 1);
  return recommendThresholds(examples, options).map((rec) => {
    const list = examples.filter((e) => e.modelVersion === rec.modelVersion);
    const highs: number[] = [];
    for (let r = 0; r < resamples; r += 1) {
      const sample = list.map(() => list[Math.floor(random() * list.length)] as ThresholdExample);
      const [again] = recommendThresholds(sample, options);
      if (again && again.high !== null) highs.push(again.high);
    }
    highs.sort((a, b) => a - b);
    const at = (q: number): number => highs[Math.min(highs.length - 1, Math.max(0, Math.floor(q * highs.length)))] as number;
    const review = (high: number): number => list.filter((e) => e.confidence >= options.low && e.confidence < high).length / (list.length || 1);
    const current = options.currentHigh;
    return {
      modelVersion: rec.modelVersion,
      high: highs.length ? { low: at((1 - level) / 2), high: at(1 - (1 - level) / 2), level } : null,
      resolvedShare: highs.length / resamples,
      resamples,
      reviewLoad: current !== undefined && rec.high !== null ? { current: review(current), recommended: review(rec.high), change: review(rec.high) - review(current) } : null,
    };
  });
}

/** Precision and recall per label, and accuracy, of predicted labels against known labels (golden sets). */
export interface LabelScore {
  label: string;
  precision: number | null;
  recall: number | null;
  support: number;
}

export interface ClassificationReport {
  examples: number;
  accuracy: number | null;
  labels: LabelScore[];
}

/**
 * For each label L: precision = |predicted L and truly L| / |predicted L|, recall = |predicted L and
 * truly L| / |truly L| (null when the denominator is 0); accuracy = share predicted right.
 */
export function classificationReport(pairs: ReadonlyArray<{ predicted: string; expected: string }>): ClassificationReport {
  const labels = [...new Set(pairs.flatMap((p) => [p.predicted, p.expected]))].sort();
  const scores = labels.map((label) => {
    const predicted = pairs.filter((p) => p.predicted === label).length;
    const truly = pairs.filter((p) => p.expected === label).length;
    const hit = pairs.filter((p) => p.predicted === label && p.expected === label).length;
    return { label, precision: predicted ? hit / predicted : null, recall: truly ? hit / truly : null, support: truly };
  });
  const right = pairs.filter((p) => p.predicted === p.expected).length;
  return { examples: pairs.length, accuracy: pairs.length ? right / pairs.length : null, labels: scores };
}

/** A recommendation as leads read it: the threshold, how sure it is, and what it does to the queue. */
export interface ThresholdAdvice extends ThresholdRecommendation {
  /** The high threshold in force (the policy's default), when known. */
  currentHigh: number | null;
  /** Bootstrap percentile interval of the recommended threshold; null when no resample found one. */
  interval: { low: number; high: number; level: number } | null;
  /** Share of the bootstrap resamples in which some threshold met the target. */
  resolvedShare: number;
  resamples: number;
  /** The share of cases a person reviews under the threshold in force and under the recommendation; change < 0 is less load. */
  reviewLoad: { current: number; recommended: number; change: number } | null;
}

/** `recommendThresholds` and `thresholdUncertainty` together, one row per model version. */
export function adviseThresholds(examples: readonly ThresholdExample[], options: ThresholdOptions & { currentHigh?: number; resamples?: number; seed?: number; level?: number }): ThresholdAdvice[] {
  const uncertain = thresholdUncertainty(examples, options);
  return recommendThresholds(examples, options).map((rec) => {
    const u = uncertain.find((x) => x.modelVersion === rec.modelVersion);
    return { ...rec, currentHigh: options.currentHigh ?? null, interval: u?.high ?? null, resolvedShare: u?.resolvedShare ?? 0, resamples: u?.resamples ?? 0, reviewLoad: u?.reviewLoad ?? null };
  });
}
