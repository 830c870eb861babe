import type { Timestamp } from '@google-cloud/firestore';
import { OUTBOX_COLLECTION } from '@arbiter/platform';
import type { ApprovalRecord, Band, CaseOpened, DecisionMade, DecisionRevised, Disagreement, OpenedQueueItem, PredictionSubmitted, QueueItemClaim, QueueItemStatus, QueueItemSummary, ReviewPurpose, RouteKind, RouteReason, SimilarityBasis, Thresholds } from '@arbiter/core';

/**
 * Firestore holds case state. `Collections` below names every collection of the database, the
 * services' own included (the outbox, the timer wheel, `pendingDecisions`, …), so its name is spelled
 * once:
 *
 * - `cases/{caseId}`: one document per prediction; `caseId` derives from the prediction event's
 *   (`ce-source`, `ce-id`), so a redelivered or republished prediction opens nothing new. The decision
 *   is written here exactly once, by `decideInTransaction`: in a transaction that read the case (the
 *   review-queue, the escalator's expiry), or in the router's routing commit, which the routing marker
 *   (`caseRoutings`) makes happen once per case.
 * - `queueItems/{caseId}~{purpose}`: one document per piece of human work (deciding a case, a blind
 *   review of an automatic decision, a second opinion, a golden case, an adjudication). Claims are
 *   leases on these documents — each reviewer contends only for the item they try to claim, never for
 *   a shared one.
 * - `patterns/{caseId}`: cases a person approved, with pattern features, for fast-track matching.
 * - `processed/…`, `caseRoutings/…`, `reviewerVerdicts/…`, `auditLedger/…`, `auditCaseUseCases/…`: markers and records, each
 *   described at its name below.
 *
 * Times are stored as epoch milliseconds (numbers) so range queries and ordering are exact and cheap.
 */
export const Collections = {
  cases: 'cases',
  queueItems: 'queueItems',
  patterns: 'patterns',
  /** `processed/{consumer}~{key}`: a consumer's marker that it handled one event (keyed by its ce-source and ce-id), written with its effect. */
  processed: 'processed',
  /** `caseRoutings/{caseId}`: created in the commit that routes the case; its existence means "routed". */
  routings: 'caseRoutings',
  /**
   * `reviewerVerdicts/{itemId}~{reviewerId}`: one judged verdict of a reviewer (a golden answer, an
   * adjudicated double review, a double-review pair), written with the verdict; a reviewer's standing
   * (flagged or not) is read from their most recent ones (review-queue).
   */
  reviewerVerdicts: 'reviewerVerdicts',
  /** `auditLedger/{eventKey}`: the audit exporter's record of the events whose rows are in BigQuery. */
  auditLedger: 'auditLedger',
  /**
   * `auditCaseUseCases/{caseId}`: the audit exporter's own projection of a case's use case, from the
   * events it records that name it, for the events that do not (decision.revised, evidence.submitted).
   */
  auditCaseUseCases: 'auditCaseUseCases',
  /** `goldenCases/{goldenId}`: the golden set as loaded (`pnpm learning-loop golden load`); review-queue mixes them into its queues. */
  goldenCases: 'goldenCases',
  /** `pendingDecisions/{itemId}`: review-queue's decisions inside their undo window. */
  pendingDecisions: 'pendingDecisions',
  /** `metricReadings/{slot}`: review-queue's readings of the audit dataset's metric views, one per refresh slot (the metrics page). */
  metricReadings: 'metricReadings',
  /** `timerBuckets/{hour}/m{minute}/…`: the timer wheel (timers.ts); the hour document itself is never written. */
  timerBuckets: 'timerBuckets',
  /** `escalatorState/timerCursor`: the first bucket of the wheel that may still hold a due timer. */
  escalatorState: 'escalatorState',
  /** `outbox/{id}`: events staged in the commit that caused them, until published (the platform's outbox; `outboxIdOf`). */
  outbox: OUTBOX_COLLECTION,
} as const;

/**
 * When a document may be deleted (retention.ts): written as a Date, read back as a Firestore
 * Timestamp. Absent on documents written before retention was enforced.
 */
export type Expiry = Date | Timestamp;

export type CaseStatus = 'opened' | 'in-review' | 'awaiting-evidence' | 'decided';

export interface CaseRoute {
  kind: RouteKind;
  reason: RouteReason;
  rationale: string;
  queue?: string;
  priority?: { score: number; reasons: string[] };
  dueAt?: number;
  batchKey?: string;
  blindReview?: boolean;
  matchedPattern?: { caseId: string; similarity: number };
  /** Review route: when the SLA reminders fall (epoch ms), earliest first. */
  reminderAt?: number[];
  /** Blind review sample: the queue the blind-review copy goes to. */
  blindReviewQueue?: string;
  /** Automatic and default routes: what the decision was made on (ADR-0016 "log rationale and evidence snapshot"). */
  snapshot?: RouteSnapshot;
  /** Automatic approvals whose policy asks for one: the rendered post-action report. */
  postActionReport?: { title: string; markdown: string; producedAt: number };
  routedAt: number;
}

/** What an automatic or policy-default decision was made on, recorded on the case when it is routed. */
export interface RouteSnapshot {
  outcome: string;
  confidence: number;
  band: Band;
  thresholds: Thresholds;
  model: { name: string; version: string };
  policy: { id: string; version: string };
  label?: string;
  /** Evidence URIs of the prediction. */
  evidence: string[];
}

export interface CaseDoc {
  caseId: string;
  useCase: string;
  policy: { id: string; version: string };
  subject: { type: string; id: string };
  model: { name: string; version: string };
  prediction: PredictionSubmitted;
  confidence: number;
  confidenceSource: 'prediction' | 'factors';
  band: Band;
  thresholds: Thresholds;
  sourceEvent: { id: string; source: string };
  status: CaseStatus;
  openedAt: number;
  route?: CaseRoute;
  /** Set once, never changed. */
  decision?: DecisionMade;
  decidedAt?: number;
  /** What the approver recorded with the decision (decision.made.v2's `approval`), if anything. */
  approval?: ApprovalRecord;
  /** Set once a lead adjudicated a disagreeing double review and changed the published outcome. */
  revision?: DecisionRevised;
  /** Evidence added after the prediction (crew app), newest last. */
  extraEvidence?: Array<{ uri: string; role?: string; mediaType?: string; submittedBy: string; submittedAt: number }>;
  /** Retention: Firestore's TTL policy deletes the case after this (policy caseDays after opening). */
  expireAt?: Expiry;
  /** The last open evidence request, if any. */
  evidenceRequest?: { requestedBy: string; reasonCode: string; what: string; dueBy: number; requestedAt: number };
  /**
   * The step that must follow the case's last state change, written in the same commit as that change
   * and removed by the commit of the step itself: `route` (set when the case is opened, removed when it
   * is routed), `enqueue` (set when it is routed to a queue or sampled for a blind review, removed when
   * the queue item exists), `requeue` (set when a reviewer asks the crew for evidence, pending from the
   * request's `dueBy`; removed when the case is back in its queue — evidence arrived, or the reconciler's
   * `case.redriven` put it back — or decided). Absent: nothing pending. The reconciler reads the cases
   * whose step has waited too long (an index range on `nextStep.since`) and publishes `event` again
   * (`route`, `enqueue`) or `case.redriven` alone (`requeue`).
   */
  nextStep?: PendingStep;
  /** Only on an instance of a golden case mixed into a queue (review-queue): which one, and its known answer. Never in a view. */
  golden?: { goldenId: string; expectedOutcome: string };
}

export type PendingStepKind = 'route' | 'enqueue' | 'requeue';

export interface PendingStep {
  kind: PendingStepKind;
  /**
   * Since when the step is pending (epoch ms): the commit that made it so (for `requeue`, the evidence
   * request's `dueBy`: the crew may answer until then), or the last re-drive plus its backoff (the
   * reconciler waits twice as long before each further re-drive of one step).
   */
  since: number;
  /**
   * The event that drives the step, as it was staged (JSON); published again, with its ce-id, when
   * overdue. For `requeue`, the `evidence.requested` the crew did not answer (never published again).
   */
  event: string;
  /** Times the reconciler re-drove this step. */
  redrives: number;
}

/** The step a state change leaves pending: driven by `event`, from `nowMs`. */
export const pendingStep = (kind: PendingStepKind, event: { id: string; type: string }, nowMs: number): PendingStep => ({ kind, since: nowMs, event: JSON.stringify(event), redrives: 0 });

/** The status and the claim of a queue item, and the rules that change them, are the core's (`queue-item.ts`). */
export type { QueueItemClaim, QueueItemStatus };

/** A reviewer's verdict held in its undo window (`pendingDecisions/{itemId}`): committed after `commitAfter` unless undone. */
export interface PendingDecisionMark {
  commitAfter: number;
  by: string;
  batchId?: string;
}

/**
 * A queue item as stored: what the core's `openItem` made it (`OpenedQueueItem`: where it goes, how
 * urgent, its SLA, its summary), with the status and claim the rulebook's transitions change since,
 * and what its writers added on the way.
 */
export interface QueueItemDoc extends Omit<OpenedQueueItem, 'status'> {
  status: QueueItemStatus;
  claim?: QueueItemClaim;
  /** Set when done. */
  doneAt?: number;
  /** Set when done by a person's verdict: who gave it (the lead overview's throughput). */
  doneBy?: string;
  /** Set when done by a person's verdict: what they chose (review-queue writes it). */
  verdict?: QueueItemVerdict;
  /** Golden items, once answered: the known answer and whether the verdict matched it. */
  goldenResult?: { expectedOutcome: string; correct: boolean };
  /** An item a reviewer flagged in a batch approval, sent back for review on its own: the batch's id. */
  flaggedInBatch?: string;
  /** A decision item put back at the head of its queue (new evidence, or an overdue evidence request): when. */
  requeuedAt?: number;
  /** Set while a verdict on the item waits out its undo window (review-queue writes and removes it). */
  pendingDecision?: PendingDecisionMark;
  /** Adjudication items: the two verdicts of the double review that disagreed. */
  disagreement?: Disagreement;
  /** Adjudication items, once a lead settled them: each reviewer judged against the adjudicated outcome. */
  adjudication?: { outcome: string; judged: Array<{ reviewerId: string; outcome: string; correct: boolean }> };
  /**
   * The case's trace (W3C `traceparent` of the span that enqueued it), when tracing was on: work on
   * the item that no event starts — a reviewer's decision, the escalator's reminders — continues it.
   */
  traceparent?: string;
  /** Retention: as its case's. */
  expireAt?: Expiry;
}

/** A reviewer's verdict as its item keeps it. */
export interface QueueItemVerdict {
  optionId: string;
  outcome: string;
  reasonCode?: string;
  approval?: unknown;
}

export const queueItemId = (caseId: string, purpose: ReviewPurpose): string => `${caseId}~${purpose}`;

/** What a queue item shows of its case without reading it: the model's call, the band, the subject. */
export function queueItemSummaryOf(caseDoc: CaseDoc): QueueItemSummary {
  const label = caseDoc.prediction.prediction?.label;
  return {
    ...(label !== undefined ? { label } : {}),
    confidence: caseDoc.confidence,
    band: caseDoc.band,
    model: caseDoc.model,
    subject: caseDoc.subject,
    ...(caseDoc.prediction.category !== undefined ? { category: caseDoc.prediction.category } : {}),
  };
}

/**
 * `goldenCases/{goldenId}`: a golden case as loaded (`pnpm learning-loop golden load`), the prediction
 * assessed as a case of it would be, and the known answer; review-queue mixes instances of it into
 * its queues.
 */
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
  /** The model label that stands for the expected outcome (for re-scoring), when the loaded record named one. */
  expectedLabel?: string;
  loadedAt: number;
}

export interface PatternDoc {
  caseId: string;
  useCase: string;
  outcome: string;
  features: Record<string, string | number | boolean>;
  /** The approved case's `pattern.embedding`, when upstream sent one. */
  embedding?: number[];
  decidedAt: number;
  /** Retention: as its case's. */
  expireAt?: Expiry;
}

/** The case document a `case.opened` event describes (the assessor writes it; tests build it). */
export function caseDocFromOpened(opened: CaseOpened): CaseDoc {
  return {
    caseId: opened.caseId,
    useCase: opened.useCase,
    policy: opened.policy,
    subject: opened.subject,
    model: opened.model,
    prediction: opened.prediction,
    confidence: opened.confidence,
    confidenceSource: opened.confidenceSource,
    band: opened.band,
    thresholds: opened.thresholds,
    sourceEvent: opened.sourceEvent,
    status: 'opened',
    openedAt: Date.parse(opened.openedAt),
  };
}
