import { EventSources } from '@arbiter/contract';
/**
 * The in-memory twin of `FirestoreReviewCases`, for unit tests of the verdict use cases (decide,
 * batch, evidence request, the undo window's hold and commit). It shares its cases and items with an
 * `InMemoryQueueItems`, stages events in the same list, and commits a unit of work only when its
 * work returns: a refused verdict leaves everything as it was.
 */
import { buildDecision, decisionEvents, queueItemId, type CaseDoc, type DecideResult, type QueueItemDoc, type Work } from '@arbiter/case-store';
import { applyQueueItemChange, deepCopy, type ReleaseChange, type RestoreChange } from '@arbiter/core';
import type { JudgedInput, PendingDecisionDoc, PendingUnit, ProcessedMarker, RequeueCaseChange, RequeueUnit, ReviewCases, UndoUnit, VerdictUnit } from './ports';
import type { InMemoryQueueItems } from './queue-items.test-support';

type Item = QueueItemDoc & Record<string, unknown>;

export class InMemoryReviewCases implements ReviewCases {
  readonly pending = new Map<string, PendingDecisionDoc>();
  /** The consumers' markers, by `consumer~key`. */
  readonly processed = new Map<string, ProcessedMarker>();
  /** What verdicts said about reviewers, in order. */
  readonly judged: JudgedInput[] = [];

  constructor(readonly store: InMemoryQueueItems) {}

  /** A unit over copies; `commit` writes them back. */
  private unit(caseId: string, itemIds: readonly string[]): { unit: VerdictUnit; commit: () => void; dropMark: (itemId: string) => void } {
    const stored = this.store.cases.get(caseId);
    let caseDoc: CaseDoc | undefined = stored && deepCopy(stored);
    const items = new Map<string, Item>();
    for (const id of itemIds) {
      const item = this.store.items.get(id);
      if (item) items.set(id, deepCopy(item) as Item);
    }
    const changedItems = new Map<string, Item>();
    const judged: JudgedInput[] = [];
    const pending: PendingDecisionDoc[] = [];
    let caseChanged = false;
    const itemOf = (itemId: string): Item => {
      const item = changedItems.get(itemId) ?? items.get(itemId);
      if (!item) throw new Error(`bug: ${itemId} was not read in this unit of work`);
      return item;
    };
    const change = (itemId: string, to: Item): void => {
      changedItems.set(itemId, to);
    };
    const unit: VerdictUnit = {
      caseDoc: caseDoc && deepCopy(caseDoc),
      items: [...items.values()].map((item) => deepCopy(item)),
      decide: (doc, policy, input): DecideResult => {
        if (!caseDoc || caseDoc.decision) return { decided: false, reason: 'already-decided' };
        const decision = buildDecision(doc, policy, input);
        caseDoc = { ...caseDoc, decision, status: 'decided', decidedAt: input.decidedAt.getTime(), ...(input.approval ? { approval: input.approval } : {}) };
        caseChanged = true;
        const events = decisionEvents(doc, decision, input.approval, EventSources['review-queue']);
        return { decided: true, decision: events[0], events };
      },
      reviseDecision: (revision) => {
        if (!caseDoc) throw new Error(`bug: revision of ${caseId}, which was not read`);
        caseDoc = { ...caseDoc, revision };
        caseChanged = true;
      },
      finishItem: (itemId, itemChange, finished) => {
        const { pendingDecision: _mark, ...rest } = applyQueueItemChange(itemOf(itemId), itemChange);
        change(itemId, { ...(rest as Item), ...finished });
      },
      putItem: (item) => change(item.itemId, deepCopy(item) as Item),
      recordJudged: (input) => judged.push(input),
      returnForReview: (itemId, itemChange, batchId) => change(itemId, { ...applyQueueItemChange(itemOf(itemId), itemChange), lane: 0, flaggedInBatch: batchId }),
      awaitEvidence: (itemId, itemChange, request, requeue) => {
        change(itemId, applyQueueItemChange(itemOf(itemId), itemChange));
        if (!caseDoc) throw new Error(`bug: evidence request on ${caseId}, which was not read`);
        caseDoc = { ...caseDoc, status: 'awaiting-evidence', evidenceRequest: request, nextStep: requeue };
        caseChanged = true;
      },
      holdPending: (doc, itemChange, mark) => {
        pending.push(deepCopy(doc));
        change(doc.itemId, { ...applyQueueItemChange(itemOf(doc.itemId), itemChange), pendingDecision: mark });
      },
    };
    const commit = (): void => {
      for (const doc of pending) {
        if (this.pending.has(doc.itemId)) throw Object.assign(new Error(`6 ALREADY_EXISTS: pendingDecisions/${doc.itemId} (twin)`), { code: 6 });
      }
      if (caseChanged && caseDoc) this.store.cases.set(caseId, caseDoc);
      for (const item of changedItems.values()) this.store.put(item);
      for (const doc of pending) this.pending.set(doc.itemId, doc);
      this.judged.push(...judged);
    };
    const dropMark = (itemId: string): void => {
      const { pendingDecision: _mark, ...rest } = itemOf(itemId);
      change(itemId, rest as Item);
    };
    return { unit, commit, dropMark };
  }

  async transact<T>(read: { caseId: string; itemIds: readonly string[] }, _now: Date, _options: { publish?: 'await' | 'soon' }, work: (unit: VerdictUnit) => Promise<Work<T>>): Promise<T> {
    const { unit, commit } = this.unit(read.caseId, read.itemIds);
    const done = await work(unit);
    commit();
    this.store.staged.push(...done.events);
    return done.result;
  }

  async transactPending<T>(itemId: string, _now: Date, work: (unit: PendingUnit) => Promise<Work<T>>): Promise<T> {
    const pending = this.pending.get(itemId);
    let opened: { commit: () => void } | undefined;
    const done = await work({
      pending: pending && deepCopy(pending),
      open: async () => {
        if (!pending) throw new Error(`bug: open() of pending decision ${itemId}, which is not there`);
        const { unit, commit, dropMark } = this.unit(pending.caseId, [itemId]);
        opened = { commit };
        return { ...unit, dropMark: () => dropMark(itemId) };
      },
    });
    if (opened) {
      this.pending.delete(itemId);
      opened.commit();
    }
    this.store.staged.push(...done.events);
    return done.result;
  }

  async requeue<T>(read: { caseId: string; marker?: { consumer: string; key: string } }, _now: Date, work: (unit: RequeueUnit) => Work<T>): Promise<T> {
    const itemId = queueItemId(read.caseId, 'decision');
    const stored = this.store.cases.get(read.caseId);
    const item = this.store.items.get(itemId);
    const markerKey = read.marker ? `${read.marker.consumer}~${read.marker.key}` : undefined;
    let requeued: { change: ReleaseChange; at: number } | undefined;
    const changes: RequeueCaseChange[] = [];
    let marker: ProcessedMarker | undefined;
    const done = work({
      caseDoc: stored && deepCopy(stored),
      item: item && deepCopy(item),
      processed: markerKey !== undefined && this.processed.has(markerKey),
      requeueItem: (itemChange, at) => {
        if (!item) throw new Error(`bug: requeue of ${itemId}, which does not exist`);
        requeued = { change: itemChange, at };
      },
      updateCase: (change) => changes.push(change),
      markProcessed: (written) => {
        if (!markerKey) throw new Error(`bug: a marker for case ${read.caseId} was written without being read`);
        marker = { ...written };
      },
    });
    // Commit: an update of a case that does not exist fails the whole unit, as Firestore's update does.
    if (changes.length && !stored) throw Object.assign(new Error(`5 NOT_FOUND: cases/${read.caseId} (twin)`), { code: 5 });
    if (item && requeued) this.store.put({ ...applyQueueItemChange(item, requeued.change), lane: 0, requeuedAt: requeued.at });
    if (stored) {
      let next: CaseDoc = stored;
      for (const change of changes) {
        if (change.addEvidence) next = { ...next, extraEvidence: [...(next.extraEvidence ?? []), ...change.addEvidence.filter((e) => !(next.extraEvidence ?? []).some((had) => JSON.stringify(had) === JSON.stringify(e)))] };
        if (change.backInReview) {
          const { evidenceRequest: _request, ...rest } = next;
          next = { ...rest, status: 'in-review' };
        }
        if (change.requeueDone) {
          const { nextStep: _step, ...rest } = next;
          next = rest;
        }
      }
      this.store.cases.set(read.caseId, deepCopy(next));
    }
    if (markerKey && marker) this.processed.set(markerKey, marker);
    this.store.staged.push(...done.events);
    return done.result;
  }

  async transactUndo<T>(itemIds: readonly string[], _now: Date, work: (unit: UndoUnit) => Work<T>): Promise<T> {
    const undone = new Map<string, RestoreChange>();
    const done = work({
      pending: itemIds.flatMap((id) => {
        const doc = this.pending.get(id);
        return doc ? [deepCopy(doc)] : [];
      }),
      undo: (itemId, restore) => undone.set(itemId, restore),
    });
    for (const [itemId, restore] of undone) {
      const item = this.store.items.get(itemId);
      if (!item) throw Object.assign(new Error(`5 NOT_FOUND: queueItems/${itemId} (twin)`), { code: 5 });
      const { pendingDecision: _mark, ...rest } = applyQueueItemChange(item as Item, restore);
      this.pending.delete(itemId);
      this.store.put(rest as Item);
    }
    this.store.staged.push(...done.events);
    return done.result;
  }

  async overduePending(cutoffMs: number, limit: number): Promise<string[]> {
    return [...this.pending.values()].filter((p) => p.commitAfter <= cutoffMs).sort((a, b) => a.commitAfter - b.commitAfter).slice(0, limit).map((p) => p.itemId);
  }

  async pendingOfBatch(batchId: string, limit: number): Promise<PendingDecisionDoc[]> {
    return [...this.pending.values()].filter((p) => p.batchId === batchId).slice(0, limit).map((p) => deepCopy(p));
  }
}
