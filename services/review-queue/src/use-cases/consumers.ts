/**
 * The three consumers: a routed case becomes a queue item; submitted evidence puts its case back in
 * the queue ahead of new work, and so does the reconciler's `case.redriven` (step `requeue`) when the
 * crew's evidence is overdue. All are idempotent: the item is created only if absent, the evidence
 * submission leaves a `processed/…` marker keyed by (ce-source, ce-id) in the same transaction, and a
 * requeue acts only on the evidence request that was overdue when the reconciler looked.
 */
import { caseExpiry, markerExpiry, queueItemId, type CaseDoc, type QueueItemDoc } from '@arbiter/cases';
import { EventTypes, type ArbiterEvent } from '@arbiter/contract';
import { blindReviewQueueOf, caseDueAt, goldenIndexFor, mixesGolden, nextPriorityChangeAt, ok, priorityScore, reminderTimes, returnToQueue, similarityBasisOf, type CaseRedriven, type CaseRouted, type EvidenceSubmitted, type QueueSpec, type Result } from '@arbiter/core';
import { goldenCaseDoc, goldenInstanceId, goldenItem, type GoldenCaseDoc } from '../golden';
import { currentTraceparent, idFromEventIdentity, permanentFailure, type Clock, type EventHandler, type HandlerFailure } from '@arbiter/platform';
import type { PolicyRegistry } from '@arbiter/policy';
import type { GoldenSet, QueueItems, RequeueUnit, ReviewCases } from '../ports';

export const ENQUEUE_SUBSCRIPTION = 'review-queue.enqueue-on-case-routed';
export const REQUEUE_SUBSCRIPTION = 'review-queue.requeue-on-evidence-submitted';
export const REQUEUE_OVERDUE_SUBSCRIPTION = 'review-queue.requeue-on-case-redriven';

type Outcome = Result<{ created: string[] } | { requeued: boolean; duplicate: boolean }, HandlerFailure>;

/** Puts a case waiting for evidence back at the head of its queue (the core's `returnToQueue`: claim gone), unless decided or done; the caller puts the case back in review. */
function requeue(unit: RequeueUnit, caseDoc: CaseDoc, now: Date): boolean {
  if (caseDoc.decision || !unit.item) return false;
  const back = returnToQueue(unit.item);
  if (!back.ok) return false;
  unit.requeueItem(back.value.change, now.getTime());
  return true;
}

function newItem(caseDoc: CaseDoc, queue: QueueSpec, purpose: 'decision' | 'blind-review', routed: CaseRouted, now: Date): QueueItemDoc {
  const routedAt = Date.parse(routed.routedAt);
  const start = Number.isNaN(routedAt) ? now : new Date(routedAt);
  const computed = priorityScore(caseDoc.prediction, queue.priority, start);
  const priority = routed.priority && purpose === 'decision' ? routed.priority : computed;
  const given = purpose === 'decision' && routed.dueAt ? Date.parse(routed.dueAt) : NaN;
  const dueAt = Number.isNaN(given) ? caseDueAt(new Date(caseDoc.openedAt), queue.sla, queue.calendar, computed.slaTarget).getTime() : given;
  const reminders = purpose === 'decision' && routed.reminderAt?.length
    ? routed.reminderAt.map((r) => Date.parse(r)).filter((t) => !Number.isNaN(t))
    : reminderTimes(new Date(dueAt), queue.sla, queue.calendar).map((r) => r.at.getTime());
  const firstReminder = reminders.filter((t) => t > caseDoc.openedAt && t < dueAt).sort((a, b) => a - b)[0];
  // The escalator also looks again when the priority can change by itself (a booking coming near).
  const rerankAt = purpose === 'decision' ? nextPriorityChangeAt(caseDoc.prediction, queue.priority, start)?.getTime() : undefined;
  const label = caseDoc.prediction.prediction?.label;
  const traceparent = currentTraceparent();
  return {
    itemId: queueItemId(caseDoc.caseId, purpose),
    caseId: caseDoc.caseId,
    useCase: caseDoc.useCase,
    queue: queue.id,
    purpose,
    status: 'open',
    lane: 1,
    priority: priority.score,
    priorityReasons: priority.reasons,
    enqueuedAt: now.getTime(),
    dueAt,
    ...(purpose === 'decision' && routed.batchKey ? { batchKey: routed.batchKey } : {}),
    ...(purpose === 'decision' && routed.batchKey && queue.batch?.similarity ? { similarityBasis: similarityBasisOf(caseDoc.prediction, queue.batch.similarity) } : {}),
    blind: purpose === 'blind-review',
    sla: { sent: [], nextCheckAt: Math.min(firstReminder ?? dueAt, rerankAt ?? Number.POSITIVE_INFINITY) },
    ...(traceparent ? { traceparent } : {}),
    summary: {
      ...(label !== undefined ? { label } : {}),
      confidence: caseDoc.confidence,
      band: caseDoc.band,
      model: caseDoc.model,
      subject: caseDoc.subject,
      ...(caseDoc.prediction.category !== undefined ? { category: caseDoc.prediction.category } : {}),
    },
  };
}

export interface EnqueueDeps {
  items: QueueItems;
  golden: GoldenSet;
  policies: PolicyRegistry;
  clock: Clock;
}

export function createEnqueueOnCaseRouted(deps: EnqueueDeps): EventHandler {
  return async (event): Promise<Outcome | void> => {
    if (event.type !== EventTypes.caseRouted) return;
    const routed = (event as ArbiterEvent<typeof EventTypes.caseRouted>).data;
    const policyResult = deps.policies.get(routed.useCase);
    if (!policyResult.ok) return { ok: false, error: permanentFailure(policyResult.error.code, policyResult.error.message) };
    const policy = policyResult.value;
    // A low-band case the policy decided by default and flagged for dataset enrichment is offered for
    // blind labelling (purpose blind-review: the reviewer sees neither the model's call nor the default);
    // the verdict becomes a labelled example (feedback.labelled, source enrichment).
    const lowAction = policy.actions.low;
    const labelling = routed.route === 'default' && routed.reason === 'band-low' && lowAction.route === 'default' && lowAction.enrichment;
    if (routed.route !== 'review' && routed.blindReview !== true && !labelling) return;
    const wanted: Array<{ purpose: 'decision' | 'blind-review'; queueId: string }> = [];
    if (routed.route === 'review') {
      if (!routed.queue) return { ok: false, error: permanentFailure('CASE.INVALID_ROUTE', `case ${routed.caseId} was routed to review without a queue`) };
      wanted.push({ purpose: 'decision', queueId: routed.queue });
    }
    if (routed.blindReview === true || labelling) wanted.push({ purpose: 'blind-review', queueId: routed.queue ?? blindReviewQueueOf(policy) });
    const queues = wanted.map((w) => ({ ...w, queue: policy.queues.find((q) => q.id === w.queueId) }));
    const missing = queues.find((q) => q.queue === undefined);
    if (missing) return { ok: false, error: permanentFailure('CASE.INVALID_ROUTE', `queue ${missing.queueId} is not a queue of policy ${policy.id}`) };

    const now = deps.clock.now();
    // Golden cases are mixed into the queue at the policy's goldenRate (deterministic on the case id).
    let golden: GoldenCaseDoc | undefined;
    if (routed.route === 'review' && routed.queue && mixesGolden(policy, routed.caseId)) {
      const docs = await deps.golden.ofQueue(policy.id, routed.queue);
      golden = docs[goldenIndexFor(routed.caseId, docs.length)];
    }
    const itemIds = queues.map((q) => queueItemId(routed.caseId, q.purpose));
    const goldenCaseId = golden ? goldenInstanceId(golden.goldenId, routed.caseId) : undefined;
    return deps.items.enqueue({ caseId: routed.caseId, itemIds, caseIds: goldenCaseId ? [goldenCaseId] : [] }, now, (unit) => {
      const { caseDoc } = unit;
      if (!caseDoc) return { result: { ok: false, error: permanentFailure('CASE.NOT_FOUND', `case ${routed.caseId} does not exist`) } as Outcome, events: [] };
      const created: string[] = [];
      queues.forEach((q, i) => {
        if (unit.existingItems.has(itemIds[i] as string)) return;
        // Retention: the item goes when its case does (policy caseDays after the case opened).
        const item: QueueItemDoc = { ...newItem(caseDoc, q.queue as QueueSpec, q.purpose, routed, now), expireAt: caseExpiry(policy, caseDoc.openedAt) };
        unit.createItem(item);
        created.push(item.itemId);
        if (golden && goldenCaseId && q.purpose === 'decision' && !unit.existingCases.has(goldenCaseId)) {
          const instance = { ...goldenCaseDoc(golden, goldenCaseId, now.getTime()), expireAt: caseExpiry(policy, now.getTime()) };
          const gItem = goldenItem(instance, item);
          unit.createCase(instance);
          unit.createItem(gItem);
          created.push(gItem.itemId);
        }
      });
      // The case waited for its queue item (the router's commit said so): it exists now.
      unit.updateCase({ ...(routed.route === 'review' && caseDoc.status === 'opened' ? { status: 'in-review' as const } : {}), ...(caseDoc.nextStep?.kind === 'enqueue' ? { enqueueDone: true as const } : {}) });
      return { result: ok({ created }) as Outcome, events: [] };
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
    const marker = { consumer: REQUEUE_SUBSCRIPTION, key: idFromEventIdentity('evs', event.source, event.id) };
    return deps.cases.requeue({ caseId: submitted.caseId, marker }, now, (unit) => {
      if (unit.processed) return { result: ok({ requeued: false, duplicate: true }) as Outcome, events: [] };
      const { caseDoc } = unit;
      if (!caseDoc) return { result: { ok: false, error: permanentFailure('CASE.NOT_FOUND', `evidence submitted for unknown case ${submitted.caseId}`) } as Outcome, events: [] };
      const added = submitted.evidence.map((e) => ({ ...e, submittedBy: submitted.submittedBy, submittedAt: now.getTime() }));
      const requeued = requeue(unit, caseDoc, now);
      unit.updateCase({ addEvidence: added, ...(requeued ? { backInReview: true as const } : {}), ...(caseDoc.nextStep?.kind === 'requeue' ? { requeueDone: true as const } : {}) });
      // Retained like the case (markerExpiry: its policy's caseDays, never within the redelivery window).
      const policy = deps.policies.get(caseDoc.useCase);
      unit.markProcessed({ consumer: REQUEUE_SUBSCRIPTION, source: event.source, id: event.id, caseId: submitted.caseId, processedAt: now.getTime(), ...(policy.ok ? { expireAt: markerExpiry(policy.value, now.getTime()) } : {}) });
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
