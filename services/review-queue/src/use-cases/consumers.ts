/**
 * The three consumers: a routed case becomes the queue items of its work order; submitted evidence puts its case back in
 * the queue ahead of new work, and so does the reconciler's `case.redriven` (step `requeue`) when the
 * crew's evidence is overdue. All are idempotent: the item is created only if absent, the evidence
 * submission leaves a `processed/…` marker keyed by (ce-source, ce-id) in the same transaction, and a
 * requeue acts only on the evidence request that was overdue when the reconciler looked.
 */
import { caseExpiry, markerExpiry, queueItemId, queueItemSummaryOf, type CaseDoc, type GoldenCaseDoc, type QueueItemDoc } from '@arbiter/case-store';
import { EventTypes, SubscriptionNames, type ArbiterEvent } from '@arbiter/contract';
import { goldenIndexFor, mixesGolden, ok, openItem, orderOfWorkItem, returnToQueue, type CaseRedriven, type EvidenceSubmitted, type Result } from '@arbiter/core';
import { goldenCaseDoc, goldenInstanceId, goldenItem } from '../golden';
import { currentTraceparent, idFromEventIdentity, permanentFailure, type Clock, type EventHandler, type HandlerFailure } from '@arbiter/platform';
import type { PolicyRegistry } from '@arbiter/policy';
import type { GoldenSet, QueueItems, RequeueUnit, ReviewCases } from '../ports';


type Outcome = Result<{ created: string[] } | { requeued: boolean; duplicate: boolean }, HandlerFailure>;

/** Puts a case waiting for evidence back at the head of its queue (the core's `returnToQueue`: claim gone), unless decided or done; the caller puts the case back in review. */
function requeue(unit: RequeueUnit, caseDoc: CaseDoc, now: Date): boolean {
  if (caseDoc.decision || !unit.item) return false;
  const back = returnToQueue(unit.item);
  if (!back.ok) return false;
  unit.requeueItem(back.value.change, now.getTime());
  return true;
}

export interface EnqueueDeps {
  items: QueueItems;
  golden: GoldenSet;
  policies: PolicyRegistry;
  clock: Clock;
}

/**
 * A routed case's work order becomes its queue items: exactly the items the router planned, with the
 * priority, due time, first SLA check, batch key and similarity basis it planned, opened through the
 * rulebook (`openItem`); nothing is computed again here. Golden cases are mixed in beside a decision
 * item at the policy's `goldenRate`; every item is retained as long as its case.
 *
 * A `case.routed` without a work order comes from a router older than the work order: when its route
 * needed a queue item (a review, a sampled blind review, a low-band default that may have been flagged
 * for labelling) it is dead-lettered (`CASE.NO_WORK_ORDER`, permanent); otherwise there is nothing to do.
 */
export function createEnqueueOnCaseRouted(deps: EnqueueDeps): EventHandler {
  return async (event): Promise<Outcome | void> => {
    if (event.type !== EventTypes.caseRouted) return;
    const routed = (event as ArbiterEvent<typeof EventTypes.caseRouted>).data;
    const order = routed.workOrder;
    if (order === undefined) {
      const neededItem = routed.route === 'review' || routed.blindReview === true || (routed.route === 'default' && routed.reason === 'band-low');
      if (!neededItem) return;
      return { ok: false, error: permanentFailure('CASE.NO_WORK_ORDER', `case.routed of case ${routed.caseId} (route ${routed.route}, ${routed.reason}) carries no work order: it comes from a router older than the work order; route the case again`) };
    }
    const decisionWork = order.items.find((w) => w.purpose === 'decision');
    if (routed.route === 'review' && decisionWork === undefined) return { ok: false, error: permanentFailure('CASE.INVALID_ROUTE', `case ${routed.caseId} was routed to review without a decision item`) };
    if (order.items.length === 0) return;
    const policyResult = deps.policies.get(routed.useCase);
    if (!policyResult.ok) return { ok: false, error: permanentFailure(policyResult.error.code, policyResult.error.message) };
    const policy = policyResult.value;
    const invalid = (message: string): Outcome => ({ ok: false, error: permanentFailure('CASE.INVALID_ROUTE', message) });
    const unknownQueue = order.items.find((w) => !policy.queues.some((q) => q.id === w.queue));
    if (unknownQueue) return invalid(`queue ${unknownQueue.queue} is not a queue of policy ${policy.id}`);
    const itemIds = order.items.map((w) => queueItemId(routed.caseId, w.purpose));
    if (new Set(itemIds).size !== itemIds.length) return invalid(`the work order of case ${routed.caseId} names one purpose twice`);

    const now = deps.clock.now();
    // Golden cases are mixed into the queue at the policy's goldenRate (deterministic on the case id).
    let golden: GoldenCaseDoc | undefined;
    if (decisionWork && mixesGolden(policy, routed.caseId)) {
      const docs = await deps.golden.ofQueue(policy.id, decisionWork.queue);
      golden = docs[goldenIndexFor(routed.caseId, docs.length)];
    }
    const goldenCaseId = golden ? goldenInstanceId(golden.goldenId, routed.caseId) : undefined;
    return deps.items.enqueue({ caseId: routed.caseId, itemIds, caseIds: goldenCaseId ? [goldenCaseId] : [] }, now, (unit) => {
      const { caseDoc } = unit;
      if (!caseDoc) return { result: { ok: false, error: permanentFailure('CASE.NOT_FOUND', `case ${routed.caseId} does not exist`) } as Outcome, events: [] };
      // Every item is opened through the rulebook first, so a refused order writes nothing.
      const traceparent = currentTraceparent();
      const extras = { ...(traceparent ? { traceparent } : {}), expireAt: caseExpiry(policy, caseDoc.openedAt) };
      const toCreate: QueueItemDoc[] = [];
      const goldenCases: CaseDoc[] = [];
      for (const [i, work] of order.items.entries()) {
        const itemId = itemIds[i] as string;
        if (unit.existingItems.has(itemId)) continue;
        const opened = openItem(orderOfWorkItem(work, { itemId, caseId: caseDoc.caseId, useCase: caseDoc.useCase }), queueItemSummaryOf(caseDoc), now.getTime());
        if (!opened.ok) return { result: invalid(`case ${routed.caseId}: ${opened.error.message}`), events: [] };
        const item: QueueItemDoc = { ...opened.value, ...extras };
        toCreate.push(item);
        if (golden && goldenCaseId && work.purpose === 'decision' && !unit.existingCases.has(goldenCaseId)) {
          const instance = { ...goldenCaseDoc(golden, goldenCaseId, now.getTime()), expireAt: caseExpiry(policy, now.getTime()) };
          const gItem = goldenItem(instance, item, now.getTime());
          if (!gItem.ok) return { result: invalid(`golden case ${goldenCaseId}: ${gItem.error.message}`), events: [] };
          goldenCases.push(instance);
          toCreate.push(gItem.value);
        }
      }
      for (const instance of goldenCases) unit.createCase(instance);
      for (const item of toCreate) unit.createItem(item);
      // The case waited for its queue item (the router's commit said so): it exists now.
      unit.updateCase({ ...(routed.route === 'review' && caseDoc.status === 'opened' ? { status: 'in-review' as const } : {}), ...(caseDoc.nextStep?.kind === 'enqueue' ? { enqueueDone: true as const } : {}) });
      return { result: ok({ created: toCreate.map((item) => item.itemId) }) as Outcome, events: [] };
    });
  };
}

export interface RequeueDeps {
  cases: ReviewCases;
  policies: PolicyRegistry;
  clock: Clock;
}

export function createRequeueOnEvidenceSubmitted(deps: RequeueDeps): EventHandler {
  return async (event): Promise<Outcome | void> => {
    if (event.type !== EventTypes.evidenceSubmitted) return;
    const submitted: EvidenceSubmitted = (event as ArbiterEvent<typeof EventTypes.evidenceSubmitted>).data;
    const now = deps.clock.now();
    const marker = { consumer: SubscriptionNames.requeueOnEvidenceSubmitted, key: idFromEventIdentity('evs', event.source, event.id) };
    return deps.cases.requeue({ caseId: submitted.caseId, marker }, now, (unit) => {
      if (unit.processed) return { result: ok({ requeued: false, duplicate: true }) as Outcome, events: [] };
      const { caseDoc } = unit;
      if (!caseDoc) return { result: { ok: false, error: permanentFailure('CASE.NOT_FOUND', `evidence submitted for unknown case ${submitted.caseId}`) } as Outcome, events: [] };
      const added = submitted.evidence.map((e) => ({ ...e, submittedBy: submitted.submittedBy, submittedAt: now.getTime() }));
      const requeued = requeue(unit, caseDoc, now);
      unit.updateCase({ addEvidence: added, ...(requeued ? { backInReview: true as const } : {}), ...(caseDoc.nextStep?.kind === 'requeue' ? { requeueDone: true as const } : {}) });
      // Retained like the case (markerExpiry: its policy's caseDays, never within the redelivery window).
      const policy = deps.policies.get(caseDoc.useCase);
      unit.markProcessed({ consumer: SubscriptionNames.requeueOnEvidenceSubmitted, source: event.source, id: event.id, caseId: submitted.caseId, processedAt: now.getTime(), ...(policy.ok ? { expireAt: markerExpiry(policy.value, now.getTime()) } : {}) });
      return { result: ok({ requeued, duplicate: false }) as Outcome, events: [] };
    });
  };
}

/**
 * The crew's evidence did not come by the request's `dueBy` (or never reached Arbiter): the reconciler
 * publishes `case.redriven` with step `requeue`, and the case goes back to the head of its queue without
 * it, so a reviewer decides on what there is (or asks again). Evidence arriving later is still added and
 * requeues again. Acts only on a request older than the re-drive: a redelivered `case.redriven` never
 * cuts short a request made after it.
 */
export function createRequeueOnCaseRedriven(deps: RequeueDeps): EventHandler {
  return async (event): Promise<Outcome | void> => {
    if (event.type !== EventTypes.caseRedriven) return;
    const redriven: CaseRedriven = (event as ArbiterEvent<typeof EventTypes.caseRedriven>).data;
    if (redriven.step !== 'requeue') return;
    const now = deps.clock.now();
    const redrivenAt = Date.parse(redriven.redrivenAt);
    return deps.cases.requeue({ caseId: redriven.caseId }, now, (unit) => {
      const { caseDoc } = unit;
      if (!caseDoc) return { result: { ok: false, error: permanentFailure('CASE.NOT_FOUND', `case.redriven for unknown case ${redriven.caseId}`) } as Outcome, events: [] };
      const request = caseDoc.evidenceRequest;
      if (caseDoc.status !== 'awaiting-evidence' || !request || request.requestedAt > redrivenAt) return { result: ok({ requeued: false, duplicate: true }) as Outcome, events: [] };
      const requeued = requeue(unit, caseDoc, now);
      unit.updateCase({ ...(requeued ? { backInReview: true as const } : {}), ...(caseDoc.nextStep?.kind === 'requeue' ? { requeueDone: true as const } : {}) });
      return { result: ok({ requeued, duplicate: false }) as Outcome, events: [] };
    });
  };
}
