/**
 * A reviewer's judged verdict as stored (`reviewerVerdicts/{itemId}~{reviewerId}`, written with the
 * verdict by reviewer-quality.firestore.ts), how it reads as the core's `JudgedVerdict`, and every
 * reviewer's standing per use case computed from the most recent ones (the lead overview).
 */
import { reviewerStanding, type JudgedVerdict, type ReviewerStanding } from '@arbiter/core';
import type { PolicyRegistry } from '@arbiter/policy';

export interface ReviewerVerdictDoc {
  reviewerId: string;
  useCase: string;
  queue: string;
  caseId: string;
  source: 'golden' | 'adjudication' | 'double-review';
  kind: JudgedVerdict['kind'];
  /** known-answer: whether the verdict matched the known answer. */
  correct?: boolean;
  /** pair: this reviewer's outcome, the other reviewer's, and which of the two this reviewer was. */
  own?: string;
  other?: string;
  side?: 'first' | 'second';
  at: number;
  expireAt?: Date;
}

export const judgedOf = (doc: ReviewerVerdictDoc): JudgedVerdict => (doc.kind === 'pair' ? { kind: 'pair', own: doc.own ?? '', other: doc.other ?? '' } : { kind: 'known-answer', correct: doc.correct === true });

export type ReviewerStandingRow = ReviewerStanding & { reviewerId: string; useCase: string; minAccuracy: number; minKappa: number };

/**
 * Every reviewer's standing per use case whose policy has a quality bar, from `docs` (newest first):
 * flagged reviewers first, then the least accurate, then by id.
 */
export function standingsOf(docs: readonly ReviewerVerdictDoc[], policies: PolicyRegistry): ReviewerStandingRow[] {
  const by = new Map<string, ReviewerVerdictDoc[]>();
  for (const d of docs) {
    const key = JSON.stringify([d.useCase, d.reviewerId]);
    by.set(key, [...(by.get(key) ?? []), d]);
  }
  const reviewers: ReviewerStandingRow[] = [];
  for (const [key, list] of by) {
    const [useCase, reviewerId] = JSON.parse(key) as [string, string];
    const policy = policies.get(useCase);
    const quality = policy.ok ? policy.value.quality : undefined;
    if (!quality) continue;
    reviewers.push({ reviewerId, useCase, minAccuracy: quality.minGoldenAccuracy, minKappa: quality.minKappa, ...reviewerStanding(list.map(judgedOf), quality) });
  }
  reviewers.sort((a, b) => Number(b.flagged) - Number(a.flagged) || (a.accuracy ?? 1) - (b.accuracy ?? 1) || (a.reviewerId < b.reviewerId ? -1 : 1));
  return reviewers;
}
