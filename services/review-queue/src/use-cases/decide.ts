/**
 * Deciding: one case in one transaction — the decision (once, via `decideInTransaction`), the item
 * done, `case.reviewed` (notes stay internal), `decision.made` and, when the person overrode the
 * model, `feedback.labelled`. A batch decides each case in its own transaction and reports per item.
 * An evidence request parks the item until the crew answers.
 */
import { randomUUID } from 'node:crypto';
import { FieldValue, type Transaction } from '@google-cloud/firestore';
import { decideInTransaction, pendingStep, queueItemId, type CaseDoc, type QueueItemDoc } from '@arbiter/cases';
import { EventTypes, type ArbiterEvent } from '@arbiter/contract';
import { adjudicate, adjudicationRevisionIdOf, disagreementOf, isCustomerFavorable, modelOutcomeOf, needsDoubleReview, slaDueAt, type ApprovalRecord, type DecisionRevised, type Policy, type ReviewPurpose } from '@arbiter/core';
import { inTrace } from '@arbiter/platform';
import type { Principal } from '../auth';
import { isLeadLike, mayWorkItem } from '../access';
import { checkBatchOption, checkDecisionOption, checkEvidenceReason, type BatchDecisionBody, type DecisionBody, type EvidenceRequestBody } from '../validation';
import { actorOf, event, holdsClaim, isClaimable, iso, QueueCatalog, reject, type UseCaseDeps } from './common';
import { hasPendingDecision, holdPending, type Recorder, type UndoSettings } from './undo';
import { judgedVerdictsOf, recordJudgedVerdicts } from '../reviewer-quality.firestore';

export interface DecideDeps extends UseCaseDeps {
  catalog: QueueCatalog;
  /** The undo window (undo.ts); absent or zero: a decision commits at once. */
  undo?: UndoSettings;
}

export interface DecisionResult {
  caseId: string;
  itemId: string;
  purpose: ReviewPurpose;
  optionId: string;
  outcome: string;
  reasonCode?: string;
  /** True when this closed the case (decision items); blind reviews record a verdict only. */
  decided: boolean;
  decisionId?: string;
  /** Adjudication only: the revision of the published decision, when the lead changed its outcome. */
  revisionId?: string;
  override: boolean;
  decidedAt: string;
  /** Held in the undo window: nothing is decided or published before `undoUntil` (POST …/decision/undo). */
  pending?: { undoUntil: string };
}

function policyOf(deps: DecideDeps, useCase: string): Policy {
  const policy = deps.policies.get(useCase);
  if (!policy.ok) return reject('POLICY.UNKNOWN_USE_CASE', policy.error.message);
  return policy.value;
}

export interface Verdict {
  optionId: string;
  outcome: string;
  reasonCode?: string;
  notes?: string;
  batchId?: string;
  /** The approval record the option asked for, checked (`checkApproval`). */
  approval?: ApprovalRecord;
}

/**
 * Inside a transaction that read `caseDoc` and `item`: record the verdict, decide when it is the decision
 * item — in a span of the case's trace (stored on its queue item), so the decision, its events and
 * their audit rows continue the trace the prediction started.
 */
function recordVerdict(tx: Transaction, deps: DecideDeps, p: Principal, policy: Policy, caseDoc: CaseDoc, item: QueueItemDoc, verdict: Verdict, now: Date): { result: DecisionResult; events: ArbiterEvent[] } {
  return inTrace(item.traceparent, 'review-queue record verdict', { 'arbiter.case_id': caseDoc.caseId, 'arbiter.item_purpose': item.purpose }, () => recordVerdictInTrace(tx, deps, p, policy, caseDoc, item, verdict, now));
}

function recordVerdictInTrace(tx: Transaction, deps: DecideDeps, p: Principal, policy: Policy, caseDoc: CaseDoc, item: QueueItemDoc, verdict: Verdict, now: Date): { result: DecisionResult; events: ArbiterEvent[] } {
  const events: ArbiterEvent[] = [];
  const reviewer = actorOf(p);
  const modelOutcome = modelOutcomeOf(policy, caseDoc.prediction.prediction?.label);
  const override = verdict.outcome !== modelOutcome;
  let decisionId: string | undefined;
  if (item.purpose === 'decision') {
    const decided = decideInTransaction(tx, deps.store.cases, caseDoc, policy, { outcome: verdict.outcome, decidedBy: { kind: 'human', id: p.id }, ...(verdict.reasonCode ? { reasonCode: verdict.reasonCode } : {}), ...(verdict.approval ? { approval: verdict.approval } : {}), decidedAt: now }, '/arbiter/review-queue');
    if (!decided.decided) return reject('CASE.ALREADY_DECIDED', `case ${caseDoc.caseId} is already decided`);
    events.push(...decided.events);
    decisionId = decided.decision.data.decisionId;
  }
  // Adjudication: the lead's outcome settles a double review that disagreed. It judges both reviewers,
  // becomes a labelled example, and revises the published decision when it differs from it.
  let adjudication: { outcome: string; judged: Array<{ reviewerId: string; outcome: string; correct: boolean }> } | undefined;
  let revision: DecisionRevised | undefined;
  if (item.purpose === 'adjudication') {
    const published = caseDoc.decision;
    if (!published || !item.disagreement) return reject('ITEM.CONFLICT', `case ${caseDoc.caseId} has no disagreeing double review to adjudicate`);
    const settled = adjudicate(published, item.disagreement, verdict.outcome);
    adjudication = { outcome: settled.outcome, judged: settled.judged };
    if (settled.revises && !caseDoc.revision) {
      revision = {
        caseId: caseDoc.caseId,
        decisionId: published.decisionId,
        revisionId: adjudicationRevisionIdOf(caseDoc.caseId),
        outcome: verdict.outcome,
        ...(verdict.reasonCode ? { reasonCode: verdict.reasonCode } : {}),
        customerFavorable: isCustomerFavorable(policy, verdict.outcome),
        revisedBy: { kind: 'human', id: p.id },
        revisedAt: now.toISOString(),
        previousOutcome: published.outcome,
      };
      tx.update(deps.store.caseRef(caseDoc.caseId), { revision });
    }
  }
  const expected = item.purpose === 'golden' ? (caseDoc as CaseDoc & { golden?: { expectedOutcome: string } }).golden?.expectedOutcome : undefined;
  tx.update(deps.store.itemRef(item.itemId), {
    status: 'done',
    doneAt: now.getTime(),
    doneBy: p.id,
    claim: FieldValue.delete(),
    pendingDecision: FieldValue.delete(),
    'sla.nextCheckAt': null,
    verdict: { optionId: verdict.optionId, outcome: verdict.outcome, ...(verdict.reasonCode ? { reasonCode: verdict.reasonCode } : {}), ...(verdict.approval ? { approval: verdict.approval } : {}) },
    ...(expected !== undefined ? { goldenResult: { expectedOutcome: expected, correct: expected === verdict.outcome } } : {}),
    ...(adjudication ? { adjudication } : {}),
  });
  // What the verdict says about reviewers (golden answer, adjudication, double-review pair): their standing.
  recordJudgedVerdicts(tx, deps.store.firestore, judgedVerdictsOf(policy, caseDoc, item, p.id, verdict.outcome, { ...(expected !== undefined ? { expected } : {}), ...(adjudication ? { adjudication } : {}) }, now.getTime()));
  // Double review (policy quality.doubleReviewRate, deterministic on the case id): a second,
  // independent verdict — never by this reviewer, and blind to this verdict (the case view hides the
  // decision while a double review is pending). It feeds reviewer agreement (κ); when it disagrees, a
  // lead adjudicates (below).
  if (item.purpose === 'decision' && needsDoubleReview(policy, caseDoc.caseId)) {
    const second: QueueItemDoc = {
      ...item,
      itemId: queueItemId(caseDoc.caseId, 'double-review'),
      purpose: 'double-review',
      status: 'open',
      lane: 1,
      enqueuedAt: now.getTime(),
      blind: false,
      sla: { sent: [], nextCheckAt: null },
      excludeReviewers: [p.id],
    };
    delete second.claim;
    delete second.batchKey;
    delete second.doneAt;
    tx.set(deps.store.itemRef(second.itemId), second);
  }
  // A second verdict that disagrees with the decision goes to a lead: one adjudication item per case,
  // ahead of new work, never to either reviewer (only leads may work adjudication items).
  const disagreement = item.purpose === 'double-review' && caseDoc.decision ? disagreementOf({ reviewerId: caseDoc.decision.decidedBy.id, outcome: caseDoc.decision.outcome }, { reviewerId: p.id, outcome: verdict.outcome }) : undefined;
  if (disagreement) {
    const adjudicationItem: QueueItemDoc = {
      ...item,
      itemId: queueItemId(caseDoc.caseId, 'adjudication'),
      purpose: 'adjudication',
      status: 'open',
      lane: 0,
      enqueuedAt: now.getTime(),
      blind: false,
      sla: { sent: [], nextCheckAt: null },
      excludeReviewers: [disagreement.first.reviewerId, disagreement.second.reviewerId],
      disagreement,
    };
    delete adjudicationItem.claim;
    delete adjudicationItem.batchKey;
    delete adjudicationItem.doneAt;
    tx.set(deps.store.itemRef(adjudicationItem.itemId), adjudicationItem);
  }
  events.unshift(
    event(
      EventTypes.caseReviewed,
      {
        caseId: caseDoc.caseId,
        useCase: caseDoc.useCase,
        reviewer,
        optionId: verdict.optionId,
        outcome: verdict.outcome,
        ...(verdict.reasonCode ? { reasonCode: verdict.reasonCode } : {}),
        ...(verdict.notes ? { notes: verdict.notes } : {}),
        purpose: item.purpose,
        ...(verdict.batchId ? { batchId: verdict.batchId } : {}),
        ...(verdict.approval ? { approval: verdict.approval } : {}),
        reviewedAt: now.toISOString(),
      },
      caseDoc.caseId,
      now,
      `rev_${item.itemId}`,
    ),
  );
  const labelling = item.purpose === 'blind-review' && caseDoc.decision?.decidedBy.kind === 'policy';
  // A blind review that disagrees with an automatic decision: a person overrode the machine, a labelled
  // example like any override (and a miss against the human-approval alignment target).
  const blindOverride = item.purpose === 'blind-review' && caseDoc.decision?.decidedBy.kind === 'auto' && verdict.outcome !== caseDoc.decision.outcome;
  if ((item.purpose === 'decision' && override) || labelling || blindOverride) {
    const label = Object.entries(policy.modelOutcome.byLabel).filter(([, outcome]) => outcome === verdict.outcome).map(([l]) => l);
    events.push(
      event(
        EventTypes.feedbackLabelled,
        {
          caseId: caseDoc.caseId,
          useCase: caseDoc.useCase,
          model: caseDoc.model,
          prediction: { ...(caseDoc.prediction.prediction?.label !== undefined ? { label: caseDoc.prediction.prediction.label } : {}), confidence: caseDoc.confidence },
          outcome: verdict.outcome,
          ...(label.length === 1 ? { humanLabel: label[0] as string } : {}),
          ...(verdict.reasonCode ? { reasonCode: verdict.reasonCode } : {}),
          source: labelling ? 'enrichment' : 'override',
          evidence: [...(caseDoc.prediction.evidence ?? []), ...(caseDoc.extraEvidence ?? [])].map((e) => e.uri),
          labelledAt: now.toISOString(),
        },
        caseDoc.caseId,
        now,
        `fbk_${labelling ? 'enrichment' : 'override'}_${caseDoc.caseId}`,
      ),
    );
  }
  if (adjudication) {
    const label = Object.entries(policy.modelOutcome.byLabel).filter(([, outcome]) => outcome === verdict.outcome).map(([l]) => l);
    events.push(
      event(
        EventTypes.feedbackLabelled,
        {
          caseId: caseDoc.caseId,
          useCase: caseDoc.useCase,
          model: caseDoc.model,
          prediction: { ...(caseDoc.prediction.prediction?.label !== undefined ? { label: caseDoc.prediction.prediction.label } : {}), confidence: caseDoc.confidence },
          outcome: verdict.outcome,
          ...(label.length === 1 ? { humanLabel: label[0] as string } : {}),
          ...(verdict.reasonCode ? { reasonCode: verdict.reasonCode } : {}),
          source: 'adjudication',
          evidence: [...(caseDoc.prediction.evidence ?? []), ...(caseDoc.extraEvidence ?? [])].map((e) => e.uri),
          labelledAt: now.toISOString(),
        },
        caseDoc.caseId,
        now,
        `fbk_adjudication_${caseDoc.caseId}`,
      ),
    );
  }
  // At most one revision per case: its ce-id is the revision id, and the case carries it once set.
  if (revision) events.push(event(EventTypes.decisionRevised, revision, caseDoc.caseId, now, revision.revisionId));
  return {
    result: {
      caseId: caseDoc.caseId,
      itemId: item.itemId,
      purpose: item.purpose,
      optionId: verdict.optionId,
      outcome: verdict.outcome,
      ...(verdict.reasonCode ? { reasonCode: verdict.reasonCode } : {}),
      decided: item.purpose === 'decision',
      ...(decisionId ? { decisionId } : {}),
      ...(revision ? { revisionId: revision.revisionId } : {}),
      override,
      decidedAt: now.toISOString(),
    },
    events,
  };
}

/** The caller's right to act on an item now: holds its claim, or is a lead/admin allowed on the queue. */
function assertMayAct(deps: DecideDeps, p: Principal, item: QueueItemDoc, nowMs: number, options: { allowClaimable: boolean }): void {
  const ref = deps.catalog.get(item.queue);
  if (!ref || !mayWorkItem(p, item, ref.queue, nowMs)) reject('AUTH.FORBIDDEN', `your roles do not allow deciding items of queue ${item.queue}`);
  if (holdsClaim(item, p.id, nowMs) || isLeadLike(p)) return;
  if (options.allowClaimable && isClaimable(item, nowMs)) return;
  if (item.status === 'claimed' && item.claim && item.claim.leaseUntil > nowMs) reject('ITEM.CLAIMED_BY_OTHER', `item ${item.itemId} is claimed by ${item.claim.reviewerId}`);
  reject('ITEM.CONFLICT', `you do not hold the claim on item ${item.itemId}; claim it first (POST /api/items/${item.itemId}/claim)`);
}

export function createDecideCase(deps: DecideDeps) {
  return async (p: Principal, caseId: string, body: DecisionBody): Promise<DecisionResult> => {
    const now = deps.clock.now();
    const nowMs = now.getTime();
    return deps.store.cases.transact(async (tx) => {
      const [caseSnap, decisionSnap, blindSnap, doubleSnap, adjudicationSnap] = await tx.getAll(
        deps.store.caseRef(caseId),
        ...(['decision', 'blind-review', 'double-review', 'adjudication'] as const).map((purpose) => deps.store.itemRef(queueItemId(caseId, purpose))),
      );
      if (!caseSnap?.exists) return reject('CASE.NOT_FOUND', `there is no case ${caseId}`);
      const caseDoc = caseSnap.data() as CaseDoc;
      const items = [decisionSnap, blindSnap, doubleSnap, adjudicationSnap].filter((s) => s?.exists).map((s) => s?.data() as QueueItemDoc);
      if (items.length === 0) return reject('ITEM.NOT_FOUND', `case ${caseId} has no review item`);
      // The item the caller works on: the one they hold, else an open one they are not excluded from
      // (the decision item comes first), else the decision item. A reviewer who decided the case and
      // posts again is told it is decided, not refused the double review that checks their verdict.
      const item = items.find((i) => holdsClaim(i, p.id, nowMs)) ?? items.find((i) => i.status !== 'done' && !i.excludeReviewers?.includes(p.id)) ?? items[0] as QueueItemDoc;
      const policy = policyOf(deps, caseDoc.useCase);
      const option = checkDecisionOption(policy, body);
      if (!option.ok) return reject(option.error.code, option.error.message);
      if (item.purpose === 'decision' && (caseDoc.decision || item.status === 'done')) return reject('CASE.ALREADY_DECIDED', `case ${caseId} is already decided`);
      if (item.status === 'done') return reject('ITEM.CONFLICT', `the ${item.purpose} of case ${caseId} is already recorded`);
      assertMayAct(deps, p, item, nowMs, { allowClaimable: false });
      refuseWhilePending(item);
      const verdict: Verdict = { optionId: option.value.id, outcome: option.value.outcome, ...(body.reasonCode ? { reasonCode: body.reasonCode } : {}), ...(body.notes ? { notes: body.notes } : {}), ...(option.value.approval ? { approval: option.value.approval } : {}) };
      if (deps.undo && deps.undo.windowMs > 0) {
        const { commitAfter } = holdPending(tx, deps, deps.undo, p, item, verdict as Verdict & Record<string, unknown>, now);
        const override = verdict.outcome !== modelOutcomeOf(policy, caseDoc.prediction.prediction?.label);
        return { result: { caseId, itemId: item.itemId, purpose: item.purpose, optionId: verdict.optionId, outcome: verdict.outcome, ...(verdict.reasonCode ? { reasonCode: verdict.reasonCode } : {}), decided: false, override, decidedAt: now.toISOString(), pending: { undoUntil: iso(commitAfter) } } as DecisionResult, events: [] };
      }
      return recordVerdict(tx, deps, p, policy, caseDoc, item, verdict, now);
    }, now, { publish: 'soon' }).then((result) => {
      if (result.pending) deps.undo?.schedule(result.itemId, Date.parse(result.pending.undoUntil));
      return result;
    });
  };
}

/** A decision waiting in its undo window blocks any other verdict, evidence request or batch on the item. */
function refuseWhilePending(item: QueueItemDoc): void {
  if (hasPendingDecision(item)) reject('ITEM.CONFLICT', `a decision on item ${item.itemId} is waiting in its undo window; undo it first (POST /api/cases/${item.caseId}/decision/undo) or wait until it is committed`);
}

/** The decision transaction's recording step, for committing a pending decision (undo.ts). */
export function verdictRecorder(deps: DecideDeps): Recorder {
  return (tx, p, caseDoc, item, verdict, decidedAt) => recordVerdict(tx, deps, p, policyOf(deps, caseDoc.useCase), caseDoc, item, verdict as unknown as Verdict, decidedAt);
}

export type BatchItemResult =
  | { itemId: string; caseId?: string; result: 'decided'; outcome: string; decisionId?: string }
  | { itemId: string; caseId?: string; result: 'pending'; outcome: string; undoUntil: string }
  | { itemId: string; caseId?: string; result: 'returned-for-review' }
  | { itemId: string; caseId?: string; result: 'failed'; error: { code: string; message: string } };

export interface BatchResult {
  batchId: string;
  optionId: string;
  batchKey: string;
  results: BatchItemResult[];
}

export function createDecideBatch(deps: DecideDeps) {
  return async (p: Principal, body: BatchDecisionBody): Promise<BatchResult> => {
    const items = await Promise.all(body.itemIds.map((id) => deps.store.getItem(id)));
    const missing = body.itemIds.filter((_, i) => !items[i]);
    if (missing.length) return reject('ITEM.NOT_FOUND', `no queue item ${missing.join(', ')}`);
    const found = items as QueueItemDoc[];
    const notDecision = found.filter((i) => i.purpose !== 'decision');
    if (notDecision.length) return reject('VALIDATION.NOT_BATCHABLE', `only decision items can be batched; not: ${notDecision.map((i) => i.itemId).join(', ')}`);
    const keys = new Set(found.map((i) => i.batchKey ?? ''));
    const first = found[0] as QueueItemDoc;
    if (keys.size !== 1 || !first.batchKey) return reject('VALIDATION.NOT_BATCHABLE', 'every item of a batch must share one batch key (GET /api/queues lists batchable groups)');
    const useCases = new Set(found.map((i) => i.useCase));
    if (useCases.size !== 1) return reject('VALIDATION.NOT_BATCHABLE', 'every item of a batch must be of one use case');
    const policy = policyOf(deps, first.useCase);
    const option = checkBatchOption(policy, body);
    if (!option.ok) return reject(option.error.code, option.error.message);
    const nowMs = deps.clock.now().getTime();
    for (const item of found) {
      if (item.status === 'done' || item.status === 'awaiting-evidence') continue; // reported per item below
      assertMayAct(deps, p, item, nowMs, { allowClaimable: true });
    }
    const batchId = `bat_${randomUUID()}`;
    const flagged = new Set(body.flagged);
    const results: BatchItemResult[] = [];
    for (const listed of found) {
      const now = deps.clock.now();
      try {
        const r = await deps.store.cases.transact(async (tx) => {
          const [caseSnap, itemSnap] = await tx.getAll(deps.store.caseRef(listed.caseId), deps.store.itemRef(listed.itemId));
          const item = itemSnap?.data() as QueueItemDoc | undefined;
          if (!caseSnap?.exists || !item) return reject('CASE.NOT_FOUND', `case ${listed.caseId} is gone`);
          const caseDoc = caseSnap.data() as CaseDoc;
          if (caseDoc.decision || item.status === 'done') return reject('CASE.ALREADY_DECIDED', `case ${listed.caseId} is already decided`);
          if (item.status === 'awaiting-evidence') return reject('ITEM.CONFLICT', `item ${item.itemId} is waiting for evidence`);
          assertMayAct(deps, p, item, now.getTime(), { allowClaimable: true });
          refuseWhilePending(item);
          if (option.value.kind === 'decide-unflagged' && flagged.has(item.itemId)) {
            tx.update(deps.store.itemRef(item.itemId), { status: 'open', lane: 0, claim: FieldValue.delete(), flaggedInBatch: batchId });
            const events: ArbiterEvent[] = item.status === 'claimed' && item.claim
              ? [event(EventTypes.caseReleased, { caseId: item.caseId, useCase: item.useCase, queue: item.queue, releasedBy: actorOf(p), reason: 'released', releasedAt: now.toISOString() }, item.caseId, now)]
              : [];
            return { result: { itemId: item.itemId, caseId: item.caseId, result: 'returned-for-review' } as BatchItemResult, events };
          }
          const given: Verdict = { optionId: option.value.id, outcome: option.value.outcome, ...(body.reasonCode ? { reasonCode: body.reasonCode } : {}), ...(body.notes ? { notes: body.notes } : {}), ...(option.value.approval ? { approval: option.value.approval } : {}), batchId };
          if (deps.undo && deps.undo.windowMs > 0) {
            const { commitAfter } = holdPending(tx, deps, deps.undo, p, item, given as Verdict & Record<string, unknown>, now);
            return { result: { itemId: item.itemId, caseId: item.caseId, result: 'pending', outcome: given.outcome, undoUntil: iso(commitAfter) } as BatchItemResult, events: [] };
          }
          const verdict = recordVerdict(tx, deps, p, policy, caseDoc, item, given, now);
          return { result: { itemId: item.itemId, caseId: item.caseId, result: 'decided', outcome: verdict.result.outcome, ...(verdict.result.decisionId ? { decisionId: verdict.result.decisionId } : {}) } as BatchItemResult, events: verdict.events };
        }, now, { publish: 'soon' });
        if (r.result === 'pending') deps.undo?.schedule(r.itemId, Date.parse(r.undoUntil));
        results.push(r);
      } catch (error) {
        const failure = (error as { failure?: { code: string; message: string } }).failure;
        if (!failure) throw error;
        results.push({ itemId: listed.itemId, caseId: listed.caseId, result: 'failed', error: failure });
      }
    }
    return { batchId, optionId: option.value.id, batchKey: first.batchKey, results };
  };
}

export interface EvidenceRequestResult {
  caseId: string;
  itemId: string;
  status: 'awaiting-evidence';
  dueBy: string;
}

/**
 * Asks the crew for more evidence. The item waits (`awaiting-evidence`, claim released) until
 * `evidence.submitted` puts it back at the head of the queue. The SLA is NOT paused: the case keeps
 * its due time, reminders and expiry (ADR-0016 prefers the customer-favorable expiry to a late fee),
 * and the crew's `dueBy` is that due time (or one SLA target from now if it has already passed).
 */
export function createRequestEvidence(deps: DecideDeps) {
  return async (p: Principal, caseId: string, body: EvidenceRequestBody): Promise<EvidenceRequestResult> => {
    const now = deps.clock.now();
    const nowMs = now.getTime();
    return deps.store.cases.transact(async (tx) => {
      const [caseSnap, itemSnap] = await tx.getAll(deps.store.caseRef(caseId), deps.store.itemRef(queueItemId(caseId, 'decision')));
      if (!caseSnap?.exists) return reject('CASE.NOT_FOUND', `there is no case ${caseId}`);
      if (!itemSnap?.exists) return reject('ITEM.NOT_FOUND', `case ${caseId} is not in a review queue`);
      const caseDoc = caseSnap.data() as CaseDoc;
      const item = itemSnap.data() as QueueItemDoc;
      const policy = policyOf(deps, caseDoc.useCase);
      const reason = checkEvidenceReason(policy, body.reasonCode);
      if (!reason.ok) return reject(reason.error.code, reason.error.message);
      if (caseDoc.decision || item.status === 'done') return reject('CASE.ALREADY_DECIDED', `case ${caseId} is already decided`);
      if (item.status === 'awaiting-evidence') return reject('ITEM.CONFLICT', `case ${caseId} is already waiting for evidence`);
      assertMayAct(deps, p, item, nowMs, { allowClaimable: false });
      refuseWhilePending(item);
      const queue = deps.catalog.get(item.queue)?.queue;
      const dueBy = item.dueAt > nowMs || !queue ? item.dueAt : slaDueAt(now, queue.sla, queue.calendar).getTime();
      const request = { requestedBy: p.id, reasonCode: body.reasonCode, what: body.what, dueBy, requestedAt: nowMs };
      const events: ArbiterEvent[] = inTrace(item.traceparent, 'review-queue request evidence', { 'arbiter.case_id': caseId }, () => [
        event(EventTypes.evidenceRequested, { caseId, useCase: caseDoc.useCase, subject: caseDoc.subject, requestedBy: p.id, reasonCode: body.reasonCode, what: body.what, dueBy: new Date(dueBy).toISOString() }, caseId, now),
        ...(item.status === 'claimed' && item.claim ? [event(EventTypes.caseReleased, { caseId, useCase: item.useCase, queue: item.queue, releasedBy: actorOf(p), reason: 'released', releasedAt: now.toISOString() }, caseId, now)] : []),
      ]);
      tx.update(deps.store.itemRef(item.itemId), { status: 'awaiting-evidence', claim: FieldValue.delete() });
      // The case must be back in the queue by dueBy: the crew's evidence does it, or else the reconciler.
      tx.update(deps.store.caseRef(caseId), { status: 'awaiting-evidence', evidenceRequest: request, nextStep: pendingStep('requeue', events[0] as ArbiterEvent, dueBy) });
      return { result: { caseId, itemId: item.itemId, status: 'awaiting-evidence', dueBy: new Date(dueBy).toISOString() }, events };
    }, now);
  };
}
