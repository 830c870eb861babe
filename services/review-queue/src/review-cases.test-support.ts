/**
 * The in-memory twin of `FirestoreReviewCases`, for unit tests of the verdict use cases (decide,
 * batch, evidence request, the undo window's hold and commit). It shares its cases and items with an
 * `InMemoryQueueItems`, stages events in the same list, and commits a unit of work only when its
 * work returns: a refused verdict leaves everything as it was.
 */
import { buildDecision, decisionEvents, type CaseDoc, type DecideResult, type QueueItemDoc, type Work } from '@arbiter/cases';
import { deepCopy } from '@arbiter/core';
import type { JudgedInput, PendingDecisionDoc, PendingUnit, ReviewCases, VerdictUnit } from './ports';
import type { InMemoryQueueItems } from './queue-items.test-support';
import { SOURCE } from './use-cases/common';

type Item = QueueItemDoc & Record<string, unknown>;

export class InMemoryReviewCases implements ReviewCases {
  readonly pending = new Map<string, PendingDecisionDoc>();
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
    const withoutClaim = (item: Item): Item => {
      const { claim: _claim, ...rest } = item;
      return rest as Item;
    };
    const unit: VerdictUnit = {
      caseDoc: caseDoc && deepCopy(caseDoc),
      items: [...items.values()].map((item) => deepCopy(item)),
      decide: (doc, policy, input): DecideResult => {
        if (!caseDoc || caseDoc.decision) return { decided: false, reason: 'already-decided' };
        const decision = buildDecision(doc, policy, input);
        caseDoc = { ...caseDoc, decision, status: 'decided', decidedAt: input.decidedAt.getTime(), ...(input.approval ? { approval: input.approval } : {}) };
        caseChanged = true;
        const events = decisionEvents(decision, input.approval, SOURCE);
        return { decided: true, decision: events[0], events };
      },
      reviseDecision: (revision) => {
        if (!caseDoc) throw new Error(`bug: revision of ${caseId}, which was not read`);
        caseDoc = { ...caseDoc, revision };
        caseChanged = true;
      },
      finishItem: (itemId, finished) => {
        const { pendingDecision: _mark, ...rest } = withoutClaim(itemOf(itemId));
        change(itemId, { ...(rest as Item), status: 'done', sla: { ...rest.sla, nextCheckAt: null }, ...finished });
      },
      putItem: (item) => change(item.itemId, deepCopy(item) as Item),
      recordJudged: (input) => judged.push(input),
      returnForReview: (itemId, batchId) => change(itemId, { ...withoutClaim(itemOf(itemId)), status: 'open', lane: 0, flaggedInBatch: batchId }),
      awaitEvidence: (itemId, request, requeue) => {
        change(itemId, { ...withoutClaim(itemOf(itemId)), status: 'awaiting-evidence' });
        if (!caseDoc) throw new Error(`bug: evidence request on ${caseId}, which was not read`);
        caseDoc = { ...caseDoc, status: 'awaiting-evidence', evidenceRequest: request, nextStep: requeue };
        caseChanged = true;
      },
      holdPending: (doc, claim, mark) => {
        pending.push(deepCopy(doc));
        change(doc.itemId, { ...itemOf(doc.itemId), status: 'claimed', claim, pendingDecision: mark });
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
}
