import type { Policy } from '@arbiter/core';
import { Collections } from './documents';

/**
 * Retention of case state (a policy's `privacy.retention.caseDays`): every document that belongs to
 * a case carries `expireAt`, the time Firestore's TTL policy on that collection may delete it. It is
 * counted from when the case opened, and written with the document, from the case's policy.
 *
 * `expireAt` is a `Date` (stored by Firestore as a Timestamp: a TTL policy only acts on Timestamp
 * fields); every other time in these documents is epoch milliseconds.
 */
export const ExpiryField = 'expireAt';

/** The collections whose documents carry `expireAt`; Terraform puts a TTL policy on each. */
export const RetainedCollections = [Collections.cases, Collections.queueItems, Collections.routings, Collections.patterns, Collections.reviewerVerdicts] as const;

const DAY_MS = 86_400_000;

/** When a case's documents may be deleted: `caseDays` after the case opened. */
export const caseExpiry = (policy: Pick<Policy, 'privacy'>, openedAt: number): Date => new Date(openedAt + policy.privacy.retention.caseDays * DAY_MS);
