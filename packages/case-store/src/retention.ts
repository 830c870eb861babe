import type { Policy } from '@arbiter/core';
import { Collections } from './documents';

/**
 * Retention of case state (a policy's `privacy.retention.caseDays`): every document that belongs to
 * a case carries `expireAt`, the time Firestore's TTL policy on that collection may delete it, written
 * with the document from the case's policy: counted from when the case opened, except a reviewer's
 * judged verdict and a golden case's instance, counted from when they were written.
 *
 * `expireAt` is a `Date` (stored by Firestore as a Timestamp: a TTL policy only acts on Timestamp
 * fields); every other time in these documents is epoch milliseconds.
 */
export const ExpiryField = 'expireAt';

/**
 * The collections whose documents carry `expireAt`; Terraform puts a TTL policy on each. Every
 * collection that grows with cases or events is here: a case's documents (`cases`, `queueItems`,
 * `caseRoutings`, `patterns`, `reviewerVerdicts`) and the markers written per event (`processed`: a consumer's
 * idempotency marker; `auditLedger`: the exporter's record of rows written; `auditCaseUseCases`: its
 * projection of each case's use case). The rest empty
 * themselves (`outbox` entries and timer buckets are deleted once used, `pendingDecisions` when
 * committed or undone) or are bounded (`metricReadings`: the last 96; `goldenCases`: loaded by hand;
 * `escalatorState`: one document).
 */
export const RetainedCollections = [Collections.cases, Collections.queueItems, Collections.routings, Collections.patterns, Collections.reviewerVerdicts, Collections.processed, Collections.auditLedger, Collections.auditCaseUseCases] as const;

const DAY_MS = 86_400_000;

/** Pub/Sub keeps an unacknowledged message at most 7 days: a marker that stops a redelivery acting twice must outlive that. */
export const REDELIVERY_WINDOW_MS = 7 * DAY_MS;

/** When a case's documents may be deleted: `caseDays` after the case opened. */
export const caseExpiry = (policy: Pick<Policy, 'privacy'>, openedAt: number): Date => new Date(openedAt + policy.privacy.retention.caseDays * DAY_MS);

/**
 * When a marker written for one of a case's events (`processed`, `auditLedger`) may be deleted: the
 * policy's `caseDays` after it was written, but never within the redelivery window (a shorter
 * `caseDays` would let a late redelivery act twice).
 */
export const markerExpiry = (policy: Pick<Policy, 'privacy'>, writtenAt: number): Date => new Date(writtenAt + Math.max(policy.privacy.retention.caseDays * DAY_MS, REDELIVERY_WINDOW_MS));
