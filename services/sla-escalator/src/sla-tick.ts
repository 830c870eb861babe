import { producedEvent, TIMER_BUCKET_MS, timerBucketOf, type CaseDoc, type QueueItemDoc, type Work } from '@arbiter/case-store';
import { EventTypes, type ArbiterEvent } from '@arbiter/contract';
import { completeItem, currentPriority, escalationState, expireLease, mergeChanges, nextPriorityChangeAt, ok, recordSlaCheck, rerankItem, type EscalationLevel, type Policy, type QueueItemRefusal, type QueueItemTransition, type QueueSpec, type RerankChange, type Result } from '@arbiter/core';
import { inTrace, type Clock, type Logger } from '@arbiter/platform';
import type { PolicyRegistry } from '@arbiter/policy';
import type { DueTimer, EscalationItems, EscalationUnit, TimerPage, TimerWheel } from './ports';

/** How many minutes before the cursor a tick looks again, for writers whose clock lags the escalator's. */
export const CURSOR_LOOKBACK_BUCKETS = 3;
/** Buckets swept as one stretch (their first pages asked at once); a longer gap to now is jumped with `earliestDue`. */
export const SWEEP_BUCKETS = 16;
/** At most this many minute buckets per tick; the next tick continues. */
export const MAX_BUCKETS_PER_TICK = 720;

/** What one tick did; also the body of `POST /tick` and the tick's log line. */
export interface TickReport {
  at: string;
  durationMs: number;
  /** Due timers the tick read (SLA checks, lease ends): grows with what is due, not with the backlog. */
  read: { due: number; leases: number };
  /** Minute buckets of the timer wheel the tick looked in. */
  buckets: number;
  escalations: Record<EscalationLevel, number>;
  /** Items past their expiry, closed; `decided`: of those, cases this tick decided with the policy's expiry outcome. */
  expired: number;
  decided: number;
  /** Claims whose lease ran out, put back in the queue. */
  released: number;
  /** Due items with nothing to send (superseded reminders, a priority recheck), their next check moved. */
  rescheduled: number;
  /** Items whose priority changed as time passed (a booking came near, the SLA neared). */
  reranked: number;
  /** Read but left alone: another escalator handled them first, done, or already decided. */
  skipped: number;
  /** Items whose use case or queue is not in the loaded policies (checked again later), or whose transaction failed or change the queue-item rules refused (its timer stays). */
  errors: number;
  /** The tick stopped at `maxItemsPerTick` timers (or `MAX_BUCKETS_PER_TICK` buckets); the next tick continues. */
  truncated: boolean;
}

export interface SlaTickDeps {
  items: EscalationItems;
  timers: TimerWheel;
  policies: PolicyRegistry;
  clock: Clock;
  logger: Logger;
  source: string;
  pageSize: number;
  maxItemsPerTick: number;
  concurrency: number;
}

/** How long an item whose policy or queue is unknown waits before it is looked at again. */
export const MISCONFIGURED_RETRY_MS = 15 * 60_000;
/** How long after a held verdict's undo window the escalator looks at its item again. */
export const PENDING_DECISION_RETRY_MS = 30_000;
export const SYSTEM_ACTOR = { id: 'sla-escalator', role: 'system' } as const;

type ItemOutcome =
  | { kind: 'escalated'; levels: EscalationLevel[]; reranked: boolean }
  | { kind: 'rescheduled'; reranked: boolean }
  | { kind: 'expired'; decided: boolean }
  | { kind: 'released' }
  | { kind: 'skipped'; why: string }
  | { kind: 'misconfigured'; code: string; message: string }
  /** A queue-item rule refused the change the tick meant to write (a bug: it asks only what the rules allow): nothing written, the timer stays. */
  | { kind: 'refused'; code: string; message: string };

/** A refused rule: the tick writes nothing of this look and leaves the timer for the next tick. */
const refusedBy = (error: QueueItemRefusal): Work<ItemOutcome> => ({ result: { kind: 'refused', code: error.code, message: error.message }, events: [] });

/** The escalation event of one level of one item; its `ce-id` (`<itemId>:<key>`) makes it once per level. */
export const escalationEventId = (itemId: string, key: string): string => `${itemId}:${key}`;
/** The release event of one claim (a claim is identified by when it was taken). */
export const releaseEventId = (itemId: string, claimedAt: number): string => `${itemId}:lease-expired:${claimedAt}`;

function queueOf(policies: PolicyRegistry, item: QueueItemDoc): { policy: Policy; queue: QueueSpec } | { code: string; message: string } {
  const policy = policies.get(item.useCase);
  if (!policy.ok) return policy.error;
  const queue = policy.value.queues.find((q) => q.id === item.queue);
  if (!queue) return { code: 'POLICY.UNKNOWN_QUEUE', message: `policy ${item.useCase} has no queue ${JSON.stringify(item.queue)}` };
  return { policy: policy.value, queue };
}

/**
 * One due SLA timer, in a unit of work on its item (and its case): send each due escalation level once,
 * move `sla.nextCheckAt`, or close an expired item — deciding its case with the policy's expiry
 * outcome through the one-decision rule, so a reviewer deciding at the same moment and the expiry
 * produce one decision between them. The timer moves to the item's next check (or goes) in the same
 * unit of work.
 */
async function checkItem(deps: SlaTickDeps, timer: DueTimer, now: Date): Promise<ItemOutcome | Error> {
  const done = await deps.items.transact<ItemOutcome>(timer, now, async (unit) => {
    const { item } = unit;
    if (!item) {
      unit.moveTimer(null);
      return { result: { kind: 'skipped', why: 'gone' }, events: [] };
    }
    // In a span of the case's trace (stored on its item): the reminders, escalations and expiry
    // decision continue the trace the prediction started.
    return inTrace(item.traceparent, 'sla-escalator check item', { 'arbiter.case_id': item.caseId, 'arbiter.item_id': timer.itemId }, () => checkDueItem(deps, unit, timer, item, now));
  });
  return done.ok ? done.value : new Error(done.error.message);
}

/** `checkItem` once the item is read: escalate, expire, or reschedule it. */
async function checkDueItem(deps: SlaTickDeps, unit: EscalationUnit, timer: DueTimer, item: QueueItemDoc, now: Date): Promise<Work<ItemOutcome>> {
  const { policies, source } = deps;
  const { itemId } = timer;
  const nowMs = now.getTime();
  const nextCheckAt = item.sla?.nextCheckAt ?? null;
  if (nextCheckAt === null || nextCheckAt > nowMs || item.status === 'done') {
    // A timer left behind (the item was decided, or its check moved): keep only what the item needs.
    // A done item has no next check: completing it again clears one left behind (and writes nothing else).
    if (item.status === 'done') {
      const completed = completeItem(item, nowMs);
      if (!completed.ok) return refusedBy(completed.error);
      unit.update(completed.value.change);
    }
    unit.moveTimer(item.status === 'done' ? null : nextCheckAt);
    return { result: { kind: 'skipped', why: item.status === 'done' ? 'done' : 'not-due' }, events: [] };
  }
  if (item.pendingDecision !== undefined) {
    // A reviewer decided in time and the verdict waits out its undo window: it wins over expiry and
    // reminders. Look again once it is committed (the item is then done) or undone (claimed again).
    const retryAt = Math.max(item.pendingDecision.commitAfter, nowMs) + PENDING_DECISION_RETRY_MS;
    const checked = recordSlaCheck(item, { nextCheckAt: retryAt });
    if (!checked.ok) return refusedBy(checked.error);
    unit.update(checked.value.change);
    unit.moveTimer(retryAt);
    return { result: { kind: 'skipped', why: 'decision-pending' }, events: [] };
  }
  const found = queueOf(policies, item);
  if ('code' in found) {
    const checked = recordSlaCheck(item, { nextCheckAt: nowMs + MISCONFIGURED_RETRY_MS });
    if (!checked.ok) return refusedBy(checked.error);
    unit.update(checked.value.change);
    unit.moveTimer(nowMs + MISCONFIGURED_RETRY_MS);
    return { result: { kind: 'misconfigured', ...found }, events: [] };
  }
  const { policy, queue } = found;
  let caseDoc: CaseDoc | undefined;
  if (item.purpose === 'decision') {
    caseDoc = await unit.caseOf(item);
    if (caseDoc === undefined || caseDoc.decision) {
      // Decided elsewhere (or no case at all): nothing left to chase.
      const checked = recordSlaCheck(item, { nextCheckAt: null });
      if (!checked.ok) return refusedBy(checked.error);
      unit.update(checked.value.change);
      unit.moveTimer(null);
      return { result: { kind: 'skipped', why: caseDoc ? 'already-decided' : 'no-case' }, events: [] };
    }
  }
  const sent = item.sla?.sent ?? [];
  const state = escalationState({ openedAt: new Date(item.enqueuedAt), dueAt: new Date(item.dueAt) }, queue.sla, queue.calendar, now, sent);

  if (state.expired) {
    // Not done (checked above): the core's rules mark it done, with no next check. Asked before
    // deciding, so that a refusal writes nothing.
    const completed = completeItem(item, nowMs);
    if (!completed.ok) return refusedBy(completed.error);
    const events: ArbiterEvent[] = [];
    let decided = false;
    if (caseDoc) {
      const outcome = unit.decide(
        caseDoc,
        policy,
        {
          outcome: queue.sla.expiry.outcome,
          decidedBy: { kind: 'policy', id: `policy:${caseDoc.policy.id}@${caseDoc.policy.version}` },
          reasonCode: queue.sla.expiry.reasonCode,
          decidedAt: now,
        },
        source,
      );
      if (outcome.decided) {
        decided = true;
        events.push(...outcome.events);
      }
    }
    unit.update(completed.value.change);
    unit.moveTimer(null);
    return { result: { kind: 'expired', decided }, events };
  }

  const assignee = item.status === 'claimed' && item.claim ? item.claim.reviewerId : undefined;
  // Quality work (blind review, blind labelling, double review, golden) has a soft SLA: nobody is
  // reminded, escalated to or paged for it — a page means a customer is waiting, and the case of a
  // quality item is decided or has a decision item of its own. Its levels are still marked handled (so
  // the item's next check moves on to its expiry), and leads see it overdue in their overview.
  const quality = item.purpose !== 'decision';
  const events = (quality ? [] : state.due).map((due) =>
    producedEvent(
      EventTypes.slaEscalated,
      source,
      {
        caseId: item.caseId,
        useCase: item.useCase,
        queue: item.queue,
        level: due.level,
        dueAt: due.dueAt.toISOString(),
        escalatedAt: now.toISOString(),
        reason: due.reason,
        ...(assignee ? { assignee } : {}),
      },
      { id: escalationEventId(itemId, due.key), subject: item.caseId, time: now },
    ),
  );
  // Re-rank as time passes: the policy's rules now (a booking come near) and the SLA at risk once a
  // reminder or escalation is out. Only items whose timer is due are looked at, never the queue.
  // The rank changes only when the score or its reasons do (`rerankItem`).
  const rerank: Result<QueueItemTransition<RerankChange>, QueueItemRefusal> = caseDoc ? rerankItem(item, currentPriority(caseDoc.prediction, queue.priority, now, sent.length + state.due.length > 0)) : ok({ change: {} });
  const rerankAt = caseDoc ? nextPriorityChangeAt(caseDoc.prediction, queue.priority, now)?.getTime() : undefined;
  const slaNext = state.nextCheckAt ? state.nextCheckAt.getTime() : null;
  const next = rerankAt === undefined ? slaNext : slaNext === null ? rerankAt : Math.min(slaNext, rerankAt);
  // The levels now handled and the next look, through the rulebook, written with the new rank as one change.
  const checked = recordSlaCheck(item, { sent: [...sent, ...state.due.map((due) => due.key)], nextCheckAt: next });
  if (!checked.ok) return refusedBy(checked.error);
  if (!rerank.ok) return refusedBy(rerank.error);
  unit.update(mergeChanges(checked.value.change, rerank.value.change));
  unit.moveTimer(next);
  const reranked = rerank.value.change.priority !== undefined;
  const result: ItemOutcome = events.length ? { kind: 'escalated', levels: state.due.map((due) => due.level), reranked } : { kind: 'rescheduled', reranked };
  if (quality && state.due.length) deps.logger.debug({ itemId, levels: state.due.map((due) => due.level) }, 'quality item past its soft SLA: not escalated');
  return { result, events };
}

/** A claim whose lease ran out goes back to the queue, announced with `case.released` (reason lease-expired). */
async function releaseItem(deps: SlaTickDeps, timer: DueTimer, now: Date): Promise<ItemOutcome | Error> {
  const { source } = deps;
  const done = await deps.items.transact<ItemOutcome>(timer, now, async (unit) => {
    const { item } = unit;
    const expired = item && expireLease(item, now.getTime());
    if (!item || !expired?.ok) {
      // Renewed (its new timer is written with it), released or decided: this timer has nothing left to do.
      unit.moveTimer(item?.status === 'claimed' && item.claim ? item.claim.leaseUntil : null);
      return { result: { kind: 'skipped', why: 'lease-renewed-or-released' }, events: [] };
    }
    const { change, lapsed } = expired.value;
    const event = producedEvent(
      EventTypes.caseReleased,
      source,
      { caseId: item.caseId, useCase: item.useCase, queue: item.queue, releasedBy: { ...SYSTEM_ACTOR }, reason: 'lease-expired', releasedAt: now.toISOString() },
      { id: releaseEventId(timer.itemId, lapsed.claimedAt), subject: item.caseId, time: now },
    );
    unit.update(change);
    unit.moveTimer(null);
    return { result: { kind: 'released' }, events: [event] };
  });
  return done.ok ? done.value : new Error(done.error.message);
}

/** Runs `work` over `items` with at most `concurrency` at once. `work` must not throw. */
export async function forEachLimited<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * The tick: the minute buckets of the timer wheel from the cursor (less a few minutes' look-back) to
 * now, in stretches of `SWEEP_BUCKETS` (a longer empty gap is jumped to its earliest due timer), each
 * bucket's due timers in pages of `pageSize`, at most `maxItemsPerTick` timers in all. Each timer is
 * worked in a transaction on its item that also moves or removes the timer; a timer whose transaction
 * failed stays, and the cursor stops at its bucket, so the next tick tries again. Safe to run in
 * several processes at once: every change re-reads the item, and every event has a deterministic `ce-id`.
 */
export function createSlaTick(deps: SlaTickDeps): () => Promise<TickReport> {
  return async () => {
    const started = Date.now();
    const now = deps.clock.now();
    const nowMs = now.getTime();
    const report: TickReport = {
      at: now.toISOString(),
      durationMs: 0,
      read: { due: 0, leases: 0 },
      buckets: 0,
      escalations: { reminder: 0, escalated: 0, 'on-call': 0 },
      expired: 0,
      decided: 0,
      released: 0,
      rescheduled: 0,
      reranked: 0,
      skipped: 0,
      errors: 0,
      truncated: false,
    };
    const record = (itemId: string, outcome: ItemOutcome | Error): void => {
      if (outcome instanceof Error) {
        report.errors += 1;
        deps.logger.error({ err: outcome, itemId }, `sla tick: item failed: ${outcome.message}`);
        return;
      }
      switch (outcome.kind) {
        case 'escalated':
          for (const level of outcome.levels) report.escalations[level] += 1;
          if (outcome.reranked) report.reranked += 1;
          break;
        case 'rescheduled':
          report.rescheduled += 1;
          if (outcome.reranked) report.reranked += 1;
          break;
        case 'expired':
          report.expired += 1;
          if (outcome.decided) report.decided += 1;
          break;
        case 'released':
          report.released += 1;
          break;
        case 'skipped':
          report.skipped += 1;
          break;
        case 'refused':
          report.errors += 1;
          deps.logger.error({ itemId, code: outcome.code }, `sla tick: bug: the queue-item rules refused the tick's change: ${outcome.message}; the timer stays`);
          break;
        case 'misconfigured':
          report.errors += 1;
          deps.logger.error({ itemId, code: outcome.code }, `sla tick: ${outcome.message}; looking again in ${MISCONFIGURED_RETRY_MS / 60_000} min`);
          break;
      }
    };

    const current = timerBucketOf(nowMs);
    const stored = await deps.timers.cursor();
    // The cursor may move to the first bucket that still holds something due: a failed timer's, or
    // where the tick stopped; otherwise to now's.
    let keepFrom = current;
    const total = (): number => report.read.due + report.read.leases;

    const work = async (timer: DueTimer): Promise<void> => {
      report.read[timer.kind === 'lease' ? 'leases' : 'due'] += 1;
      // A store failure comes back as an error; anything thrown is a bug, counted the same way (the timer stays).
      const outcome = await (timer.kind === 'lease' ? releaseItem(deps, timer, now) : checkItem(deps, timer, now)).catch((error: unknown) =>
        error instanceof Error ? error : new Error(String(error)),
      );
      if (outcome instanceof Error || outcome.kind === 'refused') keepFrom = Math.min(keepFrom, timer.bucket);
      record(timer.itemId, outcome);
    };

    /** One stretch of consecutive buckets: first pages at once, then each bucket's further pages. False: stopped at the item budget. */
    const sweep = async (stretch: readonly number[]): Promise<boolean> => {
      const limit = Math.min(deps.pageSize, deps.maxItemsPerTick - total());
      if (limit <= 0) {
        keepFrom = Math.min(keepFrom, stretch[0] as number);
        return false;
      }
      report.buckets += stretch.length;
      const firstPages = await Promise.all(stretch.map((bucket) => deps.timers.dueIn(bucket, nowMs, limit)));
      for (const [i, bucket] of stretch.entries()) {
        let page = firstPages[i] as TimerPage;
        for (;;) {
          const room = deps.maxItemsPerTick - total();
          const timers = page.timers.slice(0, room);
          await forEachLimited(timers, deps.concurrency, work);
          if (timers.length < page.timers.length || (page.more && total() >= deps.maxItemsPerTick)) {
            keepFrom = Math.min(keepFrom, bucket);
            return false;
          }
          if (!page.more) break;
          page = await deps.timers.dueIn(bucket, nowMs, Math.min(deps.pageSize, deps.maxItemsPerTick - total()), page.next);
        }
      }
      return true;
    };

    // From the cursor (less the look-back) to now, stretch by stretch; a gap longer than a stretch
    // (first tick, or after an outage) is jumped to the earliest due timer in it.
    let position: number | undefined = stored === undefined ? undefined : Math.min(stored, current) - CURSOR_LOOKBACK_BUCKETS * TIMER_BUCKET_MS;
    let bucketsLeft = MAX_BUCKETS_PER_TICK;
    while (position === undefined || position <= current) {
      if (position === undefined || current - position >= SWEEP_BUCKETS * TIMER_BUCKET_MS) {
        const earliest = await deps.timers.earliestDue(position ?? 0, nowMs);
        if (earliest === undefined) break; // nothing due anywhere from here to now
        position = timerBucketOf(earliest);
      }
      if (bucketsLeft <= 0) {
        report.truncated = true;
        keepFrom = Math.min(keepFrom, position);
        break;
      }
      const stretch: number[] = [];
      for (let bucket = position; bucket <= current && stretch.length < Math.min(SWEEP_BUCKETS, bucketsLeft); bucket += TIMER_BUCKET_MS) stretch.push(bucket);
      bucketsLeft -= stretch.length;
      if (!(await sweep(stretch))) {
        report.truncated = true;
        break;
      }
      position = (stretch[stretch.length - 1] as number) + TIMER_BUCKET_MS;
    }
    await deps.timers.advance(keepFrom);

    report.durationMs = Date.now() - started;
    return report;
  };
}
