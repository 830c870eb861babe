/**
 * The shape of a use-case policy, as loaded from `policies/<use-case>.yaml` and validated against
 * `schemas/policy.schema.json`. The schema and this type describe the same thing; the contract test
 * in @arbiter/policy checks every shipped policy against both.
 *
 * Durations are ISO-8601 (`PT2H`, `P1D`); times of day are `HH:mm` in the calendar's time zone;
 * dates are `YYYY-MM-DD`.
 */

export type Band = 'high' | 'medium' | 'low';

/** Where a case goes. `default` is the policy's customer-favorable default (no human, no model). */
export type RouteKind = 'auto' | 'review' | 'default';

export interface Policy {
  /** The use case id; predictions name it in `useCase`. kebab-case. */
  id: string;
  /** Policy version, bumped on every change; stamped on every case, decision and audit row. */
  version: string;
  title: string;
  description?: string;
  /** Which source document the policy implements (for people reading the audit trail). */
  source: { document: 'ADR-0016' | 'HITL-OPT-4.1'; section: string };

  confidence: ConfidenceSpec;
  bands: BandSpec;
  /** What each band does. */
  actions: Record<Band, BandAction>;
  /** Prediction categories that always go to a person, whatever the confidence, and the queue they go to. */
  alwaysHuman: { categories: string[]; queue: string };
  fastTrack?: FastTrackSpec;

  /** The outcome vocabulary. Exactly the outcomes a decision of this use case may carry. */
  outcomes: OutcomeSpec[];
  /** What the model's label means, as an outcome: used for automatic decisions and to detect overrides. */
  modelOutcome: { byLabel: Record<string, string>; otherwise: string };
  /** The options a reviewer has on one case. */
  decisionOptions: DecisionOption[];
  /** The options a reviewer has on a batch of similar cases (HITL-OPT batch templates). */
  batchOptions?: BatchOption[];
  reasonCodes: ReasonCode[];
  /**
   * What approvers can record beyond an outcome (HITL-OPT template checklists, conditions). Options
   * say which inputs they ask for in `inputs`; the record travels in `decision.made.v2`.
   */
  approval?: ApprovalSpec;

  queues: QueueSpec[];
  /** Share of automatic decisions that also go to blind human review, 0..1. */
  sampling: { blindReviewRate: number };
  quality?: QualitySpec;

  /** Approval template (markdown with `{{…}}` placeholders), rendered with the case's data. */
  templates?: TemplateSpec[];

  privacy: PrivacySpec;
}

export interface ConfidenceSpec {
  /**
   * `prediction`: the prediction's own confidence is used.
   * `factors`: a weighted average of the named factors (HITL-OPT `assess_approval_confidence`).
   * `prediction-or-factors`: the prediction's confidence when given, else the factors.
   */
  method: 'prediction' | 'factors' | 'prediction-or-factors';
  /** Factor name → weight (> 0). Weights need not sum to 1; they are normalised. */
  factors?: Record<string, number>;
  /** When a weighted factor is missing: reject the prediction, or leave it out and renormalise. */
  missingFactor?: 'reject' | 'ignore';
}

export interface Thresholds {
  /** Lower edge of the high band. */
  high: number;
  /** Upper edge of the low band. */
  low: number;
}

export interface BandSpec {
  default: Thresholds;
  /** Per model name and version. `version` is an exact version or `*` for every version of that model. */
  models?: Array<Thresholds & { name: string; version: string }>;
  /**
   * Exact boundary semantics.
   * high: `above` → high iff c > high; `at-or-above` → high iff c >= high.
   * low: `below` → low iff c < low; `at-or-below` → low iff c <= low.
   * Everything else is medium. HITL-OPT (">85% auto, 70–85% batch, <70% immediate") is
   * `{ high: above, low: below }` with high 0.85, low 0.70.
   */
  boundaries: { high: 'above' | 'at-or-above'; low: 'below' | 'at-or-below' };
}

export type BandAction =
  | { route: 'auto'; report?: 'post-action' }
  | { route: 'review'; queue: string; batch?: boolean }
  | { route: 'default'; outcome: string; enrichment: boolean };

export interface FastTrackSpec {
  enabled: boolean;
  /** Minimum similarity (0..1) to a previously approved pattern. */
  minSimilarity: number;
  /** Minimum confidence for fast-track (HITL-OPT: >80% journey logic, >85% API). */
  minConfidence: number;
  /** Whether fast-track applies to categories that otherwise always need a person. */
  appliesToAlwaysHuman: boolean;
  /** Factor floors that must hold ("no new risk factors introduced"). */
  requireFactors?: Record<string, { gte: number }>;
  /** Pattern features that must be present and equal to the matched pattern's. */
  requireSameFeatures?: string[];
  /** The outcome of a fast-tracked case. */
  outcome: string;
  /** Which outcomes count as "approved" patterns to match against. */
  approvedOutcomes: string[];
  /** Patterns age out: a person's approval older than this (ISO duration, wall clock) is not matched. */
  maxPatternAge?: string;
  /** How much each pattern feature counts in similarity (absent names: 1; 0 ignores a feature). */
  featureWeights?: Record<string, number>;
}

export interface OutcomeSpec {
  id: string;
  label: string;
  /** The outcome that favours the customer (no fee, defer). */
  customerFavorable: boolean;
}

export interface DecisionOption {
  /** `approve`, `reject`, `request-evidence`, `approve-with-modifications`, … */
  id: string;
  label: string;
  /** `decide` closes the case with `outcome`; `request-evidence` asks the crew for more and keeps it open. */
  kind: 'decide' | 'request-evidence';
  outcome?: string;
  /** Whether a reason code is required with this option. */
  requiresReason: boolean;
  /** Keyboard shortcut in the reviewer console. */
  shortcut: string;
  /** The structured inputs this option asks the approver for (absent: none). */
  inputs?: OptionInputs;
}

/** An approval input an option may ask for; what it holds is `ApprovalRecord`'s field of that name. */
export type ApprovalInput = 'checklist' | 'modifications' | 'rollbackPlan' | 'conditions';
export const APPROVAL_INPUTS: readonly ApprovalInput[] = ['checklist', 'modifications', 'rollbackPlan', 'conditions'];

/**
 * Per input: `required` (a decision without it is refused, naming it) or `optional`. An input not
 * listed is not taken with this option. A required checklist means every item answered.
 */
export type OptionInputs = Partial<Record<ApprovalInput, 'required' | 'optional'>>;

export interface ApprovalSpec {
  /** The template's "Approval Required For" items, each ticked or not by the approver. */
  checklist?: Array<{ id: string; label: string }>;
  /** Conditions an approval may be subject to (staged rollout, …): the vocabulary of `conditions`. */
  conditions?: Array<{ code: string; label: string }>;
}

export interface BatchOption {
  /** `approve-all`, `approve-with-modifications`, `individual-review-flagged`, `reject-all`. */
  id: string;
  label: string;
  /**
   * `decide-all`: every case in the batch gets `outcome`.
   * `decide-unflagged`: unflagged cases get `outcome`, flagged ones go back for individual review.
   */
  kind: 'decide-all' | 'decide-unflagged';
  outcome: string;
  requiresReason: boolean;
  shortcut: string;
  /** The structured inputs this option asks the approver for, given once for the whole batch. */
  inputs?: OptionInputs;
}

export interface ReasonCode {
  code: string;
  label: string;
  /**
   * Option ids (decision or batch options) this code may be used with (empty or absent: any).
   * The reserved id `policy` marks a code the policy itself uses (expiry, low-band default) and that
   * reviewers are not offered.
   */
  appliesTo?: string[];
}

export interface QueueSpec {
  id: string;
  title: string;
  sla: SlaSpec;
  calendar: CalendarSpec;
  priority: PrioritySpec;
  batch?: BatchSpec;
  /** Roles allowed to work this queue (besides lead/admin, who may work every queue). */
  roles: string[];
}

export interface SlaSpec {
  /** Target time to decision. */
  target: string;
  /**
   * The share of cases the target is promised for, 0..1 (ADR-0016 "P95 ≤ 2 hours" → 0.95). The audit
   * views measure adherence against it. Absent: every case (1).
   */
  percentile?: number;
  /** `wall`: elapsed time; `business`: counted only within the calendar's business hours. */
  clock: 'wall' | 'business';
  /** Reminders, as durations before the due time (`PT30M` → 30 minutes before due). */
  remindBefore: string[];
  /** Escalate to the lead when the due time passes. */
  escalateOnBreach: boolean;
  /** Outside business hours: page on-call at once (`on-call`), or wait for the next business period (`wait`). */
  offHours: 'on-call' | 'wait';
  /** When on-call is paged off-hours, the wall-clock target for on-call. */
  onCallTarget?: string;
  /** After the due time plus this duration, the case expires with `expiry.outcome`. */
  expiry: { after: string; outcome: string; reasonCode: string };
}

export interface CalendarSpec {
  /** IANA time zone, e.g. `Europe/Berlin`. */
  timeZone: string;
  /** Weekly business hours: day → list of [start, end) intervals `HH:mm`. Missing day: closed. */
  weekly: Partial<Record<Weekday, Array<[string, string]>>>;
  /** Closed dates (local to the time zone). */
  holidays: string[];
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface PrioritySpec {
  base: number;
  rules: PriorityRule[];
}

/**
 * A priority rule adds `weight` when its condition holds. `field` is a dotted path into the
 * prediction (`context.nextBookingAt`, `context.amount.value`, `category`, `context.criticalPath`).
 */
export interface PriorityRule {
  id: string;
  /** Why, in words the console shows (“next booking within 3 h”). */
  label: string;
  field: string;
  op: 'within' | 'gte' | 'lte' | 'eq' | 'in';
  /** `within`: an ISO duration (the field is a timestamp at most this far after now). */
  value: string | number | boolean | Array<string | number | boolean>;
  weight: number;
  /**
   * When the rule holds, the case is due within this ISO duration (wall clock from opening) if that is
   * sooner than the queue's SLA target. HITL-OPT: critical-path decisions within 2 hours (`PT2H`).
   */
  slaTarget?: string;
}

export interface BatchSpec {
  enabled: boolean;
  /** Dotted paths into the prediction whose values form the batch group key. */
  groupBy: string[];
  minSize: number;
  maxSize: number;
  /**
   * Within a group, batch only cases similar enough to each other (`caseSimilarity`: labels, scores,
   * regions by IoU, context fields, weighted pattern features, embedding cosine). Absent: a group is
   * batched as it is.
   */
  similarity?: BatchSimilaritySpec;
}

export interface BatchSimilaritySpec {
  /** Every case of a batch is at least this similar (0..1) to the batch's first case. */
  minSimilarity: number;
  /** Weights of the parts compared (`label`, `scores`, `regions`, `context`, `features`, `embedding`); absent parts keep their defaults. */
  weights?: Partial<Record<'label' | 'scores' | 'regions' | 'context' | 'features' | 'embedding', number>>;
  /** Top-level context fields compared (strings, numbers, booleans). */
  contextFields?: string[];
  /** How much each pattern feature counts (absent names: 1; 0 ignores one). */
  featureWeights?: Record<string, number>;
}

export interface QualitySpec {
  /** Share of reviewed cases that go to a second reviewer, 0..1. */
  doubleReviewRate: number;
  /** Share of golden cases mixed into the queue, 0..1. */
  goldenRate: number;
  /** A reviewer below this accuracy on golden cases is flagged to the lead. */
  minGoldenAccuracy: number;
  /** Target agreement (Cohen's / Fleiss' κ). */
  minKappa: number;
  /**
   * How many of a reviewer's most recent known answers (golden cases, adjudicated double reviews) and
   * double-review pairs their standing is measured on (default 10): a flagged reviewer recovers by
   * getting the next ones right.
   */
  window?: number;
  /**
   * The share of a flagged reviewer's claims ("next case") served a golden case of the queue instead
   * of real work, until they recover (default 0.5).
   */
  flaggedGoldenRate?: number;
}

export interface TemplateSpec {
  /** `approval` (one case), `batch-approval`, `fast-track`, `post-action-report`. */
  kind: 'approval' | 'batch-approval' | 'fast-track' | 'post-action-report';
  title: string;
  markdown: string;
}

export interface PrivacySpec {
  /** Dotted paths into the prediction that are PII and are redacted before leaving Firestore. */
  redact: string[];
  retention: { caseDays: number; auditDays: number; evidenceDays: number };
}
