/**
 * What the sla-escalator's use cases (the tick, the reconciler) ask of the world. The Firestore
 * adapters (`*.firestore.ts`) implement them; the in-memory twins (`*.test-support.ts`) stand in for
 * them in unit tests. No use case touches a Firestore type.
 */
import type { CaseDoc, DecideResult, DecisionInput, PendingStepKind, QueueItemDoc, TimerKind, TimerSlot, Work } from '@arbiter/case-store';
import type { Failure, Policy, QueueItemChange, Result } from '@arbiter/core';

/** The store failed (unavailable, timed out, contention it gave up on): nothing was written; try again later. */
export interface StoreFailure extends Failure {
  code: 'TRANSIENT.STORE_FAILED';
}

export const storeFailure = (message: string): StoreFailure => ({ code: 'TRANSIENT.STORE_FAILED', message });

/** A due timer as read: where it is, and what it is for. */
export interface DueTimer extends TimerSlot {
  kind: TimerKind;
  itemId: string;
  at: number;
}

/** One page of a bucket's due timers and where the next page starts. */
export interface TimerPage {
  timers: DueTimer[];
  /** Whether another page follows (read one timer beyond the page). */
  more: boolean;
  next?: unknown;
}

/**
 * What the tick asks of the timer wheel (`@arbiter/case-store` timers): where to start, the due timers of
 * one minute bucket, and to remember how far it got. Every question touches one bucket or one
 * document, so a tick's reads grow with what is due, not with the open backlog.
 */
export interface TimerWheel {
  /** The first bucket that may still hold a due timer, as the last tick left it (undefined: no tick yet). */
  cursor(): Promise<number | undefined>;
  /**
   * The time of the earliest timer due between `fromMs` and `nowMs`, across all buckets: for jumping
   * over a long empty stretch (after an outage, or on the first tick), never in a steady tick.
   */
  earliestDue(fromMs: number, nowMs: number): Promise<number | undefined>;
  /** Timers in `bucket` due at `nowMs`, ordered by time, at most `limit`, after `after`. */
  dueIn(bucket: number, nowMs: number, limit: number, after?: unknown): Promise<TimerPage>;
  /** Remember that buckets before `bucket` hold nothing due (written only when it moved). */
  advance(bucket: number): Promise<void>;
}

/** One unit of work on the queue item of a due timer, as the escalator sees it. */
export interface EscalationUnit {
  /** The item as read in this unit of work (undefined: it is gone). */
  readonly item: QueueItemDoc | undefined;
  /** The item's case, read in this unit of work (undefined: no such case). */
  caseOf(item: QueueItemDoc): Promise<CaseDoc | undefined>;
  /**
   * Changes the item as a rule of the core's queue-item rulebook said (`expireLease`, `completeItem`,
   * `recordSlaCheck`, `rerankItem`; several of one look merged with `mergeChanges`): the escalator
   * writes no queue-item field of its own. An empty change writes nothing.
   */
  update(change: QueueItemChange): void;
  /** Puts the timer looked at where the item now needs it (null: removes it). */
  moveTimer(atMs: number | null): void;
  /**
   * Decides the case read by `caseOf` through the one-decision rule (`decideInTransaction`): a case
   * decided meanwhile, by a reviewer or another escalator, is not decided twice.
   */
  decide(caseDoc: CaseDoc, policy: Policy, input: DecisionInput, source: string): DecideResult;
}

/** The queue items the escalator follows up. */
export interface EscalationItems {
  /**
   * Runs `work` in one unit of work on the item of `timer`: what it changes, its timer move, its
   * decision and its `events` (staged in the outbox) commit together, or none of them; the events are
   * published after the commit. Two escalators at the same item: the later one re-runs `work` on
   * what the first one left.
   */
  transact<T>(timer: DueTimer, now: Date, work: (unit: EscalationUnit) => Promise<Work<T>>): Promise<Result<T, StoreFailure>>;
}

/** A case whose pending step waited too long, as the overdue query saw it. */
export interface OverdueCase {
  caseId: string;
  step: { kind: PendingStepKind; since: number };
}

/** One unit of work on one case, for a re-drive. */
export interface RedriveUnit {
  /** The case as read in this unit of work (undefined: it is gone). */
  readonly caseDoc: CaseDoc | undefined;
  /** Records the re-drive on the case's pending step: its overdue clock restarts at `sinceMs` (now, or later to back off), `attempt` re-drives so far. */
  markRedriven(attempt: number, sinceMs: number): void;
}

/** The cases the reconciler watches: those with a pending step (`CaseDoc.nextStep`). */
export interface PendingSteps {
  /** Cases whose step has been pending since `cutoffMs` or earlier, longest-waiting first, at most `limit`. */
  overdue(cutoffMs: number, limit: number): Promise<Result<OverdueCase[], StoreFailure>>;
  /** Runs `work` in one unit of work on the case: its mark and its `events` (outbox) commit together, then the events are published. */
  transact<T>(caseId: string, now: Date, work: (unit: RedriveUnit) => Work<T>): Promise<Result<T, StoreFailure>>;
}
