import type { DocumentSnapshot, Firestore, Query } from '@google-cloud/firestore';
import { Collections } from '@arbiter/cases';

/** One page of item ids and where the next page starts. */
export interface ItemPage {
  ids: string[];
  next?: unknown;
  /** Whether another page follows (known from one document more than the page); absent: unknown, ask again when the page is full. */
  more?: boolean;
}

/**
 * The two questions the tick asks Firestore. Both are range queries on a time field, so a tick reads
 * only the items whose time has come, never the open backlog:
 * - due items: `sla.nextCheckAt <= now` ordered by it (a null `nextCheckAt` never matches a range);
 * - expired leases: `status == claimed && claim.leaseUntil <= now` ordered by the lease (needs the
 *   composite index (status ASC, claim.leaseUntil ASC) in production; the emulator needs none).
 */
export interface DueQueueItems {
  due(nowMs: number, limit: number, after?: unknown): Promise<ItemPage>;
  expiredLeases(nowMs: number, limit: number, after?: unknown): Promise<ItemPage>;
}

export class FirestoreDueQueueItems implements DueQueueItems {
  constructor(private readonly firestore: Firestore) {}

  due(nowMs: number, limit: number, after?: unknown): Promise<ItemPage> {
    const query = this.firestore
      .collection(Collections.queueItems)
      .where('sla.nextCheckAt', '<=', nowMs)
      .orderBy('sla.nextCheckAt')
      .select('sla.nextCheckAt');
    return page(query, limit, after);
  }

  expiredLeases(nowMs: number, limit: number, after?: unknown): Promise<ItemPage> {
    const query = this.firestore
      .collection(Collections.queueItems)
      .where('status', '==', 'claimed')
      .where('claim.leaseUntil', '<=', nowMs)
      .orderBy('claim.leaseUntil')
      .select('claim.leaseUntil');
    return page(query, limit, after);
  }
}

/** One page, read with one document more than asked so that a full last page needs no empty query after it. */
async function page(query: Query, limit: number, after?: unknown): Promise<ItemPage> {
  const snapshot = await (after ? query.startAfter(after as DocumentSnapshot) : query).limit(limit + 1).get();
  const docs = snapshot.docs.slice(0, limit);
  const last = docs[docs.length - 1];
  return { ids: docs.map((doc) => doc.id), more: snapshot.docs.length > limit, ...(last ? { next: last } : {}) };
}
