/**
 * What review-queue's use cases ask of the world. The adapters (`*.firestore.ts`, `*.bigquery.ts`)
 * implement them; the in-memory twins (`*.test-support.ts`) stand in for them in unit tests. A use case
 * that goes through these ports touches no cloud SDK type.
 *
 * The claims (claim next, claim one, release, reassign), the enqueuing of a routed case, the requeues
 * (evidence submitted, `case.redriven`) and the verdicts (decide, batch, evidence request, holding,
 * undoing and committing a decision in its undo window) go through the write ports; the views (queue
 * summaries, listings, the case view, disputes, the lead overview) read through `ReviewReads` and
 * `ReviewerQuality.recentVerdicts`, and record who opened evidence through `EvidenceAccessLog`; the
 * metrics page keeps its readings through `MetricReadingsStore` and queries the audit dataset's views
 * through `AuditQueries`.
 */
import type { CaseDoc, DecideResult, DecisionInput, GoldenCaseDoc, PendingDecisionMark, PendingStep, QueueItemDoc, QueueItemVerdict, Work } from '@arbiter/case-store';
import type { ArbiterEvent } from '@arbiter/contract';
import type { AwaitEvidenceChange, ClaimChange, CompleteChange, DecisionRevised, Policy, QueueSpec, ReleaseChange, RestoreChange, ReviewerStanding, ReviewPurpose } from '@arbiter/core';
import type { Principal } from './auth';
import type { MetricsReading, Row } from './metric-catalog';
import type { ReviewerVerdictDoc } from './reviewer-verdicts';

/**
 * A queue item as one read saw it. A conditional write on it (`QueueItems.claim`) succeeds only if the
 * item has not changed since that read; the adapter remembers what it needs for that.
 */
export interface ReadItem {
  readonly item: QueueItemDoc;
}

/** One unit of work on one queue item: what it changes commits with its events, or nothing does. */
export interface QueueItemUnit {
  /** The item as read in this unit of work (undefined: no such item). */
  readonly item: QueueItemDoc | undefined;
  /** Gives the item to the claim's reviewer (as the core's `claimItem`/`reassignItem` said), with the escalator's timer for the end of the lease. */
  claim(change: ClaimChange): void;
  /** Puts the item back in the queue (as the core's `releaseItem` said): status `open`, no claim. */
  release(change: ReleaseChange): void;
}

/** One unit of work that enqueues a routed case: reads first, then writes, all committed together. */
export interface EnqueueUnit {
  /** The case as read in this unit of work (undefined: no such case). */
  readonly caseDoc: CaseDoc | undefined;
  /** Which of the queue items asked about exist already. */
  readonly existingItems: ReadonlySet<string>;
  /** Which of the cases asked about (a golden instance) exist already. */
  readonly existingCases: ReadonlySet<string>;
  /** Creates the item (fails the whole unit if it exists), with the escalator's timer for its first SLA check when it has one. */
  createItem(item: QueueItemDoc): void;
  /** Creates a case document (a golden instance); fails the whole unit if it exists. */
  createCase(caseDoc: CaseDoc): void;
  /** Changes the routed case: its status, and that its pending `enqueue` step has happened. */
  updateCase(change: { status?: 'in-review'; enqueueDone?: true }): void;
}

/** The queue items, as the claim and enqueue use cases see them. */
export interface QueueItems {
  read(itemId: string): Promise<ReadItem | undefined>;
  /** What "next case" chooses from: the top `openLimit` open items and the `expiredLimit` oldest expired claims of a queue. */
  claimCandidates(queue: string, nowMs: number, openLimit: number, expiredLimit: number): Promise<ReadItem[]>;
  /** Items `reviewerId` holds in `queue` (claimed; the lease is not checked). */
  claimedBy(queue: string, reviewerId: string): Promise<QueueItemDoc[]>;
  /**
   * Claims the item as `read` saw it for the change's reviewer, with the lease timer, committed with
   * `events` (outbox; published soon after, without waiting), only if nobody changed it since the
   * read: no lock, so a reviewer who loses the race learns it at once (false) and tries another.
   */
  claim(read: ReadItem, change: ClaimChange, events: readonly ArbiterEvent[], now: Date): Promise<boolean>;
  /** Runs `work` in one unit of work on the item; its events are staged in the outbox and published after the commit. */
  transact<T>(itemId: string, now: Date, work: (unit: QueueItemUnit) => Promise<Work<T>>): Promise<T>;
  /** Runs `work` in one unit of work that reads the case `caseId`, which of `itemIds` and `caseIds` exist, and writes what `work` creates. */
  enqueue<T>(read: { caseId: string; itemIds: readonly string[]; caseIds: readonly string[] }, now: Date, work: (unit: EnqueueUnit) => Work<T>): Promise<T>;
}

/** Golden cases (cases with known answers) loaded for calibration. */
export interface GoldenSet {
  /** The golden cases of a queue, ordered by `goldenId` (at most 500). */
  ofQueue(useCase: string, queue: string): Promise<GoldenCaseDoc[]>;
}

/** Reviewers' judged verdicts (reviewer-quality.firestore.ts), as "next case" needs them. */
export interface ReviewerQuality {
  /** The reviewer's standing on a use case against the policy's quality bar, from their recent judged verdicts. */
  standingOf(reviewerId: string, useCase: string, quality: NonNullable<Policy['quality']>): Promise<ReviewerStanding>;
  /**
   * For a flagged reviewer, at the policy's rate (`draw` in [0, 1)): a golden case of `queue` minted
   * for them, open, whose item the caller claims. Undefined otherwise.
   */
  extraGoldenFor(reviewerId: string, policy: Policy, queue: QueueSpec, standing: ReviewerStanding | undefined, nowMs: number, draw: number): Promise<{ itemId: string } | undefined>;
  /** Everyone's most recent judged verdicts, newest first (at most `limit`): what the lead overview's standings are computed from. */
  recentVerdicts(limit: number): Promise<ReviewerVerdictDoc[]>;
}

/** What a verdict carries (the decide request's fields, as the recorder takes them). Stored as is. */
export type StoredVerdict = { optionId: string; outcome: string; batchId?: string } & Record<string, unknown>;

/** `pendingDecisions/{itemId}`: a decision held in its undo window. */
export interface PendingDecisionDoc {
  itemId: string;
  caseId: string;
  queue: string;
  purpose: ReviewPurpose;
  principal: Principal;
  verdict: StoredVerdict;
  /** When the reviewer decided (the decision's time once committed), epoch ms. */
  decidedAt: number;
  /** When it commits (end of the undo window), epoch ms. */
  commitAfter: number;
  batchId?: string;
  /** The item before: what an undo puts back. */
  previous: { status: QueueItemDoc['status']; claim: QueueItemDoc['claim'] | null };
}

/** The mark on a queue item whose decision waits in the undo window. */
/** The mark a held verdict leaves on its item (the escalator reads it too). */
export type PendingMark = PendingDecisionMark;

/**
 * What recording a verdict leaves on its item (typed fields of `QueueItemDoc` only review-queue
 * writes), besides the core's change (`completeItem`: done, `doneAt`, no next check, claim gone); the
 * pending mark goes.
 */
export interface FinishedItem {
  doneBy: string;
  verdict: QueueItemVerdict;
  /** Golden items: the known answer and whether the verdict matched it. */
  goldenResult?: QueueItemDoc['goldenResult'];
  /** Adjudication items: the lead's outcome and each reviewer judged against it. */
  adjudication?: QueueItemDoc['adjudication'];
}

/** What a verdict says about reviewers (reviewer-quality): the inputs of `judgedVerdictsOf`. */
export interface JudgedInput {
  policy: Policy;
  caseDoc: CaseDoc;
  item: QueueItemDoc;
  reviewerId: string;
  outcome: string;
  expected?: string;
  adjudication?: { judged: Array<{ reviewerId: string; correct: boolean }> };
  nowMs: number;
}

/** One unit of work on a case and some of its queue items, for recording verdicts. */
export interface VerdictUnit {
  /** The case as read in this unit of work (undefined: no such case). */
  readonly caseDoc: CaseDoc | undefined;
  /** The items asked for that exist, in the order asked. */
  readonly items: readonly QueueItemDoc[];
  /** Decides the case through the one-decision rule (`decideInTransaction`). */
  decide(caseDoc: CaseDoc, policy: Policy, input: DecisionInput): DecideResult;
  /** Records a lead's revision of the published decision on the case. */
  reviseDecision(revision: DecisionRevised): void;
  /** Closes the item with its verdict: the core's change (`completeItem`) and what the verdict leaves. */
  finishItem(itemId: string, change: CompleteChange, finished: FinishedItem): void;
  /** Writes a new item of the case (a double review, an adjudication), replacing any of that id. */
  putItem(item: QueueItemDoc): void;
  /** Records what the verdict says about reviewers (their standing). */
  recordJudged(input: JudgedInput): void;
  /** A flagged item of a batch goes back to the queue (the core's `returnToQueue`), ahead of new work (`lane` 0), marked with its batch. */
  returnForReview(itemId: string, change: ReleaseChange, batchId: string): void;
  /** The item waits for the crew's evidence (the core's `awaitEvidence`); the case records the request. */
  awaitEvidence(itemId: string, change: AwaitEvidenceChange, request: NonNullable<CaseDoc['evidenceRequest']>, requeue: PendingStep): void;
  /** Holds the verdict in its undo window: the pending decision is created, and the item claimed by the decider (the core's `holdForDecision`) with the mark. */
  holdPending(pending: PendingDecisionDoc, change: ClaimChange, mark: PendingMark): void;
}

/** A unit of work on one pending decision, then on its case and item (committing it). */
export interface PendingUnit {
  /** The pending decision (undefined: undone or committed already). */
  readonly pending: PendingDecisionDoc | undefined;
  /** The case and the item of the pending decision, read in this unit of work; the pending decision goes with the commit. */
  open(): Promise<VerdictUnit & { dropMark(): void }>;
}

/** Evidence added to a case (`CaseDoc.extraEvidence`). */
export type AddedEvidence = NonNullable<CaseDoc['extraEvidence']>[number];

/** What a requeue changes on the case, in one write. */
export interface RequeueCaseChange {
  /** Evidence the crew submitted, added to the case's. */
  addEvidence?: readonly AddedEvidence[];
  /** The case is in review again: status `in-review`, its evidence request gone. */
  backInReview?: true;
  /** The case's pending `requeue` step has happened. */
  requeueDone?: true;
}

/** A consumer's marker that it handled one event (`processed/{consumer}~{key}`), written with its effect. */
export interface ProcessedMarker {
  consumer: string;
  source: string;
  id: string;
  caseId: string;
  processedAt: number;
  /** Retention (`markerExpiry`). */
  expireAt?: Date;
}

/** One unit of work that puts a case waiting for evidence back in its queue: reads first, then writes, all committed together. */
export interface RequeueUnit {
  /** The case as read in this unit of work (undefined: no such case). */
  readonly caseDoc: CaseDoc | undefined;
  /** The case's decision item as read (undefined: none). */
  readonly item: QueueItemDoc | undefined;
  /** Whether the marker asked about exists (the event was handled already); false when none was asked about. */
  readonly processed: boolean;
  /** The decision item goes back to the head of its queue: the core's change (`returnToQueue`), lane 0, `requeuedAt`. */
  requeueItem(change: ReleaseChange, requeuedAt: number): void;
  /** Changes the case in one write; an empty change writes nothing. */
  updateCase(change: RequeueCaseChange): void;
  /** Writes the marker asked about. */
  markProcessed(marker: ProcessedMarker): void;
}

/** One unit of work on some pending decisions, to undo them. */
export interface UndoUnit {
  /** The pending decisions asked about that are still there, in the order asked. */
  readonly pending: readonly PendingDecisionDoc[];
  /** Undoes the pending decision of `itemId`: it is deleted, its item put back by the core's change (`restoreItem`), the pending mark gone. */
  undo(itemId: string, change: RestoreChange): void;
}

/** The cases and items a verdict touches. */
export interface ReviewCases {
  /**
   * Runs `work` in one unit of work that reads the case and the items `itemIds` (those that exist):
   * everything it writes commits with its `events` (outbox), or nothing does. `publish: 'soon'`
   * answers once committed, without waiting for Pub/Sub.
   */
  transact<T>(read: { caseId: string; itemIds: readonly string[] }, now: Date, options: { publish?: 'await' | 'soon' }, work: (unit: VerdictUnit) => Promise<Work<T>>): Promise<T>;
  /** Runs `work` in one unit of work on the pending decision of `itemId` (published soon after the commit). */
  transactPending<T>(itemId: string, now: Date, work: (unit: PendingUnit) => Promise<Work<T>>): Promise<T>;
  /**
   * Runs `work` in one unit of work that reads the case `caseId`, its decision item and, when asked,
   * the marker of an event (`marker`: the consumer and the event's key), then writes what `work` asks.
   */
  requeue<T>(read: { caseId: string; marker?: { consumer: string; key: string } }, now: Date, work: (unit: RequeueUnit) => Work<T>): Promise<T>;
  /** Runs `work` in one unit of work that reads the pending decisions of `itemIds` (those that exist). */
  transactUndo<T>(itemIds: readonly string[], now: Date, work: (unit: UndoUnit) => Work<T>): Promise<T>;
  /** The item ids of pending decisions whose window ended at or before `cutoffMs`, oldest first (at most `limit`). */
  overduePending(cutoffMs: number, limit: number): Promise<string[]>;
  /** The pending decisions of a batch (at most `limit`; anyone's). */
  pendingOfBatch(batchId: string, limit: number): Promise<PendingDecisionDoc[]>;
}

/** One page of a listing, and the token of the next page when there is one. */
export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

/**
 * What the views read: queue items and the cases they point at. Reads only. Every query names one
 * queue, one case or one subject (or a time window, for throughput), so it stays bounded.
 */
export interface ReviewReads {
  /** Items of a queue not yet done (open, claimed, awaiting evidence), for counts; at most `cap`. */
  activeItems(queue: string, cap?: number): Promise<QueueItemDoc[]>;
  /**
   * Open items of a queue in priority order (lane, priority high first, due soonest, id), one page of
   * at most `limit` after `pageToken`. Undefined when `pageToken` is not one this store issued.
   */
  openItems(queue: string, limit: number, pageToken?: string): Promise<Page<QueueItemDoc> | undefined>;
  /** Items finished at or after `sinceMs`, oldest first (at most `cap`): reviewer throughput. */
  doneSince(sinceMs: number, cap?: number): Promise<QueueItemDoc[]>;
  /** The case's items (decision, blind review, double review, golden, adjudication) that exist, in that order. */
  itemsOfCase(caseId: string): Promise<QueueItemDoc[]>;
  getCase(caseId: string): Promise<CaseDoc | undefined>;
  /** The cases of these ids that exist, in the order asked. */
  casesById(caseIds: readonly string[]): Promise<CaseDoc[]>;
  /** Decided cases of a use case, most recently decided first (precedent candidates; at most `limit`). */
  decidedCases(useCase: string, limit: number): Promise<CaseDoc[]>;
  /** Cases about one subject (a booking, an endpoint), newest first (at most `limit`). */
  casesOfSubject(type: string, id: string, limit?: number): Promise<CaseDoc[]>;
}

/** Who opened which evidence: `evidence.accessed` events, committed to the outbox and published before the link is given. */
export interface EvidenceAccessLog {
  record(events: readonly ArbiterEvent[], now: Date): Promise<void>;
}

// The metrics page (use-cases/metrics.ts): its readings and the audit dataset it reads.

/**
 * The port: where readings are kept (`metricReadings/{slot}` in Firestore, metric-readings.firestore.ts;
 * an in-memory twin for unit tests). One document per refresh slot.
 */
export interface MetricReadingsStore {
  /** Claims the slot's reading; false when another instance (or an earlier call) already has. */
  claim(slot: number, at: number): Promise<boolean>;
  /** Stores the slot's finished reading. */
  save(slot: number, reading: StoredReading, ms: number): Promise<void>;
  /** The finished readings among the last `limit` slots, newest first. */
  latest(limit: number): Promise<StoredReading[]>;
  /** Deletes all but the last `keep` slots. */
  trim(keep: number): Promise<void>;
}

/** The port: runs one query over the audit dataset (`{dataset}` is the qualified dataset prefix). */
export interface AuditQueries {
  /** The qualified name of a view or table (`project.dataset.name`, backquoted). */
  table(name: string): string;
  query(sql: string): Promise<Row[]>;
}

export interface ReviewerRow {
  reviewerId: string;
  reviewedLast24h: number;
  reviewedTotal: number;
  goldenReviews: number;
  goldenAccuracy: number | null;
  belowGoldenBar: boolean;
  /** Mean Cohen's κ over the pairs the reviewer is in, and how many double-reviewed cases that rests on. */
  kappa: number | null;
  doubleReviewed: number;
}

export interface ThresholdRow {
  useCase: string;
  modelVersion: string;
  examples: number;
  currentHigh: number | null;
  recommendedHigh: number | null;
  precision: number | null;
  /** Share of cases a person reviews now, and with the recommended threshold (the queue-load effect). */
  reviewRateNow: number;
  reviewRateRecommended: number;
  automaticRateRecommended: number;
  note: string;
}

/** One stored reading: the metric values, and the tables that show only the latest reading. */
export interface StoredReading extends MetricsReading {
  reviewers: ReviewerRow[];
  thresholds: ThresholdRow[];
  errors: string[];
}
