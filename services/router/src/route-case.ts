/**
 * Use case: route an opened case (ADR-0016 §1–§2, HITL-OPT stages 2–3).
 *
 * `planRoute` is pure: from the case (as `case.opened` describes it), its policy, the approved
 * patterns and `now`, it says what to write and what to emit. `createRouteCase` wires it to its ports:
 * the approved patterns are read first, then the plan is written in one unit of work. A case that is
 * already routed is left alone, so a redelivered `case.opened` has no second effect; every decision
 * goes through the one-decision rule.
 *
 * - auto (automatic band, or fast-track): decided at once, by the model (`<name>@<version>`) or by
 *   `fast-track`; the rationale and an evidence snapshot are recorded on the case; `case.routed`
 *   says whether the decision was sampled for blind review, and in which queue.
 * - review (medium band, always-human category, HITL-OPT low band): priority, due time on the
 *   queue's SLA and calendar (a priority `slaTarget` may make it sooner), reminders, batch key.
 * - default (ADR-0016 low band): the policy's customer-favorable outcome, decided by the policy,
 *   flagged for dataset enrichment when the action says so.
 */
import { EventTypes, type ArbiterEvent } from '@arbiter/contract';
import {
  batchKey,
  caseDueAt,
  decideRoute,
  fail,
  ok,
  postActionReportOf,
  priorityScore,
  reminderTimes,
  type ApprovedPattern,
  type CaseRouted,
  type EnrichmentFlagged,
  type Policy,
  type QueueSpec,
  type Result,
} from '@arbiter/core';
import { caseDocFromOpened, producedEvent, type CaseDoc, type CaseRoute, type CaseStatus, type DecisionInput, type RouteSnapshot } from '@arbiter/cases';
import { permanentFailure, transientFailure, type Clock, type HandlerFailure } from '@arbiter/platform';
import type { PolicyRegistry } from '@arbiter/policy';

/** What routing a case does, as planned from the case read in the unit of work. */
export type RoutePlan =
  | { kind: 'skip'; why: string }
  | { kind: 'fail'; failure: HandlerFailure }
  | {
      kind: 'route';
      route: CaseRoute;
      status: CaseStatus;
      /** The policy the decision (if any) is made under. */
      policy: Policy;
      /** Auto and default routes: decided in the same unit of work, through the one-decision rule. */
      decision?: DecisionInput;
      /** `case.routed` first, then anything else (`enrichment.flagged`); the decision event goes after `case.routed`. */
      events: ArbiterEvent[];
      /** The review-queue makes a queue item of this routing (review, blind review, blind labelling): the case waits for it. */
      awaitsQueueItem: boolean;
    };

/** A plan that routes the case: what the unit of work writes. */
export type RouteStep = Extract<RoutePlan, { kind: 'route' }>;

/** What the unit of work did. */
export type RouteApplied =
  | { kind: 'missing' }
  | { kind: 'skip'; why: string }
  | { kind: 'route'; route: CaseRoute; decided: boolean; events: ArbiterEvent[] };

/** The router's view of case state. */
export interface RoutingCases {
  /**
   * As one unit of work: write the route (and status) of `step`, decide the case through the
   * one-decision rule when the step says so, and stage every event — all of it committed atomically,
   * only if the case exists, and only once per case (a second routing is a `skip`). `opened` is the
   * case `case.opened` describes, which `step` was planned from: the assessor emits exactly the
   * document it creates, and nothing writes a case before it is routed, so no read is needed.
   */
  route(opened: CaseDoc, step: RouteStep, now: Date): Promise<RouteApplied>;
}

/** Previously approved patterns of a use case, most recent first. */
export interface ApprovedPatterns {
  recent(useCase: string): Promise<ApprovedPattern[]>;
}

export interface RouteCaseDeps {
  cases: RoutingCases;
  patterns: ApprovedPatterns;
  policies: Pick<PolicyRegistry, 'get'>;
  clock: Clock;
  /** `ce-source` of the events this service produces. */
  source: string;
}

export interface RouteCaseOutcome {
  caseId: string;
  /** False when the case was already routed: nothing was written or emitted. */
  routed: boolean;
  route?: CaseRoute;
  decided: boolean;
}

export type RouteCase = (event: ArbiterEvent<typeof EventTypes.caseOpened>) => Promise<Result<RouteCaseOutcome, HandlerFailure>>;

export const caseRoutedEventIdOf = (caseId: string): string => `routed_${caseId}`;
export const enrichmentEventIdOf = (caseId: string): string => `enrichment_${caseId}`;

export function createRouteCase(deps: RouteCaseDeps): RouteCase {
  return async (event) => {
    const { caseId, useCase } = event.data;
    const policy = deps.policies.get(useCase);
    if (!policy.ok) return fail(permanentFailure(policy.error.code, policy.error.message));
    const now = deps.clock.now();
    // Fast-track needs both an enabled policy and a pattern to match; otherwise spare the read.
    const fastTrackPossible = policy.value.fastTrack?.enabled === true && event.data.prediction.pattern !== undefined;
    const approvedPatterns = fastTrackPossible ? await deps.patterns.recent(useCase) : [];
    const opened = caseDocFromOpened(event.data);
    const step = planRoute({ caseDoc: opened, policy: policy.value, approvedPatterns, now, source: deps.source });
    if (step.kind === 'fail') return fail(step.failure);
    if (step.kind === 'skip') return ok({ caseId, routed: false, decided: false });
    const applied = await deps.cases.route(opened, step, now);
    switch (applied.kind) {
      case 'missing':
        // The assessor writes the case before it emits case.opened; a missing case is a lagging read or a bug: retry.
        return fail(transientFailure('TRANSIENT.CASE_NOT_FOUND', `case ${caseId} does not exist (yet)`));
      case 'skip':
        return ok({ caseId, routed: false, decided: false });
      case 'route':
        return ok({ caseId, routed: true, route: applied.route, decided: applied.decided });
    }
  };
}

export interface PlanInput {
  caseDoc: CaseDoc;
  policy: Policy;
  approvedPatterns: readonly ApprovedPattern[];
  now: Date;
  source: string;
}

/** Pure: what routing `caseDoc` means. */
export function planRoute(input: PlanInput): RoutePlan {
  const { caseDoc, policy, now, source } = input;
  if (caseDoc.decision !== undefined) return { kind: 'skip', why: 'already decided' };
  if (caseDoc.route !== undefined || caseDoc.status !== 'opened') return { kind: 'skip', why: `already routed (status ${caseDoc.status})` };
  if (caseDoc.useCase !== policy.id) return { kind: 'fail', failure: permanentFailure('CASE.INVALID_POLICY', `case ${caseDoc.caseId} is of use case ${caseDoc.useCase}, not ${policy.id}`) };

  const decision = decideRoute({
    caseId: caseDoc.caseId,
    policy,
    prediction: caseDoc.prediction,
    confidence: caseDoc.confidence,
    band: caseDoc.band,
    approvedPatterns: input.approvedPatterns,
    now,
  });
  const routedAt = now.getTime();
  const base: Pick<CaseRouted, 'caseId' | 'useCase' | 'policy' | 'reason' | 'rationale' | 'routedAt'> = {
    caseId: caseDoc.caseId,
    useCase: caseDoc.useCase,
    policy: caseDoc.policy,
    reason: decision.reason,
    rationale: decision.rationale,
    routedAt: now.toISOString(),
  };
  const routedEvent = (data: CaseRouted): ArbiterEvent => producedEvent(EventTypes.caseRouted, source, data, { id: caseRoutedEventIdOf(caseDoc.caseId), subject: caseDoc.caseId, time: now });

  if (decision.route === 'review') {
    const work = reviewWork(caseDoc, policy, decision.queue, now);
    if (!work.ok) return { kind: 'fail', failure: work.error };
    const { priority, dueAt, reminderAt, key } = work.value;
    const route: CaseRoute = {
      kind: 'review',
      reason: decision.reason,
      rationale: decision.rationale,
      queue: decision.queue,
      priority,
      dueAt: dueAt.getTime(),
      reminderAt: reminderAt.map((d) => d.getTime()),
      ...(key !== undefined ? { batchKey: key } : {}),
      routedAt,
    };
    const data: CaseRouted = {
      ...base,
      route: 'review',
      queue: decision.queue,
      priority,
      dueAt: dueAt.toISOString(),
      reminderAt: reminderAt.map((d) => d.toISOString()),
      ...(key !== undefined ? { batchKey: key } : {}),
    };
    return { kind: 'route', route, status: 'in-review', policy, events: [routedEvent(data)], awaitsQueueItem: true };
  }

  const snapshot = snapshotOf(caseDoc, decision.outcome);
  if (decision.route === 'auto') {
    const blindQueue = decision.blindReview ? decision.blindReviewQueue : undefined;
    let blind: { priority: { score: number; reasons: string[] }; dueAt: Date; reminderAt: Date[]; key?: string } | undefined;
    if (blindQueue !== undefined) {
      const work = reviewWork(caseDoc, policy, blindQueue, now);
      if (!work.ok) return { kind: 'fail', failure: work.error };
      blind = work.value;
    }
    const route: CaseRoute = {
      kind: 'auto',
      reason: decision.reason,
      rationale: decision.rationale,
      blindReview: decision.blindReview,
      ...(blindQueue !== undefined ? { blindReviewQueue: blindQueue } : {}),
      ...(decision.matchedPattern ? { matchedPattern: decision.matchedPattern } : {}),
      snapshot,
      routedAt,
    };
    const data: CaseRouted = {
      ...base,
      route: 'auto',
      blindReview: decision.blindReview,
      ...(decision.matchedPattern ? { matchedPattern: decision.matchedPattern } : {}),
      ...(blindQueue !== undefined && blind !== undefined
        ? { queue: blindQueue, priority: blind.priority, dueAt: blind.dueAt.toISOString(), reminderAt: blind.reminderAt.map((d) => d.toISOString()) }
        : {}),
    };
    const decidedBy = decision.reason === 'fast-track' ? { kind: 'auto' as const, id: 'fast-track' } : { kind: 'auto' as const, id: `${caseDoc.model.name}@${caseDoc.model.version}` };
    // HITL-OPT "automatic approval with post-action reporting": one report per automatic approval,
    // stored on the case and carried by case.routed into the audit trail.
    const report = decision.postActionReport
      ? postActionReportOf(policy, {
          caseId: caseDoc.caseId,
          useCase: caseDoc.useCase,
          policy: caseDoc.policy,
          subject: caseDoc.subject,
          model: caseDoc.model,
          confidence: caseDoc.confidence,
          confidenceSource: caseDoc.confidenceSource,
          band: caseDoc.band,
          thresholds: caseDoc.thresholds,
          prediction: caseDoc.prediction,
          openedAt: new Date(caseDoc.openedAt).toISOString(),
          ...(decision.matchedPattern ? { matchedPattern: decision.matchedPattern } : {}),
          routing: { route: 'auto', reason: decision.reason },
        })
      : undefined;
    if (report) {
      route.postActionReport = { ...report, producedAt: routedAt };
      data.postActionReport = report;
    }
    return { kind: 'route', route, status: 'decided', policy, decision: { outcome: decision.outcome, decidedBy, decidedAt: now }, events: [routedEvent(data)], awaitsQueueItem: blindQueue !== undefined };
  }

  // default: the policy's customer-favorable outcome.
  const route: CaseRoute = { kind: 'default', reason: decision.reason, rationale: decision.rationale, snapshot, routedAt };
  const data: CaseRouted = { ...base, route: 'default' };
  const reasonCode = defaultReasonCodeOf(policy);
  const events: ArbiterEvent[] = [routedEvent(data)];
  if (decision.enrichment) {
    const flagged: EnrichmentFlagged = {
      caseId: caseDoc.caseId,
      useCase: caseDoc.useCase,
      model: caseDoc.model,
      reason: 'low-confidence',
      prediction: { ...(caseDoc.prediction.prediction?.label !== undefined ? { label: caseDoc.prediction.prediction.label } : {}), confidence: caseDoc.confidence },
      evidence: snapshot.evidence,
      flaggedAt: now.toISOString(),
    };
    events.push(producedEvent(EventTypes.enrichmentFlagged, source, flagged, { id: enrichmentEventIdOf(caseDoc.caseId), subject: caseDoc.caseId, time: now }));
  }
  // A low-band default the policy flags for enrichment is offered for blind labelling (review-queue).
  const lowAction = policy.actions.low;
  const labelling = decision.reason === 'band-low' && lowAction.route === 'default' && lowAction.enrichment === true;
  return {
    kind: 'route',
    route,
    status: 'decided',
    awaitsQueueItem: labelling,
    policy,
    decision: {
      outcome: decision.outcome,
      decidedBy: { kind: 'policy', id: `policy:${caseDoc.policy.id}@${caseDoc.policy.version}` },
      ...(reasonCode !== undefined ? { reasonCode } : {}),
      decidedAt: now,
    },
    events,
  };
}

/** Priority, due time, reminders and batch key of a case in `queueId`. */
function reviewWork(
  caseDoc: CaseDoc,
  policy: Policy,
  queueId: string,
  now: Date,
): Result<{ priority: { score: number; reasons: string[] }; dueAt: Date; reminderAt: Date[]; key?: string }, HandlerFailure> {
  const queue: QueueSpec | undefined = policy.queues.find((q) => q.id === queueId);
  if (queue === undefined) return fail(permanentFailure('POLICY.UNKNOWN_QUEUE', `policy ${policy.id}@${policy.version} has no queue ${queueId}`));
  const scored = priorityScore(caseDoc.prediction, queue.priority, now);
  const dueAt = caseDueAt(new Date(caseDoc.openedAt), queue.sla, queue.calendar, scored.slaTarget);
  const reminderAt = reminderTimes(dueAt, queue.sla, queue.calendar).map((r) => r.at);
  const key = batchKey(caseDoc.useCase, queue.id, caseDoc.prediction, queue.batch);
  return ok({ priority: { score: scored.score, reasons: scored.reasons }, dueAt, reminderAt, ...(key !== undefined ? { key } : {}) });
}

function snapshotOf(caseDoc: CaseDoc, outcome: string): RouteSnapshot {
  const label = caseDoc.prediction.prediction?.label;
  return {
    outcome,
    confidence: caseDoc.confidence,
    band: caseDoc.band,
    thresholds: caseDoc.thresholds,
    model: caseDoc.model,
    policy: caseDoc.policy,
    ...(label !== undefined ? { label } : {}),
    evidence: (caseDoc.prediction.evidence ?? []).map((item) => item.uri),
  };
}

/**
 * The reason code of a low-band default decision: a code the policy reserves for itself
 * (`appliesTo: [policy]`) that is not one of its queues' expiry codes (`LOW_CONFIDENCE_DEFAULT`);
 * none when the policy has no such code.
 */
export function defaultReasonCodeOf(policy: Policy): string | undefined {
  const expiryCodes = new Set(policy.queues.map((q) => q.sla.expiry.reasonCode));
  return policy.reasonCodes.find((rc) => rc.appliesTo?.includes('policy') === true && !expiryCodes.has(rc.code))?.code;
}

