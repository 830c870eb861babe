/**
 * Quality gates that act (HITL-OPT / ADR-0016 quality loop): every judged verdict of a reviewer is a
 * document of `reviewerVerdicts`, written in the commit that records the verdict —
 * - a golden case answered: right or wrong against its known answer;
 * - a double review adjudicated by a lead: each of the two reviewers right or wrong;
 * - a double review done: the pair of verdicts (for κ), once per reviewer.
 * A reviewer's standing on a use case (`reviewerStanding` in core) is read from their most recent
 * ones; a flagged reviewer (below the policy's accuracy or κ bar) is served golden cases of the queue
 * on "next case" at the policy's `quality.flaggedGoldenRate`, until the recent window is back above
 * the bar — the flag clears by itself. Leads see the same standing in the lead overview.
 */
import { randomUUID } from 'node:crypto';
import type { Firestore, Transaction } from '@google-cloud/firestore';
import { caseConverter, caseExpiry, Collections, documentConverter, goldenCaseConverter, queueItemConverter, type CaseDoc, type QueueItemDoc } from '@arbiter/case-store';
import { caseDueAt, goldenIndexFor, reviewerStanding, servesExtraGolden, type JudgedVerdict, type Policy, type QueueSpec, type ReviewerStanding } from '@arbiter/core';
import { goldenCaseDoc, goldenInstanceId, goldenItem } from './golden';
import type { ReviewerQuality } from './ports';
import { judgedOf, type ReviewerVerdictDoc } from './reviewer-verdicts';

export type { ReviewerVerdictDoc } from './reviewer-verdicts';

/** `reviewerVerdicts/{itemId}~{reviewerId}`, read typed. */
const reviewerVerdictConverter = documentConverter<ReviewerVerdictDoc>('reviewer verdict', { reviewerId: 'string', useCase: 'string', queue: 'string', kind: 'string', at: 'number' });

/** `ReviewerQuality` over Firestore: the two functions below. */
export class FirestoreReviewerQuality implements ReviewerQuality {
  constructor(private readonly firestore: Firestore) {}

  standingOf(reviewerId: string, useCase: string, quality: NonNullable<Policy['quality']>): Promise<ReviewerStanding> {
    return standingOf(this.firestore, reviewerId, useCase, quality);
  }

  extraGoldenFor(reviewerId: string, policy: Policy, queue: QueueSpec, standing: ReviewerStanding | undefined, nowMs: number, draw: number): Promise<{ itemId: string } | undefined> {
    return extraGoldenFor(this.firestore, reviewerId, policy, queue, standing, nowMs, draw);
  }

  async recentVerdicts(limit: number): Promise<ReviewerVerdictDoc[]> {
    const snapshot = await this.firestore.collection(Collections.reviewerVerdicts).withConverter(reviewerVerdictConverter).orderBy('at', 'desc').limit(limit).get();
    return snapshot.docs.map((d) => d.data());
  }
}

export const reviewerVerdictId = (itemId: string, reviewerId: string): string => `${itemId}~${reviewerId}`;

/**
 * The judged verdicts a verdict on `item` yields (none for a plain decision or blind review).
 * `expected`: a golden case's known answer; `adjudication`: the lead's settlement of a double review.
 */
export function judgedVerdictsOf(
  policy: Pick<Policy, 'privacy'>,
  caseDoc: Pick<CaseDoc, 'caseId' | 'useCase' | 'decision'>,
  item: Pick<QueueItemDoc, 'itemId' | 'queue' | 'purpose'>,
  reviewerId: string,
  outcome: string,
  judged: { expected?: string; adjudication?: { judged: Array<{ reviewerId: string; correct: boolean }> } },
  nowMs: number,
): Array<{ id: string; doc: ReviewerVerdictDoc }> {
  const base = { useCase: caseDoc.useCase, queue: item.queue, caseId: caseDoc.caseId, at: nowMs, expireAt: caseExpiry(policy, nowMs) };
  const out: Array<{ id: string; doc: ReviewerVerdictDoc }> = [];
  if (item.purpose === 'golden' && judged.expected !== undefined) {
    out.push({ id: reviewerVerdictId(item.itemId, reviewerId), doc: { ...base, reviewerId, source: 'golden', kind: 'known-answer', correct: outcome === judged.expected } });
  }
  if (item.purpose === 'adjudication' && judged.adjudication) {
    for (const j of judged.adjudication.judged) out.push({ id: reviewerVerdictId(item.itemId, j.reviewerId), doc: { ...base, reviewerId: j.reviewerId, source: 'adjudication', kind: 'known-answer', correct: j.correct } });
  }
  const first = caseDoc.decision;
  if (item.purpose === 'double-review' && first && first.decidedBy.kind === 'human') {
    out.push({ id: reviewerVerdictId(item.itemId, first.decidedBy.id), doc: { ...base, reviewerId: first.decidedBy.id, source: 'double-review', kind: 'pair', own: first.outcome, other: outcome, side: 'first' } });
    out.push({ id: reviewerVerdictId(item.itemId, reviewerId), doc: { ...base, reviewerId, source: 'double-review', kind: 'pair', own: outcome, other: first.outcome, side: 'second' } });
  }
  return out;
}

/** Writes them in the verdict's transaction (idempotent: one document per item and reviewer). */
export function recordJudgedVerdicts(tx: Transaction, firestore: Firestore, verdicts: ReadonlyArray<{ id: string; doc: ReviewerVerdictDoc }>): void {
  for (const v of verdicts) tx.set(firestore.collection(Collections.reviewerVerdicts).withConverter(reviewerVerdictConverter).doc(v.id), v.doc);
}

/** A reviewer's standing on one use case, from their most recent judged verdicts (two small queries). */
export async function standingOf(firestore: Firestore, reviewerId: string, useCase: string, quality: NonNullable<Policy['quality']>): Promise<ReviewerStanding> {
  const recent = (kind: JudgedVerdict['kind']) =>
    firestore.collection(Collections.reviewerVerdicts).withConverter(reviewerVerdictConverter).where('reviewerId', '==', reviewerId).where('useCase', '==', useCase).where('kind', '==', kind).orderBy('at', 'desc').limit(Math.max(1, quality.window ?? 10)).get();
  const [known, pairs] = await Promise.all([recent('known-answer'), recent('pair')]);
  return reviewerStanding([...known.docs, ...pairs.docs].map((d) => judgedOf(d.data())), quality);
}

/**
 * For a flagged reviewer, at the policy's rate: a golden case of `queue` minted for this claim (a fresh
 * instance, open, like any golden item), whose item id the caller claims. Undefined when the reviewer
 * is not flagged, the draw says no, or the queue has no golden cases loaded.
 */
export async function extraGoldenFor(firestore: Firestore, reviewerId: string, policy: Policy, queue: QueueSpec, standing: ReviewerStanding | undefined, nowMs: number, draw: number): Promise<{ itemId: string } | undefined> {
  if (!policy.quality || !standing || !servesExtraGolden(standing, policy.quality, draw)) return undefined;
  const set = await firestore.collection(Collections.goldenCases).withConverter(goldenCaseConverter).where('useCase', '==', policy.id).where('queue', '==', queue.id).limit(500).get();
  const goldens = set.docs.map((d) => d.data()).sort((a, b) => (a.goldenId < b.goldenId ? -1 : 1));
  const nonce = randomUUID();
  const golden = goldens[goldenIndexFor(`${reviewerId}:${nonce}`, goldens.length)];
  if (!golden) return undefined;
  const caseId = goldenInstanceId(golden.goldenId, `flagged:${reviewerId}:${nonce}`);
  const expireAt = caseExpiry(policy, nowMs);
  const instance = { ...goldenCaseDoc(golden, caseId, nowMs), expireAt };
  const item = goldenItem(instance, { queue: queue.id, lane: 1, priority: 0, priorityReasons: [], dueAt: caseDueAt(new Date(nowMs), queue.sla, queue.calendar).getTime(), expireAt }, nowMs);
  // The order is the queue's own SLA: a refusal is a bug, not an outcome.
  if (!item.ok) throw new Error(`golden item for ${reviewerId}: ${item.error.message}`);
  const batch = firestore.batch();
  batch.create(firestore.collection(Collections.cases).withConverter(caseConverter).doc(caseId), instance);
  batch.create(firestore.collection(Collections.queueItems).withConverter(queueItemConverter).doc(item.value.itemId), item.value);
  await batch.commit();
  return { itemId: item.value.itemId };
}
