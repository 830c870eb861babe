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
  pattern?: { features: Record<string, string | number | boolean> };
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
  /** Review route only. */
  queue?: string;
  priority?: { score: number; reasons: string[] };
  dueAt?: string;
  reminderAt?: string[];
  batchKey?: string;
  /** Auto route: also sent to blind human review to measure alignment. */
  blindReview?: boolean;
  /** Fast-track: the approved pattern it matched and how closely. */
  matchedPattern?: { caseId: string; similarity: number };
  rationale: string;
  routedAt: string;
}
