/**
 * The in-memory twin of `FirestoreQueueItems`, for unit tests of the claim use cases: items in a map,
 * each with a version that every write bumps, so a claim conditioned on an older read loses as the
 * Firestore compare-and-set does; a unit of work commits all of its changes and events, or nothing.
 */
import type { CaseDoc, GoldenCaseDoc, QueueItemDoc, Work } from '@arbiter/case-store';
import type { ArbiterEvent } from '@arbiter/contract';
import { applyQueueItemChange, deepCopy, servesExtraGolden, type ClaimChange, type Policy, type QueueSpec, type ReviewerStanding } from '@arbiter/core';
import type { EnqueueUnit, GoldenSet, QueueItemUnit, QueueItems, ReadItem, ReviewerQuality } from './ports';
import type { ReviewerVerdictDoc } from './reviewer-verdicts';

export class InMemoryQueueItems implements QueueItems {
  readonly items = new Map<string, QueueItemDoc>();
  private readonly versions = new Map<string, number>();
  private readonly readAt = new WeakMap<ReadItem, number>();
  /** Events of committed writes, in commit order (what the outbox would publish). */
  readonly staged: ArbiterEvent[] = [];
  /** The lease timers written, as `itemId@leaseUntil`, in order. */
  readonly leaseTimers: string[] = [];
  /** The SLA timers written, as `itemId@at`, in order. */
  readonly slaTimers: string[] = [];
  readonly cases = new Map<string, CaseDoc>();
  /** Called before a claim's conditional write: to play another reviewer getting there first. */
  beforeClaim?: (itemId: string) => void;

  put(item: QueueItemDoc): void {
    this.write(item);
  }

  private write(item: QueueItemDoc): void {
    this.items.set(item.itemId, deepCopy(item));
    this.versions.set(item.itemId, (this.versions.get(item.itemId) ?? 0) + 1);
  }

  private reading(item: QueueItemDoc): ReadItem {
    const read: ReadItem = { item: deepCopy(item) };
    this.readAt.set(read, this.versions.get(item.itemId) ?? 0);
    return read;
  }

  async read(itemId: string): Promise<ReadItem | undefined> {
    const item = this.items.get(itemId);
    return item ? this.reading(item) : undefined;
  }

  async claimCandidates(queue: string, nowMs: number, openLimit: number, expiredLimit: number): Promise<ReadItem[]> {
    const inQueue = [...this.items.values()].filter((item) => item.queue === queue);
    const open = inQueue
      .filter((item) => item.status === 'open')
      .sort((a, b) => a.lane - b.lane || b.priority - a.priority || a.dueAt - b.dueAt || a.itemId.localeCompare(b.itemId))
      .slice(0, openLimit);
    const expired = inQueue
      .filter((item) => item.status === 'claimed' && item.claim !== undefined && item.claim.leaseUntil <= nowMs)
      .sort((a, b) => (a.claim?.leaseUntil ?? 0) - (b.claim?.leaseUntil ?? 0))
      .slice(0, expiredLimit);
    return [...open, ...expired].map((item) => this.reading(item));
  }

  async claimedBy(queue: string, reviewerId: string): Promise<QueueItemDoc[]> {
    return [...this.items.values()].filter((item) => item.queue === queue && item.status === 'claimed' && item.claim?.reviewerId === reviewerId).map((item) => deepCopy(item));
  }

  async claim(read: ReadItem, change: ClaimChange, events: readonly ArbiterEvent[], _now: Date): Promise<boolean> {
    const { itemId } = read.item;
    this.beforeClaim?.(itemId);
    const current = this.items.get(itemId);
    if (!current || this.versions.get(itemId) !== this.readAt.get(read)) return false;
    this.write(applyQueueItemChange(current, change));
    this.leaseTimers.push(`${itemId}@${change.claim.leaseUntil}`);
    this.staged.push(...events);
    return true;
  }

  async transact<T>(itemId: string, _now: Date, work: (unit: QueueItemUnit) => Promise<Work<T>>): Promise<T> {
    const current = this.items.get(itemId);
    let next = current && deepCopy(current);
    const timers: string[] = [];
    const done = await work({
      item: current && deepCopy(current),
      claim: (change) => {
        if (!next) throw new Error(`bug: claim of ${itemId}, which does not exist`);
        next = applyQueueItemChange(next, change);
        timers.push(`${itemId}@${change.claim.leaseUntil}`);
      },
      release: (change) => {
        if (!next) throw new Error(`bug: release of ${itemId}, which does not exist`);
        next = applyQueueItemChange(next, change);
      },
    });
    if (next && JSON.stringify(next) !== JSON.stringify(current)) this.write(next);
    this.leaseTimers.push(...timers);
    this.staged.push(...done.events);
    return done.result;
  }

  async enqueue<T>(read: { caseId: string; itemIds: readonly string[]; caseIds: readonly string[] }, _now: Date, work: (unit: EnqueueUnit) => Work<T>): Promise<T> {
    const caseDoc = this.cases.get(read.caseId);
    const items: QueueItemDoc[] = [];
    const cases: CaseDoc[] = [];
    let change: { status?: 'in-review'; enqueueDone?: true } = {};
    const done = work({
      caseDoc: caseDoc && deepCopy(caseDoc),
      existingItems: new Set(read.itemIds.filter((id) => this.items.has(id))),
      existingCases: new Set(read.caseIds.filter((id) => this.cases.has(id))),
      createItem: (item) => items.push(deepCopy(item)),
      createCase: (doc) => cases.push(deepCopy(doc)),
      updateCase: (asked) => (change = { ...change, ...asked }),
    });
    // Commit: a create of something that exists fails the whole unit, as Firestore's create does.
    const clash = [...items.filter((item) => this.items.has(item.itemId)).map((item) => item.itemId), ...cases.filter((doc) => this.cases.has(doc.caseId)).map((doc) => doc.caseId)];
    if (clash.length) throw Object.assign(new Error(`6 ALREADY_EXISTS: ${clash.join(', ')} (twin)`), { code: 6 });
    for (const item of items) {
      this.write(item);
      if (item.sla.nextCheckAt !== null) this.slaTimers.push(`${item.itemId}@${item.sla.nextCheckAt}`);
    }
    for (const doc of cases) this.cases.set(doc.caseId, doc);
    if (caseDoc && (change.status || change.enqueueDone)) {
      const { nextStep, ...rest } = caseDoc;
      this.cases.set(read.caseId, { ...(change.enqueueDone ? rest : { ...rest, ...(nextStep ? { nextStep } : {}) }), ...(change.status ? { status: change.status } : {}) });
    }
    this.staged.push(...done.events);
    return done.result;
  }
}

/** The twin of `FirestoreGoldenSet`. */
export class InMemoryGoldenSet implements GoldenSet {
  constructor(readonly golden: GoldenCaseDoc[] = []) {}
  async ofQueue(useCase: string, queue: string): Promise<GoldenCaseDoc[]> {
    return this.golden.filter((g) => g.useCase === useCase && g.queue === queue).sort((a, b) => (a.goldenId < b.goldenId ? -1 : 1));
  }
}

/**
 * The twin of `FirestoreReviewerQuality`: standings set by the test (default: in good standing), for
 * a flagged reviewer, at the policy's rate, the golden item `mint` makes (put in `items`), and the
 * judged verdicts the test puts in `verdicts`.
 */
export class InMemoryReviewerQuality implements ReviewerQuality {
  readonly standings = new Map<string, ReviewerStanding>();
  readonly served: string[] = [];
  readonly verdicts: ReviewerVerdictDoc[] = [];

  constructor(
    private readonly items: InMemoryQueueItems,
    private readonly mint?: (reviewerId: string, queue: QueueSpec, nowMs: number) => QueueItemDoc,
  ) {}

  async standingOf(reviewerId: string): Promise<ReviewerStanding> {
    return this.standings.get(reviewerId) ?? { known: 0, correct: 0, accuracy: null, pairs: 0, kappa: null, flagged: false, reasons: [] };
  }

  async extraGoldenFor(reviewerId: string, policy: Policy, queue: QueueSpec, standing: ReviewerStanding | undefined, nowMs: number, draw: number): Promise<{ itemId: string } | undefined> {
    if (!policy.quality || !standing || !this.mint || !servesExtraGolden(standing, policy.quality, draw)) return undefined;
    const item = this.mint(reviewerId, queue, nowMs);
    this.items.put(item);
    this.served.push(item.itemId);
    return { itemId: item.itemId };
  }

  async recentVerdicts(limit: number): Promise<ReviewerVerdictDoc[]> {
    return [...this.verdicts].sort((a, b) => b.at - a.at).slice(0, limit).map((v) => deepCopy(v));
  }
}
