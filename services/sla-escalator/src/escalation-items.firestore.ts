import { type DocumentData, type DocumentReference, type Transaction } from '@google-cloud/firestore';
import { Collections, decideInTransaction, moveTimer, queueItemConverter, queueItemUpdateOf, type CaseDoc, type CaseStore, type QueueItemDoc, type Work } from '@arbiter/case-store';
import type { Result } from '@arbiter/core';
import type { DueTimer, EscalationItems, EscalationUnit, StoreFailure } from './ports';
import { storeResult } from './store-result.firestore';

const isQueueItem = (doc: QueueItemDoc | CaseDoc): doc is QueueItemDoc => 'itemId' in doc;

/**
 * Queue items in Firestore (`queueItems/{itemId}`), each unit of work a transaction on the item (and
 * its case) through `CaseStore.transact`, which stages the events in the outbox in the same commit.
 * A decision item's id names its case (`<caseId>~decision`): item and case are read in one round trip.
 */
export class FirestoreEscalationItems implements EscalationItems {
  constructor(private readonly store: CaseStore) {}

  private itemRef(itemId: string): DocumentReference<QueueItemDoc> {
    return this.store.firestore.collection(Collections.queueItems).doc(itemId).withConverter(queueItemConverter);
  }

  private caseRef(caseId: string): DocumentReference<CaseDoc> {
    return this.store.caseRef(caseId);
  }

  transact<T>(timer: DueTimer, now: Date, work: (unit: EscalationUnit) => Promise<Work<T>>): Promise<Result<T, StoreFailure>> {
    const { store } = this;
    const nowMs = now.getTime();
    const itemRef = this.itemRef(timer.itemId);
    const [idCaseId, idPurpose] = timer.itemId.split('~');
    const caseFromId = idPurpose === 'decision' && idCaseId ? this.caseRef(idCaseId) : undefined;
    return storeResult(() =>
      store.transact<T>(async (tx: Transaction) => {
        // A decision item's case is read with it, in one round trip; any other item's case when asked for.
        let item: QueueItemDoc | undefined;
        let prefetched: { caseId: string; caseDoc: CaseDoc | undefined } | undefined;
        if (caseFromId) {
          const [itemRead, caseRead] = await tx.getAll<QueueItemDoc | CaseDoc, DocumentData>(itemRef, caseFromId);
          const [itemData, caseData] = [itemRead?.data(), caseRead?.data()];
          item = itemData && isQueueItem(itemData) ? itemData : undefined;
          prefetched = { caseId: caseFromId.id, caseDoc: caseData && !isQueueItem(caseData) ? caseData : undefined };
        } else {
          item = (await tx.get(itemRef)).data();
        }
        const unit: EscalationUnit = {
          item,
          caseOf: async (of) => (prefetched?.caseId === of.caseId ? prefetched.caseDoc : (await tx.get(this.caseRef(of.caseId))).data()),
          // Only a change of the core's rules, written as `queueItemUpdateOf` maps it (as review-queue's
          // are); an empty one writes nothing (Firestore refuses an empty update).
          update: (change) => {
            const update = queueItemUpdateOf(change);
            if (Object.keys(update).length) tx.update(itemRef, update);
          },
          moveTimer: (atMs) => moveTimer(tx, store.firestore, timer, atMs, nowMs),
          decide: (caseDoc, policy, input, source) => decideInTransaction(tx, store, caseDoc, policy, input, source),
        };
        return work(unit);
      }, now),
    );
  }
}
