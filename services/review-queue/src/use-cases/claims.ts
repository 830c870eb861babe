/**
 * Claims are leases on one queue item, taken by a compare-and-set on that one document. "Next case"
 * reads the top of the queue without a transaction (together with the reviewer's own live claim: one
 * round trip), picks one of the top few at random, and claims it with a write conditioned on the
 * item's update time as the query read it — no second read; if someone was faster the write fails and
 * it tries another.
 *
 * Many reviewers asking at once: within one process, requests for the same queue share one in-flight
 * candidates query, and each steers clear of the items the others are trying or have just taken
 * (`ClaimHints`). That is only a hint — the conditional write alone decides who wins, across any
 * number of processes — but it turns most lost races into none.
 */
import type { QueueItemDoc, Work } from '@arbiter/case-store';
import { EventTypes, type ArbiterEvent } from '@arbiter/contract';
import { applyQueueItemChange, claimItem, fail, ok, reassignItem, releaseItem, type Failure, type Result } from '@arbiter/core';
import { inTrace, type Clock } from '@arbiter/platform';
import type { PolicyRegistry } from '@arbiter/policy';
import type { Principal } from '../auth';
import { isLeadLike, mayWorkItem, mayWorkQueue } from '../access';
import type { NextBody } from '../validation';
import { hasPendingDecision } from './undo';
import type { QueueItems, ReadItem, ReviewerQuality } from '../ports';
import { actorOf, byPriorityOrder, event, holdsClaim, itemView, leadActorOf, QueueCatalog, releasedOnExpiry, type ItemView } from './common';

export interface ClaimDeps {
  items: QueueItems;
  /** Reviewers' standing against the policy's quality bar, and golden cases for flagged ones. */
  quality: ReviewerQuality;
  policies: PolicyRegistry;
  clock: Clock;
  catalog: QueueCatalog;
  leaseMs: number;
  /** The lease of a case claimed ahead (the console's next case, loaded while the reviewer works on one). */
  aheadLeaseMs?: number;
  /** How many top items "next" chooses among. */
  spread: number;
  random?: () => number;
  /** This process's hints (shared by the claim use cases of one process). */
  hints?: ClaimHints;
}

/** How long an item this process tried or took is steered clear of (past that the candidates query knows). */
export const CLAIM_HINT_MS = 2_000;

/**
 * What this process knows that a candidates query read a moment ago does not: which items its own
 * requests are trying or have just taken. And one in-flight candidates query per queue, shared by
 * the requests that arrive while it runs. Advisory only; never needed for correctness.
 */
export class ClaimHints {
  private readonly taken = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<ReadItem[]>>();

  constructor(private readonly ttlMs = CLAIM_HINT_MS) {}

  /** The running candidates query of `queue`, or a new one from `ask`. */
  candidates(queue: string, ask: () => Promise<ReadItem[]>): Promise<ReadItem[]> {
    const running = this.inFlight.get(queue);
    if (running) return running;
    const asked = ask().finally(() => this.inFlight.delete(queue));
    this.inFlight.set(queue, asked);
    return asked;
  }

  /** Marks `itemId` as being tried by this process; false when another request already is (or just took it). */
  take(itemId: string, nowMs: number): boolean {
    const until = this.taken.get(itemId);
    if (until !== undefined && until > nowMs) return false;
    this.taken.set(itemId, nowMs + this.ttlMs);
    if (this.taken.size > 10_000) for (const [id, t] of this.taken) if (t <= nowMs) this.taken.delete(id);
    return true;
  }

  isTaken(itemId: string, nowMs: number): boolean {
    return (this.taken.get(itemId) ?? 0) > nowMs;
  }
}

function claimedEvent(item: QueueItemDoc, claimant: { id: string; role: string }, leaseUntil: number, now: Date): ArbiterEvent {
  return event(
    EventTypes.caseClaimed,
    { caseId: item.caseId, useCase: item.useCase, queue: item.queue, claimedBy: claimant, leaseUntil: new Date(leaseUntil).toISOString(), claimedAt: now.toISOString() },
    item.caseId,
    now,
  );
}

/**
 * Claims an item for `p` if it is still claimable (or renews p's own claim): a compare-and-set on
 * that one item, committed with its events. Given a read item (from the candidates query), the write is
 * conditioned on it as read; given an id, the item is read first. Undefined when someone else got it first.
 */
async function claimOne(deps: ClaimDeps, p: Principal, target: string | ReadItem, options: { renewOwn: boolean; leaseMs?: number }): Promise<QueueItemDoc | undefined> {
  const now = deps.clock.now();
  const nowMs = now.getTime();
  const read = typeof target === 'string' ? await deps.items.read(target) : target;
  if (!read) return undefined;
  const { item } = read;
  // A decision waiting in its undo window holds its item until it commits or is undone.
  if (hasPendingDecision(item)) return undefined;
  // The core's rules: claimable, or p's own live claim to renew (a renewal never shortens a lease:
  // an ahead lease is shorter than a working one).
  const claimed = claimItem(item, { reviewerId: p.id, role: actorOf(p).role }, nowMs, { leaseMs: options.leaseMs ?? deps.leaseMs, renewOwn: options.renewOwn });
  if (!claimed.ok) return undefined;
  const ref = deps.catalog.get(item.queue);
  if (!ref || !mayWorkItem(p, item, ref.queue, nowMs)) return undefined;
  const { change, lapsed } = claimed.value;
  const expired = lapsed ? releasedOnExpiry(item, now) : [];
  // In a span of the case's trace (stored on its item), which the claim's events carry on.
  const events = inTrace(item.traceparent, 'review-queue claim', { 'arbiter.case_id': item.caseId, 'arbiter.item_id': item.itemId }, () => [...expired, claimedEvent(item, actorOf(p), change.claim.leaseUntil, now)]);
  const won = await deps.items.claim(read, change, events, now);
  return won ? applyQueueItemChange(item, change) : undefined;
}

export function createClaimNext(deps: ClaimDeps) {
  const random = deps.random ?? Math.random;
  const hints = deps.hints ?? new ClaimHints();
  return async (p: Principal, queueId: string, body: NextBody = {}): Promise<Result<{ item: ItemView | null; attempts: number }>> => {
    const ref = deps.catalog.get(queueId);
    if (!ref) return fail({ code: 'QUEUE.NOT_FOUND', message: `there is no queue ${queueId}` });
    if (!mayWorkQueue(p, ref.queue)) return fail({ code: 'AUTH.FORBIDDEN', message: `your roles do not allow working queue ${queueId}` });
    const nowMs = deps.clock.now().getTime();
    const candidatesAt = (fresh: boolean) => {
      const ask = () => deps.items.claimCandidates(queueId, deps.clock.now().getTime(), deps.spread * 2, deps.spread);
      return fresh ? ask() : hints.candidates(queueId, ask);
    };
    // One case at a time: a reviewer who already holds a live claim in this queue gets it back.
    // Asked in the same round trip as the first candidates. Claiming ahead, the items the console
    // already has do not count, and a held one is renewed under the ahead lease.
    const skip = new Set(body.ahead ?? []);
    const aheadLeaseMs = body.ahead ? deps.aheadLeaseMs ?? deps.leaseMs : undefined;
    const quality = ref.policy.quality;
    const [held, first, standing] = await Promise.all([deps.items.claimedBy(queueId, p.id), candidatesAt(false), quality ? deps.quality.standingOf(p.id, ref.policy.id, quality) : undefined]);
    const mine = held.filter((i) => holdsClaim(i, p.id, nowMs) && !skip.has(i.itemId) && !hasPendingDecision(i)).sort(byPriorityOrder)[0];
    if (mine && aheadLeaseMs === undefined) return ok({ item: itemView(mine, { revealBlind: false }), attempts: 0 });
    if (mine) {
      const renewed = await claimOne(deps, p, mine.itemId, { renewOwn: true, leaseMs: aheadLeaseMs });
      if (renewed) return ok({ item: itemView(renewed, { revealBlind: false }), attempts: 0 });
    }
    // A reviewer flagged below the policy's quality bar is served golden cases at the policy's rate
    // until their recent known answers are back above it (reviewer-quality.firestore.ts).
    const extra = await deps.quality.extraGoldenFor(p.id, ref.policy, ref.queue, standing, nowMs, random());
    if (extra) {
      const served = await claimOne(deps, p, extra.itemId, { renewOwn: false, ...(aheadLeaseMs !== undefined ? { leaseMs: aheadLeaseMs } : {}) });
      if (served) return ok({ item: itemView(served), attempts: 1 });
    }
    let attempts = 0;
    const tried = new Set<string>();
    for (let round = 0; round < 4; round += 1) {
      const now = deps.clock.now().getTime();
      // After a round of lost races, ask again on our own (the shared answer is what lost them).
      const candidates = (round === 0 ? first : await candidatesAt(true))
        .filter(({ item }) => !tried.has(item.itemId) && !skip.has(item.itemId) && mayWorkItem(p, item, ref.queue, now))
        .sort((a, b) => byPriorityOrder(a.item, b.item));
      // The top few that no other request of this process is trying, in a random order; when every
      // one of them is being tried, the others anyway (the conditional write decides).
      const free = candidates.filter(({ item }) => !hints.isTaken(item.itemId, now)).slice(0, deps.spread);
      const pool = free.length ? free : candidates.slice(0, deps.spread);
      if (pool.length === 0) return ok({ item: null, attempts });
      const order = pool.map((c) => ({ c, k: random() })).sort((a, b) => a.k - b.k).map((x) => x.c);
      for (const candidate of order) {
        if (free.length && !hints.take(candidate.item.itemId, deps.clock.now().getTime())) continue;
        attempts += 1;
        tried.add(candidate.item.itemId);
        const claimed = await claimOne(deps, p, candidate, { renewOwn: false, ...(aheadLeaseMs !== undefined ? { leaseMs: aheadLeaseMs } : {}) });
        if (claimed) return ok({ item: itemView(claimed), attempts });
      }
    }
    return ok({ item: null, attempts });
  };
}

export function createClaimItem(deps: ClaimDeps) {
  return async (p: Principal, itemId: string): Promise<Result<ItemView>> => {
    const item = (await deps.items.read(itemId))?.item;
    if (!item) return fail({ code: 'ITEM.NOT_FOUND', message: `there is no queue item ${itemId}` });
    const ref = deps.catalog.get(item.queue);
    const nowMs = deps.clock.now().getTime();
    if (!ref || !mayWorkItem(p, item, ref.queue, nowMs)) return fail({ code: 'AUTH.FORBIDDEN', message: `your roles do not allow working items of queue ${item.queue}` });
    const asked = claimItem(item, { reviewerId: p.id, role: actorOf(p).role }, nowMs, { leaseMs: deps.leaseMs, renewOwn: true });
    if (!asked.ok && asked.error.code === 'QUEUE_ITEM.DONE') return fail({ code: 'ITEM.CONFLICT', message: `item ${itemId} is done` });
    if (!asked.ok && asked.error.code === 'QUEUE_ITEM.AWAITING_EVIDENCE') return fail({ code: 'ITEM.CONFLICT', message: `item ${itemId} is waiting for evidence from the crew; it comes back to the queue when evidence arrives` });
    const claimed = await claimOne(deps, p, itemId, { renewOwn: true });
    if (claimed) return ok(itemView(claimed));
    const now = (await deps.items.read(itemId))?.item;
    if (now && hasPendingDecision(now)) return fail({ code: 'ITEM.CONFLICT', message: `a decision on item ${itemId} is waiting in its undo window; it commits, or its decider undoes it, first` });
    if (now?.status === 'claimed' && now.claim) return fail({ code: 'ITEM.CLAIMED_BY_OTHER', message: `item ${itemId} is claimed by ${now.claim.reviewerId} until ${new Date(now.claim.leaseUntil).toISOString()}` });
    return fail({ code: 'ITEM.CONFLICT', message: `item ${itemId} can no longer be claimed (status ${now?.status ?? 'gone'})` });
  };
}

export interface ReleaseResult {
  item: ItemView;
  reassignedTo?: string;
}

/** Release: the holder their own claim; a lead (or admin) anyone's, optionally reassigning it. */
export function createReleaseItem(deps: ClaimDeps) {
  return async (p: Principal, itemId: string, body: { reassignTo?: string }): Promise<Result<ReleaseResult>> => {
    const lead = isLeadLike(p);
    if (body.reassignTo !== undefined && !lead) return fail({ code: 'AUTH.FORBIDDEN', message: 'only a lead may reassign a claim' });
    const now = deps.clock.now();
    const nowMs = now.getTime();
    const refused = (code: string, message: string): Work<Result<ReleaseResult>> => ({ result: fail<Failure>({ code, message }), events: [] });
    return deps.items.transact<Result<ReleaseResult>>(itemId, now, async (unit) => {
      const { item } = unit;
      if (!item) return refused('ITEM.NOT_FOUND', `there is no queue item ${itemId}`);
      const ref = deps.catalog.get(item.queue);
      if (!ref || !(lead || mayWorkItem(p, item, ref.queue, nowMs))) return refused('AUTH.FORBIDDEN', `your roles do not allow working items of queue ${item.queue}`);
      // The core's rules: a held item, by its holder or a lead.
      const released = releaseItem(item, { reviewerId: p.id, mayReleaseOthers: lead });
      if (!released.ok && released.error.code === 'QUEUE_ITEM.NOT_CLAIMED') return refused('ITEM.CONFLICT', `item ${itemId} is not claimed (status ${item.status})`);
      if (!released.ok) return refused('AUTH.FORBIDDEN', `item ${itemId} is claimed by someone else; only a lead may release it`);
      const own = item.claim?.reviewerId === p.id;
      const releasedBy = own ? actorOf(p) : leadActorOf(p);
      const base = { caseId: item.caseId, useCase: item.useCase, queue: item.queue, releasedBy, releasedAt: now.toISOString() };
      if (body.reassignTo !== undefined) {
        const to = { id: body.reassignTo, role: 'reviewer' };
        const reassigned = reassignItem(item, { reviewerId: to.id, role: to.role }, nowMs, deps.leaseMs);
        if (!reassigned.ok) return refused('ITEM.CONFLICT', `item ${itemId} is not claimed (status ${item.status})`);
        const { change } = reassigned.value;
        unit.claim(change);
        const events = [
          event(EventTypes.caseReleased, { ...base, reason: 'reassigned', reassignedTo: to }, item.caseId, now),
          claimedEvent(item, to, change.claim.leaseUntil, now),
        ];
        return { result: ok({ item: itemView(applyQueueItemChange(item, change), { revealBlind: true }), reassignedTo: body.reassignTo }), events };
      }
      unit.release(released.value.change);
      return { result: ok({ item: itemView(applyQueueItemChange(item, released.value.change), { revealBlind: lead }) }), events: [event(EventTypes.caseReleased, { ...base, reason: 'released' }, item.caseId, now)] };
    });
  };
}
