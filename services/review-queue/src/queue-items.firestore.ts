import { FieldValue, type DocumentReference, type DocumentSnapshot, type Transaction, type UpdateData } from '@google-cloud/firestore';
import { queueItemConverter, setTimer, type QueueItemDoc, type Work } from '@arbiter/cases';
import type { ArbiterEvent } from '@arbiter/contract';
import type { ItemClaim, QueueItemUnit, QueueItems, ReadItem } from './ports';
import type { ReviewStore } from './review-store';

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

  claim(read: ReadItem, claim: ItemClaim, events: readonly ArbiterEvent[], now: Date): Promise<boolean> {
    const snapshot = this.snapshots.get(read);
    if (!snapshot) throw new Error(`bug: item ${read.item.itemId} was not read through this adapter`);
    const nowMs = now.getTime();
    const change: UpdateData<QueueItemDoc> = { status: 'claimed', claim };
    // The escalator's timer for the end of the lease, committed with the claim.
    return this.store.compareAndSet(snapshot, change, events, nowMs, (batch) => setTimer(batch, this.store.firestore, 'lease', read.item.itemId, claim.leaseUntil, nowMs));
  }

  transact<T>(itemId: string, now: Date, work: (unit: QueueItemUnit) => Promise<Work<T>>): Promise<T> {
    const ref = this.ref(itemId);
    const nowMs = now.getTime();
    return this.store.cases.transact<T>(async (tx: Transaction) => {
      const item = (await tx.get(ref)).data();
      return work({
        item,
        claim: (claim) => {
          tx.update(ref, { status: 'claimed', claim });
          setTimer(tx, this.store.firestore, 'lease', itemId, claim.leaseUntil, nowMs);
        },
        release: () => {
          tx.update(ref, { status: 'open', claim: FieldValue.delete() });
        },
      });
    }, now);
  }
}
