import { randomUUID } from 'node:crypto';
import { producedEvent, type QueueItemDoc } from '@arbiter/case-store';
import { EventSources, EventTypes, type ArbiterEvent, type EventDataMap, type EventType } from '@arbiter/contract';
import type { ActorRef, Policy, QueueSpec } from '@arbiter/core';
import type { PolicyRegistry } from '@arbiter/policy';
import type { Principal } from '../auth';
import { isLeadLike } from '../access';

export interface QueueRef {
  policy: Policy;
  queue: QueueSpec;
}

/** Every queue of every loaded policy, by id. */
export class QueueCatalog {
  private readonly byId = new Map<string, QueueRef>();
  constructor(policies: PolicyRegistry) {
    for (const policy of policies.list()) for (const queue of policy.queues) this.byId.set(queue.id, { policy, queue });
  }
  get(queueId: string): QueueRef | undefined {
    return this.byId.get(queueId);
  }
  all(): QueueRef[] {
    return [...this.byId.values()];
  }
}

/** Priority order: lane (0 first), priority (high first), due time (soonest first), id. */
export const byPriorityOrder = (a: PriorityKey, b: PriorityKey): number =>
  a.lane - b.lane || b.priority - a.priority || a.dueAt - b.dueAt || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0);

/** What the priority order compares (an item, or where a page of items ended). */
export interface PriorityKey {
  lane: number;
  priority: number;
  dueAt: number;
  itemId: string;
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/** The actor the events name: the caller's most specific working role. */
export function actorOf(p: Principal): ActorRef {
  const role = (['reviewer', 'on-call', 'lead', 'admin', 'auditor', 'support'] as const).find((r) => p.roles.includes(r)) ?? 'reviewer';
  return { id: p.id, role };
}

/** Acting on someone else's claim: as lead (or admin). */
export const leadActorOf = (p: Principal): ActorRef => ({ id: p.id, role: p.roles.includes('lead') ? 'lead' : isLeadLike(p) ? 'admin' : 'reviewer' });

export function event<T extends EventType>(type: T, data: EventDataMap[T], caseId: string, now: Date, id: string = randomUUID()): ArbiterEvent {
  return producedEvent(type, EventSources['review-queue'], data, { id, subject: caseId, time: now }) as ArbiterEvent;
}

/** Whether an item is claimable, and whether someone holds it: the core's queue-item rules. */
export { holdsClaim, isClaimable } from '@arbiter/core';

export function releasedOnExpiry(item: QueueItemDoc, now: Date): ArbiterEvent[] {
  if (item.status !== 'claimed' || !item.claim) return [];
  return [
    event(
      EventTypes.caseReleased,
      { caseId: item.caseId, useCase: item.useCase, queue: item.queue, releasedBy: { id: 'review-queue', role: 'system' }, reason: 'lease-expired', releasedAt: now.toISOString() },
      item.caseId,
      now,
    ),
  ];
}

/** An item as the API shows it. Blind items hide the model's label and confidence. */
export interface ItemView {
  itemId: string;
  caseId: string;
  useCase: string;
  queue: string;
  purpose: string;
  status: string;
  lane: number;
  priority: number;
  priorityReasons: string[];
  enqueuedAt: string;
  dueAt: string;
  batchKey?: string;
  blind: boolean;
  claim?: { reviewerId: string; leaseUntil: string; claimedAt: string };
  /** Adjudication items: the two verdicts that disagreed (only leads work these). */
  disagreement?: { first: { reviewerId: string; outcome: string }; second: { reviewerId: string; outcome: string } };
  /** A decision waiting in its undo window (it commits at `undoUntil` unless undone). */
  pendingDecision?: { by: string; undoUntil: string; batchId?: string };
  summary: { subject: { type: string; id: string }; model: { name: string; version: string }; category?: string; label?: string; confidence?: number; band?: string };
}

export function itemView(item: QueueItemDoc, options: { revealBlind?: boolean; revealGolden?: boolean } = {}): ItemView {
  const hide = item.blind && !options.revealBlind;
  const s = item.summary;
  return {
    itemId: item.itemId,
    caseId: item.caseId,
    useCase: item.useCase,
    queue: item.queue,
    // A golden case looks like any decision to whoever works it; leads, admins and auditors see what it is.
    purpose: item.purpose === 'golden' && !options.revealGolden ? 'decision' : item.purpose,
    status: item.status,
    lane: item.lane,
    priority: item.priority,
    priorityReasons: item.priorityReasons,
    enqueuedAt: iso(item.enqueuedAt),
    dueAt: iso(item.dueAt),
    ...(item.batchKey !== undefined ? { batchKey: item.batchKey } : {}),
    blind: item.blind,
    ...(item.disagreement ? { disagreement: item.disagreement } : {}),
    ...(item.claim && item.status === 'claimed' ? { claim: { reviewerId: item.claim.reviewerId, leaseUntil: iso(item.claim.leaseUntil), claimedAt: iso(item.claim.claimedAt) } } : {}),
    ...(pendingOf(item) ? { pendingDecision: pendingOf(item) } : {}),
    summary: {
      subject: s.subject,
      model: s.model,
      ...(s.category !== undefined ? { category: s.category } : {}),
      ...(hide ? {} : { ...(s.label !== undefined ? { label: s.label } : {}), confidence: s.confidence, band: s.band }),
    },
  };
}

function pendingOf(item: QueueItemDoc): ItemView['pendingDecision'] {
  const mark = item.pendingDecision;
  return mark ? { by: mark.by, undoUntil: iso(mark.commitAfter), ...(mark.batchId ? { batchId: mark.batchId } : {}) } : undefined;
}
