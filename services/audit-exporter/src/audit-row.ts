/**
 * One audit row per state-change event (pure): who, when, what, with the model version, thresholds,
 * policy version, route, queue, outcome, reason code, evidence links and escalation level, and the
 * event data as `payload` — redacted first: the policy's PII paths (`privacy.redact`, paths into the
 * prediction) and every free-text field (`notes`, `what`) never leave Firestore.
 */
import { EventTypes, type ArbiterEvent, type EventType } from '@arbiter/contract';
import { traceIdOf } from '@arbiter/platform';
import { businessMillisBetween, DEFAULT_REDACTION_MARKER, isCustomerFavorable, modelOutcomeOf, redact, wallDuration, type ActorRef, type Policy, type RouteKind, type RouteReason } from '@arbiter/core';

/**
 * The few facts of a case the audit rows of decisions and reviews carry, as the events say them
 * (`case.decided`, `case.reviewed`: `caseFacts`, taken from the case by their producer). Times: epoch ms.
 */
export interface CaseFacts {
  openedAt: number;
  /** The prediction's label (what the model said). */
  label?: string;
  category?: string;
  /** The queue the case was routed to (review route), and its priority reasons. */
  queue?: string;
  priorityReasons?: string[];
  /** Golden cases: the known answer. */
  goldenExpectedOutcome?: string;
}

/** A row of `arbiter_audit.audit_events` (schemas/bigquery/audit_events.json). Times are RFC 3339 strings. */
export interface AuditRow {
  event_id: string;
  event_type: string;
  event_source: string;
  event_time: string;
  case_id: string;
  use_case: string;
  subject_type: string | null;
  subject_id: string | null;
  state: AuditState;
  actor_kind: 'auto' | 'human' | 'policy' | 'system';
  actor_role: string | null;
  actor_id: string | null;
  model_name: string | null;
  model_version: string | null;
  confidence: number | null;
  band: string | null;
  threshold_high: number | null;
  threshold_low: number | null;
  policy_id: string | null;
  policy_version: string | null;
  route: string | null;
  queue: string | null;
  outcome: string | null;
  reason_code: string | null;
  customer_favorable: boolean | null;
  evidence_uris: string[];
  escalation_level: string | null;
  due_at: string | null;
  decision_id: string | null;
  source_event_id: string | null;
  review_purpose: string | null;
  batch_id: string | null;
  opened_at: string | null;
  elapsed_seconds: number | null;
  sla_clock: string | null;
  sla_elapsed_seconds: number | null;
  sla_target_seconds: number | null;
  sla_percentile: number | null;
  sla_time_zone: string | null;
  critical_path: boolean | null;
  model_outcome: string | null;
  model_customer_favorable: boolean | null;
  expected_outcome: string | null;
  category: string | null;
  quality_min_golden_accuracy: number | null;
  quality_min_kappa: number | null;
  /** The redacted event data, as JSON text (the column is JSON). */
  payload: string;
  ingested_at: string;
  /**
   * The W3C trace id the event carried (its `traceparent` extension), when tracing was on where it was
   * produced: the case's trace in Cloud Trace. Null otherwise.
   */
  trace_id: string | null;
}

export type AuditState =
  | 'opened'
  | 'routed'
  | 'claimed'
  | 'released'
  | 'reviewed'
  | 'evidence_requested'
  | 'evidence_submitted'
  | 'evidence_accessed'
  | 'escalated'
  | 'flagged'
  | 'decided'
  | 'revised'
  | 'labelled'
  | 'redriven';

/** What each audited event type means as a state change. Predictions are audited through `case.opened`. */
export const stateOf: Partial<Record<EventType, AuditState>> = {
  [EventTypes.caseOpened]: 'opened',
  [EventTypes.caseRouted]: 'routed',
  [EventTypes.caseClaimed]: 'claimed',
  [EventTypes.caseReleased]: 'released',
  [EventTypes.caseReviewed]: 'reviewed',
  [EventTypes.evidenceRequested]: 'evidence_requested',
  [EventTypes.evidenceSubmitted]: 'evidence_submitted',
  [EventTypes.evidenceAccessed]: 'evidence_accessed',
  [EventTypes.slaEscalated]: 'escalated',
  [EventTypes.enrichmentFlagged]: 'flagged',
  // Written for the decision.made.v1 a case.decided stands for (record-event.ts: auditedEventOf), never for v1 as received.
  [EventTypes.decisionMade]: 'decided',
  // decision.made.v2 repeats v1 (plus the approval, audited on the reviewed row): no second decided row.
  [EventTypes.decisionRevised]: 'revised',
  [EventTypes.feedbackLabelled]: 'labelled',
  [EventTypes.caseRedriven]: 'redriven',
};

/** Free-text fields, wherever an event carries them: redacted whatever the policy says. */
export const FREE_TEXT_PATHS: readonly string[] = ['notes', 'what'];

/**
 * Every path redacted from an event's data: free text, and the policy's PII paths — which point into
 * the prediction, so they apply under `prediction.` (case.opened carries the prediction), under each
 * work-order item's similarity basis (case.routed: a part of the prediction) and, in case an event
 * carries the same fields at its top level, there too.
 */
export function redactionPaths(policy: Pick<Policy, 'privacy'>): string[] {
  const pii = policy.privacy.redact;
  return [...FREE_TEXT_PATHS, ...pii.map((path) => `prediction.${path}`), ...pii.map((path) => `workOrder.items.*.similarityBasis.${path}`), ...pii];
}

export const redactEventData = (data: unknown, policy: Pick<Policy, 'privacy'>): unknown => redact(data, redactionPaths(policy), DEFAULT_REDACTION_MARKER);

/** The route column: `auto`, `human-review`, `policy-default`, `always-human`. */
export function routeLabel(route: RouteKind, reason: RouteReason): string {
  if (route === 'auto') return 'auto';
  if (route === 'default') return 'policy-default';
  return reason === 'always-human-category' ? 'always-human' : 'human-review';
}

const actorOf = (actor: ActorRef): Pick<AuditRow, 'actor_kind' | 'actor_role' | 'actor_id'> => ({
  actor_kind: actor.role === 'system' ? 'system' : 'human',
  actor_role: actor.role,
  actor_id: actor.id,
});

/** The service that emitted an event, from its `ce-source` (`/arbiter/router` → `router`). */
const serviceOf = (source: string): string => source.split('/').filter(Boolean).pop() ?? source;

/** What the case's policy says, for events that carry no policy reference of their own. */
export interface AuditContext {
  /** The whole policy when known: decided and reviewed rows then carry SLA timing and the model's outcome. */
  policy: Pick<Policy, 'id' | 'version' | 'privacy'> & Partial<Pick<Policy, 'queues' | 'outcomes' | 'modelOutcome' | 'quality'>>;
  /** What the event says of the case, for decided and reviewed rows (see `decisionTiming`). */
  facts?: CaseFacts;
  /** The use case, for events whose data does not name it (`evidence.submitted`). */
  useCase: string;
  ingestedAt: Date;
}

const blank = (): Omit<AuditRow, 'event_id' | 'event_type' | 'event_source' | 'event_time' | 'case_id' | 'use_case' | 'state' | 'actor_kind' | 'payload' | 'ingested_at' | 'trace_id'> => ({
  subject_type: null,
  subject_id: null,
  actor_role: null,
  actor_id: null,
  model_name: null,
  model_version: null,
  confidence: null,
  band: null,
  threshold_high: null,
  threshold_low: null,
  policy_id: null,
  policy_version: null,
  route: null,
  queue: null,
  outcome: null,
  reason_code: null,
  customer_favorable: null,
  evidence_uris: [],
  escalation_level: null,
  due_at: null,
  decision_id: null,
  source_event_id: null,
  review_purpose: null,
  batch_id: null,
  opened_at: null,
  elapsed_seconds: null,
  sla_clock: null,
  sla_elapsed_seconds: null,
  sla_target_seconds: null,
  sla_percentile: null,
  sla_time_zone: null,
  critical_path: null,
  model_outcome: null,
  model_customer_favorable: null,
  expected_outcome: null,
  category: null,
  quality_min_golden_accuracy: null,
  quality_min_kappa: null,
});

/** What the model alone would have decided, from the case's label (needs the whole policy). */
function modelColumns(policy: AuditContext['policy'], facts: CaseFacts | undefined): Pick<AuditRow, 'model_outcome' | 'model_customer_favorable'> | Record<string, never> {
  if (facts === undefined || policy.modelOutcome === undefined || policy.outcomes === undefined) return {};
  const outcome = modelOutcomeOf(policy as Policy, facts.label);
  return { model_outcome: outcome, model_customer_favorable: isCustomerFavorable(policy as Policy, outcome) };
}

/**
 * Time to decision of a case (pure): wall seconds, and — for a reviewed case — seconds on its queue's
 * SLA clock (business seconds within the queue calendar when the policy says `clock: business`,
 * computed with @arbiter/core's calendar), the target on that clock, and whether it was on the
 * critical path (a priority rule with its own SLA target held: the case's priority reasons name it).
 * A SQL view cannot read the policies' calendars, so the exporter writes these on the decided row.
 */
export function decisionTiming(policy: AuditContext['policy'], facts: CaseFacts, decidedAt: Date): Partial<AuditRow> {
  const opened = new Date(facts.openedAt);
  const timing: Partial<AuditRow> = { opened_at: opened.toISOString(), elapsed_seconds: Math.max(0, (decidedAt.getTime() - facts.openedAt) / 1000) };
  const queue = facts.queue === undefined ? undefined : policy.queues?.find((q) => q.id === facts.queue);
  if (queue === undefined) return { ...timing, critical_path: false };
  const criticalLabels = new Set(queue.priority.rules.filter((r) => r.slaTarget !== undefined).map((r) => r.label));
  const business = queue.sla.clock === 'business';
  const elapsedMs = business ? businessMillisBetween(opened, decidedAt, queue.calendar) : Math.max(0, decidedAt.getTime() - facts.openedAt);
  return {
    ...timing,
    queue: queue.id,
    sla_clock: queue.sla.clock,
    sla_elapsed_seconds: Math.max(0, elapsedMs / 1000),
    sla_target_seconds: wallDuration(queue.sla.target).as('seconds'),
    sla_percentile: queue.sla.percentile ?? 1,
    sla_time_zone: queue.calendar.timeZone,
    critical_path: (facts.priorityReasons ?? []).some((r) => criticalLabels.has(r)),
  };
}

const iso = (value: string): string => new Date(value).toISOString();

/** The audit row of an event, or undefined for an event type that is not a state change of a case. */
export function toAuditRow(event: ArbiterEvent, context: AuditContext): AuditRow | undefined {
  const state = stateOf[event.type];
  if (state === undefined) return undefined;
  const system = { actor_kind: 'system' as const, actor_role: 'system', actor_id: serviceOf(event.source) };
  const policyColumns = { policy_id: context.policy.id, policy_version: context.policy.version };
  let specific: Partial<AuditRow> & { case_id: string; actor_kind: AuditRow['actor_kind'] };
  switch (event.type) {
    case EventTypes.caseOpened: {
      const d = event.data;
      specific = {
        case_id: d.caseId,
        ...system,
        subject_type: d.subject.type,
        subject_id: d.subject.id,
        model_name: d.model.name,
        model_version: d.model.version,
        confidence: d.confidence,
        band: d.band,
        threshold_high: d.thresholds.high,
        threshold_low: d.thresholds.low,
        policy_id: d.policy.id,
        policy_version: d.policy.version,
        evidence_uris: (d.prediction.evidence ?? []).map((e) => e.uri),
        source_event_id: d.sourceEvent.id,
      };
      break;
    }
    case EventTypes.caseRouted: {
      const d = event.data;
      specific = {
        case_id: d.caseId,
        ...system,
        policy_id: d.policy.id,
        policy_version: d.policy.version,
        route: routeLabel(d.route, d.reason),
        queue: d.queue ?? null,
        due_at: d.dueAt ? iso(d.dueAt) : null,
        reason_code: d.reason,
      };
      break;
    }
    case EventTypes.caseClaimed: {
      const d = event.data;
      specific = { case_id: d.caseId, ...policyColumns, ...actorOf(d.claimedBy), queue: d.queue };
      break;
    }
    case EventTypes.caseReleased: {
      const d = event.data;
      specific = { case_id: d.caseId, ...policyColumns, ...actorOf(d.releasedBy), queue: d.queue, reason_code: d.reason };
      break;
    }
    case EventTypes.caseReviewed: {
      const d = event.data;
      specific = {
        case_id: d.caseId,
        ...policyColumns,
        ...actorOf(d.reviewer),
        outcome: d.outcome,
        reason_code: d.reasonCode ?? null,
        review_purpose: d.purpose,
        batch_id: d.batchId ?? null,
        ...(context.facts ? { opened_at: new Date(context.facts.openedAt).toISOString(), queue: context.facts.queue ?? null } : {}),
        ...modelColumns(context.policy, context.facts),
        expected_outcome: context.facts?.goldenExpectedOutcome ?? null,
        quality_min_golden_accuracy: context.policy.quality?.minGoldenAccuracy ?? null,
        quality_min_kappa: context.policy.quality?.minKappa ?? null,
      };
      break;
    }
    case EventTypes.evidenceRequested: {
      const d = event.data;
      specific = {
        case_id: d.caseId,
        ...policyColumns,
        actor_kind: 'human',
        actor_id: d.requestedBy,
        subject_type: d.subject.type,
        subject_id: d.subject.id,
        reason_code: d.reasonCode,
        due_at: iso(d.dueBy),
      };
      break;
    }
    case EventTypes.evidenceSubmitted: {
      const d = event.data;
      specific = { case_id: d.caseId, ...policyColumns, actor_kind: 'human', actor_role: 'crew', actor_id: d.submittedBy, evidence_uris: d.evidence.map((e) => e.uri) };
      break;
    }
    case EventTypes.evidenceAccessed: {
      const d = event.data;
      specific = { case_id: d.caseId, ...policyColumns, ...actorOf(d.accessedBy), evidence_uris: [d.uri] };
      break;
    }
    case EventTypes.slaEscalated: {
      const d = event.data;
      specific = { case_id: d.caseId, ...policyColumns, ...system, queue: d.queue, escalation_level: d.level, reason_code: d.reason, due_at: iso(d.dueAt) };
      break;
    }
    case EventTypes.caseRedriven: {
      // Not a state change of the case: a step that should have happened was driven again (its reason code says which).
      const d = event.data;
      specific = { case_id: d.caseId, ...policyColumns, ...system, reason_code: `STEP_OVERDUE.${d.step}`, ...(d.republished ? { source_event_id: d.republished.id } : {}), due_at: iso(d.pendingSince) };
      break;
    }
    case EventTypes.enrichmentFlagged: {
      const d = event.data;
      specific = {
        case_id: d.caseId,
        ...policyColumns,
        ...system,
        model_name: d.model.name,
        model_version: d.model.version,
        confidence: d.prediction.confidence,
        reason_code: d.reason,
        evidence_uris: d.evidence,
      };
      break;
    }
    case EventTypes.decisionMade: {
      const d = event.data;
      specific = {
        case_id: d.caseId,
        actor_kind: d.decidedBy.kind,
        actor_role: d.decidedBy.kind === 'human' ? 'reviewer' : null,
        actor_id: d.decidedBy.id,
        subject_type: d.subject.type,
        subject_id: d.subject.id,
        model_name: d.model.name,
        model_version: d.model.version,
        confidence: d.confidence,
        band: d.band,
        threshold_high: d.thresholds.high,
        threshold_low: d.thresholds.low,
        policy_id: d.policy.id,
        policy_version: d.policy.version,
        outcome: d.outcome,
        reason_code: d.reasonCode ?? null,
        customer_favorable: d.customerFavorable,
        evidence_uris: d.evidence,
        decision_id: d.decisionId,
        source_event_id: d.sourceEventId,
        ...(context.facts ? decisionTiming(context.policy, context.facts, new Date(d.decidedAt)) : {}),
        category: context.facts?.category ?? null,
        ...modelColumns(context.policy, context.facts),
      };
      break;
    }
    case EventTypes.decisionRevised: {
      const d = event.data;
      specific = {
        case_id: d.caseId,
        ...policyColumns,
        actor_kind: 'human',
        actor_role: 'lead',
        actor_id: d.revisedBy.id,
        outcome: d.outcome,
        reason_code: d.reasonCode ?? null,
        customer_favorable: d.customerFavorable,
        decision_id: d.decisionId,
      };
      break;
    }
    case EventTypes.feedbackLabelled: {
      const d = event.data;
      specific = {
        case_id: d.caseId,
        ...policyColumns,
        ...system,
        model_name: d.model.name,
        model_version: d.model.version,
        confidence: d.prediction.confidence,
        outcome: d.outcome,
        reason_code: d.reasonCode ?? null,
        evidence_uris: d.evidence,
      };
      break;
    }
    default:
      return undefined;
  }
  return {
    event_id: event.id,
    event_type: event.type,
    event_source: event.source,
    event_time: iso(event.time ?? context.ingestedAt.toISOString()),
    use_case: context.useCase,
    state,
    ...blank(),
    ...specific,
    payload: JSON.stringify(redactEventData(payloadOf(event), context.policy)),
    ingested_at: context.ingestedAt.toISOString(),
    trace_id: traceIdOf(event.extensions?.['traceparent']) ?? null,
  };
}

/**
 * The event data a row keeps as its payload: all of it, except the `caseFacts` a `case.reviewed`
 * carries for the row's columns (the payload stays what the review said).
 */
function payloadOf(event: ArbiterEvent): unknown {
  if (event.type !== EventTypes.caseReviewed || event.data.caseFacts === undefined) return event.data;
  const { caseFacts: _facts, ...review } = event.data;
  return review;
}

/** The use case an event names, if its data names one (`decision.revised` and `evidence.submitted` do not). */
export function useCaseNamedBy(event: ArbiterEvent): string | undefined {
  const data = event.data as { useCase?: unknown };
  return typeof data.useCase === 'string' ? data.useCase : undefined;
}

/** The case an event is about. Every audited event names one. */
export const caseIdNamedBy = (event: ArbiterEvent): string | undefined => {
  const data = event.data as { caseId?: unknown };
  return typeof data.caseId === 'string' ? data.caseId : undefined;
};
