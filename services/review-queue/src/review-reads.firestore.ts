/**
 * The views' reads in Firestore: queue items (`queueItems`) and the cases they point at (`cases`),
 * read typed through the shared converters. Every query names one queue (or one case, one subject, a
 * time window). Production needs the composite indexes in `firestore.indexes.json`; the emulator needs
 * none. And the evidence access log: `evidence.accessed` through the outbox.
 */
import { FieldPath, type CollectionReference, type Firestore, type Query } from '@google-cloud/firestore';
import type { ArbiterEvent } from '@arbiter/contract';
import { caseConverter, Collections, queueItemConverter, queueItemId, type CaseDoc, type CaseStore, type QueueItemDoc } from '@arbiter/case-store';
import type { ReviewPurpose } from '@arbiter/core';
import type { EvidenceAccessLog, Page, ReviewReads } from './ports';

const PURPOSES: readonly ReviewPurpose[] = ['decision', 'blind-review', 'double-review', 'golden', 'adjudication'];

/** A page token: where the last page ended in the open-items order (lane, priority, due time, id). */
const encodeCursor = (item: QueueItemDoc): string => Buffer.from(JSON.stringify([item.lane, item.priority, item.dueAt, item.itemId])).toString('base64url');

function decodeCursor(token: string): [number, number, number, string] | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 4 && typeof value[0] === 'number' && typeof value[1] === 'number' && typeof value[2] === 'number' && typeof value[3] === 'string') {
      return [value[0], value[1], value[2], value[3]];
    }
  } catch {
    // not base64url JSON: not a token of ours
  }
  return undefined;
}

export class FirestoreReviewReads implements ReviewReads {
  constructor(private readonly firestore: Firestore) {}

  private items(): CollectionReference<QueueItemDoc> {
    return this.firestore.collection(Collections.queueItems).withConverter(queueItemConverter);
  }

  private cases(): CollectionReference<CaseDoc> {
    return this.firestore.collection(Collections.cases).withConverter(caseConverter);
  }

  private openQuery(queue: string): Query<QueueItemDoc> {
    return this.items().where('queue', '==', queue).where('status', '==', 'open').orderBy('lane').orderBy('priority', 'desc').orderBy('dueAt').orderBy(FieldPath.documentId());
  }

  async activeItems(queue: string, cap = 5000): Promise<QueueItemDoc[]> {
    const snapshot = await this.items().where('queue', '==', queue).where('status', 'in', ['open', 'claimed', 'awaiting-evidence']).limit(cap).get();
    return snapshot.docs.map((d) => d.data());
  }

  async openItems(queue: string, limit: number, pageToken?: string): Promise<Page<QueueItemDoc> | undefined> {
    let query = this.openQuery(queue);
    if (pageToken !== undefined) {
      const cursor = decodeCursor(pageToken);
      if (!cursor) return undefined;
      query = query.startAfter(...cursor);
    }
    const snapshot = await query.limit(limit + 1).get();
    const items = snapshot.docs.slice(0, limit).map((d) => d.data());
    const last = items[items.length - 1];
    return { items, ...(snapshot.docs.length > limit && last ? { nextPageToken: encodeCursor(last) } : {}) };
  }

  async doneSince(sinceMs: number, cap = 5000): Promise<QueueItemDoc[]> {
    const snapshot = await this.items().where('doneAt', '>=', sinceMs).orderBy('doneAt').limit(cap).get();
    return snapshot.docs.map((d) => d.data());
  }

  async itemsOfCase(caseId: string): Promise<QueueItemDoc[]> {
    const snapshots = await Promise.all(PURPOSES.map((p) => this.items().doc(queueItemId(caseId, p)).get()));
    return snapshots.flatMap((s) => {
      const item = s.data();
      return item ? [item] : [];
    });
  }

  async getCase(caseId: string): Promise<CaseDoc | undefined> {
    return (await this.cases().doc(caseId).get()).data();
  }

  async casesById(caseIds: readonly string[]): Promise<CaseDoc[]> {
    const snapshots = await Promise.all(caseIds.map((id) => this.cases().doc(id).get()));
    return snapshots.flatMap((s) => {
      const doc = s.data();
      return doc ? [doc] : [];
    });
  }

  async decidedCases(useCase: string, limit: number): Promise<CaseDoc[]> {
    const snapshot = await this.cases().where('useCase', '==', useCase).where('status', '==', 'decided').orderBy('decidedAt', 'desc').limit(limit).get();
    return snapshot.docs.map((d) => d.data());
  }

  async casesOfSubject(type: string, id: string, limit = 20): Promise<CaseDoc[]> {
    const snapshot = await this.cases().where('subject.type', '==', type).where('subject.id', '==', id).orderBy('openedAt', 'desc').limit(limit).get();
    return snapshot.docs.map((d) => d.data());
  }
}

/** `evidence.accessed` staged in the outbox and published (awaited) before the caller gets the link. */
export class FirestoreEvidenceAccessLog implements EvidenceAccessLog {
  constructor(private readonly cases: CaseStore) {}

  async record(events: readonly ArbiterEvent[], now: Date): Promise<void> {
    await this.cases.transact(async () => ({ result: undefined, events: [...events] }), now);
  }
}
