/**
 * Every topic and subscription Arbiter uses. Local provisioning (tools/local-stack), the Terraform
 * data (infra), the services and the tests all read this one list. Topic names other teams see are
 * fixed by CONTRACT.md; subscriptions say who reacts to what (`<service>.<action>-on-<event>`), and
 * each has its own dead-letter topic `<subscription>.dlq` with a subscription
 * `<subscription>.dlq.inspect` that keeps what lands there.
 */
export const Topics = {
  predictions: 'arbiter-predictions',
  evidence: 'arbiter-evidence',
  decisions: 'arbiter-decisions',
  evidenceRequests: 'arbiter-evidence-requests',
  escalations: 'arbiter-escalations',
  /**
   * Internal: the case lifecycle. The two events on every case's path have topics of their own, so
   * each reaches only the service that acts on it and the audit (on GCP a subscription filter would
   * do; the emulator ignores filters and would deliver every event to every subscription).
   */
  caseOpened: 'arbiter-case-opened',
  caseRouted: 'arbiter-case-routed',
  /** Internal: the reconciler's re-drives, which review-queue acts on (an overdue evidence request) and the audit records. */
  caseRedriven: 'arbiter-case-redriven',
  /** Internal: the rest of the case lifecycle (claimed, released, reviewed, decided, evidence accessed, enrichment flagged). */
  cases: 'arbiter-cases',
  /** Internal: labelled examples for retraining. */
  feedback: 'arbiter-feedback',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

/** Every topic that carries case lifecycle events (internal). */
export const CaseTopics: readonly TopicName[] = [Topics.caseOpened, Topics.caseRouted, Topics.caseRedriven, Topics.cases];

export const EventTypes = {
  predictionSubmitted: 'arbiter.prediction.submitted.v1',
  evidenceSubmitted: 'arbiter.evidence.submitted.v1',
  decisionMade: 'arbiter.decision.made.v1',
  /** v1 plus the approval record; published beside v1 for every decision (same decisionId). */
  decisionMadeV2: 'arbiter.decision.made.v2',
  /** A published decision's outcome changed by a later human review (adjudication). */
  decisionRevised: 'arbiter.decision.revised.v1',
  evidenceRequested: 'arbiter.evidence.requested.v1',
  slaEscalated: 'arbiter.sla.escalated.v1',
  caseOpened: 'arbiter.case.opened.v1',
  caseRouted: 'arbiter.case.routed.v1',
  caseClaimed: 'arbiter.case.claimed.v1',
  caseReleased: 'arbiter.case.released.v1',
  caseReviewed: 'arbiter.case.reviewed.v1',
  /** Staged beside every `decision.made.v1`: its data and identity, and the case facts its audit row needs. */
  caseDecided: 'arbiter.case.decided.v1',
  evidenceAccessed: 'arbiter.evidence.accessed.v1',
  enrichmentFlagged: 'arbiter.enrichment.flagged.v1',
  feedbackLabelled: 'arbiter.feedback.labelled.v1',
  caseRedriven: 'arbiter.case.redriven.v1',
} as const;

export type EventType = (typeof EventTypes)[keyof typeof EventTypes];

/** Which topic carries which event type. */
export const topicOf: Record<EventType, TopicName> = {
  [EventTypes.predictionSubmitted]: Topics.predictions,
  [EventTypes.evidenceSubmitted]: Topics.evidence,
  [EventTypes.decisionMade]: Topics.decisions,
  [EventTypes.decisionMadeV2]: Topics.decisions,
  [EventTypes.decisionRevised]: Topics.decisions,
  [EventTypes.evidenceRequested]: Topics.evidenceRequests,
  [EventTypes.slaEscalated]: Topics.escalations,
  [EventTypes.caseOpened]: Topics.caseOpened,
  [EventTypes.caseRouted]: Topics.caseRouted,
  [EventTypes.caseClaimed]: Topics.cases,
  [EventTypes.caseReleased]: Topics.cases,
  [EventTypes.caseReviewed]: Topics.cases,
  [EventTypes.caseDecided]: Topics.cases,
  [EventTypes.evidenceAccessed]: Topics.cases,
  [EventTypes.enrichmentFlagged]: Topics.cases,
  [EventTypes.feedbackLabelled]: Topics.feedback,
  [EventTypes.caseRedriven]: Topics.caseRedriven,
};

/** The event types other teams integrate against (CONTRACT.md); every other type is internal. */
export const ContractEventTypes: readonly EventType[] = [
  EventTypes.predictionSubmitted,
  EventTypes.evidenceSubmitted,
  EventTypes.decisionMade,
  EventTypes.decisionMadeV2,
  EventTypes.decisionRevised,
  EventTypes.evidenceRequested,
  EventTypes.slaEscalated,
];

export const isEventType = (value: unknown): value is EventType =>
  typeof value === 'string' && Object.prototype.hasOwnProperty.call(topicOf, value);

export interface SubscriptionSpec {
  name: string;
  topic: TopicName;
  /** The service that pulls from it. */
  service: 'confidence-assessor' | 'router' | 'review-queue' | 'sla-escalator' | 'audit-exporter';
  /** Only these event types are delivered (Pub/Sub filter on `ce-type`); handlers also ignore others. */
  eventTypes?: EventType[];
  ackDeadlineSeconds: number;
  maxDeliveryAttempts: number;
}

const defaults = { ackDeadlineSeconds: 60, maxDeliveryAttempts: 10 };

/** Every subscription's name: the one spelling services, provisioning and tests use. */
export const SubscriptionNames = {
  assessOnPredictionSubmitted: 'confidence-assessor.assess-on-prediction-submitted',
  routeOnCaseOpened: 'router.route-on-case-opened',
  enqueueOnCaseRouted: 'review-queue.enqueue-on-case-routed',
  requeueOnEvidenceSubmitted: 'review-queue.requeue-on-evidence-submitted',
  requeueOnCaseRedriven: 'review-queue.requeue-on-case-redriven',
  recordOnCaseOpened: 'audit-exporter.record-on-case-opened',
  recordOnCaseRouted: 'audit-exporter.record-on-case-routed',
  recordOnCaseRedriven: 'audit-exporter.record-on-case-redriven',
  recordOnCaseEvent: 'audit-exporter.record-on-case-event',
  /** Named before the exporter recorded decisions from `case.decided`; its rows now come from `decision.revised` only (renaming would orphan the deployed subscription). */
  recordOnDecisionMade: 'audit-exporter.record-on-decision-made',
  recordOnEvidenceRequested: 'audit-exporter.record-on-evidence-requested',
  recordOnEvidenceSubmitted: 'audit-exporter.record-on-evidence-submitted',
  recordOnSlaEscalated: 'audit-exporter.record-on-sla-escalated',
  recordOnFeedbackLabelled: 'audit-exporter.record-on-feedback-labelled',
} as const;

export type SubscriptionName = (typeof SubscriptionNames)[keyof typeof SubscriptionNames];

const S = SubscriptionNames;
export const Subscriptions: readonly SubscriptionSpec[] = [
  { name: S.assessOnPredictionSubmitted, topic: Topics.predictions, service: 'confidence-assessor', ...defaults },
  { name: S.routeOnCaseOpened, topic: Topics.caseOpened, service: 'router', eventTypes: [EventTypes.caseOpened], ...defaults },
  { name: S.enqueueOnCaseRouted, topic: Topics.caseRouted, service: 'review-queue', eventTypes: [EventTypes.caseRouted], ...defaults },
  { name: S.requeueOnEvidenceSubmitted, topic: Topics.evidence, service: 'review-queue', ...defaults },
  { name: S.requeueOnCaseRedriven, topic: Topics.caseRedriven, service: 'review-queue', eventTypes: [EventTypes.caseRedriven], ...defaults },
  { name: S.recordOnCaseOpened, topic: Topics.caseOpened, service: 'audit-exporter', ...defaults },
  { name: S.recordOnCaseRouted, topic: Topics.caseRouted, service: 'audit-exporter', ...defaults },
  { name: S.recordOnCaseRedriven, topic: Topics.caseRedriven, service: 'audit-exporter', ...defaults },
  { name: S.recordOnCaseEvent, topic: Topics.cases, service: 'audit-exporter', ...defaults },
  { name: S.recordOnDecisionMade, topic: Topics.decisions, service: 'audit-exporter', ...defaults },
  { name: S.recordOnEvidenceRequested, topic: Topics.evidenceRequests, service: 'audit-exporter', ...defaults },
  { name: S.recordOnEvidenceSubmitted, topic: Topics.evidence, service: 'audit-exporter', ...defaults },
  { name: S.recordOnSlaEscalated, topic: Topics.escalations, service: 'audit-exporter', ...defaults },
  { name: S.recordOnFeedbackLabelled, topic: Topics.feedback, service: 'audit-exporter', ...defaults },
];

export const deadLetterTopicOf = (subscription: string): string => `${subscription}.dlq`;
export const deadLetterInspectionOf = (subscription: string): string => `${subscription}.dlq.inspect`;

/** BigQuery: the analysts' dataset (EU) and its tables; table schemas live in `schemas/bigquery/`. */
export const BigQueryDataset = { id: 'arbiter_audit', location: 'EU' } as const;
export const BigQueryTables = { audit: 'audit_events' } as const;

export const DefaultProjectId = 'arbiter-local';

/** The five services; each runs as its own process (Cloud Run service) with its own identity. */
export const ServiceNames = ['confidence-assessor', 'router', 'review-queue', 'sla-escalator', 'audit-exporter'] as const satisfies readonly SubscriptionSpec['service'][];
export type ServiceName = (typeof ServiceNames)[number];

/** The CloudEvents `source` of what each service publishes; consumers key their processed markers by source and id. */
export const EventSources = {
  'confidence-assessor': '/arbiter/confidence-assessor',
  router: '/arbiter/router',
  'review-queue': '/arbiter/review-queue',
  'sla-escalator': '/arbiter/sla-escalator',
  'audit-exporter': '/arbiter/audit-exporter',
} as const satisfies Record<ServiceName, `/arbiter/${string}`>;

/**
 * The event types each service publishes (through its outbox). Deployment grants a service the right
 * to publish to these types' topics and to its own subscriptions' dead-letter topics, and nothing
 * else; events published by other teams (predictions, evidence) have no producer here.
 */
/**
 * The events the reconciler (in the sla-escalator) may publish again, unchanged and with their
 * original ce-id, for a case whose next step is overdue: the opening that should have been routed,
 * the routing that should have been queued. It publishes nothing else of another service's.
 */
export const RedrivenEventTypes: readonly EventType[] = [EventTypes.caseOpened, EventTypes.caseRouted];

export const ProducedEventTypes: Readonly<Record<ServiceName, readonly EventType[]>> = {
  'confidence-assessor': [EventTypes.caseOpened],
  router: [EventTypes.caseRouted, EventTypes.decisionMade, EventTypes.decisionMadeV2, EventTypes.caseDecided, EventTypes.enrichmentFlagged],
  'review-queue': [
    EventTypes.caseClaimed,
    EventTypes.caseReleased,
    EventTypes.caseReviewed,
    EventTypes.decisionMade,
    EventTypes.decisionMadeV2,
    EventTypes.caseDecided,
    EventTypes.decisionRevised,
    EventTypes.evidenceRequested,
    EventTypes.evidenceAccessed,
    EventTypes.feedbackLabelled,
  ],
  'sla-escalator': [EventTypes.slaEscalated, EventTypes.decisionMade, EventTypes.decisionMadeV2, EventTypes.caseDecided, EventTypes.caseReleased, EventTypes.caseRedriven, ...RedrivenEventTypes],
  'audit-exporter': [],
};
