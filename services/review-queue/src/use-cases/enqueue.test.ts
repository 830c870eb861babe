import { pendingStep, queueItemId, type CaseDoc, type GoldenCaseDoc } from '@arbiter/case-store';
import { createEvent, EventTypes, type ArbiterEvent } from '@arbiter/contract';
import { inSample, type CaseRouted, type WorkOrderItem } from '@arbiter/core';
import { ManualClock } from '@arbiter/platform/testing';
import { goldenInstanceId } from '../golden';
import { InMemoryGoldenSet, InMemoryQueueItems } from '../queue-items.test-support';
import { createEnqueueOnCaseRouted } from './consumers';
import { damageCase, handlerContext, shippedPolicies } from './builders.test-support';

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

const iso = (ms: number): string => new Date(ms).toISOString();

/** An item of the router's work order: numbers no policy of review-queue would compute, so a recomputation shows. */
const work = (purpose: WorkOrderItem['purpose'], overrides: Partial<WorkOrderItem> = {}): WorkOrderItem => ({
  purpose,
  queue: 'damage-review',
  priority: { score: 42, reasons: ['booking soon'] },
  dueAt: iso(OPENED + 60 * MIN),
  reminderAt: [iso(OPENED + 40 * MIN), iso(OPENED + 50 * MIN)],
  sla: { nextCheckAt: iso(OPENED + 25 * MIN) },
  ...overrides,
});

const review = (caseId: string, overrides: Partial<CaseRouted> = {}): CaseRouted => ({
  caseId,
  useCase: 'vehicle-damage',
  policy: { id: 'vehicle-damage', version: '1' },
  route: 'review',
  reason: 'band-medium',
  rationale: 'medium band',
  queue: 'damage-review',
  priority: { score: 42, reasons: ['booking soon'] },
  dueAt: iso(OPENED + 60 * MIN),
  reminderAt: [iso(OPENED + 40 * MIN), iso(OPENED + 50 * MIN)],
  batchKey: 'damage-review|scratch',
  workOrder: { items: [work('decision', { batchKey: 'damage-review|scratch', similarityBasis: { prediction: { label: 'scratch' } } })] },
  routedAt: iso(OPENED + 1_000),
  ...overrides,
});

/** A route that decided the case (auto or default) with `items` to create. */
const decided = (caseId: string, route: 'auto' | 'default', reason: CaseRouted['reason'], items: WorkOrderItem[], extra: Partial<CaseRouted> = {}): CaseRouted => ({
  caseId,
  useCase: 'vehicle-damage',
  policy: { id: 'vehicle-damage', version: '1' },
  route,
  reason,
  rationale: route,
  workOrder: { items },
  routedAt: iso(OPENED + 1_000),
  ...extra,
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
  it('materializes a review route as the decision item of its work order, exactly as the router planned it', async () => {
    const { items, enqueue } = setup();
    const caseId = caseIdWhere(false);
    const routed = review(caseId);
    items.cases.set(caseId, { ...caseDoc(caseId), nextStep: pendingStep('enqueue', routedEvent(routed), OPENED + 1_000) });

    expect(await enqueue(routed)).toEqual({ ok: true, value: { created: [queueItemId(caseId, 'decision')] } });
    const item = items.items.get(queueItemId(caseId, 'decision'));
    // Retained as long as its case (the twin stores the Date as a plain copy; the adapters test its value).
    expect(item).toHaveProperty('expireAt');
    const { expireAt: _retained, ...planned } = item ?? ({} as never);
    expect(planned).toEqual({
      itemId: queueItemId(caseId, 'decision'),
      caseId,
      useCase: 'vehicle-damage',
      queue: 'damage-review',
      purpose: 'decision',
      status: 'open',
      lane: 1,
      priority: 42,
      priorityReasons: ['booking soon'],
      enqueuedAt: NOW,
      dueAt: OPENED + 60 * MIN,
      batchKey: 'damage-review|scratch',
      similarityBasis: { prediction: { label: 'scratch' } },
      blind: false,
      sla: { sent: [], nextCheckAt: OPENED + 25 * MIN },
      summary: { label: 'scratch', confidence: 0.8, band: 'medium', model: { name: 'damage-detr', version: '1.4.2' }, subject: { type: 'booking', id: `bk-${caseId}` } },
    });
    expect(items.slaTimers).toEqual([`${caseId}~decision@${OPENED + 25 * MIN}`]);
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

  it('sends an automatic decision sampled for blind review to the blind queue its work order names, hiding the outcome', async () => {
    const { items, enqueue } = setup();
    const caseId = caseIdWhere(false);
    items.cases.set(caseId, { ...caseDoc(caseId), status: 'decided' });
    const blind = work('blind-review', { queue: 'damage-review', priority: { score: 7, reasons: [] } });
    expect(await enqueue(decided(caseId, 'auto', 'band-high', [blind], { blindReview: true, queue: 'damage-review' }))).toEqual({ ok: true, value: { created: [queueItemId(caseId, 'blind-review')] } });
    expect(items.items.get(queueItemId(caseId, 'blind-review'))).toMatchObject({ purpose: 'blind-review', queue: 'damage-review', blind: true, priority: 7, sla: { sent: [], nextCheckAt: OPENED + 25 * MIN } });
    expect(items.items.get(queueItemId(caseId, 'blind-review'))).not.toHaveProperty('batchKey');
    expect(items.cases.get(caseId)?.status).toBe('decided');
  });

  it('offers a default decision for blind labelling when its work order says so, and not otherwise', async () => {
    const { items, enqueue } = setup();
    const labelled = caseIdWhere(false);
    items.cases.set(labelled, { ...caseDoc(labelled), status: 'decided' });
    expect(await enqueue(decided(labelled, 'default', 'band-low', [work('blind-review')]))).toEqual({ ok: true, value: { created: [queueItemId(labelled, 'blind-review')] } });
    expect(items.items.get(queueItemId(labelled, 'blind-review'))).toMatchObject({ purpose: 'blind-review', blind: true });
    // The same low-band default with an empty work order (its policy does not ask for labelling): nothing.
    const other = `${labelled}-other`;
    items.cases.set(other, { ...caseDoc(other), status: 'decided' });
    expect(await enqueue(decided(other, 'default', 'band-low', []))).toBeUndefined();
    expect(items.items.has(queueItemId(other, 'blind-review'))).toBe(false);
  });

  it('dead-letters a case.routed of an older router, without a work order, when its route needed a queue item', async () => {
    const { items, enqueue } = setup();
    const caseId = caseIdWhere(false);
    items.cases.set(caseId, caseDoc(caseId));
    const { workOrder: _w, ...old } = review(caseId);
    expect(await enqueue(old)).toMatchObject({ ok: false, error: { code: 'CASE.NO_WORK_ORDER', permanent: true, message: expect.stringContaining('older than the work order') } });
    expect(await enqueue({ ...old, route: 'auto', reason: 'band-high', blindReview: true })).toMatchObject({ ok: false, error: { code: 'CASE.NO_WORK_ORDER', permanent: true } });
    expect(await enqueue({ ...old, route: 'default', reason: 'band-low', queue: undefined, dueAt: undefined })).toMatchObject({ ok: false, error: { code: 'CASE.NO_WORK_ORDER', permanent: true } });
    // An older automatic decision nobody had to review: nothing to do.
    const { queue: _q, priority: _p, dueAt: _d, reminderAt: _r, batchKey: _b, ...auto } = old;
    expect(await enqueue({ ...auto, route: 'auto', reason: 'band-high', blindReview: false })).toBeUndefined();
    expect(items.items.size).toBe(0);
  });

  it('ignores a route that needs no person, and fails permanently on what it cannot enqueue, writing nothing', async () => {
    const { items, enqueue, enqueueUnchecked } = setup();
    const caseId = caseIdWhere(false);
    expect(await enqueue(decided(caseId, 'auto', 'band-high', []))).toBeUndefined();
    expect(await enqueue(review(caseId))).toMatchObject({ ok: false, error: { code: 'CASE.NOT_FOUND', permanent: true } });
    items.cases.set(caseId, caseDoc(caseId));
    expect(await enqueue(review(caseId, { workOrder: { items: [] } }))).toMatchObject({ ok: false, error: { code: 'CASE.INVALID_ROUTE', permanent: true, message: expect.stringContaining('without a decision item') } });
    expect(await enqueue(review(caseId, { workOrder: { items: [work('decision', { queue: 'no-such-queue' })] } }))).toMatchObject({ ok: false, error: { code: 'CASE.INVALID_ROUTE', permanent: true } });
    expect(await enqueue(review(caseId, { workOrder: { items: [work('decision'), work('decision')] } }))).toMatchObject({ ok: false, error: { code: 'CASE.INVALID_ROUTE', permanent: true } });
    expect(await enqueue(review(caseId, { useCase: 'no-such-policy' }))).toMatchObject({ ok: false, error: { code: 'POLICY.UNKNOWN_USE_CASE', permanent: true } });
    // A malformed time (a producer's bug past the contract's check): the rulebook refuses to open it.
    expect(await enqueueUnchecked(review(caseId, { workOrder: { items: [work('blind-review'), work('decision', { dueAt: 'tomorrow' })] } }))).toMatchObject({ ok: false, error: { code: 'CASE.INVALID_ROUTE', permanent: true, message: expect.stringContaining('due time') } });
    expect(items.items.size).toBe(0);
    expect(items.cases.get(caseId)?.status).toBe('opened');
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
    // Placed like the decision item beside it, so nothing a reviewer sees marks it.
    expect(items.items.get(`${instanceId}~decision`)).toMatchObject({
      caseId: instanceId,
      purpose: 'golden',
      status: 'open',
      queue: 'damage-review',
      lane: 1,
      priority: 42,
      priorityReasons: ['booking soon'],
      enqueuedAt: NOW,
      dueAt: OPENED + 60 * MIN,
      batchKey: 'damage-review|scratch',
      blind: false,
      sla: { sent: [], nextCheckAt: null },
    });
    expect(items.slaTimers).toEqual([`${caseId}~decision@${items.items.get(queueItemId(caseId, 'decision'))?.sla.nextCheckAt}`]);

    expect(await enqueue(review(caseId))).toEqual({ ok: true, value: { created: [] } });
    expect([...items.items.keys()]).toHaveLength(2);
  });

  it('writes no golden case either when a later item of the work order is refused', async () => {
    const golden: GoldenCaseDoc = { goldenId: 'g-1', useCase: 'vehicle-damage', queue: 'damage-review', policy: { id: 'vehicle-damage', version: '1' }, prediction: caseDoc('x').prediction, confidence: 0.8, confidenceSource: 'prediction', band: 'medium', thresholds: { high: 0.95, low: 0.7 }, expectedOutcome: 'damage_confirmed', loadedAt: OPENED - MIN };
    const { items, enqueueUnchecked } = setup([golden]);
    const caseId = caseIdWhere(true);
    items.cases.set(caseId, caseDoc(caseId));
    const refused = review(caseId, { workOrder: { items: [work('decision'), work('blind-review', { sla: { nextCheckAt: 'never' } })] } });
    expect(await enqueueUnchecked(refused)).toMatchObject({ ok: false, error: { code: 'CASE.INVALID_ROUTE', permanent: true, message: expect.stringContaining('first check') } });
    expect(items.items.size).toBe(0);
    expect(items.cases.has(goldenInstanceId('g-1', caseId))).toBe(false);
  });
});
