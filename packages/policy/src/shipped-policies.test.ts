/**
 * The shipped policies (`policies/*.yaml`): they load, they say what the seeds say, and every template
 * renders with a realistic case. Also checks that the JSON Schema and the `Policy` type agree.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  MISSING,
  assignBand,
  batchTemplateView,
  renderTemplate,
  templateView,
  thresholdsFor,
  type ApprovalSpec,
  type BandSpec,
  type BatchOption,
  type BatchSimilaritySpec,
  type BatchSpec,
  type CalendarSpec,
  type ConfidenceSpec,
  type DecisionOption,
  type FastTrackSpec,
  type OptionInputs,
  type OutcomeSpec,
  type Policy,
  type PredictionSubmitted,
  type PrioritySpec,
  type PriorityRule,
  type PrivacySpec,
  type QualitySpec,
  type QueueSpec,
  type ReasonCode,
  type SlaSpec,
  type TemplateCase,
  type TemplateSpec,
  type Thresholds,
} from '@arbiter/core';
import { formatPolicyErrors, loadPolicies, policySchemaPath } from './index';

const repoRoot = path.resolve(__dirname, '../../..');

const loaded = loadPolicies(path.join(repoRoot, 'policies'));
if (!loaded.ok) throw new Error(formatPolicyErrors(loaded.error.errors));
const registry = loaded.value;
const policy = (id: string): Policy => {
  const r = registry.get(id);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

const HITL_OPT = [
  'journey-logic-architecture',
  'personalization-algorithm',
  'scarcity-trigger',
  'api-endpoint-batch',
  'database-schema-batch',
  'code-implementation',
  'performance-optimization',
];

describe('shipped policies say what the seeds say', () => {
  it('every policy names its source document and section', () => {
    for (const p of registry.list()) {
      expect(p.source.section.length).toBeGreaterThan(5);
      expect(p.source.document).toBe(p.id.startsWith('vehicle-') ? 'ADR-0016' : 'HITL-OPT-4.1');
    }
  });

  it('cleanliness: bands per model version, auto fee per label, 2 h review, customer-favorable low band', () => {
    const p = policy('vehicle-cleanliness');
    expect(thresholdsFor(p.bands, { name: 'cleanliness-vit', version: '2.3.0' })).toEqual({ high: 0.9, low: 0.6 });
    expect(thresholdsFor(p.bands, { name: 'cleanliness-vit', version: '2.4.0' })).toEqual({ high: 0.95, low: 0.7 });
    expect(p.actions).toEqual({
      high: { route: 'auto' },
      medium: { route: 'review', queue: 'cleanliness-review', batch: false },
      low: { route: 'default', outcome: 'fee_waived', enrichment: true },
    });
    expect(p.modelOutcome.byLabel.dirty).toBe('fee_applied');
    expect(p.queues[0]?.sla).toMatchObject({ target: 'PT2H', percentile: 0.95, escalateOnBreach: true });
    expect(p.queues[0]?.batch?.enabled).toBe(true);
    expect(p.decisionOptions.map((o) => o.label)).toEqual(['Approve (apply cleaning fee)', 'Reject (no fee)', 'Request more photos']);
    expect(p.reasonCodes.map((r) => r.code)).toEqual(
      expect.arrayContaining(['STAIN_NOT_VISIBLE_IN_RETURN', 'PRE_EXISTING_IN_BASELINE', 'LIGHTING_ARTIFACT', 'CONFIRMED_SOILING']),
    );
    expect(p.privacy.redact).toContain('context.customerId');
    const rules = p.queues[0]?.priority.rules.map((r) => r.field);
    expect(rules).toEqual(expect.arrayContaining(['context.nextBookingAt', 'context.amount.value']));
  });

  it('damage: 1 h on the Berlin business clock, on-call off hours, 2026 and 2027 holidays, defer when unsure', () => {
    const p = policy('vehicle-damage');
    const q = p.queues[0];
    expect(q?.sla).toMatchObject({ target: 'PT1H', clock: 'business', offHours: 'on-call', onCallTarget: 'PT1H' });
    expect(q?.calendar.timeZone).toBe('Europe/Berlin');
    expect(q?.calendar.holidays).toEqual(expect.arrayContaining(['2026-04-03', '2026-10-03', '2026-12-25', '2027-03-26', '2027-05-17', '2027-12-26']));
    expect(q?.calendar.holidays.filter((d) => d.startsWith('2026'))).toHaveLength(10);
    expect(q?.calendar.holidays.filter((d) => d.startsWith('2027'))).toHaveLength(10);
    expect(p.actions.low).toEqual({ route: 'default', outcome: 'decision_deferred', enrichment: true });
    expect(p.outcomes.find((o) => o.id === 'decision_deferred')?.customerFavorable).toBe(true);
  });

  it('HITL-OPT: factor-weighted confidence, >85% / 70–85% / <70% with exact boundaries, low never a default', () => {
    for (const id of HITL_OPT) {
      const p = policy(id);
      expect(p.confidence.method).toBe('prediction-or-factors');
      expect(Object.keys(p.confidence.factors ?? {}).sort()).toEqual(['business_impact', 'pattern_similarity', 'precedent_match', 'risk_assessment', 'technical_complexity']);
      expect(p.bands.boundaries).toEqual({ high: 'above', low: 'below' });
      expect(p.actions.low.route).toBe('review');
      const t = p.bands.default;
      expect(assignBand(0.85, t, p.bands.boundaries)).toBe('medium');
      expect(assignBand(0.851, t, p.bands.boundaries)).toBe('high');
      expect(assignBand(0.7, t, p.bands.boundaries)).toBe(id === 'database-schema-batch' ? 'low' : 'medium');
      expect(assignBand(0.699, t, p.bands.boundaries)).toBe('low');
      for (const q of p.queues) {
        expect(q.priority.rules).toContainEqual(expect.objectContaining({ field: 'context.criticalPath', op: 'eq', value: true, slaTarget: 'PT2H' }));
        // Never approve on timeout.
        expect(q.sla.expiry.outcome).toBe('additional_analysis_required');
      }
    }
  });

  it('journey logic: always human, 24–48 h, the seed options, fast-track Template 1', () => {
    const p = policy('journey-logic-architecture');
    expect(p.alwaysHuman.categories).toEqual(['strategic']);
    expect(Object.values(p.actions).every((a) => a.route === 'review')).toBe(true);
    expect(p.queues[0]?.sla).toMatchObject({ target: 'PT24H', expiry: { after: 'PT24H' } });
    expect(p.decisionOptions.map((o) => o.label)).toEqual(['Approve as specified', 'Approve with modifications', 'Require additional analysis', 'Reject and redesign']);
    expect(p.fastTrack).toMatchObject({ enabled: true, minConfidence: 0.8, minSimilarity: 0.8, appliesToAlwaysHuman: true, requireFactors: { risk_assessment: { gte: 0.8 } } });
  });

  it('personalization and scarcity: strategic (HITL-OPT Category 1), so no band is automatic; 12–24 h; batches for 70–85%', () => {
    for (const id of ['personalization-algorithm', 'scarcity-trigger']) {
      const p = policy(id);
      const review = p.queues.find((q) => q.id.endsWith('-review'));
      expect(review?.sla).toMatchObject({ target: 'PT12H', expiry: { after: 'PT12H' } });
      expect(p.actions.medium).toMatchObject({ route: 'review', batch: true });
      expect(p.actions.high).toEqual({ route: 'review', queue: review?.id });
      expect(Object.values(p.actions).some((a) => a.route === 'auto')).toBe(false);
    }
  });

  it('HITL-OPT low confidence (<70%): the immediate path — a queue of its own, 1 h, top priority, on-call off-hours', () => {
    for (const id of HITL_OPT) {
      const p = policy(id);
      const low = p.actions.low;
      if (low.route !== 'review') throw new Error(`${id}: low must be reviewed`);
      const queue = p.queues.find((q) => q.id === low.queue);
      expect(queue?.id).toMatch(/-immediate$/);
      expect(queue?.sla).toMatchObject({ target: 'PT1H', clock: 'wall', offHours: 'on-call', onCallTarget: 'PT1H', escalateOnBreach: true });
      const others = p.queues.filter((q) => q.id !== low.queue);
      expect(others.every((q) => (queue?.priority.base ?? 0) > q.priority.base + Math.max(0, ...q.priority.rules.map((r) => r.weight)))).toBe(true);
      expect(others.every((q) => q.sla.target !== 'PT1H' && q.sla.offHours === 'wait')).toBe(true);
    }
  });

  it('API batch: 5–10 endpoints, 24 h, the seed batch options, fast-track Template 2', () => {
    const p = policy('api-endpoint-batch');
    const batch = p.queues.find((q) => q.id === 'api-batch');
    expect(batch?.batch).toMatchObject({ enabled: true, minSize: 5, maxSize: 10 });
    expect(batch?.sla.target).toBe('PT24H');
    expect(p.batchOptions?.map((o) => o.label)).toEqual(['Approve entire batch', 'Approve with noted modifications', 'Require individual review for flagged items', 'Reject batch and redesign']);
    expect(p.batchOptions?.find((o) => o.id === 'review-flagged')?.kind).toBe('decide-unflagged');
    expect(p.fastTrack).toMatchObject({ enabled: true, minConfidence: 0.85 });
  });

  it('database schema: batch eligible from 75%, the seed batch options', () => {
    const p = policy('database-schema-batch');
    expect(p.bands.default).toEqual({ high: 0.85, low: 0.75 });
    expect(p.batchOptions?.map((o) => o.label)).toEqual(['Approve all schema changes', 'Approve with backup/rollback plan', 'Require staging validation first', 'Reject and redesign']);
  });

  it('code implementation: automatic above 85% with a post-action report', () => {
    const p = policy('code-implementation');
    expect(p.actions.high).toEqual({ route: 'auto', report: 'post-action' });
    expect(p.templates?.map((t) => t.kind)).toEqual(['post-action-report']);
  });
});

// ------------------------------------------------------------------------------------------------
// Templates with realistic cases.

const prediction = (useCase: string, context: Record<string, unknown>, over: Partial<PredictionSubmitted> = {}): PredictionSubmitted => ({
  useCase,
  subject: { type: 'change-request', id: `cr-${useCase}-7` },
  model: { name: 'journey-assessor', version: '4.1.0' },
  factors: { pattern_similarity: 0.92, risk_assessment: 0.88, business_impact: 0.81, technical_complexity: 0.77, precedent_match: 0.9 },
  pattern: { features: { component: 'api-endpoint', patternType: 'CRUD', method: 'POST' } },
  context: { criticalPath: false, ...context },
  ...over,
});

const aCase = (p: Policy, pred: PredictionSubmitted, confidence: number, over: Partial<TemplateCase> = {}): TemplateCase => {
  const thresholds = thresholdsFor(p.bands, pred.model);
  return {
    caseId: `case-${p.id}-${pred.subject.id}`,
    useCase: p.id,
    policy: { id: p.id, version: p.version },
    confidence,
    band: assignBand(confidence, thresholds, p.bands.boundaries),
    thresholds,
    prediction: pred,
    openedAt: '2026-11-21T12:00:00Z',
    ...over,
  };
};

const POST_ACTION = {
  component: 'JourneySessionService',
  filesChanged: 7,
  testCoveragePercent: 91,
  performanceImpact: 'p95 latency −4 ms',
  codeQualityScore: 88,
  securityScan: 'Pass',
  performanceBenchmarks: 'Within acceptable limits',
  errorRatePercent: 0.2,
  integration: { uxIntelligenceEngine: 'Successfully integrated', databaseConnections: 'All tests passing', apiEndpoints: 'All endpoints responding', frontend: 'UI components working' },
  nextSteps: 'Monitor error rate for 48 h',
  optimization: 'Cache journey stage lookups',
  metricBefore: 'p95 120 ms',
  metricAfter: 'p95 80 ms',
  improvementPercent: 33,
};

const CONTEXT: Record<string, Record<string, unknown>> = {
  'vehicle-cleanliness': { nextBookingAt: '2026-11-21T14:00:00Z', amount: { value: 25, currency: 'EUR' }, customerId: 'cus-881' },
  'vehicle-damage': { nextBookingAt: '2026-11-21T15:30:00Z', amount: { value: 640, currency: 'EUR' }, customerId: 'cus-412' },
  'journey-logic-architecture': {
    ...POST_ACTION,
    component: 'Mobile TikTok Users',
    stageFlow: 'Awareness → Consideration → Decision → Conversion',
    keyAlgorithms: ['Swipe-depth scoring', 'Session intent classifier'],
    integrationPoints: ['UX Intelligence Engine: attention heatmaps'],
    performanceTargets: 'Conversion +12%, engagement +20%',
    revenueImpactEur: '180,000 per quarter',
    uxImpact: 'Shorter path to checkout on mobile',
    technicalComplexity: 'Medium',
    implementationWeeks: 6,
    technicalRisks: ['Cold-start sessions'],
    businessRisks: ['Over-optimising for short sessions'],
    mitigationStrategies: ['Staged rollout at 10%'],
    keyDifferences: ['New stage for video re-engagement'],
    patternPrecedent: 'Desktop Researchers journey v3',
    riskAssessment: 'Low risk due to similarity',
    businessImpact: 'Consistent with approved patterns',
  },
  'personalization-algorithm': {
    purpose: 'Rank add-ons by predicted interest',
    dataSources: ['Session events', 'Booking history'],
    decisionLogic: 'Gradient-boosted ranking with category caps',
    userSegments: ['Returning Visitors', 'Desktop Researchers'],
    personalizationDepth: 'Medium',
    gdprComplianceStatus: 'DPIA completed, consent-based',
    optOutMechanisms: 'Profile setting and cookie banner',
    expectedConversionLiftPercent: 4,
    expectedEngagement: '+8% add-on views',
    expectedUserSatisfaction: 'Neutral to positive',
    ...POST_ACTION,
  },
  'scarcity-trigger': {
    triggerTypes: ['Inventory', 'Time'],
    intensityLevels: 'Low',
    frequencyControls: 'At most once per session',
    authenticityMeasures: 'Real inventory only',
    brandAlignment: 'Consistent with brand values',
    customerTrust: 'No artificial urgency',
    longTermEffects: 'Neutral',
    competitiveDifferentiation: 'Transparent availability',
    triggerConditions: 'Fewer than 3 vehicles left at the station',
    coolingOffPeriods: '24 h',
    authenticityVerification: 'Fleet inventory API',
    userFatiguePrevention: 'Suppressed after 2 exposures per week',
    ...POST_ACTION,
  },
  'database-schema-batch': POST_ACTION,
  'code-implementation': POST_ACTION,
  'performance-optimization': POST_ACTION,
};

const API_ROWS: Array<[string, string, string, number]> = [
  ['POST /api/journey/sessions/start', 'Journey initiation', 'Low', 0.85],
  ['PUT /api/journey/sessions/{id}/stage', 'Stage updates', 'Low', 0.82],
  ['GET /api/journey/recommendations/{id}', 'Personalization', 'Medium', 0.78],
  ['POST /api/journey/optimize', 'Real-time optimization', 'Medium', 0.75],
  ['DELETE /api/journey/sessions/{id}', 'Session cleanup', 'Low', 0.8],
];
const API_CONTEXT = (endpoint: string, purpose: string, riskLevel: string): Record<string, unknown> => ({
  endpoint,
  purpose,
  riskLevel,
  apiCategory: 'Journey Tracking',
  estimatedDevHours: 6,
  integrationComplexity: 'Medium',
  deviationLevel: 'None',
  authentication: 'Standard OAuth2/JWT',
  rateLimiting: 'Standard limits applied',
  inputValidation: 'Standard validation rules',
  errorHandling: 'Standard error responses',
  ...POST_ACTION,
});

const SCHEMA_ROWS: Array<[string, string, string, string]> = [
  ['journey_sessions', 'New table', 'High', 'Low'],
  ['journey_touchpoints', 'New table', 'Very High', 'Medium'],
  ['conversion_events', 'New table', 'Medium', 'Low'],
  ['user_profiles', 'Add columns', 'High', 'Medium'],
];
const SCHEMA_CONTEXT = ([table, changeType, dataVolume, riskLevel]: [string, string, string, string]): Record<string, unknown> => ({
  ...POST_ACTION,
  table,
  changeType,
  dataVolume,
  riskLevel,
  schemaChangeSet: 'journey-tracking-v1',
  newTables: changeType === 'New table' ? [table] : [],
  modifiedTables: changeType === 'New table' ? [] : [table],
  dataMigrationRequired: changeType !== 'New table',
  performanceImpact: 'Medium',
  backupStrategy: 'Snapshot before migration; down-migration scripted and rehearsed in staging',
});

/** The view each template of a policy is rendered with. */
function viewFor(p: Policy, t: TemplateSpec): ReturnType<typeof templateView> {
  if (t.kind === 'batch-approval') {
    const cases =
      p.id === 'api-endpoint-batch'
        ? API_ROWS.map(([ep, purpose, risk, c], i) => aCase(p, prediction(p.id, API_CONTEXT(ep, purpose, risk), { subject: { type: 'endpoint', id: `ep-${i}` } }), c))
        : SCHEMA_ROWS.map((row, i) => aCase(p, prediction(p.id, SCHEMA_CONTEXT(row), { subject: { type: 'table', id: `t-${i}` } }), 0.8));
    return batchTemplateView(cases);
  }
  const context = p.id === 'api-endpoint-batch' ? API_CONTEXT('GET /api/journey/sessions/{id}', 'Read session', 'Low') : (CONTEXT[p.id] ?? {});
  const isVehicle = p.id.startsWith('vehicle-');
  const pred = isVehicle
    ? prediction(p.id, context, {
        subject: { type: 'booking', id: 'bk-20261121-0042' },
        model: { name: 'cleanliness-vit', version: '2.3.0' },
        prediction: { label: 'dirty', confidence: 0.78, regions: [{ x: 0.1, y: 0.2, width: 0.3, height: 0.2, label: 'stain', score: 0.81 }] },
        evidence: [
          { uri: 'gs://evidence/bk-20261121-0042/before-1.jpg', role: 'baseline', mediaType: 'image/jpeg' },
          { uri: 'gs://evidence/bk-20261121-0042/after-1.jpg', role: 'return', mediaType: 'image/jpeg' },
        ],
      })
    : prediction(p.id, context);
  if (t.kind === 'fast-track') {
    return templateView(aCase(p, pred, 0.9, { matchedPattern: { caseId: 'case-approved-0031', similarity: 0.87 }, routing: { route: 'auto', reason: 'fast-track' } }));
  }
  if (t.kind === 'post-action-report') return templateView(aCase(p, pred, 0.93, { routing: { route: 'auto', reason: 'band-high' } }));
  return templateView(aCase(p, pred, isVehicle ? 0.78 : 0.64));
}

const templates = registry.list().flatMap((p) => (p.templates ?? []).map((t) => [p.id, t.kind, p, t] as const));

describe('shipped templates', () => {
  it('every HITL-OPT policy carries the templates of its seed section', () => {
    const kinds = Object.fromEntries(registry.list().map((p) => [p.id, (p.templates ?? []).map((t) => t.kind)]));
    expect(kinds).toEqual({
      'vehicle-cleanliness': ['approval'],
      'vehicle-damage': ['approval'],
      'journey-logic-architecture': ['approval', 'fast-track'],
      'personalization-algorithm': ['approval', 'post-action-report'],
      'scarcity-trigger': ['approval', 'post-action-report'],
      'api-endpoint-batch': ['batch-approval', 'fast-track', 'post-action-report'],
      'database-schema-batch': ['batch-approval', 'post-action-report'],
      'code-implementation': ['post-action-report'],
      'performance-optimization': ['post-action-report'],
    });
  });

  it.each(templates)('%s %s renders a realistic case completely', (_id, _kind, p, t) => {
    const out = renderTemplate(t.markdown, viewFor(p, t));
    expect(out).not.toContain('{{');
    expect(out).not.toContain('}}');
    expect(out).not.toContain(MISSING);
    // No seed placeholder left over ("[X%]", "[List …]", "[Name of …]").
    expect(out).not.toMatch(/\[(?:X\b|List |Name of |estimated )/);
    expect(out.split('\n')[0]).toMatch(/^## /);
  });

  it('keeps the seed structure: headings, checkboxes and table rows per item', () => {
    const api = policy('api-endpoint-batch');
    const batch = api.templates?.find((t) => t.kind === 'batch-approval');
    if (batch === undefined) throw new Error('no batch template');
    const out = renderTemplate(batch.markdown, viewFor(api, batch));
    expect(out).toContain('- **Total Endpoints**: 5');
    expect(out).toContain('- **Estimated Development Time**: 30 hours');
    expect(out).toContain('| PUT /api/journey/sessions/{id}/stage | Stage updates | Low | 82% |');
    expect(out).toContain('- [ ] Require individual review for flagged items');

    const schema = policy('database-schema-batch');
    const schemaBatch = schema.templates?.find((t) => t.kind === 'batch-approval');
    if (schemaBatch === undefined) throw new Error('no batch template');
    const schemaOut = renderTemplate(schemaBatch.markdown, viewFor(schema, schemaBatch));
    expect(schemaOut).toContain('- **New Tables**: journey_sessions, journey_touchpoints, conversion_events');
    expect(schemaOut).toContain('- **Modified Tables**: user_profiles');
    expect(schemaOut).toContain('- **Data Migration Required**: Yes');

    const journey = policy('journey-logic-architecture');
    const [approval, fast] = journey.templates ?? [];
    if (approval === undefined || fast === undefined) throw new Error('no journey templates');
    const approvalOut = renderTemplate(approval.markdown, viewFor(journey, approval));
    expect(approvalOut).toContain('- **Component**: Mobile TikTok Users');
    expect(approvalOut).toContain('- [ ] Approve with modifications (specify below)');
    const fastOut = renderTemplate(fast.markdown, viewFor(journey, fast));
    expect(fastOut).toContain('- **Similarity Score**: 87%');
    expect(fastOut).toContain('**Fast-Track Approved:** Yes');
    expect(fastOut).toContain('**Human Review Required:** No');
  });

  it('never shows PII the policy redacts', () => {
    for (const id of ['vehicle-cleanliness', 'vehicle-damage']) {
      const p = policy(id);
      for (const t of p.templates ?? []) expect(renderTemplate(t.markdown, viewFor(p, t))).not.toMatch(/cus-\d+/);
    }
  });

  it('renders a sparse case with dashes, never with placeholders', () => {
    for (const [, , p, t] of templates) {
      const sparse: TemplateCase = { prediction: { useCase: p.id, subject: { type: 'x', id: 'y' }, model: { name: 'm', version: '1' } } };
      const out = renderTemplate(t.markdown, t.kind === 'batch-approval' ? batchTemplateView([sparse]) : templateView(sparse));
      expect(out).not.toContain('{{');
      expect(out).toContain(MISSING);
    }
  });
});

// ------------------------------------------------------------------------------------------------
// The JSON Schema and the Policy type describe the same thing: the same property names, the same
// required ones. `KeyMap<T>` makes the compiler list every key of T with whether it is required.

type KeyMap<T> = { [K in keyof Required<T>]: Record<never, never> extends Pick<T, K> ? false : true };

type ModelThresholds = NonNullable<BandSpec['models']>[number];
type Expiry = SlaSpec['expiry'];

const TYPE_KEYS: Record<string, Record<string, boolean>> = {
  '#': {
    id: true, version: true, title: true, description: false, source: true, confidence: true, bands: true, actions: true, alwaysHuman: true,
    fastTrack: false, outcomes: true, modelOutcome: true, decisionOptions: true, batchOptions: false, reasonCodes: true, approval: false, queues: true,
    sampling: true, quality: false, templates: false, privacy: true,
  } satisfies KeyMap<Policy>,
  confidence: { method: true, factors: false, missingFactor: false } satisfies KeyMap<ConfidenceSpec>,
  bands: { default: true, models: false, boundaries: true } satisfies KeyMap<BandSpec>,
  thresholds: { high: true, low: true } satisfies KeyMap<Thresholds>,
  'bands.models': { name: true, version: true, high: true, low: true } satisfies KeyMap<ModelThresholds>,
  fastTrack: {
    enabled: true, minSimilarity: true, minConfidence: true, appliesToAlwaysHuman: true, requireFactors: false, requireSameFeatures: false,
    outcome: true, approvedOutcomes: true, maxPatternAge: false, featureWeights: false,
  } satisfies KeyMap<FastTrackSpec>,
  outcome: { id: true, label: true, customerFavorable: true } satisfies KeyMap<OutcomeSpec>,
  decisionOption: { id: true, label: true, kind: true, outcome: false, requiresReason: true, shortcut: true, inputs: false } satisfies KeyMap<DecisionOption>,
  batchOption: { id: true, label: true, kind: true, outcome: true, requiresReason: true, shortcut: true, inputs: false } satisfies KeyMap<BatchOption>,
  optionInputs: { checklist: false, modifications: false, rollbackPlan: false, conditions: false } satisfies KeyMap<OptionInputs>,
  approval: { checklist: false, conditions: false } satisfies KeyMap<ApprovalSpec>,
  reasonCode: { code: true, label: true, appliesTo: false } satisfies KeyMap<ReasonCode>,
  queue: { id: true, title: true, sla: true, calendar: true, priority: true, batch: false, roles: true } satisfies KeyMap<QueueSpec>,
  sla: {
    target: true, percentile: false, clock: true, remindBefore: true, escalateOnBreach: true, offHours: true, onCallTarget: false, expiry: true,
  } satisfies KeyMap<SlaSpec>,
  'sla.expiry': { after: true, outcome: true, reasonCode: true } satisfies KeyMap<Expiry>,
  calendar: { timeZone: true, weekly: true, holidays: true } satisfies KeyMap<CalendarSpec>,
  priority: { base: true, rules: true } satisfies KeyMap<PrioritySpec>,
  priorityRule: { id: true, label: true, field: true, op: true, value: true, weight: true, slaTarget: false } satisfies KeyMap<PriorityRule>,
  batch: { enabled: true, groupBy: true, minSize: true, maxSize: true, similarity: false } satisfies KeyMap<BatchSpec>,
  batchSimilarity: { minSimilarity: true, weights: false, contextFields: false, featureWeights: false } satisfies KeyMap<BatchSimilaritySpec>,
  quality: { doubleReviewRate: true, goldenRate: true, minGoldenAccuracy: true, minKappa: true, window: false, flaggedGoldenRate: false } satisfies KeyMap<QualitySpec>,
  template: { kind: true, title: true, markdown: true } satisfies KeyMap<TemplateSpec>,
  privacy: { redact: true, retention: true } satisfies KeyMap<PrivacySpec>,
};

interface ObjectSchema {
  properties?: Record<string, ObjectSchema>;
  required?: string[];
  items?: ObjectSchema;
  $defs?: Record<string, ObjectSchema>;
}

describe('policy.schema.json matches the Policy type', () => {
  const schema = JSON.parse(readFileSync(policySchemaPath(), 'utf8')) as ObjectSchema;
  const defs = schema.$defs ?? {};
  const at = (name: string): ObjectSchema | undefined => {
    if (name === '#') return schema;
    if (name === 'bands.models') return defs.bands?.properties?.models?.items;
    if (name === 'sla.expiry') return defs.sla?.properties?.expiry;
    return defs[name];
  };

  it.each(Object.entries(TYPE_KEYS))('%s: same properties, same required ones', (name, keys) => {
    const s = at(name);
    expect(Object.keys(s?.properties ?? {}).sort()).toEqual(Object.keys(keys).sort());
    expect([...(s?.required ?? [])].sort()).toEqual(Object.entries(keys).filter(([, required]) => required).map(([k]) => k).sort());
  });

  it('weekly hours are keyed by weekday', () => {
    expect(Object.keys(defs.calendar?.properties?.weekly?.properties ?? {})).toEqual(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
  });
});
