/**
 * The in-memory twins of `FirestoreReviewReads` and `FirestoreEvidenceAccessLog`, for unit tests of
 * the views. They read the cases and items of an `InMemoryQueueItems` (what the write twins change),
 * ordered and bounded as the Firestore queries are; the access log stages its events in the same list.
 */
import type { ArbiterEvent } from '@arbiter/contract';
import { queueItemId, type CaseDoc, type QueueItemDoc } from '@arbiter/case-store';
import { deepCopy, type ReviewPurpose } from '@arbiter/core';
import type { EvidenceAccessLog, Page, ReviewReads } from './ports';
import type { InMemoryQueueItems } from './queue-items.test-support';
import { byPriorityOrder } from './use-cases/common';

const PURPOSES: readonly ReviewPurpose[] = ['decision', 'blind-review', 'double-review', 'golden', 'adjudication'];

type Cursor = [number, number, number, string];
const tokenOf = (item: QueueItemDoc): string => Buffer.from(JSON.stringify([item.lane, item.priority, item.dueAt, item.itemId])).toString('base64url');
function cursorOf(token: string): Cursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 4 && typeof value[0] === 'number' && typeof value[1] === 'number' && typeof value[2] === 'number' && typeof value[3] === 'string') return [value[0], value[1], value[2], value[3]];
  } catch {
    // not a token of ours
  }
  return undefined;
}

export class InMemoryReviewReads implements ReviewReads {
  constructor(readonly store: InMemoryQueueItems) {}

  private all(): QueueItemDoc[] {
    return [...this.store.items.values()].map((item) => deepCopy(item));
  }

  async activeItems(queue: string, cap = 5000): Promise<QueueItemDoc[]> {
    return this.all().filter((i) => i.queue === queue && (i.status === 'open' || i.status === 'claimed' || i.status === 'awaiting-evidence')).slice(0, cap);
  }

  async openItems(queue: string, limit: number, pageToken?: string): Promise<Page<QueueItemDoc> | undefined> {
    let open = this.all().filter((i) => i.queue === queue && i.status === 'open').sort(byPriorityOrder);
    if (pageToken !== undefined) {
      const cursor = cursorOf(pageToken);
      if (!cursor) return undefined;
      const [lane, priority, dueAt, itemId] = cursor;
      open = open.filter((i) => byPriorityOrder(i, { lane, priority, dueAt, itemId }) > 0);
    }
    const items = open.slice(0, limit);
    const last = items[items.length - 1];
    return { items, ...(open.length > limit && last ? { nextPageToken: tokenOf(last) } : {}) };
  }

  async doneSince(sinceMs: number, cap = 5000): Promise<QueueItemDoc[]> {
    return this.all()
      .filter((i) => i.doneAt !== undefined && i.doneAt >= sinceMs)
      .sort((a, b) => (a.doneAt ?? 0) - (b.doneAt ?? 0))
      .slice(0, cap);
  }

  async itemsOfCase(caseId: string): Promise<QueueItemDoc[]> {
    return PURPOSES.flatMap((p) => {
      const item = this.store.items.get(queueItemId(caseId, p));
      return item ? [deepCopy(item)] : [];
    });
  }

  async getCase(caseId: string): Promise<CaseDoc | undefined> {
    const doc = this.store.cases.get(caseId);
    return doc && deepCopy(doc);
  }

  async casesById(caseIds: readonly string[]): Promise<CaseDoc[]> {
    return caseIds.flatMap((id) => {
      const doc = this.store.cases.get(id);
      return doc ? [deepCopy(doc)] : [];
    });
  }

  async decidedCases(useCase: string, limit: number): Promise<CaseDoc[]> {
    return [...this.store.cases.values()]
      .filter((c) => c.useCase === useCase && c.status === 'decided' && c.decidedAt !== undefined)
      .sort((a, b) => (b.decidedAt ?? 0) - (a.decidedAt ?? 0))
      .slice(0, limit)
      .map((c) => deepCopy(c));
  }

  async casesOfSubject(type: string, id: string, limit = 20): Promise<CaseDoc[]> {
    return [...this.store.cases.values()]
      .filter((c) => c.subject.type === type && c.subject.id === id)
      .sort((a, b) => b.openedAt - a.openedAt)
      .slice(0, limit)
      .map((c) => deepCopy(c));
  }
}

/** Stages the access events where the write twins stage theirs (`InMemoryQueueItems.staged`). */
export class InMemoryEvidenceAccessLog implements EvidenceAccessLog {
  constructor(private readonly store: InMemoryQueueItems) {}

  async record(events: readonly ArbiterEvent[]): Promise<void> {
    this.store.staged.push(...events);
  }
}
