/** The parts of the reviewer API's responses the console reads (see openapi.yaml for the full shapes). */
import type { ApprovalRecord, ApprovalSpec } from './lib/approval';
import type { DecisionOption, Precedent, ReasonCode } from './lib/decide';

export interface Subject {
  type: string;
  id: string;
}

export interface Item {
  itemId: string;
  caseId: string;
  useCase: string;
  queue: string;
  purpose: 'decision' | 'blind-review' | 'double-review' | 'golden' | 'adjudication';
  status: 'open' | 'claimed' | 'awaiting-evidence' | 'done';
  lane: 0 | 1;
  priority: number;
  priorityReasons: string[];
  enqueuedAt: string;
  dueAt: string;
  batchKey?: string;
  blind: boolean;
  claim?: { reviewerId: string; leaseUntil: string; claimedAt: string };
  /** Adjudication items: the two verdicts that disagreed. */
  disagreement?: { first: { reviewerId: string; outcome: string }; second: { reviewerId: string; outcome: string } };
  /** A decision waiting in its undo window (commits at `undoUntil` unless undone). */
  pendingDecision?: { by: string; undoUntil: string; batchId?: string };
  summary: { subject: Subject; model?: { name?: string; version?: string }; category?: string; label?: string; confidence?: number; band?: string };
}

export interface QueueSummary {
  queue: string;
  title: string;
  useCase: string;
  depth: number;
  oldestAgeSeconds: number | null;
  atRisk: number;
  qualityOverdue: number;
  claimed: number;
  awaitingEvidence: number;
  batchable: Array<{ batchKey: string; size: number; itemIds: string[]; why?: Array<{ itemId: string; similarity: number; parts: string[] }> }>;
}

export interface Evidence {
  index: number;
  uri: string;
  role?: string;
  mediaType?: string;
  source: 'prediction' | 'crew';
  submittedBy?: string;
  href: string;
}

export interface Outcome {
  id: string;
  label: string;
  customerFavorable: boolean;
}

export interface CaseView {
  caseId: string;
  useCase: string;
  policy: { id: string; version: string };
  status: 'opened' | 'in-review' | 'awaiting-evidence' | 'decided';
  blind: boolean;
  subject: Subject;
  openedAt: string;
  prediction: {
    model?: { name?: string; version?: string };
    label?: string;
    scores?: Record<string, number>;
    regions?: unknown[];
    confidence?: number;
    confidenceSource?: 'prediction' | 'factors';
    band?: 'high' | 'medium' | 'low';
    thresholds?: { high: number; low: number };
    modelOutcome?: string;
    factors?: Record<string, number>;
  };
  category?: string;
  context: Record<string, unknown>;
  evidence: Evidence[];
  items: Item[];
  sla: { dueAt: string; atRisk: boolean; escalated: boolean; sent: string[] } | null;
  priority: { score: number; reasons: string[]; lane: number } | null;
  evidenceRequest?: { what?: string; reasonCode?: string; dueBy?: string; requestedAt?: string };
  decision?: { outcome: string; reasonCode?: string; decidedAt: string; decidedBy: { kind: string; id?: string }; approval?: ApprovalRecord };
  /** A lead's adjudication changed the published outcome (decision.revised.v1). */
  revision?: { outcome: string; previousOutcome: string; reasonCode?: string; revisedBy: { id: string }; revisedAt: string };
  options: { decisionOptions: DecisionOption[]; batchOptions: DecisionOption[]; reasonCodes: ReasonCode[]; outcomes: Outcome[]; approval?: ApprovalSpec };
  template?: { kind: string; title: string; markdown: string };
  /** Automatic approvals: the post-action report produced when the case was approved. */
  postActionReport?: { title: string; markdown: string; producedAt: string };
  precedents: Precedent[];
}

export interface EvidenceLink {
  caseId: string;
  index: number;
  uri: string;
  url: string;
  expiresAt: string;
  role?: string;
  mediaType?: string;
}

export interface AgreementMeasure {
  value: number;
  interval: { low: number; high: number; level: number };
}

export interface LeadOverview {
  at: string;
  queues: Array<{ queue: string; title: string; useCase: string; depth: number; atRisk: number; claimed: number; awaitingEvidence: number; escalated: number; qualityOverdue: number; oldestAgeSeconds: number | null }>;
  quality: {
    flagged: string[];
    reviewers: Array<{ reviewerId: string; useCase: string; known: number; correct: number; accuracy: number | null; pairs: number; kappa: number | null; flagged: boolean; reasons: string[]; minAccuracy: number; minKappa: number }>;
    agreement: Array<{ queue: string; useCase: string | null; pairs: number; observed: number; kappa: AgreementMeasure; ac1: AgreementMeasure; minKappa: number | null; belowBar: boolean }>;
  };
  throughput: { since: string; reviewers: Array<{ reviewerId: string; itemsDone: number; queues: string[] }> };
}

/** `GET /api/lead/thresholds`: threshold recommendations, each with its bootstrap interval and effect on review load. */
export interface ThresholdsPage {
  generatedAt: string;
  targetPrecision: number;
  examples: number;
  recommendations: Array<{
    useCase: string;
    modelVersion: string;
    examples: number;
    high: number | null;
    currentHigh: number | null;
    interval: { low: number; high: number; level: number } | null;
    precision: number | null;
    support: number;
    reviewLoad: { current: number; recommended: number; change: number } | null;
    note: string;
  }>;
}
