/**
 * What each role may do. Pure functions over the principal, the policy's queue and the item.
 *
 * - reviewer: works the queues their queue roles allow (`queues[].roles` in the policy), or exactly
 *   the queues of the token's `queues` allow-list when the token carries one;
 * - lead: works every queue, sees the lead overview, releases and reassigns anyone's claim;
 * - on-call: works escalated items (an escalation was sent, or the item is past due) in any queue;
 * - auditor: reads cases (and their audit) in every queue; decides nothing;
 * - support: reads dispute views;
 * - admin: everything, and the only role that sees PII fields unredacted.
 */
import type { QueueItemDoc } from '@arbiter/case-store';
import type { QueueSpec } from '@arbiter/core';
import type { PlatformRole, Principal } from './auth';

const has = (p: Principal, ...roles: PlatformRole[]): boolean => roles.some((r) => p.roles.includes(r));

export const isLeadLike = (p: Principal): boolean => has(p, 'lead', 'admin');

/** A reviewer's own queues (leads and admins: every queue). Does not include on-call's escalated work. */
export function worksQueueAsReviewer(p: Principal, queue: Pick<QueueSpec, 'id' | 'roles'>): boolean {
  if (isLeadLike(p)) return true;
  if (!has(p, 'reviewer')) return false;
  if (p.queues !== undefined) return p.queues.includes(queue.id);
  return queue.roles.some((role) => p.queueRoles.includes(role));
}

/** Queues the caller may take work from at all (`GET /api/queues`, `POST …/next`). */
export function mayWorkQueue(p: Principal, queue: Pick<QueueSpec, 'id' | 'roles'>): boolean {
  return worksQueueAsReviewer(p, queue) || has(p, 'on-call');
}

export function isEscalated(item: Pick<QueueItemDoc, 'sla' | 'dueAt'>, nowMs: number): boolean {
  return item.sla.sent.includes('escalated') || item.sla.sent.includes('on-call') || item.dueAt <= nowMs;
}

/** Whether the caller may claim and decide this item. */
export function mayWorkItem(p: Principal, item: Pick<QueueItemDoc, 'sla' | 'dueAt' | 'excludeReviewers'> & Partial<Pick<QueueItemDoc, 'purpose'>>, queue: Pick<QueueSpec, 'id' | 'roles'>, nowMs: number): boolean {
  // A double review is never given to the reviewer whose verdict it checks.
  if (item.excludeReviewers?.includes(p.id)) return false;
  // Adjudicating a disagreeing double review is a lead's work.
  if (item.purpose === 'adjudication') return isLeadLike(p);
  if (worksQueueAsReviewer(p, queue)) return true;
  return has(p, 'on-call') && isEscalated(item, nowMs);
}

/** Reading a case (single-pane view, evidence): anyone who may work one of its queues, auditors, on-call. */
export function mayReadCase(p: Principal, queues: ReadonlyArray<Pick<QueueSpec, 'id' | 'roles'>>): boolean {
  if (has(p, 'admin', 'lead', 'auditor', 'on-call')) return true;
  return queues.some((q) => worksQueueAsReviewer(p, q));
}

export const mayViewDisputes = (p: Principal): boolean => has(p, 'support', 'lead', 'auditor', 'admin');
export const mayViewLeadOverview = (p: Principal): boolean => has(p, 'lead', 'admin');
/** PII fields (the policy's `privacy.redact`) are shown only to admins; everybody else sees them redacted. */
export const maySeePii = (p: Principal): boolean => has(p, 'admin');
/** Leads and admins see the automatic outcome even on blind-review items; auditors too (they audit alignment). */
export const maySeeBlindOutcome = (p: Principal): boolean => has(p, 'lead', 'admin', 'auditor');
