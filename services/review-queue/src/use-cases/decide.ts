/**
 * Deciding: one case in one transaction — the decision (once, via `decideInTransaction`), the item
 * done, `case.reviewed` (notes stay internal), `decision.made` and, when the person overrode the
 * model, `feedback.labelled`. A batch decides each case in its own transaction and reports per item.
 * An evidence request parks the item until the crew answers.
 */
import { randomUUID } from 'node:crypto';
import { caseAuditFactsOf, pendingStep, queueItemId, type CaseDoc, type QueueItemDoc, type Work } from '@arbiter/case-store';
import { EventTypes, type ArbiterEvent } from '@arbiter/contract';
import { adjudicate, adjudicationRevisionIdOf, awaitEvidence, completeItem, disagreementOf, fail, isCustomerFavorable, modelOutcomeOf, needsDoubleReview, ok, openItem, returnToQueue, slaDueAt, type ApprovalRecord, type DecisionRevised, type Disagreement, type Failure, type Policy, type Result, type ReviewPurpose } from '@arbiter/core';
import { inTrace, type Clock } from '@arbiter/platform';
import type { PolicyRegistry } from '@arbiter/policy';
import type { Principal } from '../auth';
import { isLeadLike, mayWorkItem } from '../access';
import { checkBatchOption, checkDecisionOption, checkEvidenceReason, type BatchDecisionBody, type DecisionBody, type EvidenceRequestBody } from '../validation';
import type { QueueItems, ReviewCases, VerdictUnit } from '../ports';
import { actorOf, event, holdsClaim, isClaimable, iso, QueueCatalog } from './common';
import { hasPendingDecision, holdPending, type Recorder, type UndoSettings } from './undo';

export interface DecideDeps {
  cases: ReviewCases;
  items: Pick<QueueItems, 'read'>;
  policies: PolicyRegistry;
  clock: Clock;
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

const refused = (code: string, message: string): { ok: false; error: Failure } => fail({ code, message });

function policyOf(deps: DecideDeps, useCase: string): Result<Policy> {
  const policy = deps.policies.get(useCase);
  return policy.ok ? ok(policy.value) : refused('POLICY.UNKNOWN_USE_CASE', policy.error.message);
}

/** A unit of work that writes nothing and answers `failure`. */
const nothing = <T>(failure: { ok: false; error: Failure }): Work<Result<T>> => ({ result: failure, events: [] });

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
 * An item a verdict on `item` opens (a double review, an adjudication), through the rulebook's
 * `openItem`: the same case, queue, priority, due time and summary, no SLA work of its own, retained
 * and traced like `item`.
 */
function followUpItem(item: QueueItemDoc, purpose: 'double-review' | 'adjudication', extra: { lane?: 0; excludeReviewers: string[]; disagreement?: Disagreement }, nowMs: number): Result<QueueItemDoc> {
  const opened = openItem(
    {
      itemId: queueItemId(item.caseId, purpose),
      caseId: item.caseId,
      useCase: item.useCase,
      queue: item.queue,
      purpose,
      ...(extra.lane !== undefined ? { lane: extra.lane } : {}),
      priority: { score: item.priority, reasons: item.priorityReasons },
      dueAt: item.dueAt,
      nextCheckAt: null,
      excludeReviewers: extra.excludeReviewers,
    },
    item.summary,
    nowMs,
  );
  if (!opened.ok) return opened;
  return ok({
    ...opened.value,
    ...(extra.disagreement ? { disagreement: extra.disagreement } : {}),
    ...(item.traceparent !== undefined ? { traceparent: item.traceparent } : {}),
    ...(item.expireAt !== undefined ? { expireAt: item.expireAt } : {}),
  });
}

/**
 * Inside a unit of work that read `caseDoc` and `item`: record the verdict, decide when it is the decision
 * item — in a span of the case's trace (stored on its queue item), so the decision, its events and
 * their audit rows continue the trace the prediction started. A failure has written nothing.
 */
function recordVerdict(unit: VerdictUnit, p: Principal, policy: Policy, caseDoc: CaseDoc, item: QueueItemDoc, verdict: Verdict, now: Date): Result<{ result: DecisionResult; events: ArbiterEvent[] }> {
  return inTrace(item.traceparent, 'review-queue record verdict', { 'arbiter.case_id': caseDoc.caseId, 'arbiter.item_purpose': item.purpose }, () => recordVerdictInTrace(unit, p, policy, caseDoc, item, verdict, now));
}

function recordVerdictInTrace(unit: VerdictUnit, p: Principal, policy: Policy, caseDoc: CaseDoc, item: QueueItemDoc, verdict: Verdict, now: Date): Result<{ result: DecisionResult; events: ArbiterEvent[] }> {
  const events: ArbiterEvent[] = [];
  const reviewer = actorOf(p);
  const modelOutcome = modelOutcomeOf(policy, caseDoc.prediction.prediction?.label);
  const override = verdict.outcome !== modelOutcome;
  let decisionId: string | undefined;
  // Refusals first, so that a refused verdict has written nothing.
  if (item.purpose === 'decision' && caseDoc.decision) return refused('CASE.ALREADY_DECIDED', `case ${caseDoc.caseId} is already decided`);
  if (item.purpose === 'adjudication' && (!caseDoc.decision || !item.disagreement)) return refused('ITEM.CONFLICT', `case ${caseDoc.caseId} has no disagreeing double review to adjudicate`);
  // The item is done, the claim removed (`doneBy` records who); the callers refuse an item done already.
  const completed = completeItem(item, now.getTime(), { releaseClaim: true });
  if (!completed.ok) return refused('ITEM.CONFLICT', completed.error.message);
  // The items this verdict opens, through the rulebook, before anything is written.
  // Double review (policy quality.doubleReviewRate, deterministic on the case id): a second,
  // independent verdict — never by this reviewer, and blind to this verdict (the case view hides the
  // decision while a double review is pending). It feeds reviewer agreement (κ); when it disagrees, a
  // lead adjudicates.
  const second = item.purpose === 'decision' && needsDoubleReview(policy, caseDoc.caseId) ? followUpItem(item, 'double-review', { excludeReviewers: [p.id] }, now.getTime()) : undefined;
  // A second verdict that disagrees with the decision goes to a lead: one adjudication item per case,
  // ahead of new work, never to either reviewer (only leads may work adjudication items).
  const disagreement = item.purpose === 'double-review' && caseDoc.decision ? disagreementOf({ reviewerId: caseDoc.decision.decidedBy.id, outcome: caseDoc.decision.outcome }, { reviewerId: p.id, outcome: verdict.outcome }) : undefined;
  const adjudicationItem = disagreement ? followUpItem(item, 'adjudication', { lane: 0, excludeReviewers: [disagreement.first.reviewerId, disagreement.second.reviewerId], disagreement }, now.getTime()) : undefined;
  for (const opened of [second, adjudicationItem]) if (opened && !opened.ok) return refused('ITEM.CONFLICT', opened.error.message);
  if (item.purpose === 'decision') {
    const decided = unit.decide(caseDoc, policy, { outcome: verdict.outcome, decidedBy: { kind: 'human', id: p.id }, ...(verdict.reasonCode ? { reasonCode: verdict.reasonCode } : {}), ...(verdict.approval ? { approval: verdict.approval } : {}), decidedAt: now });
    if (!decided.decided) return refused('CASE.ALREADY_DECIDED', `case ${caseDoc.caseId} is already decided`);
    events.push(...decided.events);
    decisionId = decided.decision.data.decisionId;
  }
  // Adjudication: the lead's outcome settles a double review that disagreed. It judges both reviewers,
  // becomes a labelled example, and revises the published decision when it differs from it.
  let adjudication: { outcome: string; judged: Array<{ reviewerId: string; outcome: string; correct: boolean }> } | undefined;
  let revision: DecisionRevised | undefined;
  if (item.purpose === 'adjudication') {
    const published = caseDoc.decision;
    if (!published || !item.disagreement) return refused('ITEM.CONFLICT', `case ${caseDoc.caseId} has no disagreeing double review to adjudicate`);
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
      unit.reviseDecision(revision);
    }
  }
  const expected = item.purpose === 'golden' ? caseDoc.golden?.expectedOutcome : undefined;
  unit.finishItem(item.itemId, completed.value.change, {
    doneBy: p.id,
    verdict: { optionId: verdict.optionId, outcome: verdict.outcome, ...(verdict.reasonCode ? { reasonCode: verdict.reasonCode } : {}), ...(verdict.approval ? { approval: verdict.approval } : {}) },
    ...(expected !== undefined ? { goldenResult: { expectedOutcome: expected, correct: expected === verdict.outcome } } : {}),
    ...(adjudication ? { adjudication } : {}),
  });
  // What the verdict says about reviewers (golden answer, adjudication, double-review pair): their standing.
  unit.recordJudged({ policy, caseDoc, item, reviewerId: p.id, outcome: verdict.outcome, ...(expected !== undefined ? { expected } : {}), ...(adjudication ? { adjudication } : {}), nowMs: now.getTime() });
  // The double review, and the adjudication of one that disagreed (opened above).
  if (second?.ok) unit.putItem(second.value);
  if (adjudicationItem?.ok) unit.putItem(adjudicationItem.value);
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
        // What its audit row says of the case, from the document this unit of work read.
        caseFacts: caseAuditFactsOf(caseDoc),
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
  return ok({
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
  });
}

/** The caller's right to act on an item now (holds its claim, or is a lead/admin allowed on the queue): undefined, or why not. */
function mayNotAct(deps: DecideDeps, p: Principal, item: QueueItemDoc, nowMs: number, options: { allowClaimable: boolean }): { ok: false; error: Failure } | undefined {
  const ref = deps.catalog.get(item.queue);
  if (!ref || !mayWorkItem(p, item, ref.queue, nowMs)) return refused('AUTH.FORBIDDEN', `your roles do not allow deciding items of queue ${item.queue}`);
  if (holdsClaim(item, p.id, nowMs) || isLeadLike(p)) return undefined;
  if (options.allowClaimable && isClaimable(item, nowMs)) return undefined;
  if (item.status === 'claimed' && item.claim && item.claim.leaseUntil > nowMs) return refused('ITEM.CLAIMED_BY_OTHER', `item ${item.itemId} is claimed by ${item.claim.reviewerId}`);
  return refused('ITEM.CONFLICT', `you do not hold the claim on item ${item.itemId}; claim it first (POST /api/items/${item.itemId}/claim)`);
}

export function createDecideCase(deps: DecideDeps) {
  return async (p: Principal, caseId: string, body: DecisionBody): Promise<Result<DecisionResult>> => {
    const now = deps.clock.now();
    const nowMs = now.getTime();
    const itemIds = (['decision', 'blind-review', 'double-review', 'adjudication'] as const).map((purpose) => queueItemId(caseId, purpose));
    const decided = await deps.cases.transact<Result<DecisionResult>>({ caseId, itemIds }, now, { publish: 'soon' }, async (unit) => {
      const { caseDoc, items } = unit;
      if (!caseDoc) return nothing(refused('CASE.NOT_FOUND', `there is no case ${caseId}`));
      if (items.length === 0) return nothing(refused('ITEM.NOT_FOUND', `case ${caseId} has no review item`));
      // The item the caller works on: the one they hold, else an open one they are not excluded from
      // (the decision item comes first), else the decision item. A reviewer who decided the case and
      // posts again is told it is decided, not refused the double review that checks their verdict.
      const item = items.find((i) => holdsClaim(i, p.id, nowMs)) ?? items.find((i) => i.status !== 'done' && !i.excludeReviewers?.includes(p.id)) ?? (items[0] as QueueItemDoc);
      const policy = policyOf(deps, caseDoc.useCase);
      if (!policy.ok) return nothing(policy);
      const option = checkDecisionOption(policy.value, body);
      if (!option.ok) return nothing(option);
      if (item.purpose === 'decision' && (caseDoc.decision || item.status === 'done')) return nothing(refused('CASE.ALREADY_DECIDED', `case ${caseId} is already decided`));
      if (item.status === 'done') return nothing(refused('ITEM.CONFLICT', `the ${item.purpose} of case ${caseId} is already recorded`));
      const denied = mayNotAct(deps, p, item, nowMs, { allowClaimable: false }) ?? pendingRefusal(item);
      if (denied) return nothing(denied);
      const verdict: Verdict = { optionId: option.value.id, outcome: option.value.outcome, ...(body.reasonCode ? { reasonCode: body.reasonCode } : {}), ...(body.notes ? { notes: body.notes } : {}), ...(option.value.approval ? { approval: option.value.approval } : {}) };
      if (deps.undo && deps.undo.windowMs > 0) {
        const held = holdPending(unit, deps.undo, p, item, verdict as Verdict & Record<string, unknown>, now);
        if (!held.ok) return nothing(held);
        const { commitAfter } = held.value;
        const override = verdict.outcome !== modelOutcomeOf(policy.value, caseDoc.prediction.prediction?.label);
        return { result: ok({ caseId, itemId: item.itemId, purpose: item.purpose, optionId: verdict.optionId, outcome: verdict.outcome, ...(verdict.reasonCode ? { reasonCode: verdict.reasonCode } : {}), decided: false, override, decidedAt: now.toISOString(), pending: { undoUntil: iso(commitAfter) } }), events: [] };
      }
      const recorded = recordVerdict(unit, p, policy.value, caseDoc, item, verdict, now);
      return recorded.ok ? { result: ok(recorded.value.result), events: recorded.value.events } : nothing(recorded);
    });
    if (decided.ok && decided.value.pending) deps.undo?.schedule(decided.value.itemId, Date.parse(decided.value.pending.undoUntil));
    return decided;
  };
}

/** A decision waiting in its undo window blocks any other verdict, evidence request or batch on the item. */
function pendingRefusal(item: QueueItemDoc): { ok: false; error: Failure } | undefined {
  return hasPendingDecision(item) ? refused('ITEM.CONFLICT', `a decision on item ${item.itemId} is waiting in its undo window; undo it first (POST /api/cases/${item.caseId}/decision/undo) or wait until it is committed`) : undefined;
}

/** The decision unit of work's recording step, for committing a pending decision (undo.ts). */
export function verdictRecorder(deps: DecideDeps): Recorder {
  return (unit, p, caseDoc, item, verdict, decidedAt) => {
    const policy = policyOf(deps, caseDoc.useCase);
    if (!policy.ok) return policy;
    const recorded = recordVerdict(unit, p, policy.value, caseDoc, item, verdict as unknown as Verdict, decidedAt);
    return recorded.ok ? ok({ events: recorded.value.events }) : recorded;
  };
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
  return async (p: Principal, body: BatchDecisionBody): Promise<Result<BatchResult>> => {
    const items = await Promise.all(body.itemIds.map(async (id) => (await deps.items.read(id))?.item));
    const missing = body.itemIds.filter((_, i) => !items[i]);
    if (missing.length) return refused('ITEM.NOT_FOUND', `no queue item ${missing.join(', ')}`);
    const found = items.filter((item): item is QueueItemDoc => item !== undefined);
    const notDecision = found.filter((i) => i.purpose !== 'decision');
    if (notDecision.length) return refused('VALIDATION.NOT_BATCHABLE', `only decision items can be batched; not: ${notDecision.map((i) => i.itemId).join(', ')}`);
    const keys = new Set(found.map((i) => i.batchKey ?? ''));
    const first = found[0];
    if (keys.size !== 1 || !first?.batchKey) return refused('VALIDATION.NOT_BATCHABLE', 'every item of a batch must share one batch key (GET /api/queues lists batchable groups)');
    const useCases = new Set(found.map((i) => i.useCase));
    if (useCases.size !== 1) return refused('VALIDATION.NOT_BATCHABLE', 'every item of a batch must be of one use case');
    const policy = policyOf(deps, first.useCase);
    if (!policy.ok) return policy;
    const option = checkBatchOption(policy.value, body);
    if (!option.ok) return option;
    const nowMs = deps.clock.now().getTime();
    for (const item of found) {
      if (item.status === 'done' || item.status === 'awaiting-evidence') continue; // reported per item below
      const denied = mayNotAct(deps, p, item, nowMs, { allowClaimable: true });
      if (denied) return denied;
    }
    const batchId = `bat_${randomUUID()}`;
    const flagged = new Set(body.flagged);
    const results: BatchItemResult[] = [];
    for (const listed of found) {
      const now = deps.clock.now();
      const r = await deps.cases.transact<Result<BatchItemResult>>({ caseId: listed.caseId, itemIds: [listed.itemId] }, now, { publish: 'soon' }, async (unit) => {
        const { caseDoc } = unit;
        const item = unit.items[0];
        if (!caseDoc || !item) return nothing(refused('CASE.NOT_FOUND', `case ${listed.caseId} is gone`));
        if (caseDoc.decision || item.status === 'done') return nothing(refused('CASE.ALREADY_DECIDED', `case ${listed.caseId} is already decided`));
        if (item.status === 'awaiting-evidence') return nothing(refused('ITEM.CONFLICT', `item ${item.itemId} is waiting for evidence`));
        const denied = mayNotAct(deps, p, item, now.getTime(), { allowClaimable: true }) ?? pendingRefusal(item);
        if (denied) return nothing(denied);
        if (option.value.kind === 'decide-unflagged' && flagged.has(item.itemId)) {
          const back = returnToQueue(item);
          if (!back.ok) return nothing(refused('CASE.ALREADY_DECIDED', `case ${listed.caseId} is already decided`));
          unit.returnForReview(item.itemId, back.value.change, batchId);
          const events: ArbiterEvent[] = item.status === 'claimed' && item.claim
            ? [event(EventTypes.caseReleased, { caseId: item.caseId, useCase: item.useCase, queue: item.queue, releasedBy: actorOf(p), reason: 'released', releasedAt: now.toISOString() }, item.caseId, now)]
            : [];
          return { result: ok({ itemId: item.itemId, caseId: item.caseId, result: 'returned-for-review' }), events };
        }
        const given: Verdict = { optionId: option.value.id, outcome: option.value.outcome, ...(body.reasonCode ? { reasonCode: body.reasonCode } : {}), ...(body.notes ? { notes: body.notes } : {}), ...(option.value.approval ? { approval: option.value.approval } : {}), batchId };
        if (deps.undo && deps.undo.windowMs > 0) {
          const held = holdPending(unit, deps.undo, p, item, given as Verdict & Record<string, unknown>, now);
          if (!held.ok) return nothing(held);
          const { commitAfter } = held.value;
          return { result: ok({ itemId: item.itemId, caseId: item.caseId, result: 'pending', outcome: given.outcome, undoUntil: iso(commitAfter) }), events: [] };
        }
        const verdict = recordVerdict(unit, p, policy.value, caseDoc, item, given, now);
        if (!verdict.ok) return nothing(verdict);
        return { result: ok({ itemId: item.itemId, caseId: item.caseId, result: 'decided', outcome: verdict.value.result.outcome, ...(verdict.value.result.decisionId ? { decisionId: verdict.value.result.decisionId } : {}) }), events: verdict.value.events };
      });
      if (!r.ok) {
        results.push({ itemId: listed.itemId, caseId: listed.caseId, result: 'failed', error: r.error });
        continue;
      }
      if (r.value.result === 'pending') deps.undo?.schedule(r.value.itemId, Date.parse(r.value.undoUntil));
      results.push(r.value);
    }
    return ok({ batchId, optionId: option.value.id, batchKey: first.batchKey, results });
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
  return async (p: Principal, caseId: string, body: EvidenceRequestBody): Promise<Result<EvidenceRequestResult>> => {
    const now = deps.clock.now();
    const nowMs = now.getTime();
    return deps.cases.transact<Result<EvidenceRequestResult>>({ caseId, itemIds: [queueItemId(caseId, 'decision')] }, now, {}, async (unit) => {
      const { caseDoc } = unit;
      const item = unit.items[0];
      if (!caseDoc) return nothing(refused('CASE.NOT_FOUND', `there is no case ${caseId}`));
      if (!item) return nothing(refused('ITEM.NOT_FOUND', `case ${caseId} is not in a review queue`));
      const policy = policyOf(deps, caseDoc.useCase);
      if (!policy.ok) return nothing(policy);
      const reason = checkEvidenceReason(policy.value, body.reasonCode);
      if (!reason.ok) return nothing(reason);
      if (caseDoc.decision || item.status === 'done') return nothing(refused('CASE.ALREADY_DECIDED', `case ${caseId} is already decided`));
      if (item.status === 'awaiting-evidence') return nothing(refused('ITEM.CONFLICT', `case ${caseId} is already waiting for evidence`));
      const denied = mayNotAct(deps, p, item, nowMs, { allowClaimable: false }) ?? pendingRefusal(item);
      if (denied) return nothing(denied);
      const waiting = awaitEvidence(item);
      if (!waiting.ok) return nothing(refused('ITEM.CONFLICT', waiting.error.message));
      const queue = deps.catalog.get(item.queue)?.queue;
      const dueBy = item.dueAt > nowMs || !queue ? item.dueAt : slaDueAt(now, queue.sla, queue.calendar).getTime();
      const request = { requestedBy: p.id, reasonCode: body.reasonCode, what: body.what, dueBy, requestedAt: nowMs };
      const events: ArbiterEvent[] = inTrace(item.traceparent, 'review-queue request evidence', { 'arbiter.case_id': caseId }, () => [
        event(EventTypes.evidenceRequested, { caseId, useCase: caseDoc.useCase, subject: caseDoc.subject, requestedBy: p.id, reasonCode: body.reasonCode, what: body.what, dueBy: new Date(dueBy).toISOString() }, caseId, now),
        ...(item.status === 'claimed' && item.claim ? [event(EventTypes.caseReleased, { caseId, useCase: item.useCase, queue: item.queue, releasedBy: actorOf(p), reason: 'released', releasedAt: now.toISOString() }, caseId, now)] : []),
      ]);
      // The case must be back in the queue by dueBy: the crew's evidence does it, or else the reconciler.
      unit.awaitEvidence(item.itemId, waiting.value.change, request, pendingStep('requeue', events[0] as ArbiterEvent, dueBy));
      return { result: ok({ caseId, itemId: item.itemId, status: 'awaiting-evidence', dueBy: new Date(dueBy).toISOString() }), events };
    });
  };
}
