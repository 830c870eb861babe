import { FieldPath, type DocumentReference, type DocumentSnapshot, type Firestore, type Query, type Transaction, type WriteBatch } from '@google-cloud/firestore';
import { Collections, goldenCaseConverter, GrpcCode, pendingStepDone, queueItemConverter, queueItemUpdateOf, setTimer, type CaseDoc, type CaseStore, type GoldenCaseDoc, type QueueItemDoc, type Work } from '@arbiter/case-store';
import type { ArbiterEvent } from '@arbiter/contract';
import type { ClaimChange } from '@arbiter/core';
import type { EnqueueUnit, GoldenSet, QueueItemUnit, QueueItems, ReadItem } from './ports';

/**
 * Queue items in Firestore (`queueItems/{itemId}`), read through the typed converter. A claim is a
 * compare-and-set on the item's update time as it was read (`compareAndSet`), so the adapter keeps,
 * for each item it handed out, the snapshot it came from. Every query names one queue, so no reviewer
 * ever writes a shared document; production needs the composite indexes in `firestore.indexes.json`.
 */
export class FirestoreQueueItems implements QueueItems {
  private readonly snapshots = new WeakMap<ReadItem, DocumentSnapshot>();

  constructor(private readonly store: CaseStore) {}

  private ref(itemId: string): DocumentReference<QueueItemDoc> {
    return this.store.firestore.collection(Collections.queueItems).doc(itemId).withConverter(queueItemConverter);
  }

  private inQueue(queue: string): Query<QueueItemDoc> {
    return this.store.firestore.collection(Collections.queueItems).withConverter(queueItemConverter).where('queue', '==', queue);
  }

  /**
   * Compare-and-set on one item: writes `data` only if the item has not changed since `snapshot` was
   * read, atomically with the outbox entries of `events`, then publishes them (soon, without waiting).
   * No locks are held between read and write, so reviewers racing for one item never wait on each
   * other: the loser's commit fails at once (false) and it moves on. `also` adds writes of its own to
   * the same commit (a claim's lease timer).
   */
  private compareAndSet(snapshot: DocumentSnapshot, data: Record<string, unknown>, events: readonly ArbiterEvent[], nowMs: number, also?: (batch: WriteBatch) => void): Promise<boolean> {
    if (!snapshot.updateTime) return Promise.resolve(false);
    const updateTime = snapshot.updateTime;
    // Someone else got there first: FAILED_PRECONDITION, ABORTED, NOT_FOUND.
    return this.store.commitWithEvents(
      (batch) => {
        batch.update(snapshot.ref, data, { lastUpdateTime: updateTime });
        also?.(batch);
      },
      events,
      new Date(nowMs),
      { lostOn: [GrpcCode.FAILED_PRECONDITION, GrpcCode.ABORTED, GrpcCode.NOT_FOUND], publish: 'soon' },
    );
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
    const open = this.inQueue(queue).where('status', '==', 'open').orderBy('lane').orderBy('priority', 'desc').orderBy('dueAt').orderBy(FieldPath.documentId()).limit(openLimit);
    const expired = this.inQueue(queue).where('status', '==', 'claimed').where('claim.leaseUntil', '<=', nowMs).orderBy('claim.leaseUntil').limit(expiredLimit);
    const [openSnap, expiredSnap] = await Promise.all([open.get(), expired.get()]);
    return [...openSnap.docs, ...expiredSnap.docs].map((snapshot) => this.remember(snapshot, snapshot.data()));
  }

  async claimedBy(queue: string, reviewerId: string): Promise<QueueItemDoc[]> {
    const snapshot = await this.inQueue(queue).where('status', '==', 'claimed').where('claim.reviewerId', '==', reviewerId).limit(20).get();
    return snapshot.docs.map((d) => d.data());
  }

  claim(read: ReadItem, change: ClaimChange, events: readonly ArbiterEvent[], now: Date): Promise<boolean> {
    const snapshot = this.snapshots.get(read);
    if (!snapshot) throw new Error(`bug: item ${read.item.itemId} was not read through this adapter`);
    const nowMs = now.getTime();
    // The escalator's timer for the end of the lease, committed with the claim.
    return this.compareAndSet(snapshot, queueItemUpdateOf(change), events, nowMs, (batch) => setTimer(batch, this.store.firestore, 'lease', read.item.itemId, change.claim.leaseUntil, nowMs));
  }

  transact<T>(itemId: string, now: Date, work: (unit: QueueItemUnit) => Promise<Work<T>>): Promise<T> {
    const ref = this.ref(itemId);
    const nowMs = now.getTime();
    return this.store.transact<T>(async (tx: Transaction) => {
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
    const caseRef = (caseId: string): DocumentReference<CaseDoc> => this.store.caseRef(caseId);
    return this.store.transact<T>(async (tx: Transaction) => {
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

/** The golden set in Firestore (`goldenCases/{goldenId}`), loaded by `pnpm learning-loop golden load`. */
export class FirestoreGoldenSet implements GoldenSet {
  constructor(private readonly firestore: Firestore) {}

  async ofQueue(useCase: string, queue: string): Promise<GoldenCaseDoc[]> {
    const set = await this.firestore.collection(Collections.goldenCases).withConverter(goldenCaseConverter).where('useCase', '==', useCase).where('queue', '==', queue).limit(500).get();
    return set.docs.map((doc) => doc.data()).sort((a, b) => (a.goldenId < b.goldenId ? -1 : 1));
  }
}

