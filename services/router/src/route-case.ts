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
 * - review (medium band, always-human category, HITL-OPT low band): a person decides, in the queue.
 * - default (ADR-0016 low band): the policy's customer-favorable outcome, decided by the policy,
 *   flagged for dataset enrichment when the action says so.
 *
 * Every route carries its work order (`planWork`, in the core): the queue items the review-queue
 * creates — the decision item of a review route, the blind review of a sampled automatic decision,
 * the blind labelling of a low-band default flagged for enrichment — each with its priority, due
 * time, reminders, first SLA check, batch key and similarity basis. The event is built once; the
 * route recorded on the case is derived from it (`caseRouteOf`).
 */
import { EventTypes, type ArbiterEvent } from '@arbiter/contract';
import {
  decideRoute,
  fail,
  ok,
  planWork,
  postActionReportOf,
  type ApprovedPattern,
  type CaseRouted,
  type EnrichmentFlagged,
  type Policy,
  type Result,
} from '@arbiter/core';
import { caseDocFromOpened, producedEvent, type CaseDoc, type CaseRoute, type RouteSnapshot } from '@arbiter/case-store';
import { permanentFailure, transientFailure, type Clock, type HandlerFailure } from '@arbiter/platform';
import type { PolicyRegistry } from '@arbiter/policy';
import type { ApprovedPatterns, RoutePlan, RouteStep, RoutingCases } from './ports';

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
  // The work order: every queue item to create, planned once here (the review-queue materializes it).
  const work = planWork(decision, { useCase: caseDoc.useCase, prediction: caseDoc.prediction, openedAt: new Date(caseDoc.openedAt) }, policy, now);
  if (!work.ok) return { kind: 'fail', failure: permanentFailure(work.error.code, work.error.message) };
  const workOrder = work.value;
  const awaitsQueueItem = workOrder.items.length > 0;
  // A review route and a sampled automatic decision also name their item's queue and times at the top (the audit row's columns).
  const primary = decision.route === 'default' ? undefined : workOrder.items[0];
  const base: Omit<CaseRouted, 'route'> = {
    caseId: caseDoc.caseId,
    useCase: caseDoc.useCase,
    policy: caseDoc.policy,
    reason: decision.reason,
    ...(primary !== undefined
      ? { queue: primary.queue, priority: primary.priority, dueAt: primary.dueAt, reminderAt: primary.reminderAt, ...(primary.batchKey !== undefined ? { batchKey: primary.batchKey } : {}) }
      : {}),
    workOrder,
    rationale: decision.rationale,
    routedAt: now.toISOString(),
  };
  const routedEvent = (data: CaseRouted): ArbiterEvent => producedEvent(EventTypes.caseRouted, source, data, { id: caseRoutedEventIdOf(caseDoc.caseId), subject: caseDoc.caseId, time: now });

  if (decision.route === 'review') {
    const data: CaseRouted = { ...base, route: 'review' };
    return { kind: 'route', route: caseRouteOf(data), status: 'in-review', policy, events: [routedEvent(data)], awaitsQueueItem };
  }

  const snapshot = snapshotOf(caseDoc, decision.outcome);
  if (decision.route === 'auto') {
    const data: CaseRouted = {
      ...base,
      route: 'auto',
      blindReview: decision.blindReview,
      ...(decision.matchedPattern ? { matchedPattern: decision.matchedPattern } : {}),
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
    if (report) data.postActionReport = report;
    return { kind: 'route', route: caseRouteOf(data, snapshot), status: 'decided', policy, decision: { outcome: decision.outcome, decidedBy, decidedAt: now }, events: [routedEvent(data)], awaitsQueueItem };
  }

  // default: the policy's customer-favorable outcome.
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
  // A low-band default the policy flags for enrichment is offered for blind labelling: its work order says so.
  return {
    kind: 'route',
    route: caseRouteOf(data, snapshot),
    status: 'decided',
    awaitsQueueItem,
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

/**
 * The route recorded on the case: what `case.routed` says (times as epoch ms), with the snapshot of an
 * automatic or default decision. Built from the event's data, so the two never disagree.
 */
export function caseRouteOf(data: CaseRouted, snapshot?: RouteSnapshot): CaseRoute {
  const routedAt = Date.parse(data.routedAt);
  const common = { kind: data.route, reason: data.reason, rationale: data.rationale };
  switch (data.route) {
    case 'review':
      return {
        ...common,
        ...(data.queue !== undefined ? { queue: data.queue } : {}),
        ...(data.priority !== undefined ? { priority: data.priority } : {}),
        ...(data.dueAt !== undefined ? { dueAt: Date.parse(data.dueAt) } : {}),
        ...(data.reminderAt !== undefined ? { reminderAt: data.reminderAt.map((r) => Date.parse(r)) } : {}),
        ...(data.batchKey !== undefined ? { batchKey: data.batchKey } : {}),
        routedAt,
      };
    case 'auto':
      return {
        ...common,
        blindReview: data.blindReview === true,
        ...(data.blindReview === true && data.queue !== undefined ? { blindReviewQueue: data.queue } : {}),
        ...(data.matchedPattern ? { matchedPattern: data.matchedPattern } : {}),
        ...(snapshot !== undefined ? { snapshot } : {}),
        ...(data.postActionReport ? { postActionReport: { ...data.postActionReport, producedAt: routedAt } } : {}),
        routedAt,
      };
    case 'default':
      return { ...common, ...(snapshot !== undefined ? { snapshot } : {}), routedAt };
  }
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

