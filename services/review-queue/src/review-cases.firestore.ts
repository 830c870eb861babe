import { EventSources } from '@arbiter/contract';
import { FieldValue, type DocumentData, type DocumentReference, type Transaction } from '@google-cloud/firestore';
import { Collections, decideInTransaction, pendingStepDone, queueItemConverter, queueItemId, queueItemUpdateOf, type CaseDoc, type CaseStore, type QueueItemDoc, type Work } from '@arbiter/case-store';
import type { PendingDecisionDoc, PendingUnit, RequeueUnit, ReviewCases, UndoUnit, VerdictUnit } from './ports';
import { judgedVerdictsOf, recordJudgedVerdicts } from './reviewer-quality.firestore';

const isQueueItem = (doc: object): doc is QueueItemDoc => 'itemId' in doc;
/** Read through `caseConverter` (which checks its fields): a case, told apart from the other documents of one read. */
const isCase = (doc: object): doc is CaseDoc => 'openedAt' in doc && !('itemId' in doc);

/**
 * The cases and items a verdict touches, in Firestore: each unit of work is a transaction through
 * `CaseStore.transact` (the events staged in the outbox in the same commit), reading the case and the
 * items first (one round trip), and deciding through `decideInTransaction`. An item's status and
 * claim are written only as the change the core's rules returned (`queueItemUpdateOf`).
 */
export class FirestoreReviewCases implements ReviewCases {
  constructor(private readonly store: CaseStore) {}

  private caseRef(caseId: string): DocumentReference<CaseDoc> {
    return this.store.caseRef(caseId);
  }

  private itemRef(itemId: string): DocumentReference<QueueItemDoc> {
    return this.store.firestore.collection(Collections.queueItems).doc(itemId).withConverter(queueItemConverter);
  }

  private processedRef(consumer: string, key: string): DocumentReference {
    return this.store.firestore.collection(Collections.processed).doc(`${consumer}~${key}`);
  }

  private pendingRef(itemId: string): DocumentReference {
    return this.store.firestore.collection(Collections.pendingDecisions).doc(itemId);
  }

  /** Reads the case and the items that exist, in one round trip. */
  private async read(tx: Transaction, caseId: string, itemIds: readonly string[]): Promise<{ caseDoc: CaseDoc | undefined; items: QueueItemDoc[] }> {
    const [caseSnap, ...itemSnaps] = await tx.getAll<CaseDoc | QueueItemDoc, DocumentData>(this.caseRef(caseId), ...itemIds.map((id) => this.itemRef(id)));
    const caseData = caseSnap?.data();
    const caseDoc = caseData && !isQueueItem(caseData) ? caseData : undefined;
    const items = itemSnaps.flatMap((snap) => {
      const data = snap.data();
      return data && isQueueItem(data) ? [data] : [];
    });
    return { caseDoc, items };
  }

  private unit(tx: Transaction, caseId: string, caseDoc: CaseDoc | undefined, items: QueueItemDoc[]): VerdictUnit {
    const { store } = this;
    return {
      caseDoc,
      items,
      decide: (doc, policy, input) => decideInTransaction(tx, store, doc, policy, input, EventSources['review-queue']),
      reviseDecision: (revision) => {
        tx.update(this.caseRef(caseId), { revision });
      },
      finishItem: (itemId, change, finished) => {
        // Status, claim and next check as the core's change says; the verdict's own facts beside it.
        tx.update(this.itemRef(itemId), {
          ...queueItemUpdateOf(change),
          doneBy: finished.doneBy,
          pendingDecision: FieldValue.delete(),
          verdict: finished.verdict,
          ...(finished.goldenResult ? { goldenResult: finished.goldenResult } : {}),
          ...(finished.adjudication ? { adjudication: finished.adjudication } : {}),
        });
      },
      putItem: (item) => {
        tx.set(this.itemRef(item.itemId), item);
      },
      recordJudged: (input) => {
        recordJudgedVerdicts(tx, store.firestore, judgedVerdictsOf(input.policy, input.caseDoc, input.item, input.reviewerId, input.outcome, { ...(input.expected !== undefined ? { expected: input.expected } : {}), ...(input.adjudication ? { adjudication: input.adjudication } : {}) }, input.nowMs));
      },
      returnForReview: (itemId, change, batchId) => {
        tx.update(this.itemRef(itemId), { ...queueItemUpdateOf(change), lane: 0, flaggedInBatch: batchId });
      },
      awaitEvidence: (itemId, change, request, requeue) => {
        tx.update(this.itemRef(itemId), queueItemUpdateOf(change));
        tx.update(this.caseRef(caseId), { status: 'awaiting-evidence', evidenceRequest: request, nextStep: requeue });
      },
      holdPending: (pending, change, mark) => {
        tx.create(this.pendingRef(pending.itemId), pending);
        tx.update(this.itemRef(pending.itemId), { ...queueItemUpdateOf(change), pendingDecision: mark });
      },
    };
  }

  transact<T>(read: { caseId: string; itemIds: readonly string[] }, now: Date, options: { publish?: 'await' | 'soon' }, work: (unit: VerdictUnit) => Promise<Work<T>>): Promise<T> {
    return this.store.transact<T>(async (tx) => {
      const { caseDoc, items } = await this.read(tx, read.caseId, read.itemIds);
      return work(this.unit(tx, read.caseId, caseDoc, items));
    }, now, options);
  }

  transactPending<T>(itemId: string, now: Date, work: (unit: PendingUnit) => Promise<Work<T>>): Promise<T> {
    return this.store.transact<T>(async (tx) => {
      const snapshot = await tx.get(this.pendingRef(itemId));
      const pending = snapshot.exists ? pendingDecisionOf(snapshot.data()) : undefined;
      return work({
        pending,
        open: async () => {
          if (!pending) throw new Error(`bug: open() of pending decision ${itemId}, which is not there`);
          const { caseDoc, items } = await this.read(tx, pending.caseId, [itemId]);
          tx.delete(this.pendingRef(itemId));
          return {
            ...this.unit(tx, pending.caseId, caseDoc, items),
            dropMark: () => {
              tx.update(this.itemRef(itemId), { pendingDecision: FieldValue.delete() });
            },
          };
        },
      });
    }, now, { publish: 'soon' });
  }

  requeue<T>(read: { caseId: string; marker?: { consumer: string; key: string } }, now: Date, work: (unit: RequeueUnit) => Work<T>): Promise<T> {
    const caseRef = this.caseRef(read.caseId);
    const itemRef = this.itemRef(queueItemId(read.caseId, 'decision'));
    const markerRef = read.marker ? this.processedRef(read.marker.consumer, read.marker.key) : undefined;
    return this.store.transact<T>(async (tx) => {
      // One round trip: the marker (when asked), the case, its decision item.
      const snapshots = await tx.getAll<object, DocumentData>(...(markerRef ? [markerRef] : []), caseRef, itemRef);
      const [markerSnap, caseSnap, itemSnap] = markerRef ? snapshots : [undefined, ...snapshots];
      const caseData = caseSnap?.data();
      const itemData = itemSnap?.data();
      return work({
        caseDoc: caseData && isCase(caseData) ? caseData : undefined,
        item: itemData && isQueueItem(itemData) ? itemData : undefined,
        processed: markerSnap?.exists ?? false,
        requeueItem: (change, requeuedAt) => {
          tx.update(itemRef, { ...queueItemUpdateOf(change), lane: 0, requeuedAt });
        },
        updateCase: (change) => {
          // Nothing to change (an item already gone, no step pending): Firestore refuses an empty update.
          if (!change.addEvidence && !change.backInReview && !change.requeueDone) return;
          tx.update(this.store.caseRef(read.caseId), {
            ...(change.addEvidence ? { extraEvidence: FieldValue.arrayUnion(...change.addEvidence) } : {}),
            ...(change.backInReview ? { status: 'in-review', evidenceRequest: FieldValue.delete() } : {}),
            ...(change.requeueDone ? { nextStep: pendingStepDone() } : {}),
          });
        },
        markProcessed: (marker) => {
          if (!markerRef) throw new Error(`bug: a marker for case ${read.caseId} was written without being read`);
          tx.set(markerRef, marker);
        },
      });
    }, now);
  }

  transactUndo<T>(itemIds: readonly string[], now: Date, work: (unit: UndoUnit) => Work<T>): Promise<T> {
    return this.store.transact<T>(async (tx) => {
      const refs = itemIds.map((id) => this.pendingRef(id));
      const snapshots = refs.length === 1 ? [await tx.get(refs[0] as DocumentReference)] : await tx.getAll(...refs);
      const pending = snapshots.filter((s) => s.exists).map((s) => pendingDecisionOf(s.data()));
      return work({
        pending,
        undo: (itemId, change) => {
          tx.delete(this.pendingRef(itemId));
          tx.update(this.itemRef(itemId), { ...queueItemUpdateOf(change), pendingDecision: FieldValue.delete() });
        },
      });
    }, now);
  }

  async overduePending(cutoffMs: number, limit: number): Promise<string[]> {
    const snapshot = await this.store.firestore.collection(Collections.pendingDecisions).where('commitAfter', '<=', cutoffMs).orderBy('commitAfter').limit(limit).get();
    return snapshot.docs.map((d) => d.id);
  }

  async pendingOfBatch(batchId: string, limit: number): Promise<PendingDecisionDoc[]> {
    const snapshot = await this.store.firestore.collection(Collections.pendingDecisions).where('batchId', '==', batchId).limit(limit).get();
    return snapshot.docs.map((d) => pendingDecisionOf(d.data()));
  }
}

/** A pending decision as read, once the fields the commit relies on are there. */
function pendingDecisionOf(data: unknown): PendingDecisionDoc {
  const isPending = (d: unknown): d is PendingDecisionDoc =>
    typeof d === 'object' && d !== null && 'itemId' in d && 'caseId' in d && 'principal' in d && 'verdict' in d && 'decidedAt' in d && typeof d.caseId === 'string' && typeof d.decidedAt === 'number';
  if (!isPending(data)) throw new Error(`bug: a document in ${Collections.pendingDecisions} is not a pending decision (itemId, caseId, principal, verdict, decidedAt)`);
  return data;
}
