import { pendingStep, queueItemId, type CaseDoc } from '@arbiter/cases';
import { createEvent, EventTypes, type ArbiterEvent } from '@arbiter/contract';
import { inSample, type CaseRouted } from '@arbiter/core';
import { ManualClock } from '@arbiter/platform';
import { goldenInstanceId, type GoldenCaseDoc } from '../golden';
import { InMemoryGoldenSet, InMemoryQueueItems } from '../queue-items.test-support';
import { createEnqueueOnCaseRouted } from './consumers';
import { damageCase, handlerContext, shippedPolicies } from '../use-cases.test-support';

const policies = shippedPolicies();

const OPENED = Date.parse('2026-11-18T10:00:00Z');
const NOW = OPENED + 2_000;
const MIN = 60_000;
const context = handlerContext();

const caseDoc = (caseId: string, status: CaseDoc['status'] = 'opened'): CaseDoc => damageCase(caseId, OPENED, status);

function routedEvent(data: CaseRouted): ArbiterEvent<typeof EventTypes.caseRouted> {
  const event = createEvent({ type: EventTypes.caseRouted, source: '/arbiter/router', id: `routed_${data.caseId}`, subject: data.caseId, data });
  if (!event.ok) throw new Error(event.error.message);
  return event.value;
}

const review = (caseId: string, overrides: Partial<CaseRouted> = {}): CaseRouted => ({
  caseId,
  useCase: 'vehicle-damage',
  policy: { id: 'vehicle-damage', version: '1' },
  route: 'review',
  reason: 'band-medium',
  rationale: 'medium band',
  queue: 'damage-review',
  priority: { score: 42, reasons: ['booking soon'] },
  dueAt: new Date(OPENED + 60 * MIN).toISOString(),
  reminderAt: [new Date(OPENED + 40 * MIN).toISOString(), new Date(OPENED + 50 * MIN).toISOString()],
  batchKey: 'damage-review|scratch',
  routedAt: new Date(OPENED + 1_000).toISOString(),
  ...overrides,
});

/** A case id that is (or is not) picked for a golden case at the policy's goldenRate. */
function caseIdWhere(golden: boolean): string {
  for (let n = 0; ; n += 1) if (inSample(`golden:case-${n}`, 0.02) === golden) return `case-${n}`;
}

function setup(golden: GoldenCaseDoc[] = []) {
  const items = new InMemoryQueueItems();
  const enqueue = createEnqueueOnCaseRouted({ items, golden: new InMemoryGoldenSet(golden), policies, clock: new ManualClock(new Date(NOW)) });
  return {
    items,
    enqueue: (data: CaseRouted) => enqueue(routedEvent(data), context),
    /** As delivered, without the contract's check (a producer's bug the consumer must survive). */
    enqueueUnchecked: (data: CaseRouted) => enqueue({ ...routedEvent(review(data.caseId)), data }, context),
  };
}

describe('enqueue on case.routed', () => {
  it('materializes a review route as a decision item with the router’s priority, due time and first reminder', async () => {
    const { items, enqueue } = setup();
    const caseId = caseIdWhere(false);
    const routed = review(caseId);
    items.cases.set(caseId, { ...caseDoc(caseId), nextStep: pendingStep('enqueue', routedEvent(routed), OPENED + 1_000) });

    expect(await enqueue(routed)).toEqual({ ok: true, value: { created: [queueItemId(caseId, 'decision')] } });
    const item = items.items.get(queueItemId(caseId, 'decision'));
    expect(item).toMatchObject({
      caseId,
      queue: 'damage-review',
      purpose: 'decision',
      status: 'open',
      lane: 1,
      priority: 42,
      priorityReasons: ['booking soon'],
      enqueuedAt: NOW,
      dueAt: OPENED + 60 * MIN,
      batchKey: 'damage-review|scratch',
      blind: false,
      summary: { label: 'scratch', confidence: 0.8, band: 'medium' },
    });
    expect(item?.sla.sent).toEqual([]);
    expect(item?.sla.nextCheckAt).toBeLessThanOrEqual(OPENED + 40 * MIN);
    expect(items.slaTimers).toEqual([`${caseId}~decision@${item?.sla.nextCheckAt}`]);
    // The case is in review and no longer waits for its item.
    expect(items.cases.get(caseId)?.status).toBe('in-review');
    expect(items.cases.get(caseId)?.nextStep).toBeUndefined();
  });

  it('creates nothing a second time when case.routed is delivered again', async () => {
    const { items, enqueue } = setup();
    const caseId = caseIdWhere(false);
    items.cases.set(caseId, caseDoc(caseId));
    await enqueue(review(caseId));
    const first = items.items.get(queueItemId(caseId, 'decision'));
    expect(await enqueue(review(caseId))).toEqual({ ok: true, value: { created: [] } });
    expect(items.items.get(queueItemId(caseId, 'decision'))).toEqual(first);
    expect(items.slaTimers).toHaveLength(1);
  });

  it('sends an automatic decision sampled for blind review to the blind queue, hiding the outcome', async () => {
    const { items, enqueue } = setup();
    const caseId = caseIdWhere(false);
    items.cases.set(caseId, { ...caseDoc(caseId), status: 'decided' });
    const { queue: _q, priority: _p, dueAt: _d, reminderAt: _r, batchKey: _b, ...auto } = review(caseId);
    expect(await enqueue({ ...auto, route: 'auto', reason: 'band-high', blindReview: true })).toEqual({ ok: true, value: { created: [queueItemId(caseId, 'blind-review')] } });
    expect(items.items.get(queueItemId(caseId, 'blind-review'))).toMatchObject({ purpose: 'blind-review', queue: 'damage-review', blind: true });
    expect(items.items.get(queueItemId(caseId, 'blind-review'))).not.toHaveProperty('batchKey');
    expect(items.cases.get(caseId)?.status).toBe('decided');
  });

  it('offers a low-band default decision flagged for enrichment for blind labelling', async () => {
    const { items, enqueue } = setup();
    const caseId = caseIdWhere(false);
    items.cases.set(caseId, { ...caseDoc(caseId), status: 'decided' });
    const { queue: _q, priority: _p, dueAt: _d, reminderAt: _r, batchKey: _b, ...rest } = review(caseId);
    expect(await enqueue({ ...rest, route: 'default', reason: 'band-low' })).toMatchObject({ ok: true, value: { created: [queueItemId(caseId, 'blind-review')] } });
  });

  it('ignores a route that needs no person, and fails permanently on what it cannot enqueue', async () => {
    const { items, enqueue, enqueueUnchecked } = setup();
    const caseId = caseIdWhere(false);
    const { queue: _q, priority: _p, dueAt: _d, reminderAt: _r, batchKey: _b, ...auto } = review(caseId);
    expect(await enqueue({ ...auto, route: 'auto', reason: 'band-high' })).toBeUndefined();
    expect(await enqueue(review(caseId))).toMatchObject({ ok: false, error: { code: 'CASE.NOT_FOUND', permanent: true } });
    const { queue: _none, ...noQueue } = review(caseId);
    expect(await enqueueUnchecked(noQueue)).toMatchObject({ ok: false, error: { code: 'CASE.INVALID_ROUTE', permanent: true } });
    expect(await enqueue(review(caseId, { queue: 'no-such-queue' }))).toMatchObject({ ok: false, error: { code: 'CASE.INVALID_ROUTE', permanent: true } });
    expect(await enqueue(review(caseId, { useCase: 'no-such-policy' }))).toMatchObject({ ok: false, error: { code: 'POLICY.UNKNOWN_USE_CASE', permanent: true } });
    expect(items.items.size).toBe(0);
  });

  it('mixes in a golden case beside a picked case, once, with no SLA work of its own', async () => {
    const golden: GoldenCaseDoc = {
      goldenId: 'g-1',
      useCase: 'vehicle-damage',
      queue: 'damage-review',
      policy: { id: 'vehicle-damage', version: '1' },
      prediction: caseDoc('x').prediction,
      confidence: 0.8,
      confidenceSource: 'prediction',
      band: 'medium',
      thresholds: { high: 0.95, low: 0.7 },
      expectedOutcome: 'damage_confirmed',
      loadedAt: OPENED - MIN,
    };
    const { items, enqueue } = setup([golden]);
    const caseId = caseIdWhere(true);
    items.cases.set(caseId, caseDoc(caseId));
    const instanceId = goldenInstanceId('g-1', caseId);

    expect(await enqueue(review(caseId))).toEqual({ ok: true, value: { created: [queueItemId(caseId, 'decision'), `${instanceId}~decision`] } });
    expect(items.cases.get(instanceId)).toMatchObject({ caseId: instanceId, status: 'in-review', golden: { goldenId: 'g-1', expectedOutcome: 'damage_confirmed' } });
    expect(items.items.get(`${instanceId}~decision`)).toMatchObject({ purpose: 'golden', queue: 'damage-review', sla: { sent: [], nextCheckAt: null } });
    expect(items.slaTimers).toEqual([`${caseId}~decision@${items.items.get(queueItemId(caseId, 'decision'))?.sla.nextCheckAt}`]);

    expect(await enqueue(review(caseId))).toEqual({ ok: true, value: { created: [] } });
    expect([...items.items.keys()]).toHaveLength(2);
  });
});
