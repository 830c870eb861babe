/**
 * Small builders of valid domain data for the core's unit tests. Every builder returns a fresh,
 * valid value; tests override only what they are about.
 */
import type { CalendarSpec, Policy, QueueSpec, SlaSpec } from './policy';
import type { PredictionSubmitted } from './events';

/** Europe/Berlin, Monday to Friday 08:00–12:00 and 13:00–18:00 (lunch break), Christmas closed. */
export function aCalendar(overrides: Partial<CalendarSpec> = {}): CalendarSpec {
  const day: Array<[string, string]> = [
    ['08:00', '12:00'],
    ['13:00', '18:00'],
  ];
  return {
    timeZone: 'Europe/Berlin',
    weekly: { mon: day, tue: day, wed: day, thu: day, fri: day },
    holidays: ['2026-12-24', '2026-12-25', '2026-12-26'],
    ...overrides,
  };
}

/** Open around the clock, every day, in Europe/Berlin: business time equals elapsed time. */
export function anAlwaysOpenCalendar(): CalendarSpec {
  const day: Array<[string, string]> = [['00:00', '24:00']];
  return {
    timeZone: 'Europe/Berlin',
    weekly: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day },
    holidays: [],
  };
}

export function anSla(overrides: Partial<SlaSpec> = {}): SlaSpec {
  return {
    target: 'PT2H',
    percentile: 0.95,
    clock: 'business',
    remindBefore: ['PT30M'],
    escalateOnBreach: true,
    offHours: 'wait',
    expiry: { after: 'PT8H', outcome: 'fee_waived', reasonCode: 'EXPIRED' },
    ...overrides,
  };
}

export function aQueue(overrides: Partial<QueueSpec> = {}): QueueSpec {
  return {
    id: 'cleanliness-review',
    title: 'Cleanliness review',
    sla: anSla(),
    calendar: aCalendar(),
    priority: {
      base: 0,
      rules: [
        { id: 'next-booking', label: 'next booking within 3 h', field: 'context.nextBookingAt', op: 'within', value: 'PT3H', weight: 50 },
        { id: 'amount', label: 'amount ≥ 100', field: 'context.amount.value', op: 'gte', value: 100, weight: 20 },
      ],
    },
    batch: { enabled: true, groupBy: ['prediction.label', 'model.version'], minSize: 5, maxSize: 10 },
    roles: ['reviewer'],
    ...overrides,
  };
}

/** ADR-0016 vehicle cleanliness: high ≥ 0.9 auto, medium review, low ≤ 0.6 customer-favorable default. */
export function anAdrPolicy(overrides: Partial<Policy> = {}): Policy {
  return {
    id: 'vehicle-cleanliness',
    version: '3',
    title: 'Vehicle cleanliness verification',
    source: { document: 'ADR-0016', section: 'Decision §1' },
    confidence: { method: 'prediction' },
    bands: {
      default: { high: 0.9, low: 0.6 },
      models: [
        { name: 'cleanliness-vit', version: '2.3.0', high: 0.92, low: 0.65 },
        { name: 'cleanliness-vit', version: '*', high: 0.95, low: 0.7 },
      ],
      boundaries: { high: 'at-or-above', low: 'at-or-below' },
    },
    actions: {
      high: { route: 'auto', report: 'post-action' },
      medium: { route: 'review', queue: 'cleanliness-review' },
      low: { route: 'default', outcome: 'fee_waived', enrichment: true },
    },
    alwaysHuman: { categories: ['dispute'], queue: 'cleanliness-disputes' },
    outcomes: [
      { id: 'fee_charged', label: 'Cleaning fee charged', customerFavorable: false },
      { id: 'fee_waived', label: 'No fee', customerFavorable: true },
    ],
    modelOutcome: { byLabel: { dirty: 'fee_charged', clean: 'fee_waived' }, otherwise: 'fee_waived' },
    decisionOptions: [
      { id: 'approve', label: 'Approve', kind: 'decide', outcome: 'fee_charged', requiresReason: false, shortcut: 'a' },
      { id: 'reject', label: 'Reject', kind: 'decide', outcome: 'fee_waived', requiresReason: true, shortcut: 'r' },
      { id: 'request-evidence', label: 'Request more photos', kind: 'request-evidence', requiresReason: true, shortcut: 'e' },
    ],
    reasonCodes: [{ code: 'STAIN_NOT_VISIBLE_IN_RETURN', label: 'Stain not visible in return photos' }],
    queues: [aQueue()],
    sampling: { blindReviewRate: 0 },
    privacy: { redact: ['context.customerId'], retention: { caseDays: 90, auditDays: 400, evidenceDays: 30 } },
    ...overrides,
  };
}

export const HITL_OPT_FACTORS = {
  pattern_similarity: 2,
  risk_assessment: 2,
  business_impact: 1,
  technical_complexity: 1,
  precedent_match: 2,
} as const;

/** HITL-OPT 4.1: > 0.85 auto, 0.70–0.85 batch, < 0.70 immediate human review; strategic always human. */
export function aHitlOptPolicy(overrides: Partial<Policy> = {}): Policy {
  return {
    id: 'journey-approvals',
    version: '1',
    title: 'Module 2B approval points',
    source: { document: 'HITL-OPT-4.1', section: 'Approval workflow optimization' },
    confidence: { method: 'prediction-or-factors', factors: { ...HITL_OPT_FACTORS }, missingFactor: 'reject' },
    bands: { default: { high: 0.85, low: 0.7 }, boundaries: { high: 'above', low: 'below' } },
    actions: {
      high: { route: 'auto', report: 'post-action' },
      medium: { route: 'review', queue: 'batch-approvals', batch: true },
      low: { route: 'review', queue: 'immediate-review' },
    },
    alwaysHuman: { categories: ['strategic'], queue: 'strategic-review' },
    fastTrack: {
      enabled: true,
      minSimilarity: 0.8,
      minConfidence: 0.8,
      appliesToAlwaysHuman: true,
      requireFactors: { risk_assessment: { gte: 0.7 } },
      requireSameFeatures: ['kind'],
      outcome: 'approved',
      approvedOutcomes: ['approved', 'approved_with_modifications'],
    },
    outcomes: [
      { id: 'approved', label: 'Approved', customerFavorable: false },
      { id: 'approved_with_modifications', label: 'Approved with modifications', customerFavorable: false },
      { id: 'rejected', label: 'Rejected', customerFavorable: true },
    ],
    modelOutcome: { byLabel: { approve: 'approved', reject: 'rejected' }, otherwise: 'approved' },
    decisionOptions: [
      { id: 'approve', label: 'Approve as specified', kind: 'decide', outcome: 'approved', requiresReason: false, shortcut: 'a' },
      { id: 'reject', label: 'Reject and redesign', kind: 'decide', outcome: 'rejected', requiresReason: true, shortcut: 'r' },
    ],
    reasonCodes: [{ code: 'NEW_RISK_FACTOR', label: 'New risk factor introduced' }],
    queues: [
      aQueue({ id: 'batch-approvals', title: 'Batch approvals' }),
      aQueue({ id: 'immediate-review', title: 'Immediate review' }),
      aQueue({ id: 'strategic-review', title: 'Strategic review' }),
    ],
    sampling: { blindReviewRate: 0 },
    privacy: { redact: [], retention: { caseDays: 90, auditDays: 400, evidenceDays: 30 } },
    ...overrides,
  };
}

export function aPrediction(overrides: Partial<PredictionSubmitted> = {}): PredictionSubmitted {
  return {
    useCase: 'vehicle-cleanliness',
    subject: { type: 'booking', id: 'bk-20261121-0042' },
    model: { name: 'cleanliness-vit', version: '2.3.0' },
    prediction: { label: 'dirty', confidence: 0.78, scores: { dirty: 0.78, clean: 0.22 } },
    evidence: [
      { uri: 'gs://evidence/bk-20261121-0042/before-1.jpg', role: 'baseline', mediaType: 'image/jpeg' },
      { uri: 'gs://evidence/bk-20261121-0042/after-1.jpg', role: 'return', mediaType: 'image/jpeg' },
    ],
    category: 'operational',
    context: { nextBookingAt: '2026-11-21T14:00:00Z', amount: { value: 25, currency: 'EUR' }, customerId: 'cus-881' },
    ...overrides,
  };
}

/** A HITL-OPT decision context that carries factors only (no model confidence). */
export function aFactorPrediction(
  factors: Record<string, number>,
  overrides: Partial<PredictionSubmitted> = {},
): PredictionSubmitted {
  return {
    useCase: 'journey-approvals',
    subject: { type: 'change', id: 'chg-1' },
    model: { name: 'approval-assessor', version: '1.0.0' },
    category: 'technical',
    factors,
    pattern: { features: { kind: 'api-endpoint', method: 'GET', resource: 'sessions', auth: 'oauth2' } },
    ...overrides,
  };
}

/** A `Date` from an ISO string, for readable tests. */
export const at = (iso: string): Date => new Date(iso);
