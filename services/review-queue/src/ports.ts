/**
 * What review-queue's use cases ask of the store. The Firestore adapters (`*.firestore.ts`) implement
 * them; the in-memory twins (`*.test-support.ts`) stand in for them in unit tests. A use case that goes
 * through these ports touches no Firestore type.
 *
 * So far the claims (claim next, claim one, release, reassign) and the enqueuing of a routed case go
 * through these ports; the other use cases still use `ReviewStore` directly (see
 * `.dependency-cruiser-known-violations.json`).
 */
import type { CaseDoc, QueueItemDoc, Work } from '@arbiter/cases';
import type { ArbiterEvent } from '@arbiter/contract';
import type { Policy, QueueSpec, ReviewerStanding } from '@arbiter/core';
import type { GoldenCaseDoc } from './golden';

/** A reviewer's lease on an item. */
export type ItemClaim = NonNullable<QueueItemDoc['claim']>;

/**
 * A queue item as one read saw it. A conditional write on it (`QueueItems.claim`) succeeds only if the
 * item has not changed since that read; the adapter remembers what it needs for that.
 */
export interface ReadItem {
  readonly item: QueueItemDoc;
}

/** One unit of work on one queue item: what it changes commits with its events, or nothing does. */
export interface QueueItemUnit {
  /** The item as read in this unit of work (undefined: no such item). */
  readonly item: QueueItemDoc | undefined;
  /** Gives the item to `claim.reviewerId` (status `claimed`), with the escalator's timer for the end of the lease. */
  claim(claim: ItemClaim): void;
  /** Puts the item back in the queue: status `open`, no claim. */
  release(): void;
}

/** One unit of work that enqueues a routed case: reads first, then writes, all committed together. */
export interface EnqueueUnit {
  /** The case as read in this unit of work (undefined: no such case). */
  readonly caseDoc: CaseDoc | undefined;
  /** Which of the queue items asked about exist already. */
  readonly existingItems: ReadonlySet<string>;
  /** Which of the cases asked about (a golden instance) exist already. */
  readonly existingCases: ReadonlySet<string>;
  /** Creates the item (fails the whole unit if it exists), with the escalator's timer for its first SLA check when it has one. */
  createItem(item: QueueItemDoc): void;
  /** Creates a case document (a golden instance); fails the whole unit if it exists. */
  createCase(caseDoc: CaseDoc): void;
  /** Changes the routed case: its status, and that its pending `enqueue` step has happened. */
  updateCase(change: { status?: 'in-review'; enqueueDone?: true }): void;
}

/** The queue items, as the claim and enqueue use cases see them. */
export interface QueueItems {
  read(itemId: string): Promise<ReadItem | undefined>;
  /** What "next case" chooses from: the top `openLimit` open items and the `expiredLimit` oldest expired claims of a queue. */
  claimCandidates(queue: string, nowMs: number, openLimit: number, expiredLimit: number): Promise<ReadItem[]>;
  /** Items `reviewerId` holds in `queue` (claimed; the lease is not checked). */
  claimedBy(queue: string, reviewerId: string): Promise<QueueItemDoc[]>;
  /**
   * Claims the item as `read` saw it for `claim.reviewerId`, with the lease timer, committed with
   * `events` (outbox; published soon after, without waiting), only if nobody changed it since the
   * read: no lock, so a reviewer who loses the race learns it at once (false) and tries another.
   */
  claim(read: ReadItem, claim: ItemClaim, events: readonly ArbiterEvent[], now: Date): Promise<boolean>;
  /** Runs `work` in one unit of work on the item; its events are staged in the outbox and published after the commit. */
  transact<T>(itemId: string, now: Date, work: (unit: QueueItemUnit) => Promise<Work<T>>): Promise<T>;
  /** Runs `work` in one unit of work that reads the case `caseId`, which of `itemIds` and `caseIds` exist, and writes what `work` creates. */
  enqueue<T>(read: { caseId: string; itemIds: readonly string[]; caseIds: readonly string[] }, now: Date, work: (unit: EnqueueUnit) => Work<T>): Promise<T>;
}

/** Golden cases (cases with known answers) loaded for calibration. */
export interface GoldenSet {
  /** The golden cases of a queue, ordered by `goldenId` (at most 500). */
  ofQueue(useCase: string, queue: string): Promise<GoldenCaseDoc[]>;
}

/** Reviewers' judged verdicts (reviewer-quality.firestore.ts), as "next case" needs them. */
export interface ReviewerQuality {
  /** The reviewer's standing on a use case against the policy's quality bar, from their recent judged verdicts. */
  standingOf(reviewerId: string, useCase: string, quality: NonNullable<Policy['quality']>): Promise<ReviewerStanding>;
  /**
   * For a flagged reviewer, at the policy's rate (`draw` in [0, 1)): a golden case of `queue` minted
   * for them, open, whose item the caller claims. Undefined otherwise.
   */
  extraGoldenFor(reviewerId: string, policy: Policy, queue: QueueSpec, standing: ReviewerStanding | undefined, nowMs: number, draw: number): Promise<{ itemId: string } | undefined>;
}
