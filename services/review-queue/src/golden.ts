/**
 * Golden cases (ADR-0016 §5 "maintain golden review subsets for calibration"): cases with known
 * answers, loaded into `goldenCases/{goldenId}` (`pnpm learning-loop golden load <file>`), and mixed
 * into a queue at the policy's `quality.goldenRate` when a real case is enqueued there. A mixed-in
 * golden case is a fresh case document (`case_<sha256>`, like any case) with one queue item whose id
 * is `<caseId>~decision` like any decision item, so nothing a reviewer sees marks it; only the item's
 * purpose (`golden`, shown to reviewers as `decision`) and the case's `golden` field (never in a view)
 * know. Its verdict is recorded (`case.reviewed` purpose `golden`) and never decides anything.
 */
import { createHash } from 'node:crypto';
import { queueItemSummaryOf, type CaseDoc, type GoldenCaseDoc, type QueueItemDoc } from '@arbiter/case-store';
import { ok, openItem, type QueueItemRefusal, type Result } from '@arbiter/core';

/** The golden instance mixed in next to `sourceCaseId` (deterministic: a redelivery makes the same one). */
export const goldenInstanceId = (goldenId: string, sourceCaseId: string): string => `case_${createHash('sha256').update(`golden\n${goldenId}\n${sourceCaseId}`).digest('hex')}`;

export function goldenCaseDoc(golden: GoldenCaseDoc, caseId: string, nowMs: number): CaseDoc {
  return {
    caseId,
    useCase: golden.useCase,
    policy: golden.policy,
    subject: golden.prediction.subject,
    model: golden.prediction.model,
    prediction: golden.prediction,
    confidence: golden.confidence,
    confidenceSource: golden.confidenceSource,
    band: golden.band,
    thresholds: golden.thresholds,
    sourceEvent: { id: `golden:${golden.goldenId}`, source: '/arbiter/golden' },
    status: 'in-review',
    openedAt: nowMs,
    route: { kind: 'review', reason: 'band-medium', rationale: 'review', queue: golden.queue, priority: { score: 0, reasons: [] }, routedAt: nowMs },
    golden: { goldenId: golden.goldenId, expectedOutcome: golden.expectedOutcome },
  };
}

/** Where a golden item goes and how urgent it is: like the decision item it sits next to, or as the queue's SLA gives it. */
export type GoldenPlacement = Pick<QueueItemDoc, 'queue' | 'lane' | 'priority' | 'priorityReasons' | 'dueAt' | 'batchKey' | 'similarityBasis' | 'expireAt' | 'traceparent'>;

/**
 * Its queue item, opened through the rulebook (`openItem`): placed like `beside` (queue, priority, due
 * time, batch key), purpose `golden`, no SLA work, retained and traced like `beside`.
 */
export function goldenItem(caseDoc: CaseDoc, beside: GoldenPlacement, nowMs: number): Result<QueueItemDoc, QueueItemRefusal> {
  const opened = openItem(
    {
      itemId: `${caseDoc.caseId}~decision`,
      caseId: caseDoc.caseId,
      useCase: caseDoc.useCase,
      queue: beside.queue,
      purpose: 'golden',
      lane: beside.lane,
      priority: { score: beside.priority, reasons: beside.priorityReasons },
      dueAt: beside.dueAt,
      nextCheckAt: null,
      ...(beside.batchKey !== undefined ? { batchKey: beside.batchKey } : {}),
      ...(beside.similarityBasis !== undefined ? { similarityBasis: beside.similarityBasis } : {}),
    },
    queueItemSummaryOf(caseDoc),
    nowMs,
  );
  if (!opened.ok) return opened;
  return ok({ ...opened.value, ...(beside.traceparent !== undefined ? { traceparent: beside.traceparent } : {}), ...(beside.expireAt !== undefined ? { expireAt: beside.expireAt } : {}) });
}
