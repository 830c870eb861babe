/**
 * The rulebook of a queue item's life: which state changes are allowed from which status, and what
 * each one writes. Every writer of queue items (the review-queue's claims, the escalator's lease
 * ends and expiries) asks these functions and writes the change they return, so two services never
 * disagree on what "claimable" or "done" means.
 *
 *   (none) ──open──▶ open
 *   open ──claim──▶ claimed ──release / lease expired──▶ open
 *     │               │  ▲ renew (own live claim), reassign (a lead), claim over a lapsed lease,
 *     │               │  └──────┘ hold for a decision in its undo window (the decider, any status but done)
 *     └──── complete ─┴──▶ done  (complete again: nothing to write)
 *   open, claimed ──await evidence──▶ awaiting-evidence ──return to queue──▶ open
 *   open, claimed ──return to queue──▶ open (a flagged batch item; evidence that came late)
 *   awaiting-evidence: not claimable, not releasable; it may be completed, held for a decision or
 *   returned to the queue.
 *   An undone decision restores the item as it was before the hold (`restoreItem`).
 *
 * Beside the status, two bookkeeping facts have rules of their own: the SLA's progress (levels sent,
 * the escalator's next check: `recordSlaCheck`; a done item has none, so `completeItem` clears it) and
 * the priority (set by `openItem` from the router's order, re-ranked as time passes: `rerankItem`).
 * A writer that makes several changes in one look at an item writes them as one (`mergeChanges`).
 *
 * Plain functions over the fields they read, with `nowMs` (epoch milliseconds) passed in. A refused
 * change is a failure value with a `QUEUE_ITEM.*` code; the caller maps it to its own answer.
 */
import { fail, ok, type Failure, type Result } from './result';
import type { Band } from './policy';
import type { ReviewPurpose, SimilarityBasis, WorkOrderItem } from './events';

export type QueueItemStatus = 'open' | 'claimed' | 'awaiting-evidence' | 'done';

/** A reviewer's lease on an item. Times are epoch milliseconds. */
export interface QueueItemClaim {
  reviewerId: string;
  role: string;
  leaseUntil: number;
  claimedAt: number;
}

/** The SLA's bookkeeping on an item: escalation keys sent so far, and when the escalator looks next (null: never). */
export interface QueueItemSla {
  sent: string[];
  nextCheckAt: number | null;
}

/** What the rules read of an item. */
export interface QueueItemState {
  status: QueueItemStatus;
  claim?: QueueItemClaim;
  sla?: QueueItemSla;
  priority?: number;
  priorityReasons?: string[];
}

/** Who takes or holds a claim. */
export interface Claimant {
  reviewerId: string;
  role: string;
}

/** The fields of an item a transition sets; absent fields stay as they are. */
export type QueueItemChange = {
  status?: QueueItemStatus;
  doneAt?: number;
  /** The escalation keys sent so far (all of them, not only the new ones): `sla.sent`. */
  slaSent?: string[];
  /** When the escalator looks next (null: never): `sla.nextCheckAt`. */
  nextCheckAt?: number | null;
  /** The item's rank in its queue and why: `priority`, `priorityReasons`. */
  priority?: { score: number; reasons: string[] };
} & (
  | {
      /** The claim to store (replacing any). */
      claim?: QueueItemClaim;
      releaseClaim?: never;
    }
  | {
      claim?: never;
      /** Remove the claim. */
      releaseClaim?: true;
    }
);

export type QueueItemRefusalCode =
  /** The item is done: nothing more happens to it. */
  | 'QUEUE_ITEM.DONE'
  /** The item waits for evidence from the crew; it is not in the queue. */
  | 'QUEUE_ITEM.AWAITING_EVIDENCE'
  /** Someone else holds a live claim. */
  | 'QUEUE_ITEM.CLAIMED_BY_OTHER'
  /** The claimant already holds a live claim and did not ask to renew it. */
  | 'QUEUE_ITEM.ALREADY_HELD'
  /** Release, reassign or expire asked of an item nobody holds. */
  | 'QUEUE_ITEM.NOT_CLAIMED'
  /** The lease has not run out yet. */
  | 'QUEUE_ITEM.LEASE_LIVE'
  /** An item to open whose order is incomplete or malformed (no queue, a due time that is not a time, …). */
  | 'QUEUE_ITEM.INVALID_ORDER'
  /** SLA progress that would forget a level already sent, or a next check that is not a time. */
  | 'QUEUE_ITEM.INVALID_SLA_CHECK'
  /** A priority whose score is not a number. */
  | 'QUEUE_ITEM.INVALID_PRIORITY';

export interface QueueItemRefusal extends Failure {
  code: QueueItemRefusalCode;
}

/** An allowed transition: the change to write, and a lapsed claim it ends (to announce as lease-expired). */
export interface QueueItemTransition<C extends QueueItemChange = QueueItemChange> {
  change: C;
  lapsed?: QueueItemClaim;
}

export type ClaimChange = { status: 'claimed'; claim: QueueItemClaim };
export type ReleaseChange = { status: 'open'; releaseClaim: true };
/**
 * Done, with no next check (`releaseClaim` when asked to remove the claim); on an item done already,
 * at most the clearing of a next check left behind.
 */
export type CompleteChange = { status: 'done'; doneAt: number; nextCheckAt: null; releaseClaim?: true } | { status?: never; doneAt?: never; releaseClaim?: never; nextCheckAt?: null };
/** The SLA's progress: the next check, and the levels sent when more were. */
export type SlaCheckChange = { nextCheckAt: number | null; slaSent?: string[] };
/** A new rank, or nothing when it did not change. */
export type RerankChange = { priority?: { score: number; reasons: string[] } };
export type AwaitEvidenceChange = { status: 'awaiting-evidence'; releaseClaim: true };
/** What an undo puts back: the claim as it was, or the status it had without a claim. */
export type RestoreChange = { status: 'claimed'; claim: QueueItemClaim } | { status: QueueItemStatus; releaseClaim: true };

const isTime = (t: unknown): t is number => typeof t === 'number' && Number.isFinite(t);
const refuse = (code: QueueItemRefusalCode, message: string): { ok: false; error: QueueItemRefusal } => fail({ code, message });

/** Whether an item is free to be claimed: open, or claimed under a lease that ran out. */
export const isClaimable = (item: QueueItemState, nowMs: number): boolean =>
  item.status === 'open' || (item.status === 'claimed' && (item.claim?.leaseUntil ?? 0) <= nowMs);

/** Whether `reviewerId` holds a live claim on the item. */
export const holdsClaim = (item: QueueItemState, reviewerId: string, nowMs: number): boolean =>
  item.status === 'claimed' && item.claim?.reviewerId === reviewerId && item.claim.leaseUntil > nowMs;

/** Why a claim (or renewal) of an item that is not claimable is refused. */
function claimRefusal(item: QueueItemState, claimant: Claimant, nowMs: number): { ok: false; error: QueueItemRefusal } {
  if (item.status === 'done') return refuse('QUEUE_ITEM.DONE', 'the item is done');
  if (item.status === 'awaiting-evidence') return refuse('QUEUE_ITEM.AWAITING_EVIDENCE', 'the item is waiting for evidence');
  if (holdsClaim(item, claimant.reviewerId, nowMs)) return refuse('QUEUE_ITEM.ALREADY_HELD', `${claimant.reviewerId} already holds the item`);
  return refuse('QUEUE_ITEM.CLAIMED_BY_OTHER', `the item is claimed by ${item.claim?.reviewerId ?? 'someone'}`);
}

/**
 * `claimant` takes the item for `leaseMs`: an open item, or one whose lease ran out (that claim is
 * `lapsed`). With `renewOwn`, a claimant who holds a live claim renews it: it keeps its `claimedAt`,
 * and the lease is never shortened (a renewal under a shorter lease keeps the longer one).
 */
export function claimItem(item: QueueItemState, claimant: Claimant, nowMs: number, options: { leaseMs: number; renewOwn?: boolean }): Result<QueueItemTransition<ClaimChange>, QueueItemRefusal> {
  const own = holdsClaim(item, claimant.reviewerId, nowMs) ? item.claim : undefined;
  if (own && options.renewOwn) {
    const claim = { reviewerId: claimant.reviewerId, role: claimant.role, leaseUntil: Math.max(nowMs + options.leaseMs, own.leaseUntil), claimedAt: own.claimedAt };
    return ok({ change: { status: 'claimed', claim } });
  }
  if (!isClaimable(item, nowMs)) return claimRefusal(item, claimant, nowMs);
  const claim = { reviewerId: claimant.reviewerId, role: claimant.role, leaseUntil: nowMs + options.leaseMs, claimedAt: nowMs };
  const lapsed = item.status === 'claimed' ? item.claim : undefined;
  return ok({ change: { status: 'claimed', claim }, ...(lapsed ? { lapsed } : {}) });
}

/**
 * The holder gives the item back to the queue; someone else only with `mayReleaseOthers` (a lead).
 * The lease is not checked: a holder may release a claim whose lease ran out.
 */
export function releaseItem(item: QueueItemState, by: { reviewerId: string; mayReleaseOthers: boolean }): Result<QueueItemTransition<ReleaseChange>, QueueItemRefusal> {
  if (item.status !== 'claimed' || !item.claim) return refuse('QUEUE_ITEM.NOT_CLAIMED', `the item is not claimed (status ${item.status})`);
  if (item.claim.reviewerId !== by.reviewerId && !by.mayReleaseOthers) return refuse('QUEUE_ITEM.CLAIMED_BY_OTHER', `the item is claimed by ${item.claim.reviewerId}`);
  return ok({ change: { status: 'open', releaseClaim: true } });
}

/** A lead gives a claimed item (whoever holds it, lease live or not) to `to`, under a new lease. */
export function reassignItem(item: QueueItemState, to: Claimant, nowMs: number, leaseMs: number): Result<QueueItemTransition<ClaimChange>, QueueItemRefusal> {
  if (item.status !== 'claimed' || !item.claim) return refuse('QUEUE_ITEM.NOT_CLAIMED', `the item is not claimed (status ${item.status})`);
  return ok({ change: { status: 'claimed', claim: { reviewerId: to.reviewerId, role: to.role, leaseUntil: nowMs + leaseMs, claimedAt: nowMs } } });
}

/** A claim whose lease ran out goes back to the queue; the claim is `lapsed`. */
export function expireLease(item: QueueItemState, nowMs: number): Result<QueueItemTransition<ReleaseChange> & { lapsed: QueueItemClaim }, QueueItemRefusal> {
  if (item.status !== 'claimed' || !item.claim) return refuse('QUEUE_ITEM.NOT_CLAIMED', `the item is not claimed (status ${item.status})`);
  if (item.claim.leaseUntil > nowMs) return refuse('QUEUE_ITEM.LEASE_LIVE', `the lease runs until ${item.claim.leaseUntil}`);
  return ok({ change: { status: 'open', releaseClaim: true }, lapsed: item.claim });
}

/**
 * The item is finished, from any status, and the escalator never looks at it again (no next check).
 * The claim, if any, stays as a record of who held it (an expiry), unless `releaseClaim` asks to
 * remove it (a reviewer's verdict: `doneBy` records who). Completing a done item again is allowed and
 * changes nothing (its `doneAt` stays the first one) but clearing a next check left behind.
 */
export function completeItem(item: QueueItemState, nowMs: number, options: { releaseClaim?: boolean } = {}): Result<QueueItemTransition<CompleteChange>, QueueItemRefusal> {
  if (item.status === 'done') return ok({ change: (item.sla?.nextCheckAt ?? null) !== null ? { nextCheckAt: null } : {} });
  return ok({ change: { status: 'done', doneAt: nowMs, nextCheckAt: null, ...(options.releaseClaim ? { releaseClaim: true as const } : {}) } });
}

/**
 * The escalator's look at an item's SLA: the escalation keys handled so far (all of them; absent:
 * as they are) and when it looks next (null: never). Refused for a done item (`QUEUE_ITEM.DONE`: it
 * has no next check) and for progress that goes backwards — a key already sent missing from `sent` —
 * or a next check that is not a time (`QUEUE_ITEM.INVALID_SLA_CHECK`). `slaSent` is in the change
 * only when keys were added.
 */
export function recordSlaCheck(item: QueueItemState, check: { sent?: readonly string[]; nextCheckAt: number | null }): Result<QueueItemTransition<SlaCheckChange>, QueueItemRefusal> {
  if (item.status === 'done') return refuse('QUEUE_ITEM.DONE', 'the item is done: it has no next check');
  if (check.nextCheckAt !== null && !isTime(check.nextCheckAt)) return refuse('QUEUE_ITEM.INVALID_SLA_CHECK', `next check ${String(check.nextCheckAt)} is not a time`);
  const before = item.sla?.sent ?? [];
  const sent = check.sent ?? before;
  const forgotten = before.filter((key) => !sent.includes(key));
  if (forgotten.length) return refuse('QUEUE_ITEM.INVALID_SLA_CHECK', `SLA levels already sent would be forgotten: ${forgotten.join(', ')}`);
  const added = sent.some((key) => !before.includes(key));
  return ok({ change: { nextCheckAt: check.nextCheckAt, ...(added ? { slaSent: [...sent] } : {}) } });
}

/**
 * The item's rank as it is now (`ranked`: the policy's priority rules at this moment): a change only
 * when the score or the reasons differ from the item's. Refused for a done item (`QUEUE_ITEM.DONE`:
 * it is in no queue) and a score that is not a number (`QUEUE_ITEM.INVALID_PRIORITY`).
 */
export function rerankItem(item: QueueItemState, ranked: { score: number; reasons: readonly string[] }): Result<QueueItemTransition<RerankChange>, QueueItemRefusal> {
  if (item.status === 'done') return refuse('QUEUE_ITEM.DONE', 'the item is done');
  if (!isTime(ranked.score)) return refuse('QUEUE_ITEM.INVALID_PRIORITY', `priority ${String(ranked.score)} is not a number`);
  const reasons = item.priorityReasons ?? [];
  const same = ranked.score === item.priority && ranked.reasons.length === reasons.length && ranked.reasons.every((reason, i) => reason === reasons[i]);
  return ok({ change: same ? {} : { priority: { score: ranked.score, reasons: [...ranked.reasons] } } });
}

/** What a change merged after `C` may not set: any field `C` has (storing the claim and removing it count as one field). */
type ChangeFields<C> = { [K in keyof C]?: never } & ('claim' extends keyof C ? { releaseClaim?: never } : unknown) & ('releaseClaim' extends keyof C ? { claim?: never } : unknown);

/**
 * Two changes of one look at an item (an SLA check and a re-rank), as one write. They must set
 * different fields: the compiler refuses two that could contradict each other (two statuses, two
 * next checks, a claim stored and removed).
 */
export function mergeChanges<A extends QueueItemChange, B extends QueueItemChange>(a: A, b: B & ChangeFields<A>): A & B {
  return { ...a, ...b };
}

/**
 * The item waits for the crew's evidence, out of the queue; the claim, if any, goes. From open or
 * claimed (whoever holds it, lease live or not: who may ask is the caller's rule).
 */
export function awaitEvidence(item: QueueItemState): Result<QueueItemTransition<AwaitEvidenceChange>, QueueItemRefusal> {
  if (item.status === 'done') return refuse('QUEUE_ITEM.DONE', 'the item is done');
  if (item.status === 'awaiting-evidence') return refuse('QUEUE_ITEM.AWAITING_EVIDENCE', 'the item is waiting for evidence already');
  return ok({ change: { status: 'awaiting-evidence', releaseClaim: true } });
}

/**
 * The item goes back to the queue, whoever held it: an item whose evidence came (or is overdue), a
 * flagged item of a batch. From any status but done; the claim, if any, goes. Where in the queue it
 * goes (ahead of new work) is the queue's ordering, not a state of the item: the caller writes it.
 */
export function returnToQueue(item: QueueItemState): Result<QueueItemTransition<ReleaseChange>, QueueItemRefusal> {
  if (item.status === 'done') return refuse('QUEUE_ITEM.DONE', 'the item is done');
  return ok({ change: { status: 'open', releaseClaim: true } });
}

/**
 * The decider holds the item while their verdict waits in its undo window, until `nowMs + leaseMs`
 * at least: from any status but done, whoever held it (who may decide is the caller's rule; a lead
 * may decide an item waiting for evidence, as they may complete it). The decider's own claim, live
 * or lapsed, keeps when it was taken and is never shortened.
 */
export function holdForDecision(item: QueueItemState, decider: Claimant, nowMs: number, leaseMs: number): Result<QueueItemTransition<ClaimChange>, QueueItemRefusal> {
  if (item.status === 'done') return refuse('QUEUE_ITEM.DONE', 'the item is done');
  const own = item.status === 'claimed' && item.claim?.reviewerId === decider.reviewerId ? item.claim : undefined;
  const claim = { reviewerId: decider.reviewerId, role: decider.role, leaseUntil: Math.max(own?.leaseUntil ?? 0, nowMs + leaseMs), claimedAt: own?.claimedAt ?? nowMs };
  return ok({ change: { status: 'claimed', claim } });
}

/**
 * An undone decision puts its item back as it was before the hold (`previous`): claimed by whoever
 * held it, or in its status without a claim. The decider's own claim gets a working lease again
 * (until `nowMs + leaseMs` at least, never shortened); someone else's comes back as it was.
 * Always allowed: the hold made the item the decider's, and the undo window is the caller's rule.
 */
export function restoreItem(previous: QueueItemState, decider: { reviewerId: string }, nowMs: number, leaseMs: number): Result<QueueItemTransition<RestoreChange>, QueueItemRefusal> {
  const before = previous.claim;
  if (previous.status === 'claimed' && before) {
    const claim = before.reviewerId === decider.reviewerId ? { ...before, leaseUntil: Math.max(before.leaseUntil, nowMs + leaseMs) } : before;
    return ok({ change: { status: 'claimed', claim } });
  }
  return ok({ change: { status: previous.status, releaseClaim: true } });
}

/** `item` with `change` applied, as a store writes it. */
export function applyQueueItemChange<T extends QueueItemState>(item: T, change: QueueItemChange): T {
  const { claim: _dropped, ...unclaimed } = item;
  void _dropped;
  const base = (change.releaseClaim ? unclaimed : item) as T;
  const slaChanged = change.slaSent !== undefined || change.nextCheckAt !== undefined;
  return {
    ...base,
    ...(change.status !== undefined ? { status: change.status } : {}),
    ...(change.claim !== undefined ? { claim: change.claim } : {}),
    ...(change.doneAt !== undefined ? { doneAt: change.doneAt } : {}),
    ...(slaChanged ? { sla: { ...item.sla, sent: change.slaSent ?? item.sla?.sent ?? [], nextCheckAt: change.nextCheckAt !== undefined ? change.nextCheckAt : (item.sla?.nextCheckAt ?? null) } } : {}),
    ...(change.priority !== undefined ? { priority: change.priority.score, priorityReasons: change.priority.reasons } : {}),
  };
}

/** What a reviewer sees of the case in a queue listing, without reading the case. */
export interface QueueItemSummary {
  label?: string;
  confidence: number;
  band: Band;
  model: { name: string; version: string };
  subject: { type: string; id: string };
  category?: string;
}

/** An item to open: where it goes, how urgent it is, when its SLA is due and first checked. Times are epoch ms. */
export interface QueueItemOrder {
  itemId: string;
  caseId: string;
  useCase: string;
  queue: string;
  purpose: ReviewPurpose;
  /** 0: ahead of new work (an adjudication); 1 (the default): normal. */
  lane?: 0 | 1;
  priority: { score: number; reasons: string[] };
  dueAt: number;
  /** The escalator's first look; null: it never looks (golden items, second opinions). */
  nextCheckAt: number | null;
  batchKey?: string;
  similarityBasis?: SimilarityBasis;
  /** Reviewers who may not take the item (whoever gave the verdict it checks). */
  excludeReviewers?: string[];
}

/** A new item, as `openItem` makes it: open, unclaimed, no SLA step sent yet. */
export interface OpenedQueueItem extends QueueItemState {
  itemId: string;
  caseId: string;
  useCase: string;
  queue: string;
  purpose: ReviewPurpose;
  status: 'open';
  /** 0: back with new evidence (ahead of new work); 1: normal. Queues order by it ascending. */
  lane: 0 | 1;
  priority: number;
  priorityReasons: string[];
  enqueuedAt: number;
  dueAt: number;
  batchKey?: string;
  /** What batching by similarity compares (queues whose batch has `similarity`): from the prediction, no PII. */
  similarityBasis?: SimilarityBasis;
  /** A blind review: the reviewer does not see the decision it checks. */
  blind: boolean;
  /** Double review: reviewers who may not take this item (whoever gave the verdict it checks). */
  excludeReviewers?: string[];
  /** SLA bookkeeping: escalation keys already sent, and when the escalator must look next (null: never). */
  sla: { sent: string[]; nextCheckAt: number | null };
  /** Denormalised for listing without reading the case (`queueItemSummaryOf` in the case store). */
  summary: QueueItemSummary;
}

/**
 * Opens an item as `order` says, at `nowMs`: status open, no claim, lane 1 unless the order puts it
 * ahead, blind when it is a blind review. Refused (`QUEUE_ITEM.INVALID_ORDER`) when the order lacks an
 * id, a case or a queue, or a priority or time is not a finite number.
 */
export function openItem(order: QueueItemOrder, summary: QueueItemSummary, nowMs: number): Result<OpenedQueueItem, QueueItemRefusal> {
  const missing = (['itemId', 'caseId', 'useCase', 'queue'] as const).find((k) => typeof order[k] !== 'string' || order[k].length === 0);
  if (missing) return refuse('QUEUE_ITEM.INVALID_ORDER', `the item to open has no ${missing}`);
  if (!isTime(order.priority.score)) return refuse('QUEUE_ITEM.INVALID_ORDER', `item ${order.itemId}: priority ${String(order.priority.score)} is not a number`);
  if (!isTime(order.dueAt)) return refuse('QUEUE_ITEM.INVALID_ORDER', `item ${order.itemId}: due time ${String(order.dueAt)} is not a time`);
  if (order.nextCheckAt !== null && !isTime(order.nextCheckAt)) return refuse('QUEUE_ITEM.INVALID_ORDER', `item ${order.itemId}: first check ${String(order.nextCheckAt)} is not a time`);
  if (!isTime(nowMs)) return refuse('QUEUE_ITEM.INVALID_ORDER', `item ${order.itemId}: opened at ${String(nowMs)}, not a time`);
  return ok({
    itemId: order.itemId,
    caseId: order.caseId,
    useCase: order.useCase,
    queue: order.queue,
    purpose: order.purpose,
    status: 'open',
    lane: order.lane ?? 1,
    priority: order.priority.score,
    priorityReasons: [...order.priority.reasons],
    enqueuedAt: nowMs,
    dueAt: order.dueAt,
    ...(order.batchKey !== undefined ? { batchKey: order.batchKey } : {}),
    ...(order.similarityBasis !== undefined ? { similarityBasis: order.similarityBasis } : {}),
    blind: order.purpose === 'blind-review',
    ...(order.excludeReviewers !== undefined ? { excludeReviewers: [...order.excludeReviewers] } : {}),
    sla: { sent: [], nextCheckAt: order.nextCheckAt },
    summary,
  });
}

/** The order of one item of a router's work order (`case.routed`): its ISO times as epoch ms (a malformed one stays NaN, which `openItem` refuses). */
export function orderOfWorkItem(work: WorkOrderItem, ids: { itemId: string; caseId: string; useCase: string }): QueueItemOrder {
  return {
    ...ids,
    queue: work.queue,
    purpose: work.purpose,
    priority: work.priority,
    dueAt: Date.parse(work.dueAt),
    nextCheckAt: Date.parse(work.sla.nextCheckAt),
    ...(work.batchKey !== undefined ? { batchKey: work.batchKey } : {}),
    ...(work.similarityBasis !== undefined ? { similarityBasis: work.similarityBasis } : {}),
  };
}
