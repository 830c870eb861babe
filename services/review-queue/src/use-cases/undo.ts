/**
 * The undo window: with `ARBITER_UNDO_WINDOW` above zero, a decision (one case, or each case of a
 * batch) is first held on the server as `pendingDecisions/{itemId}` — the verdict exactly as the
 * request gave it, who gave it, when, and `commitAfter` — while its item stays claimed by the reviewer
 * (nobody else can take it). Nothing is decided and no event is staged yet.
 *
 * Within the window the reviewer can undo it: the pending document goes and the item is as it was.
 * After the window the pending decision commits: the ordinary decision transaction (`recordVerdict`),
 * with the decision's own time, and its events staged in the outbox with it. Two drivers commit it,
 * whichever comes first, exactly once (the transaction deletes the pending document it reads):
 * a timer in the process that took the decision, and a periodic sweep of every instance that commits
 * what is overdue — so a decision taken by a process that died inside its window is committed by the
 * next sweep of any instance, never lost, never doubled. Closing the browser changes nothing.
 */
import { queueItemId, type CaseDoc, type QueueItemDoc } from '@arbiter/case-store';
import type { ArbiterEvent } from '@arbiter/contract';
import { fail, holdForDecision, ok, restoreItem, type Failure, type Result, type ReviewPurpose } from '@arbiter/core';
import type { Clock, Logger } from '@arbiter/platform';
import type { Principal } from '../auth';
import type { PendingDecisionDoc, PendingMark, ReviewCases, StoredVerdict, UndoUnit, VerdictUnit } from '../ports';
import { actorOf, iso } from './common';

export type { PendingDecisionDoc, PendingMark, StoredVerdict } from '../ports';

export type WithPending = QueueItemDoc & { pendingDecision?: PendingMark };

export const hasPendingDecision = (item: QueueItemDoc): boolean => (item as WithPending).pendingDecision !== undefined;

export interface UndoSettings {
  /** The window, ms (0: decisions commit at once). */
  windowMs: number;
  /** How long past the window the item stays claimed (the claim lease): a commit that has to wait for a restarted process still finds it held. */
  leaseMs: number;
  /** Called after a pending decision was written: commit it at `commitAfter`. */
  schedule(itemId: string, commitAfter: number): void;
}

/** What the undo use cases and the commit drivers need. */
export interface UndoDeps {
  cases: ReviewCases;
  clock: Clock;
}

const refusal = (code: string, message: string): Result<never> => fail({ code, message });

/**
 * Inside the decide unit of work, instead of recording the verdict: hold it for the window. The item
 * stays (or becomes) claimed by the decider until after the window (the core's `holdForDecision`).
 * A done item is refused, having written nothing (the callers refuse it before).
 */
export function holdPending(unit: VerdictUnit, undo: UndoSettings, p: Principal, item: QueueItemDoc, verdict: StoredVerdict, now: Date): Result<{ commitAfter: number }> {
  const nowMs = now.getTime();
  const commitAfter = nowMs + undo.windowMs;
  const held = holdForDecision(item, { reviewerId: p.id, role: actorOf(p).role }, nowMs, undo.windowMs + undo.leaseMs);
  if (!held.ok) return refusal('ITEM.CONFLICT', `item ${item.itemId}: ${held.error.message}`);
  const doc: PendingDecisionDoc = {
    itemId: item.itemId,
    caseId: item.caseId,
    queue: item.queue,
    purpose: item.purpose,
    principal: { id: p.id, roles: [...p.roles], queueRoles: [...p.queueRoles], ...(p.queues ? { queues: [...p.queues] } : {}) },
    verdict: JSON.parse(JSON.stringify(verdict)) as StoredVerdict,
    decidedAt: nowMs,
    commitAfter,
    ...(verdict.batchId ? { batchId: verdict.batchId } : {}),
    previous: { status: item.status, claim: item.claim ?? null },
  };
  const mark: PendingMark = { commitAfter, by: p.id, ...(verdict.batchId ? { batchId: verdict.batchId } : {}) };
  unit.holdPending(doc, held.value.change, mark);
  return ok({ commitAfter });
}

/** Records a verdict in a unit of work (the decide use case's `recordVerdict`); a failure leaves the unit unwritten. */
export type Recorder = (unit: VerdictUnit, p: Principal, caseDoc: CaseDoc, item: QueueItemDoc, verdict: StoredVerdict, decidedAt: Date) => Result<{ events: ArbiterEvent[] }>;

export type CommitOutcome = 'committed' | 'gone' | 'dropped';

/** Thrown to abort a commit's unit of work when the recorder refuses the stored verdict: nothing is written. */
export class VerdictRefused extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

/**
 * Commits one pending decision if it is still there: the decision unit of work with the stored
 * verdict and time, the pending document deleted in it. 'gone': undone or committed already;
 * 'dropped': the case was decided meanwhile by something else (the pending verdict is discarded, logged).
 * A verdict the recorder refuses aborts the unit (the pending decision stays; the sweep tries again).
 */
export async function commitPending(deps: UndoDeps, record: Recorder, itemId: string, logger?: Logger): Promise<CommitOutcome> {
  const now = deps.clock.now();
  return deps.cases.transactPending<CommitOutcome>(itemId, now, async ({ pending, open }) => {
    if (!pending) return { result: 'gone', events: [] };
    const unit = await open();
    const { caseDoc } = unit;
    const item = unit.items[0];
    if (!item || !caseDoc || item.status === 'done' || (item.purpose === 'decision' && caseDoc.decision)) {
      if (item && item.status !== 'done') unit.dropMark();
      logger?.warn({ itemId, caseId: pending.caseId }, 'a pending decision was dropped: its case was decided (or its item finished) meanwhile');
      return { result: 'dropped', events: [] };
    }
    const recorded = record(unit, pending.principal, caseDoc, item, pending.verdict, new Date(pending.decidedAt));
    if (!recorded.ok) throw new VerdictRefused(recorded.error);
    return { result: 'committed', events: recorded.value.events };
  });
}

/** Pending decisions whose window ended at least `graceMs` ago (what a sweep commits). */
export async function overduePending(deps: UndoDeps, graceMs: number, limit: number): Promise<string[]> {
  return deps.cases.overduePending(deps.clock.now().getTime() - graceMs, limit);
}

export interface UndoResult {
  caseId: string;
  itemId: string;
  undone: true;
  /** The item's status after the undo (claimed by the reviewer again, or open for a batch item that was). */
  status: string;
}

/** Undoes one pending decision of `p` in a unit of work that read it; a refusal writes nothing. */
function undoInUnit(unit: UndoUnit, undo: UndoSettings, p: Principal, pending: PendingDecisionDoc, nowMs: number): Result<UndoResult> {
  if (pending.principal.id !== p.id) return refusal('AUTH.FORBIDDEN', `the pending decision on case ${pending.caseId} is ${pending.principal.id}'s; only they can undo it`);
  if (nowMs > pending.commitAfter) return refusal('ITEM.CONFLICT', `the undo window of the decision on case ${pending.caseId} closed at ${iso(pending.commitAfter)}; it is being committed`);
  // Back as it was: to whoever held it (the decider with a working lease again), or unclaimed.
  const before = pending.previous;
  const restored = restoreItem({ status: before.status, ...(before.claim ? { claim: before.claim } : {}) }, { reviewerId: p.id }, nowMs, undo.leaseMs);
  if (!restored.ok) return refusal('ITEM.CONFLICT', `item ${pending.itemId}: ${restored.error.message}`);
  unit.undo(pending.itemId, restored.value.change);
  return ok({ caseId: pending.caseId, itemId: pending.itemId, undone: true, status: restored.value.change.status });
}

const NO_WINDOW = 'decisions commit at once here (ARBITER_UNDO_WINDOW is zero); there is nothing to undo';

/** `POST /api/cases/{caseId}/decision/undo`: the caller's pending decision on the case, undone. */
export function createUndoDecision(deps: UndoDeps & { undo?: UndoSettings }) {
  return async (p: Principal, caseId: string): Promise<Result<UndoResult>> => {
    const undo = deps.undo;
    if (!undo || undo.windowMs <= 0) return refusal('UNDO.NOT_FOUND', NO_WINDOW);
    const now = deps.clock.now();
    const purposes: ReviewPurpose[] = ['decision', 'blind-review', 'double-review', 'golden', 'adjudication'];
    return deps.cases.transactUndo<Result<UndoResult>>(purposes.map((purpose) => queueItemId(caseId, purpose)), now, (unit) => {
      const pending = unit.pending.find((d) => d.principal.id === p.id);
      if (!pending) return { result: refusal('UNDO.NOT_FOUND', `you have no decision on case ${caseId} waiting in the undo window (it was committed, undone, or never made)`), events: [] };
      return { result: undoInUnit(unit, undo, p, pending, now.getTime()), events: [] };
    });
  };
}

export interface BatchUndoResult {
  batchId: string;
  results: Array<UndoResult | { caseId: string; itemId: string; undone: false; error: { code: string; message: string } }>;
}

/** `POST /api/batches/{batchId}/undo`: every pending decision of the caller's batch, undone (per item). */
export function createUndoBatch(deps: UndoDeps & { undo?: UndoSettings }) {
  return async (p: Principal, batchId: string): Promise<Result<BatchUndoResult>> => {
    const undo = deps.undo;
    if (!undo || undo.windowMs <= 0) return refusal('UNDO.NOT_FOUND', NO_WINDOW);
    const mine = (await deps.cases.pendingOfBatch(batchId, 100)).filter((d) => d.principal.id === p.id);
    if (mine.length === 0) return refusal('UNDO.NOT_FOUND', `you have no decision of batch ${batchId} waiting in the undo window (committed, undone, or not yours)`);
    const results: BatchUndoResult['results'] = [];
    for (const listed of mine) {
      const now = deps.clock.now();
      const undone = await deps.cases.transactUndo<Result<UndoResult>>([listed.itemId], now, (unit) => {
        const pending = unit.pending[0];
        if (!pending) return { result: refusal('ITEM.CONFLICT', `the decision on case ${listed.caseId} was committed already`), events: [] };
        return { result: undoInUnit(unit, undo, p, pending, now.getTime()), events: [] };
      });
      results.push(undone.ok ? undone.value : { caseId: listed.caseId, itemId: listed.itemId, undone: false, error: { code: undone.error.code, message: undone.error.message } });
    }
    return ok({ batchId, results });
  };
}

/**
 * The commit drivers of one process: a timer per decision this process took, and a sweep every
 * `sweepEveryMs` that commits whatever is overdue by `graceMs` (another process's, or one whose
 * process died). Returns the scheduler the decide use cases call, and a stop.
 */
export function startPendingCommits(deps: UndoDeps, record: Recorder, options: { sweepEveryMs: number; graceMs: number; logger: Logger }): { schedule: (itemId: string, commitAfter: number) => void; sweep: () => Promise<number>; stop: () => void } {
  const timers = new Map<string, NodeJS.Timeout>();
  let stopped = false;
  const commit = (itemId: string): Promise<CommitOutcome | undefined> =>
    commitPending(deps, record, itemId, options.logger).catch((error: unknown) => {
      options.logger.warn({ err: error, itemId }, 'committing a pending decision failed; the sweep retries');
      return undefined;
    });
  const schedule = (itemId: string, commitAfter: number): void => {
    if (stopped) return;
    clearTimeout(timers.get(itemId));
    const timer = setTimeout(() => {
      timers.delete(itemId);
      void commit(itemId);
    }, Math.max(0, commitAfter - deps.clock.now().getTime()));
    timer.unref();
    timers.set(itemId, timer);
  };
  let sweeping = false;
  const sweep = async (): Promise<number> => {
    if (sweeping || stopped) return 0;
    sweeping = true;
    try {
      const ids = await overduePending(deps, options.graceMs, 100);
      let committed = 0;
      for (const id of ids) if ((await commit(id)) === 'committed') committed += 1;
      if (committed) options.logger.info({ committed }, `sweep committed ${committed} overdue pending decision(s)`);
      return committed;
    } catch (error) {
      options.logger.warn({ err: error }, 'sweeping pending decisions failed; next sweep retries');
      return 0;
    } finally {
      sweeping = false;
    }
  };
  const interval = options.sweepEveryMs > 0 ? setInterval(() => void sweep(), options.sweepEveryMs) : undefined;
  interval?.unref();
  return {
    schedule,
    sweep,
    stop: () => {
      stopped = true;
      if (interval) clearInterval(interval);
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}
