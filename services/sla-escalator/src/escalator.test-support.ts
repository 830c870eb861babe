/**
 * In-memory twins of the sla-escalator's ports, for unit tests of its use cases: the same contracts
 * as the Firestore adapters (a unit of work commits all of its changes and events, or nothing; a
 * timer lands no earlier than the writer's minute), in maps a test can read and arrange.
 */
import { buildDecision, decisionEvents, timerBucketOf, timerFor, TIMER_BUCKET_MS, type CaseDoc, type DecideResult, type QueueItemDoc, type TimerDoc, type TimerSlot, type Work } from '@arbiter/case-store';
import type { ArbiterEvent } from '@arbiter/contract';
import { applyQueueItemChange, deepCopy, fail, ok, type Result } from '@arbiter/core';
import { storeFailure, type DueTimer, type EscalationItems, type EscalationUnit, type OverdueCase, type PendingSteps, type RedriveUnit, type StoreFailure, type TimerPage, type TimerWheel } from './ports';

const copy = <T>(value: T): T => deepCopy(value);

/** The twin of `FirestorePendingSteps`. */
export class InMemoryPendingSteps implements PendingSteps {
  readonly cases = new Map<string, CaseDoc>();
  /** Events of committed units of work, in commit order (what the outbox would publish). */
  readonly staged: ArbiterEvent[] = [];
  /** Cases whose unit of work fails as an unavailable store would (nothing written). */
  readonly failing = new Set<string>();
  /** The overdue query fails as an unavailable store would. */
  failOverdue = false;
  /** Called when a unit of work is about to read its case: to play another writer getting there first. */
  beforeRead?: (caseId: string) => void;

  put(doc: CaseDoc): void {
    this.cases.set(doc.caseId, copy(doc));
  }

  async overdue(cutoffMs: number, limit: number): Promise<Result<OverdueCase[], StoreFailure>> {
    if (this.failOverdue) return fail(storeFailure('14 UNAVAILABLE: no connection (twin)'));
    const overdue = [...this.cases.values()]
      .flatMap((doc) => (doc.nextStep && doc.nextStep.since <= cutoffMs ? [{ caseId: doc.caseId, step: { kind: doc.nextStep.kind, since: doc.nextStep.since } }] : []))
      .sort((a, b) => a.step.since - b.step.since)
      .slice(0, limit);
    return ok(overdue);
  }

  async transact<T>(caseId: string, now: Date, work: (unit: RedriveUnit) => Work<T>): Promise<Result<T, StoreFailure>> {
    if (this.failing.has(caseId)) return fail(storeFailure('4 DEADLINE_EXCEEDED (twin)'));
    this.beforeRead?.(caseId);
    const current = this.cases.get(caseId);
    let marked: { redrives: number; since: number } | undefined;
    const done = work({ caseDoc: current && copy(current), markRedriven: (redrives, since) => (marked = { redrives, since }) });
    if (current?.nextStep && marked !== undefined) this.cases.set(caseId, { ...current, nextStep: { ...current.nextStep, ...marked } });
    this.staged.push(...done.events);
    return ok(done.result);
  }
}

const slotKey = (slot: TimerSlot): string => `${slot.bucket}/${slot.id}`;

/**
 * The twin of `FirestoreTimerWheel` and of the timers in `@arbiter/case-store`: timers by minute bucket,
 * and the cursor. `set` is how a writer (review-queue) adds one; the escalation items twin moves them.
 */
export class InMemoryTimerWheel implements TimerWheel {
  readonly timers = new Map<string, TimerSlot & TimerDoc>();
  stored: number | undefined;
  /** Every bucket `dueIn` was asked about, in order. */
  readonly asked: number[] = [];

  /** Adds (or overwrites) the timer of `kind` for `itemId` at `atMs`, written at `nowMs`. */
  set(kind: TimerDoc['kind'], itemId: string, atMs: number, nowMs: number): TimerSlot {
    const { slot, doc } = timerFor(kind, itemId, atMs, nowMs);
    this.timers.set(slotKey(slot), { ...slot, ...doc });
    return slot;
  }

  remove(slot: TimerSlot): void {
    this.timers.delete(slotKey(slot));
  }

  /** The timers of `itemId`, as `kind@at`. */
  of(itemId: string): string[] {
    return [...this.timers.values()].filter((timer) => timer.itemId === itemId).map((timer) => `${timer.kind}@${timer.at}`);
  }

  async cursor(): Promise<number | undefined> {
    return this.stored;
  }

  async earliestDue(fromMs: number, nowMs: number): Promise<number | undefined> {
    const fromBucket = timerBucketOf(fromMs);
    const due = [...this.timers.values()].filter((timer) => timer.bucket >= fromBucket && timer.bucket <= nowMs && timer.at >= fromMs && timer.at <= nowMs).map((timer) => timer.at);
    return due.length ? Math.min(...due) : undefined;
  }

  async dueIn(bucket: number, nowMs: number, limit: number, after?: unknown): Promise<TimerPage> {
    this.asked.push(bucket);
    // As Firestore's `startAfter` a document: after its place in the order (time, then id), wherever it is now.
    const from = after as { at: number; id: string } | undefined;
    const due = [...this.timers.values()]
      .filter((timer) => timer.bucket === bucket && timer.at <= nowMs)
      .sort((a, b) => a.at - b.at || a.id.localeCompare(b.id))
      .filter((timer) => !from || timer.at > from.at || (timer.at === from.at && timer.id.localeCompare(from.id) > 0));
    const page = due.slice(0, limit);
    const timers: DueTimer[] = page.map((timer) => ({ bucket, id: timer.id, kind: timer.kind, itemId: timer.itemId, at: timer.at }));
    const last = page[page.length - 1];
    return { timers, more: due.length > limit, ...(last ? { next: { at: last.at, id: last.id } } : {}) };
  }

  async advance(bucket: number): Promise<void> {
    this.stored = bucket;
  }
}

/** The twin of `FirestoreEscalationItems`: items and cases in maps, timers in an `InMemoryTimerWheel`. */
export class InMemoryEscalationItems implements EscalationItems {
  readonly items = new Map<string, QueueItemDoc>();
  readonly cases = new Map<string, CaseDoc>();
  /** Events of committed units of work, in commit order (what the outbox would publish). */
  readonly staged: ArbiterEvent[] = [];
  /** Items whose unit of work fails as an unavailable store would (nothing written). */
  readonly failing = new Set<string>();
  /** Units of work run, by item id. */
  readonly units: string[] = [];

  constructor(readonly timers: InMemoryTimerWheel) {}

  put(item: QueueItemDoc, caseDoc?: CaseDoc): void {
    this.items.set(item.itemId, copy(item));
    if (caseDoc) this.cases.set(caseDoc.caseId, copy(caseDoc));
  }

  async transact<T>(timer: DueTimer, now: Date, work: (unit: EscalationUnit) => Promise<Work<T>>): Promise<Result<T, StoreFailure>> {
    this.units.push(timer.itemId);
    if (this.failing.has(timer.itemId)) return fail(storeFailure('10 ABORTED: too much contention (twin)'));
    const stored = this.items.get(timer.itemId);
    let item = stored && copy(stored);
    const decided = new Map<string, CaseDoc>();
    let timerAt: number | null | undefined;
    const unit: EscalationUnit = {
      item: item && copy(item),
      caseOf: async (of) => {
        const caseDoc = this.cases.get(of.caseId);
        return caseDoc && copy(caseDoc);
      },
      update: (change) => {
        if (!item) throw new Error(`bug: update of ${timer.itemId}, which does not exist`);
        item = applyQueueItemChange(item, change);
      },
      moveTimer: (atMs) => (timerAt = atMs),
      decide: (caseDoc, policy, input, source): DecideResult => {
        if (caseDoc.decision) return { decided: false, reason: 'already-decided' };
        const decision = buildDecision(caseDoc, policy, input);
        decided.set(caseDoc.caseId, { ...caseDoc, decision, status: 'decided', decidedAt: input.decidedAt.getTime() });
        const events = decisionEvents(caseDoc, decision, input.approval, source);
        return { decided: true, decision: events[0], events };
      },
    };
    const done = await work(unit);
    // Commit: all of it, only now that the work is done.
    if (item) this.items.set(timer.itemId, item);
    for (const [caseId, caseDoc] of decided) this.cases.set(caseId, caseDoc);
    if (timerAt !== undefined) {
      this.timers.remove(timer);
      if (timerAt !== null) this.timers.set(timer.kind, timer.itemId, timerAt, now.getTime());
    }
    this.staged.push(...done.events);
    return ok(done.result);
  }
}

export const MINUTE = TIMER_BUCKET_MS;
