/**
 * Quality sampling (policy `quality`): which decided cases go to a second reviewer, which queue
 * items get a golden case mixed in, and reviewer accuracy on golden cases. Deterministic (hashes of
 * the case id, salted per purpose, so the samples are independent), pure.
 */
import { cohensKappa } from './agreement';
import { inSample, unitInterval } from './hash';
import type { Policy } from './policy';

/** Whether a decided case also goes to double review: a deterministic `doubleReviewRate` share. */
export const needsDoubleReview = (policy: Pick<Policy, 'quality'>, caseId: string): boolean => inSample(`double-review:${caseId}`, policy.quality?.doubleReviewRate ?? 0);

/** Whether enqueueing this case also mixes in a golden case: a deterministic `goldenRate` share. */
export const mixesGolden = (policy: Pick<Policy, 'quality'>, caseId: string): boolean => inSample(`golden:${caseId}`, policy.quality?.goldenRate ?? 0);

/** Which of `count` golden cases to mix in for this case (deterministic). */
export const goldenIndexFor = (caseId: string, count: number): number => (count <= 0 ? -1 : Math.floor(unitInterval(`golden-pick:${caseId}`) * count));

export interface GoldenVerdict {
  reviewerId: string;
  outcome: string;
  expected: string;
}

export interface ReviewerAccuracy {
  reviewerId: string;
  golden: number;
  correct: number;
  accuracy: number;
  /** Below the policy's minGoldenAccuracy: flagged to the lead. */
  belowBar: boolean;
}

/** Reviewer accuracy on golden cases, lowest first; `minAccuracy` is the policy's bar. */
export function reviewerAccuracy(verdicts: readonly GoldenVerdict[], minAccuracy: number): ReviewerAccuracy[] {
  const by = new Map<string, { golden: number; correct: number }>();
  for (const v of verdicts) {
    const e = by.get(v.reviewerId) ?? { golden: 0, correct: 0 };
    e.golden += 1;
    if (v.outcome === v.expected) e.correct += 1;
    by.set(v.reviewerId, e);
  }
  return [...by.entries()]
    .map(([reviewerId, e]) => ({ reviewerId, ...e, accuracy: e.correct / e.golden, belowBar: e.correct / e.golden < minAccuracy }))
    .sort((a, b) => a.accuracy - b.accuracy || (a.reviewerId < b.reviewerId ? -1 : 1));
}

// ── Quality gates that act: a reviewer's standing over their recent known answers ──────────────

/**
 * One judged verdict of a reviewer, newest first when passed to `reviewerStanding`:
 * - `known-answer`: a verdict on a case whose answer is known (a golden case's expected outcome, or a
 *   lead's adjudication of a double review), right or wrong;
 * - `pair`: the reviewer's verdict and the other reviewer's on the same double-reviewed case (for κ).
 */
export type JudgedVerdict = { kind: 'known-answer'; correct: boolean } | { kind: 'pair'; own: string; other: string };

/** Known answers (and pairs) a standing looks back over, when the policy's `quality.window` is absent. */
export const DEFAULT_QUALITY_WINDOW = 10;
/** κ flags a reviewer only on at least this many double-reviewed pairs (fewer: too noisy to act on). */
export const MIN_KAPPA_PAIRS = 10;
/** The share of a flagged reviewer's claims served a golden case, when `quality.flaggedGoldenRate` is absent. */
export const DEFAULT_FLAGGED_GOLDEN_RATE = 0.5;

export interface ReviewerStanding {
  /** Known answers in the window, and how many were right. */
  known: number;
  correct: number;
  /** correct / known; null with no known answer yet. */
  accuracy: number | null;
  /** Double-review pairs in the window, and Cohen's κ over them (null below MIN_KAPPA_PAIRS). */
  pairs: number;
  kappa: number | null;
  /** Below the policy's bar on accuracy or on κ: served more golden cases until recovered. */
  flagged: boolean;
  /** Why, in words a lead reads (empty when not flagged). */
  reasons: string[];
}

/**
 * A reviewer's standing on one use case: accuracy over the last `window` known answers against
 * `minGoldenAccuracy`, and κ over the last `window` double-review pairs against `minKappa` (only from
 * MIN_KAPPA_PAIRS pairs on). Because only the window counts, a flagged reviewer recovers by getting
 * the next known answers right — which the extra golden cases they are served give them the chance to.
 */
export function reviewerStanding(newestFirst: readonly JudgedVerdict[], quality: Pick<QualitySpecLike, 'minGoldenAccuracy' | 'minKappa' | 'window'>): ReviewerStanding {
  const window = Math.max(1, Math.floor(quality.window ?? DEFAULT_QUALITY_WINDOW));
  const known = newestFirst.filter((v): v is Extract<JudgedVerdict, { kind: 'known-answer' }> => v.kind === 'known-answer').slice(0, window);
  const pairs = newestFirst.filter((v): v is Extract<JudgedVerdict, { kind: 'pair' }> => v.kind === 'pair').slice(0, window);
  const correct = known.filter((v) => v.correct).length;
  const accuracy = known.length > 0 ? correct / known.length : null;
  let kappa: number | null = null;
  if (pairs.length >= MIN_KAPPA_PAIRS) {
    const k = cohensKappa(pairs.map((p) => [p.own, p.other] as const));
    if (k.ok && !k.value.degenerate) kappa = k.value.kappa;
  }
  const reasons: string[] = [];
  if (accuracy !== null && accuracy < quality.minGoldenAccuracy) reasons.push(`accuracy ${pct(accuracy)} on the last ${known.length} known answers, below ${pct(quality.minGoldenAccuracy)}`);
  if (kappa !== null && kappa < quality.minKappa) reasons.push(`κ ${kappa.toFixed(2)} on the last ${pairs.length} double reviews, below ${quality.minKappa}`);
  return { known: known.length, correct, accuracy, pairs: pairs.length, kappa, flagged: reasons.length > 0, reasons };
}

/** Whether a flagged reviewer's claim is served a golden case (`draw` uniform in [0, 1)). */
export const servesExtraGolden = (standing: Pick<ReviewerStanding, 'flagged'>, quality: Pick<QualitySpecLike, 'flaggedGoldenRate'>, draw: number): boolean =>
  standing.flagged && draw < (quality.flaggedGoldenRate ?? DEFAULT_FLAGGED_GOLDEN_RATE);

type QualitySpecLike = NonNullable<Policy['quality']>;

const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;
