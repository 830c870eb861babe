/**
 * Quality sampling (policy `quality`): which decided cases go to a second reviewer, which queue
 * items get a golden case mixed in, and reviewer accuracy on golden cases. Deterministic (hashes of
 * the case id, salted per purpose, so the samples are independent), pure.
 */
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
