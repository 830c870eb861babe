import type { DocumentReference, DocumentSnapshot, Transaction } from '@google-cloud/firestore';
import { caseConverter, pendingStepDone, queueItemConverter, queueItemUpdateOf, setTimer, type CaseDoc, type QueueItemDoc, type Work } from '@arbiter/cases';
import type { ArbiterEvent } from '@arbiter/contract';
import type { ClaimChange } from '@arbiter/core';
import { GOLDEN_COLLECTION, type GoldenCaseDoc } from './golden';
import type { EnqueueUnit, GoldenSet, QueueItemUnit, QueueItems, ReadItem } from './ports';
import type { ReviewStore } from './review-store.firestore';

/**
 * Queue items in Firestore (`queueItems/{itemId}`), read through the typed converter. A claim is a
 * compare-and-set on the item's update time as it was read (`ReviewStore.compareAndSet`), so the
 * adapter keeps, for each item it handed out, the snapshot it came from.
 */
export class FirestoreQueueItems implements QueueItems {
  private readonly snapshots = new WeakMap<ReadItem, DocumentSnapshot>();

  constructor(private readonly store: ReviewStore) {}

  private ref(itemId: string): DocumentReference<QueueItemDoc> {
    return this.store.itemRef(itemId).withConverter(queueItemConverter);
  }

  private remember(snapshot: DocumentSnapshot, item: QueueItemDoc): ReadItem {
    const read: ReadItem = { item };
    this.snapshots.set(read, snapshot);
    return read;
  }

  async read(itemId: string): Promise<ReadItem | undefined> {
    const snapshot = await this.ref(itemId).get();
    const item = snapshot.data();
    return item ? this.remember(snapshot, item) : undefined;
  }

  async claimCandidates(queue: string, nowMs: number, openLimit: number, expiredLimit: number): Promise<ReadItem[]> {
    const snapshots = await this.store.claimCandidates(queue, nowMs, openLimit, expiredLimit);
    return snapshots.map((snapshot) => this.remember(snapshot, queueItemConverter.fromFirestore(snapshot)));
  }

  claimedBy(queue: string, reviewerId: string): Promise<QueueItemDoc[]> {
    return this.store.claimedBy(queue, reviewerId);
  }

  claim(read: ReadItem, change: ClaimChange, events: readonly ArbiterEvent[], now: Date): Promise<boolean> {
    const snapshot = this.snapshots.get(read);
    if (!snapshot) throw new Error(`bug: item ${read.item.itemId} was not read through this adapter`);
    const nowMs = now.getTime();
    // The escalator's timer for the end of the lease, committed with the claim.
    return this.store.compareAndSet(snapshot, queueItemUpdateOf(change), events, nowMs, (batch) => setTimer(batch, this.store.firestore, 'lease', read.item.itemId, change.claim.leaseUntil, nowMs));
  }

  transact<T>(itemId: string, now: Date, work: (unit: QueueItemUnit) => Promise<Work<T>>): Promise<T> {
    const ref = this.ref(itemId);
    const nowMs = now.getTime();
    return this.store.cases.transact<T>(async (tx: Transaction) => {
      const item = (await tx.get(ref)).data();
      return work({
        item,
        claim: (change) => {
          tx.update(ref, queueItemUpdateOf(change));
          setTimer(tx, this.store.firestore, 'lease', itemId, change.claim.leaseUntil, nowMs);
        },
        release: (change) => {
          tx.update(ref, queueItemUpdateOf(change));
        },
      });
    }, now);
  }

  enqueue<T>(read: { caseId: string; itemIds: readonly string[]; caseIds: readonly string[] }, now: Date, work: (unit: EnqueueUnit) => Work<T>): Promise<T> {
    const { firestore } = this.store;
    const nowMs = now.getTime();
    const caseRef = (caseId: string): DocumentReference<CaseDoc> => this.store.caseRef(caseId).withConverter(caseConverter);
    return this.store.cases.transact<T>(async (tx: Transaction) => {
      const caseDoc = (await tx.get(caseRef(read.caseId))).data();
      const items = read.itemIds.length ? await tx.getAll(...read.itemIds.map((id) => this.ref(id))) : [];
      // A golden instance (rare: the policy's goldenRate) costs one more read.
      const cases = read.caseIds.length ? await tx.getAll(...read.caseIds.map(caseRef)) : [];
      return work({
        caseDoc,
        existingItems: new Set(items.filter((snapshot) => snapshot.exists).map((snapshot) => snapshot.id)),
        existingCases: new Set(cases.filter((snapshot) => snapshot.exists).map((snapshot) => snapshot.id)),
        createItem: (item) => {
          tx.create(this.ref(item.itemId), item);
          if (item.sla.nextCheckAt !== null) setTimer(tx, firestore, 'sla', item.itemId, item.sla.nextCheckAt, nowMs);
        },
        createCase: (doc) => {
          tx.create(caseRef(doc.caseId), doc);
        },
        updateCase: (change) => {
          if (change.status === undefined && !change.enqueueDone) return;
          tx.update(caseRef(read.caseId), { ...(change.status ? { status: change.status } : {}), ...(change.enqueueDone ? { nextStep: pendingStepDone() } : {}) });
        },
      });
    }, now);
  }
}

/** The golden set in Firestore (`goldenCases/{goldenId}`), loaded by `arbiter-stack golden load`. */
export class FirestoreGoldenSet implements GoldenSet {
  constructor(private readonly store: ReviewStore) {}

  async ofQueue(useCase: string, queue: string): Promise<GoldenCaseDoc[]> {
    const set = await this.store.firestore.collection(GOLDEN_COLLECTION).where('useCase', '==', useCase).where('queue', '==', queue).limit(500).get();
    return set.docs.map((doc) => goldenCaseOf(doc.data())).sort((a, b) => (a.goldenId < b.goldenId ? -1 : 1));
  }
}

/** A golden case as read, once the fields the enqueue relies on are there. */
function goldenCaseOf(data: Record<string, unknown>): GoldenCaseDoc {
  const isGolden = (d: Record<string, unknown>): d is Record<string, unknown> & GoldenCaseDoc => typeof d.goldenId === 'string' && typeof d.queue === 'string' && typeof d.useCase === 'string' && typeof d.expectedOutcome === 'string';
  if (!isGolden(data)) throw new Error(`bug: a document in ${GOLDEN_COLLECTION} is not a golden case (goldenId, useCase, queue, expectedOutcome)`);
  return data;
}
