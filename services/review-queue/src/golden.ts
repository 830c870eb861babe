/**
 * Golden cases (ADR-0016 §5 "maintain golden review subsets for calibration"): cases with known
 * answers, loaded into `goldenCases/{goldenId}` (infra: `arbiter-stack golden load <file>`), and mixed
 * into a queue at the policy's `quality.goldenRate` when a real case is enqueued there. A mixed-in
 * golden case is a fresh case document (`case_<sha256>`, like any case) with one queue item whose id
 * is `<caseId>~decision` like any decision item, so nothing a reviewer sees marks it; only the item's
 * purpose (`golden`, shown to reviewers as `decision`) and the case's `golden` field (never in a view)
 * know. Its verdict is recorded (`case.reviewed` purpose `golden`) and never decides anything.
 */
import { createHash } from 'node:crypto';
import type { CaseDoc, QueueItemDoc } from '@arbiter/cases';
import type { Band, PredictionSubmitted, Thresholds } from '@arbiter/core';

export const GOLDEN_COLLECTION = 'goldenCases';

/** A golden case as loaded: the prediction as a case of it would be assessed, and the known answer. */
export interface GoldenCaseDoc {
  goldenId: string;
  useCase: string;
  /** The queue it is mixed into (the policy's review queue for its band when loaded). */
  queue: string;
  policy: { id: string; version: string };
  prediction: PredictionSubmitted;
  confidence: number;
  confidenceSource: 'prediction' | 'factors';
  band: Band;
  thresholds: Thresholds;
  expectedOutcome: string;
  loadedAt: number;
}

/** The golden instance mixed in next to `sourceCaseId` (deterministic: a redelivery makes the same one). */
export const goldenInstanceId = (goldenId: string, sourceCaseId: string): string => `case_${createHash('sha256').update(`golden\n${goldenId}\n${sourceCaseId}`).digest('hex')}`;

export function goldenCaseDoc(golden: GoldenCaseDoc, caseId: string, nowMs: number): CaseDoc & { golden: { goldenId: string; expectedOutcome: string } } {
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

/** Its queue item: like the decision item it sits next to (same queue, due time), purpose `golden`, no SLA work. */
export function goldenItem(caseDoc: CaseDoc, like: QueueItemDoc): QueueItemDoc {
  const label = caseDoc.prediction.prediction?.label;
  return {
    ...like,
    itemId: `${caseDoc.caseId}~decision`,
    caseId: caseDoc.caseId,
    purpose: 'golden',
    blind: false,
    sla: { sent: [], nextCheckAt: null },
    summary: {
      ...(label !== undefined ? { label } : {}),
      confidence: caseDoc.confidence,
      band: caseDoc.band,
      model: caseDoc.model,
      subject: caseDoc.subject,
      ...(caseDoc.prediction.category !== undefined ? { category: caseDoc.prediction.category } : {}),
    },
  };
}
