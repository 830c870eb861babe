/**
 * The data of every event Arbiter sends or receives, as domain types. The JSON Schemas in
 * `schemas/events/` are the source of truth on the wire; @arbiter/contract validates against them
 * and its contract tests check that these types and the schemas' examples agree.
 *
 * Contract events (other teams integrate against them, see shared CONTRACT.md) come first;
 * Arbiter's internal events follow.
 */
import type { Band, RouteKind, Thresholds } from './policy';

export interface SubjectRef {
  type: string;
  id: string;
}

export interface ModelRef {
  name: string;
  version: string;
}

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
  label?: string;
  score?: number;
}

export interface EvidenceItem {
  uri: string;
  role?: string;
  mediaType?: string;
}

/** `arbiter.prediction.submitted.v1` */
export interface PredictionSubmitted {
  useCase: string;
  subject: SubjectRef;
  model: ModelRef;
  prediction?: {
    label?: string;
    confidence?: number;
    scores?: Record<string, number>;
    regions?: Region[];
  };
  evidence?: EvidenceItem[];
  category?: string;
  factors?: Record<string, number>;
  /** `embedding` (optional, 8..4096 numbers): the model's embedding of the case, compared by cosine. */
  pattern?: { features: Record<string, string | number | boolean>; embedding?: number[] };
  /** Free context; unknown extra fields are kept and passed through. */
  context?: {
    nextBookingAt?: string;
    amount?: { value: number; currency: string };
    customerId?: string;
    [key: string]: unknown;
  };
}

export type DecidedByKind = 'auto' | 'human' | 'policy';

/** `arbiter.decision.made.v1` — exactly one per case. */
export interface DecisionMade {
  decisionId: string;
  caseId: string;
  useCase: string;
  subject: SubjectRef;
  outcome: string;
  decidedBy: { kind: DecidedByKind; id: string };
  band: Band;
  confidence: number;
  reasonCode?: string;
  model: ModelRef;
  policy: { id: string; version: string };
  thresholds: Thresholds;
  customerFavorable: boolean;
  evidence: string[];
  sourceEventId: string;
  decidedAt: string;
}

/**
 * What an approver recorded for an option whose policy asks for it (HITL-OPT "Approve with
 * modifications", "Approve with backup/rollback plan", the template checklists). Instructions for the
 * implementing team, not reviewer notes: notes never leave Arbiter.
 */
export interface ApprovalRecord {
  /** Template checklist item id → ticked. */
  checklist?: Record<string, boolean>;
  modifications?: string;
  rollbackPlan?: string;
  /** Condition codes from the policy's vocabulary. */
  conditions?: string[];
}

/** `arbiter.decision.made.v2` — v1 plus the approval record; published beside v1 for every decision. */
export interface DecisionMadeV2 extends DecisionMade {
  approval?: ApprovalRecord;
}

/**
 * `arbiter.decision.revised.v1` — a later human review (adjudication of a double review, a dispute)
 * changed the outcome of a decision already published. At most one per revision.
 */
export interface DecisionRevised {
  caseId: string;
  /** The decision revised. */
  decisionId: string;
  revisionId: string;
  outcome: string;
  reasonCode?: string;
  customerFavorable: boolean;
  revisedBy: { kind: 'human'; id: string };
  revisedAt: string;
  previousOutcome: string;
}

/** `arbiter.evidence.requested.v1` */
export interface EvidenceRequested {
  caseId: string;
  useCase: string;
  subject: SubjectRef;
  requestedBy: string;
  reasonCode: string;
  what: string;
  dueBy: string;
}

/** `arbiter.evidence.submitted.v1` */
export interface EvidenceSubmitted {
  caseId: string;
  evidence: EvidenceItem[];
  submittedBy: string;
}

export type EscalationLevel = 'reminder' | 'escalated' | 'on-call';
export type EscalationReason = 'nearing-sla' | 'sla-breached' | 'off-hours';

/** `arbiter.sla.escalated.v1` */
export interface SlaEscalated {
  caseId: string;
  useCase: string;
  queue: string;
  level: EscalationLevel;
  dueAt: string;
  escalatedAt: string;
  reason: EscalationReason;
  assignee?: string;
}

/** Why a case took the route it took. */
export type RouteReason =
  | 'band-high'
  | 'band-medium'
  | 'band-low'
  | 'always-human-category'
  | 'fast-track'
  | 'blind-review-sample';

/** `arbiter.case.opened.v1` (internal): the assessor opened a case and assessed its confidence. */
export interface CaseOpened {
  caseId: string;
  useCase: string;
  policy: { id: string; version: string };
  subject: SubjectRef;
  model: ModelRef;
  confidence: number;
  /** How the confidence was obtained. */
  confidenceSource: 'prediction' | 'factors';
  band: Band;
  thresholds: Thresholds;
  prediction: PredictionSubmitted;
  sourceEvent: { id: string; source: string };
  openedAt: string;
}

/** `arbiter.case.routed.v1` (internal): the router decided where the case goes. */
export interface CaseRouted {
  caseId: string;
  useCase: string;
  policy: { id: string; version: string };
  route: RouteKind;
  reason: RouteReason;
  /** Review route: its queue; sampled automatic decision: the blind-review queue. */
  queue?: string;
  priority?: { score: number; reasons: string[] };
  dueAt?: string;
  reminderAt?: string[];
  batchKey?: string;
  /** Auto route: also sent to blind human review to measure alignment. */
  blindReview?: boolean;
  /** Fast-track: the approved pattern it matched and how closely. */
  matchedPattern?: { caseId: string; similarity: number };
  /** Auto route with `report: post-action`: the rendered post-action report (PII redacted). */
  postActionReport?: { title: string; markdown: string };
  /**
   * Every queue item the review-queue creates for the case, as the router planned it (`planWork`).
   * A review route and a sampled automatic decision repeat their item's `queue`, `priority`, `dueAt`,
   * `reminderAt` and `batchKey` at the top (the audit row's columns). Absent only on events of a
   * router older than the work order.
   */
  workOrder?: WorkOrder;
  rationale: string;
  routedAt: string;
}

/**
 * What of a prediction similarity compares, kept on its queue item so batches form without reading
 * every case: the label, scores and regions, the pattern (features, embedding), and only the context
 * fields the policy compares (never the rest: context may hold personal data).
 */
export type SimilarityBasis = Pick<PredictionSubmitted, 'prediction' | 'pattern'> & { context?: Record<string, string | number | boolean> };

/** Why a routed case needs a person: to decide it, or to review an automatic or default decision blind. */
export type WorkPurpose = 'decision' | 'blind-review';

/** The queue items a routed case needs (empty: none). */
export interface WorkOrder {
  items: WorkOrderItem[];
}

/** One queue item to create, with everything the router decided about it. */
export interface WorkOrderItem {
  purpose: WorkPurpose;
  queue: string;
  priority: { score: number; reasons: string[] };
  /** The SLA due time. */
  dueAt: string;
  /** When the SLA reminders fall, earliest first. */
  reminderAt: string[];
  /** When the escalator looks first: the first reminder, the due time, or sooner when the priority can change by itself. */
  sla: { nextCheckAt: string };
  /** Decision items in a batching queue: the group of similar cases. */
  batchKey?: string;
  /** Batching by similarity: what is compared, from the prediction. */
  similarityBasis?: SimilarityBasis;
}

/** Someone (a reviewer, a lead, or a service acting as `system`) who did something to a case. */
export interface ActorRef {
  id: string;
  /** `reviewer`, `lead`, `admin`, or `system` for a service (lease expiry, automatic reassignment). */
  role: string;
}

/** `arbiter.case.claimed.v1` (internal): a reviewer took a case from its queue, under a lease. */
export interface CaseClaimed {
  caseId: string;
  useCase: string;
  queue: string;
  claimedBy: ActorRef;
  /** The claim lapses at this time unless renewed; the case then goes back to the queue. */
  leaseUntil: string;
  claimedAt: string;
}

export type ReleaseReason = 'lease-expired' | 'released' | 'reassigned';

/** `arbiter.case.released.v1` (internal): a claimed case went back to its queue, or to someone else. */
export interface CaseReleased {
  caseId: string;
  useCase: string;
  queue: string;
  /** Who released it: the reviewer, a lead who reassigned it, or `{ role: 'system' }` when the lease expired. */
  releasedBy: ActorRef;
  reason: ReleaseReason;
  releasedAt: string;
  /** Reassigned only: who holds the case now. */
  reassignedTo?: ActorRef;
}

/**
 * Why a reviewer looked at a case. Only `decision` (and a decided batch) closes a case; `adjudication`
 * is a lead settling a double review that disagreed (it may revise the decision).
 */
export type ReviewPurpose = 'decision' | 'blind-review' | 'double-review' | 'golden' | 'adjudication';

/** `arbiter.case.reviewed.v1` (internal): one reviewer's verdict on one case. */
export interface CaseReviewed {
  caseId: string;
  useCase: string;
  reviewer: ActorRef;
  /** The decision option (or batch option) the reviewer chose, from the policy. */
  optionId: string;
  /** The outcome that option gives, from the policy's outcome vocabulary. */
  outcome: string;
  reasonCode?: string;
  /** Free text. Exists only inside Arbiter: redacted before anything leaves Firestore. */
  notes?: string;
  purpose: ReviewPurpose;
  /** Set when the verdict was given on a batch of similar cases. */
  batchId?: string;
  /** What the reviewer recorded for an option whose policy asks for it (delivered in decision.made.v2). */
  approval?: ApprovalRecord;
  reviewedAt: string;
  /** The case's facts for its audit row (absent on events produced before they were added). */
  caseFacts?: CaseAuditFacts;
}

/**
 * What the audit trail says of a case beside a decision or a review (internal: in `case.decided` and
 * `case.reviewed`), taken from the case document the producer read in the same unit of work, so the
 * audit exporter never reads the case.
 */
export interface CaseAuditFacts {
  /** When the case was opened (the prediction arrived). */
  openedAt: string;
  /** The prediction's label: what the model said. */
  label?: string;
  category?: string;
  /** A review route's queue and its priority reasons; absent for an automatic or default route. */
  queue?: string;
  priorityReasons?: string[];
  /** Golden cases: the known answer. */
  goldenExpectedOutcome?: string;
}

/**
 * `arbiter.case.decided.v1` (internal): staged with every decision, in the same unit of work as
 * `decision.made.v1`: that event's data and identity, and the facts of the case its audit row needs.
 */
export interface CaseDecided {
  caseId: string;
  useCase: string;
  /** The `decision.made.v1` data, exactly as published. */
  decision: DecisionMade;
  /** The `decision.made.v1` event this one accompanies: its `ce-id`, `ce-source` and `ce-time`. */
  decisionEvent: { id: string; source: string; time: string };
  caseFacts: CaseAuditFacts;
}

/** `arbiter.evidence.accessed.v1` (internal): someone opened a piece of evidence (ADR-0016: log access to evidence). */
export interface EvidenceAccessed {
  caseId: string;
  useCase: string;
  uri: string;
  accessedBy: ActorRef;
  accessedAt: string;
}

/** Why a case is worth adding to the training data. */
export type EnrichmentReason = 'low-confidence' | 'override' | 'disagreement' | 'edge-case';

/** `arbiter.enrichment.flagged.v1` (internal): a case flagged for dataset enrichment (low band, overrides, …). */
export interface EnrichmentFlagged {
  caseId: string;
  useCase: string;
  model: ModelRef;
  reason: EnrichmentReason;
  prediction: { label?: string; confidence: number };
  /** Evidence URIs. */
  evidence: string[];
  flaggedAt: string;
}

/** The steps the reconciler re-drives: routing an opened case, enqueueing a routed one. */
export type RedrivenStep = 'route' | 'enqueue' | 'requeue';

/**
 * `arbiter.case.redriven.v1` (internal): a case's next step was overdue. For `route` and `enqueue` the
 * event that should have driven it was published again with its original ce-id (a transport lost or
 * delayed it); for `requeue` (an evidence request past its `dueBy`, the case still waiting) nothing is
 * published again — review-queue puts the case back in its queue on this event.
 */
export interface CaseRedriven {
  caseId: string;
  useCase: string;
  step: RedrivenStep;
  /** Since when the step was waiting. */
  pendingSince: string;
  /** 1 for the first re-drive of the step, then 2, 3, … */
  attempt: number;
  /** The event published again (route, enqueue); absent for requeue. */
  republished?: { type: string; id: string };
  redrivenAt: string;
}

/** Where a labelled example comes from. */
export type FeedbackSource = 'override' | 'enrichment' | 'golden' | 'double-review' | 'adjudication';

/** `arbiter.feedback.labelled.v1` (internal, topic `arbiter-feedback`): a labelled example for retraining. */
export interface FeedbackLabelled {
  caseId: string;
  useCase: string;
  model: ModelRef;
  /** What the model said. */
  prediction: { label?: string; confidence: number };
  /** What the people decided, in the policy's outcome vocabulary. */
  outcome: string;
  /** The same, in the model's label vocabulary, when the outcome maps to one label. */
  humanLabel?: string;
  reasonCode?: string;
  source: FeedbackSource;
  /** Evidence URIs. */
  evidence: string[];
  labelledAt: string;
}
