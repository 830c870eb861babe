/**
 * The Firestore side of the review queue: queue items and the case documents they point at. Every
 * query names one queue (or one case, one subject), so no reviewer ever writes a shared document.
 * Production needs the composite indexes in `firestore.indexes.json`; the emulator needs none.
 */
import { FieldPath, type DocumentReference, type DocumentSnapshot, type Firestore, type Query, type QueryDocumentSnapshot, type Transaction, type WriteBatch } from '@google-cloud/firestore';
import type { ArbiterEvent } from '@arbiter/contract';
import { Collections, GrpcCode, queueItemId, type CaseDoc, type CaseStore, type QueueItemDoc } from '@arbiter/cases';
import type { ReviewPurpose } from '@arbiter/core';

/** Priority order: lane (0 first), priority (high first), due time (soonest first), id. */
export const byPriorityOrder = (a: QueueItemDoc, b: QueueItemDoc): number =>
  a.lane - b.lane || b.priority - a.priority || a.dueAt - b.dueAt || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0);

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

const encodeCursor = (item: QueueItemDoc): string => Buffer.from(JSON.stringify([item.lane, item.priority, item.dueAt, item.itemId])).toString('base64url');

function decodeCursor(token: string): [number, number, number, string] | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 4 && typeof value[0] === 'number' && typeof value[1] === 'number' && typeof value[2] === 'number' && typeof value[3] === 'string') {
      return value as [number, number, number, string];
    }
  } catch {
    // fall through
  }
  return undefined;
}

export class ReviewStore {
  constructor(
    readonly cases: CaseStore,
    readonly firestore: Firestore,
  ) {}

  /**
   * Compare-and-set on one document: writes `data` only if the document has not changed since
   * `snapshot` was read, atomically with the outbox entries of `events`, then publishes them. No
   * locks are held between read and write, so reviewers racing for one item never wait on each
   * other: the loser's commit fails at once (false) and it moves on to another item. `also` adds
   * writes of its own to the same commit (a claim's lease timer).
   */
  async compareAndSet(snapshot: DocumentSnapshot, data: Record<string, unknown>, events: readonly ArbiterEvent[], nowMs: number, also?: (batch: WriteBatch) => void): Promise<boolean> {
    if (!snapshot.updateTime) return false;
    const updateTime = snapshot.updateTime;
    // Someone else got there first: FAILED_PRECONDITION, ABORTED, NOT_FOUND. The reviewer's answer
    // does not wait for Pub/Sub: the commit holds the events in the outbox.
    return this.cases.commitWithEvents(
      (batch) => {
        batch.update(snapshot.ref, data, { lastUpdateTime: updateTime });
        also?.(batch);
      },
      events,
      new Date(nowMs),
      { lostOn: [GrpcCode.FAILED_PRECONDITION, GrpcCode.ABORTED, GrpcCode.NOT_FOUND], publish: 'soon' },
    );
  }

  itemRef(itemId: string): DocumentReference {
    return this.firestore.collection(Collections.queueItems).doc(itemId);
  }

  caseRef(caseId: string): DocumentReference {
    return this.cases.caseRef(caseId);
  }

  processedRef(consumer: string, key: string): DocumentReference {
    return this.firestore.collection(Collections.processed).doc(`${consumer}~${key}`);
  }

  async getItem(itemId: string): Promise<QueueItemDoc | undefined> {
    const snapshot = await this.itemRef(itemId).get();
    return snapshot.exists ? (snapshot.data() as QueueItemDoc) : undefined;
  }

  async getCase(caseId: string): Promise<CaseDoc | undefined> {
    return this.cases.getCase(caseId);
  }

  /** The case's items (decision, blind review, …) that exist. */
  async itemsOfCase(caseId: string, purposes: readonly ReviewPurpose[] = ['decision', 'blind-review', 'double-review', 'golden', 'adjudication']): Promise<QueueItemDoc[]> {
    const snapshots = await this.firestore.getAll(...purposes.map((p) => this.itemRef(queueItemId(caseId, p))));
    return snapshots.filter((s) => s.exists).map((s) => s.data() as QueueItemDoc);
  }

  async readInTx<T>(tx: Transaction, ref: DocumentReference): Promise<T | undefined> {
    const snapshot = await tx.get(ref);
    return snapshot.exists ? (snapshot.data() as T) : undefined;
  }

  private openQuery(queue: string): Query {
    return this.firestore
      .collection(Collections.queueItems)
      .where('queue', '==', queue)
      .where('status', '==', 'open')
      .orderBy('lane')
      .orderBy('priority', 'desc')
      .orderBy('dueAt')
      .orderBy(FieldPath.documentId());
  }

  private expiredQuery(queue: string, nowMs: number): Query {
    return this.firestore.collection(Collections.queueItems).where('queue', '==', queue).where('status', '==', 'claimed').where('claim.leaseUntil', '<=', nowMs).orderBy('claim.leaseUntil');
  }

  /** Open items of a queue in priority order, one page. `VALIDATION.INVALID_QUERY` on a foreign token is the caller's check. */
  async openItems(queue: string, limit: number, pageToken?: string): Promise<Page<QueueItemDoc> | undefined> {
    let query = this.openQuery(queue);
    if (pageToken !== undefined) {
      const cursor = decodeCursor(pageToken);
      if (!cursor) return undefined;
      query = query.startAfter(...cursor);
    }
    const snapshot = await query.limit(limit + 1).get();
    const items = snapshot.docs.slice(0, limit).map((d) => d.data() as QueueItemDoc);
    const last = items[items.length - 1];
    return { items, ...(snapshot.docs.length > limit && last ? { nextPageToken: encodeCursor(last) } : {}) };
  }

  /** Claimed items whose lease ran out (they count as open), oldest lease first. */
  async expiredClaims(queue: string, nowMs: number, limit: number): Promise<QueueItemDoc[]> {
    const snapshot = await this.expiredQuery(queue, nowMs).limit(limit).get();
    return snapshot.docs.map((d) => d.data() as QueueItemDoc);
  }

  /**
   * What "next case" chooses from: the top `openLimit` open items and the `expiredLimit` oldest
   * expired claims of a queue, as snapshots, so a claim can compare-and-set on what it read here
   * instead of reading the item again.
   */
  async claimCandidates(queue: string, nowMs: number, openLimit: number, expiredLimit: number): Promise<QueryDocumentSnapshot[]> {
    const [open, expired] = await Promise.all([this.openQuery(queue).limit(openLimit).get(), this.expiredQuery(queue, nowMs).limit(expiredLimit).get()]);
    return [...open.docs, ...expired.docs];
  }

  /** Items the reviewer holds (claimed, lease not checked) in a queue. */
  async claimedBy(queue: string, reviewerId: string): Promise<QueueItemDoc[]> {
    const snapshot = await this.firestore
      .collection(Collections.queueItems)
      .where('queue', '==', queue)
      .where('status', '==', 'claimed')
      .where('claim.reviewerId', '==', reviewerId)
      .limit(20)
      .get();
    return snapshot.docs.map((d) => d.data() as QueueItemDoc);
  }

  /** Every item of a queue not yet done (open, claimed, awaiting evidence), for counts. Bounded. */
  async activeItems(queue: string, cap = 5000): Promise<QueueItemDoc[]> {
    const snapshot = await this.firestore
      .collection(Collections.queueItems)
      .where('queue', '==', queue)
      .where('status', 'in', ['open', 'claimed', 'awaiting-evidence'])
      .limit(cap)
      .get();
    return snapshot.docs.map((d) => d.data() as QueueItemDoc);
  }

  /** Items finished since `sinceMs` (for reviewer throughput). */
  async doneSince(sinceMs: number, cap = 5000): Promise<Array<Pick<QueueItemDoc, 'queue' | 'doneAt'> & { doneBy?: string }>> {
    const snapshot = await this.firestore.collection(Collections.queueItems).where('doneAt', '>=', sinceMs).orderBy('doneAt').limit(cap).get();
    return snapshot.docs.map((d) => d.data() as QueueItemDoc & { doneBy?: string });
  }

  /** Decided cases of a use case, newest first (precedent candidates). */
  async decidedCases(useCase: string, limit: number): Promise<CaseDoc[]> {
    const snapshot = await this.firestore
      .collection(Collections.cases)
      .where('useCase', '==', useCase)
      .where('status', '==', 'decided')
      .orderBy('decidedAt', 'desc')
      .limit(limit)
      .get();
    return snapshot.docs.map((d) => d.data() as CaseDoc);
  }

  /** Cases about one subject (a booking, an endpoint), newest first. */
  async casesOfSubject(type: string, id: string, limit = 20): Promise<CaseDoc[]> {
    const snapshot = await this.firestore
      .collection(Collections.cases)
      .where('subject.type', '==', type)
      .where('subject.id', '==', id)
      .orderBy('openedAt', 'desc')
      .limit(limit)
      .get();
    return snapshot.docs.map((d) => d.data() as CaseDoc);
  }

  async casesById(caseIds: readonly string[]): Promise<CaseDoc[]> {
    if (caseIds.length === 0) return [];
    const snapshots = await this.firestore.getAll(...caseIds.map((id) => this.caseRef(id)));
    return snapshots.filter((s) => s.exists).map((s) => s.data() as CaseDoc);
  }
}
