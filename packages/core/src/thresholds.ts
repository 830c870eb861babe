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
