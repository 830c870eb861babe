import { EventTypes, validateEventData, type ArbiterEvent } from '@arbiter/contract';
import { pendingStep } from '@arbiter/case-store';
import { dispositionOf } from '@arbiter/platform';
import { ManualClock } from '@arbiter/platform/testing';
import { caseRouteOf, createRouteCase, defaultReasonCodeOf, planRoute } from './route-case';
import type { CaseRouted } from '@arbiter/core';
import {
  caseIdWhere,
  cleanliness,
  hitlOpt,
  InMemoryApprovedPatterns,
  InMemoryRoutingCases,
  openedEvent,
  openedOf,
  policies,
  policyOf,
} from './route-case.test-support';

const openedAt = new Date('2026-11-23T10:00:00Z'); // a Monday, 11:00 in Berlin
const now = new Date('2026-11-23T10:00:02Z');
const SOURCE = '/arbiter/router';

function setup(patterns = new InMemoryApprovedPatterns()) {
  const cases = new InMemoryRoutingCases();
  const routeCase = createRouteCase({ cases, patterns, policies, clock: new ManualClock(now), source: SOURCE });
  return { cases, patterns, routeCase };
}

const ofType = (events: readonly ArbiterEvent[], type: string) => events.filter((e) => e.type === type);

/** The case.routed staged, and that the route on the case is the one derived from it (one builder, one shape). */
function routedData(cases: InMemoryRoutingCases, caseId: string): CaseRouted {
  const data = ofType(cases.staged, EventTypes.caseRouted)[0]?.data as CaseRouted;
  const route = cases.cases.get(caseId)?.route;
  expect(route).toEqual(caseRouteOf(data, route?.snapshot));
  return data;
}

/** Every event a use case stages is valid against its schema (producers validate what they emit). */
function expectValid(events: readonly ArbiterEvent[]): void {
  for (const event of events) expect(validateEventData(event.type, event.data)).toMatchObject({ ok: true });
}

describe('route case: vehicle-cleanliness (ADR-0016)', () => {
  it('high band: decided automatically by the model, with rationale and evidence snapshot', async () => {
    const { cases, routeCase } = setup();
    const caseId = caseIdWhere(false, 0.02);
    const opened = openedOf(caseId, cleanliness(0.95), openedAt);
    cases.put(opened, { nextStep: pendingStep('route', openedEvent(opened), openedAt.getTime()) });

    const result = await routeCase(openedEvent(opened));
    expect(result).toMatchObject({ ok: true, value: { caseId, routed: true, decided: true } });

    const doc = cases.cases.get(caseId);
    expect(doc?.status).toBe('decided');
    // Routed and decided, no queue item to make: nothing pending any more.
    expect(doc?.nextStep).toBeUndefined();
    expect(doc?.route).toMatchObject({
      kind: 'auto',
      reason: 'band-high',
      blindReview: false,
      snapshot: {
        outcome: 'fee_applied',
        confidence: 0.95,
        band: 'high',
        thresholds: { high: 0.9, low: 0.6 },
        model: { name: 'cleanliness-vit', version: '2.3.0' },
        policy: { id: 'vehicle-cleanliness', version: '3' },
        label: 'dirty',
        evidence: ['gs://evidence/bk-1/before-1.jpg', 'gs://evidence/bk-1/after-1.jpg'],
      },
    });
    expect(doc?.route?.rationale).toContain('high band');
    expect(doc?.decision).toMatchObject({ outcome: 'fee_applied', decidedBy: { kind: 'auto', id: 'cleanliness-vit@2.3.0' }, customerFavorable: false });

    expect(cases.staged.map((e) => e.type)).toEqual([EventTypes.caseRouted, EventTypes.decisionMade, EventTypes.decisionMadeV2, EventTypes.caseDecided]);
    expectValid(cases.staged);
    const [routed, decision, , decided] = cases.staged;
    expect(routed).toMatchObject({ id: `routed_${caseId}`, subject: caseId, source: SOURCE, data: { route: 'auto', reason: 'band-high', blindReview: false } });
    expect(routed?.data).not.toHaveProperty('queue');
    // No person is needed: an empty work order.
    expect(routedData(cases, caseId).workOrder).toEqual({ items: [] });
    expect(decision).toMatchObject({ id: `dec_${caseId}`, subject: caseId });
    // Beside it, for the audit: the v1 data and identity, and the case's facts (an automatic route: no queue).
    expect(decided).toMatchObject({ id: `decided_${caseId}`, subject: caseId, source: SOURCE });
    expect(decided?.data).toEqual({ caseId, useCase: 'vehicle-cleanliness', decision: decision?.data, decisionEvent: { id: decision?.id, source: SOURCE, time: decision?.time }, caseFacts: { openedAt: openedAt.toISOString(), label: 'dirty' } });
  });

  it('high band sampled for blind review: case.routed names the blind review queue', async () => {
    const { cases, routeCase } = setup();
    const caseId = caseIdWhere(true, 0.02);
    const opened = openedOf(caseId, cleanliness(0.97), openedAt);
    cases.put(opened);

    await routeCase(openedEvent(opened));
    const routed = ofType(cases.staged, EventTypes.caseRouted)[0];
    expect(routed?.data).toMatchObject({ route: 'auto', blindReview: true, queue: 'cleanliness-review', dueAt: '2026-11-23T12:00:00.000Z' });
    expect(cases.cases.get(caseId)?.route).toMatchObject({ blindReview: true, blindReviewQueue: 'cleanliness-review' });
    // The work order: one blind-review item, planned like a review of its queue, never batched nor re-ranked.
    expect(routedData(cases, caseId).workOrder).toEqual({
      items: [
        {
          purpose: 'blind-review',
          queue: 'cleanliness-review',
          priority: { score: 10, reasons: [] },
          dueAt: '2026-11-23T12:00:00.000Z',
          reminderAt: ['2026-11-23T11:30:00.000Z', '2026-11-23T11:50:00.000Z'],
          sla: { nextCheckAt: '2026-11-23T11:30:00.000Z' },
        },
      ],
    });
    // Decided, but its blind-review item is still to be made: the case waits for it, driven by case.routed.
    expect(cases.cases.get(caseId)?.nextStep).toEqual({ kind: 'enqueue', since: now.getTime(), event: JSON.stringify(routed), redrives: 0 });
    expect(ofType(cases.staged, EventTypes.decisionMade)).toHaveLength(1);
    expectValid(cases.staged);
  });

  it('medium band: to the review queue with priority, due time, reminders and batch key', async () => {
    const { cases, routeCase } = setup();
    const caseId = caseIdWhere(false, 0.02);
    const opened = openedOf(caseId, cleanliness(0.78, { context: { nextBookingAt: '2026-11-23T12:00:00Z', amount: { value: 25, currency: 'EUR' } } }), openedAt);
    cases.put(opened);

    const result = await routeCase(openedEvent(opened));
    expect(result).toMatchObject({ ok: true, value: { routed: true, decided: false } });
    const doc = cases.cases.get(caseId);
    expect(doc?.status).toBe('in-review');
    expect(doc?.decision).toBeUndefined();
    expect(doc?.nextStep).toMatchObject({ kind: 'enqueue', since: now.getTime(), redrives: 0 });
    const dueAt = Date.parse('2026-11-23T12:00:00Z'); // PT2H on the wall clock from opening
    expect(doc?.route).toMatchObject({
      kind: 'review',
      reason: 'band-medium',
      queue: 'cleanliness-review',
      priority: { score: 80, reasons: ['Next booking within 3 h', 'Next booking within 24 h'] },
      dueAt,
      reminderAt: [dueAt - 30 * 60_000, dueAt - 10 * 60_000],
      batchKey: '["vehicle-cleanliness","cleanliness-review","cleanliness-vit","2.3.0","dirty"]',
    });
    expect(cases.staged.map((e) => e.type)).toEqual([EventTypes.caseRouted]);
    expectValid(cases.staged);
    expect(cases.staged[0]?.data).toMatchObject({
      route: 'review',
      queue: 'cleanliness-review',
      priority: { score: 80 },
      dueAt: '2026-11-23T12:00:00.000Z',
      reminderAt: ['2026-11-23T11:30:00.000Z', '2026-11-23T11:50:00.000Z'],
      batchKey: '["vehicle-cleanliness","cleanliness-review","cleanliness-vit","2.3.0","dirty"]',
    });
    // The work order: the decision item with everything review-queue writes. The booking at 12:00 is
    // within 3 h already; it comes within its other rule's horizon later, so no re-rank before the reminder.
    const workOrder = routedData(cases, caseId).workOrder;
    expect(workOrder).toEqual({
      items: [
        {
          purpose: 'decision',
          queue: 'cleanliness-review',
          priority: { score: 80, reasons: ['Next booking within 3 h', 'Next booking within 24 h'] },
          dueAt: '2026-11-23T12:00:00.000Z',
          reminderAt: ['2026-11-23T11:30:00.000Z', '2026-11-23T11:50:00.000Z'],
          sla: { nextCheckAt: '2026-11-23T11:30:00.000Z' },
          batchKey: '["vehicle-cleanliness","cleanliness-review","cleanliness-vit","2.3.0","dirty"]',
          // The queue batches by similarity: what is compared, from the prediction.
          similarityBasis: { prediction: { label: 'dirty', confidence: 0.78 } },
        },
      ],
    });
  });

  it('medium band, booking coming near: the first check is when the priority changes, before any reminder', async () => {
    const { cases, routeCase } = setup();
    const caseId = caseIdWhere(false, 0.02);
    // 10:00 opened; the booking at 13:30 comes within 3 h at 10:30, before the 11:30 reminder.
    const opened = openedOf(caseId, cleanliness(0.78, { context: { nextBookingAt: '2026-11-23T13:30:00Z', amount: { value: 25, currency: 'EUR' } } }), openedAt);
    cases.put(opened);
    await routeCase(openedEvent(opened));
    const [item] = routedData(cases, caseId).workOrder?.items ?? [];
    expect(item).toMatchObject({ purpose: 'decision', priority: { reasons: ['Next booking within 24 h'] }, sla: { nextCheckAt: '2026-11-23T10:30:00.000Z' } });
  });

  it('low band: the customer-favorable default, decided by the policy, flagged for enrichment', async () => {
    const { cases, routeCase } = setup();
    const caseId = caseIdWhere(false, 0.02);
    const opened = openedOf(caseId, cleanliness(0.41), openedAt);
    cases.put(opened);

    await routeCase(openedEvent(opened));
    const doc = cases.cases.get(caseId);
    expect(doc?.route).toMatchObject({ kind: 'default', reason: 'band-low', snapshot: { outcome: 'fee_waived', confidence: 0.41 } });
    expect(doc?.decision).toMatchObject({
      outcome: 'fee_waived',
      decidedBy: { kind: 'policy', id: 'policy:vehicle-cleanliness@3' },
      reasonCode: 'LOW_CONFIDENCE_DEFAULT',
      customerFavorable: true,
    });
    expect(cases.staged.map((e) => e.type)).toEqual([EventTypes.caseRouted, EventTypes.decisionMade, EventTypes.decisionMadeV2, EventTypes.caseDecided, EventTypes.enrichmentFlagged]);
    // Offered for blind labelling: the work order names the item, and the case waits for it.
    expect(doc?.nextStep).toMatchObject({ kind: 'enqueue', redrives: 0 });
    const data = routedData(cases, caseId);
    expect(data.workOrder?.items).toEqual([expect.objectContaining({ purpose: 'blind-review', queue: 'cleanliness-review', dueAt: '2026-11-23T12:00:00.000Z' })]);
    expect(data.workOrder?.items[0]).not.toHaveProperty('batchKey');
    // A default names no queue of its own (the audit row's queue stays empty).
    expect(data).not.toHaveProperty('queue');
    expectValid(cases.staged);
    expect(cases.staged[4]).toMatchObject({
      id: `enrichment_${caseId}`,
      data: { reason: 'low-confidence', prediction: { label: 'dirty', confidence: 0.41 }, evidence: ['gs://evidence/bk-1/before-1.jpg', 'gs://evidence/bk-1/after-1.jpg'] },
    });
  });

  it('a disputed case (always-human category) goes to a person even at 0.99', async () => {
    const { cases, routeCase } = setup();
    const caseId = caseIdWhere(false, 0.02);
    const opened = openedOf(caseId, cleanliness(0.99, { category: 'dispute' }), openedAt);
    cases.put(opened);
    await routeCase(openedEvent(opened));
    expect(cases.cases.get(caseId)?.route).toMatchObject({ kind: 'review', reason: 'always-human-category', queue: 'cleanliness-review', priority: { score: 40 } });
    expect(ofType(cases.staged, EventTypes.decisionMade)).toHaveLength(0);
  });
});

describe('route case: HITL-OPT use cases', () => {
  it('api-endpoint-batch high: automatic approval by the model', async () => {
    const { cases, routeCase } = setup();
    const caseId = caseIdWhere(false, 0.05);
    const opened = openedOf(caseId, hitlOpt('api-endpoint-batch', 0.9), openedAt);
    cases.put(opened);
    await routeCase(openedEvent(opened));
    expect(cases.cases.get(caseId)?.decision).toMatchObject({ outcome: 'approved', decidedBy: { kind: 'auto', id: 'journey-engine-assessor@4.1.0' } });
  });

  it('an automatic approval with report: post-action produces its report, on the case and in case.routed', async () => {
    const { cases, routeCase } = setup();
    const caseId = caseIdWhere(false, 0.05);
    const opened = openedOf(caseId, hitlOpt('api-endpoint-batch', 0.9, { context: { component: 'Journey tracking API' } }), openedAt);
    cases.put(opened);
    await routeCase(openedEvent(opened));
    const report = cases.cases.get(caseId)?.route?.postActionReport;
    expect(report).toMatchObject({ title: expect.any(String), producedAt: now.getTime() });
    expect(report?.markdown).toContain('**Component**: Journey tracking API');
    expect(cases.staged[0]?.data).toMatchObject({ route: 'auto', postActionReport: { title: report?.title, markdown: report?.markdown } });
  });

  it('api-endpoint-batch medium: batch review with a batch key by API category', async () => {
    const { cases, routeCase } = setup();
    const caseId = caseIdWhere(false, 0.05);
    const opened = openedOf(caseId, hitlOpt('api-endpoint-batch', 0.78, { context: { apiCategory: 'journey-tracking' } }), openedAt);
    cases.put(opened);
    await routeCase(openedEvent(opened));
    expect(cases.staged[0]?.data).toMatchObject({
      route: 'review',
      reason: 'band-medium',
      queue: 'api-batch',
      batchKey: '["api-endpoint-batch","api-batch","journey-tracking"]',
      dueAt: '2026-11-24T10:00:00.000Z',
      priority: { score: 50, reasons: [] },
    });
    // The queue batches by similarity: the decision item carries what is compared, from the prediction.
    const [item] = routedData(cases, caseId).workOrder?.items ?? [];
    expect(item).toMatchObject({ purpose: 'decision', queue: 'api-batch', batchKey: '["api-endpoint-batch","api-batch","journey-tracking"]' });
    expect(item?.similarityBasis).toEqual({ prediction: { label: 'approve', confidence: 0.78 } });
  });

  it('api-endpoint-batch low: the immediate path (1 h, top priority), never a default; critical path keeps its reason', async () => {
    const { cases, routeCase } = setup();
    const caseId = caseIdWhere(false, 0.05);
    const opened = openedOf(caseId, hitlOpt('api-endpoint-batch', 0.5, { context: { criticalPath: true } }), openedAt);
    cases.put(opened);
    await routeCase(openedEvent(opened));
    expect(cases.cases.get(caseId)?.status).toBe('in-review');
    expect(cases.staged[0]?.data).toMatchObject({
      route: 'review',
      reason: 'band-low',
      queue: 'api-immediate',
      priority: { score: 300, reasons: ['On the critical path (within 2 h)'] },
      dueAt: '2026-11-23T11:00:00.000Z',
    });
    expect(cases.staged[0]?.data).not.toHaveProperty('batchKey');
    expect(ofType(cases.staged, EventTypes.decisionMade)).toHaveLength(0);
  });

  it('journey-logic-architecture, category strategic, at 0.99: a person decides', async () => {
    const { cases, routeCase } = setup();
    const caseId = caseIdWhere(false, 0.05);
    const opened = openedOf(caseId, hitlOpt('journey-logic-architecture', 0.99, { category: 'strategic' }), openedAt);
    cases.put(opened);
    await routeCase(openedEvent(opened));
    expect(cases.staged[0]?.data).toMatchObject({ route: 'review', reason: 'always-human-category', queue: 'journey-logic-review' });
    expect(ofType(cases.staged, EventTypes.decisionMade)).toHaveLength(0);
  });

  it('fast-track: a strategic journey pattern like an approved one is decided automatically, naming the match', async () => {
    const patterns = new InMemoryApprovedPatterns([
      { caseId: 'case_approved', outcome: 'approved', features: { component: 'checkout-flow', userType: 'mobile', stages: 4 }, decidedAt: openedAt.getTime() - 3_600_000 },
      { caseId: 'case_rejected', outcome: 'rejected', features: { component: 'checkout-flow', userType: 'mobile', stages: 4 }, decidedAt: openedAt.getTime() - 3_600_000 },
    ]);
    const { cases, routeCase } = setup(patterns);
    const caseId = caseIdWhere(false, 0.05);
    const opened = openedOf(
      caseId,
      hitlOpt('journey-logic-architecture', 0.86, { category: 'strategic', factors: { risk_assessment: 0.9 }, pattern: { features: { component: 'checkout-flow', userType: 'mobile', stages: 4 } } }),
      openedAt,
    );
    cases.put(opened);
    await routeCase(openedEvent(opened));
    expect(patterns.calls).toEqual(['journey-logic-architecture']);
    expect(cases.cases.get(caseId)?.route).toMatchObject({ kind: 'auto', reason: 'fast-track', matchedPattern: { caseId: 'case_approved', similarity: 1 } });
    expect(cases.cases.get(caseId)?.decision).toMatchObject({ outcome: 'approved', decidedBy: { kind: 'auto', id: 'fast-track' } });
    expect(cases.staged[0]?.data).toMatchObject({ route: 'auto', reason: 'fast-track', matchedPattern: { caseId: 'case_approved', similarity: 1 } });
    expectValid(cases.staged);
  });

  it('no fast-track when the risk factor is below its floor', async () => {
    const patterns = new InMemoryApprovedPatterns([{ caseId: 'case_approved', outcome: 'approved', features: { component: 'checkout-flow' }, decidedAt: openedAt.getTime() - 3_600_000 }]);
    const { cases, routeCase } = setup(patterns);
    const caseId = caseIdWhere(false, 0.05);
    const opened = openedOf(
      caseId,
      hitlOpt('journey-logic-architecture', 0.86, { category: 'strategic', factors: { risk_assessment: 0.5 }, pattern: { features: { component: 'checkout-flow' } } }),
      openedAt,
    );
    cases.put(opened);
    await routeCase(openedEvent(opened));
    expect(cases.cases.get(caseId)?.route).toMatchObject({ kind: 'review', reason: 'always-human-category' });
    expect(cases.cases.get(caseId)?.route?.rationale).toContain('risk_assessment');
  });

  it('does not read patterns for a prediction without a pattern', async () => {
    const patterns = new InMemoryApprovedPatterns([{ caseId: 'case_approved', outcome: 'approved', features: { component: 'checkout-flow' }, decidedAt: openedAt.getTime() - 3_600_000 }]);
    const { cases, routeCase } = setup(patterns);
    const caseId = caseIdWhere(false, 0.05);
    const opened = openedOf(caseId, hitlOpt('journey-logic-architecture', 0.9, { category: 'strategic', factors: { risk_assessment: 0.9 } }), openedAt);
    cases.put(opened);
    await routeCase(openedEvent(opened));
    expect(patterns.calls).toEqual([]);
    expect(cases.cases.get(caseId)?.route).toMatchObject({ kind: 'review', reason: 'always-human-category' });
  });

  it('does not read patterns for a policy without fast-track', async () => {
    const { cases, patterns, routeCase } = setup();
    const caseId = caseIdWhere(false, 0.02);
    const opened = openedOf(caseId, cleanliness(0.78), openedAt);
    cases.put(opened);
    await routeCase(openedEvent(opened));
    expect(patterns.calls).toEqual([]);
  });
});

describe('route case: delivery', () => {
  it('a redelivered case.opened has no second effect', async () => {
    const { cases, routeCase } = setup();
    const caseId = caseIdWhere(false, 0.02);
    const opened = openedOf(caseId, cleanliness(0.41), openedAt);
    cases.put(opened);
    await routeCase(openedEvent(opened));
    const before = structuredClone(cases.cases.get(caseId));
    const again = await routeCase(openedEvent(opened));
    expect(again).toEqual({ ok: true, value: { caseId, routed: false, decided: false } });
    expect(cases.cases.get(caseId)).toEqual(before);
    expect(ofType(cases.staged, EventTypes.decisionMade)).toHaveLength(1);
    expect(ofType(cases.staged, EventTypes.caseRouted)).toHaveLength(1);
  });

  it('a case decided elsewhere is not routed again', () => {
    const caseId = caseIdWhere(false, 0.02);
    const cases = new InMemoryRoutingCases();
    const doc = cases.put(openedOf(caseId, cleanliness(0.95), openedAt));
    const plan = planRoute({ caseDoc: { ...doc, status: 'in-review' }, policy: policyOf('vehicle-cleanliness'), approvedPatterns: [], now, source: SOURCE });
    expect(plan).toEqual({ kind: 'skip', why: 'already routed (status in-review)' });
  });

  it('an unknown use case is a permanent failure', async () => {
    const { routeCase } = setup();
    const caseId = caseIdWhere(false, 0.02);
    const opened = { ...openedOf(caseId, cleanliness(0.8), openedAt), useCase: 'retired-use-case', policy: { id: 'retired-use-case', version: '1' } };
    const result = await routeCase(openedEvent(opened));
    expect(result).toMatchObject({ ok: false, error: { code: 'POLICY.UNKNOWN_USE_CASE', permanent: true } });
    if (!result.ok) expect(dispositionOf(result.error, 1, 10)).toBe('dead-letter');
  });

  it('a case that is not there (yet) is retried, not dead-lettered', async () => {
    const { routeCase } = setup();
    const opened = openedOf(caseIdWhere(false, 0.02), cleanliness(0.8), openedAt);
    const result = await routeCase(openedEvent(opened));
    expect(result).toMatchObject({ ok: false, error: { code: 'TRANSIENT.CASE_NOT_FOUND', permanent: false } });
    if (!result.ok) expect(dispositionOf(result.error, 1, 10)).toBe('retry');
  });
});

describe('default reason code', () => {
  it('is the policy-reserved code that is not the expiry code', () => {
    expect(defaultReasonCodeOf(policyOf('vehicle-cleanliness'))).toBe('LOW_CONFIDENCE_DEFAULT');
    expect(defaultReasonCodeOf(policyOf('vehicle-damage'))).toBe('LOW_CONFIDENCE_DEFAULT');
    expect(defaultReasonCodeOf(policyOf('api-endpoint-batch'))).toBeUndefined();
  });
});
