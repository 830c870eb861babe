import { queueItemId, type CaseDoc, type QueueItemDoc } from '@arbiter/case-store';
import { EventTypes, validateEventData, type ArbiterEvent } from '@arbiter/contract';
import { inSample } from '@arbiter/core';
import { ManualClock } from '@arbiter/platform/testing';
import type { Principal } from '../auth';
import { InMemoryQueueItems } from '../queue-items.test-support';
import { InMemoryReviewCases } from '../review-cases.test-support';
import { QueueCatalog } from './common';
import { createDecideBatch, createDecideCase, createRequestEvidence, verdictRecorder, type DecideDeps } from './decide';
import { commitPending } from './undo';
import { shippedPolicies } from './builders.test-support';

const policies = shippedPolicies();

const NOW = Date.parse('2026-11-18T10:00:00Z');
const MIN = 60_000;

const damageReviewer = (id: string): Principal => ({ id, roles: ['reviewer'], queueRoles: ['damage-reviewer'] });
const techLead = (id: string): Principal => ({ id, roles: ['reviewer'], queueRoles: ['tech-lead'] });
const outsider: Principal = { id: 'rev-x', roles: ['reviewer'], queueRoles: ['cleanliness-reviewer'] };

/** A case id that is (or is not) sent to double review at vehicle-damage's doubleReviewRate (0.1). */
function caseIdWhere(doubleReview: boolean, prefix = 'case'): string {
  for (let n = 0; ; n += 1) if (inSample(`double-review:${prefix}-${n}`, 0.1) === doubleReview) return `${prefix}-${n}`;
}

function caseDoc(caseId: string, useCase: string, label: string): CaseDoc {
  const subject = { type: 'booking', id: `bk-${caseId}` };
  const model = { name: 'model', version: '1.0.0' };
  return {
    caseId,
    useCase,
    policy: { id: useCase, version: '1' },
    subject,
    model,
    prediction: { useCase, subject, model, prediction: { label, confidence: 0.8 }, evidence: [{ uri: `gs://evidence/${caseId}/return-1.jpg`, role: 'return' }] },
    confidence: 0.8,
    confidenceSource: 'prediction',
    band: 'medium',
    thresholds: { high: 0.95, low: 0.7 },
    sourceEvent: { id: `pred-${caseId}`, source: '//unit/vision' },
    status: 'in-review',
    openedAt: NOW - 30 * MIN,
  };
}

function itemOf(caseId: string, queue: string, useCase: string, overrides: Partial<QueueItemDoc> = {}): QueueItemDoc {
  return {
    itemId: queueItemId(caseId, 'decision'),
    caseId,
    useCase,
    queue,
    purpose: 'decision',
    status: 'open',
    lane: 1,
    priority: 10,
    priorityReasons: [],
    enqueuedAt: NOW - 30 * MIN,
    dueAt: NOW + 30 * MIN,
    blind: false,
    sla: { sent: [], nextCheckAt: NOW + 10 * MIN },
    summary: { label: 'scratch', confidence: 0.8, band: 'medium', model: { name: 'model', version: '1.0.0' }, subject: { type: 'booking', id: `bk-${caseId}` } },
    ...overrides,
  };
}

const claimOf = (reviewerId: string) => ({ reviewerId, role: 'reviewer', leaseUntil: NOW + 10 * MIN, claimedAt: NOW - MIN });

function setup(options: { undoWindowMs?: number } = {}) {
  const store = new InMemoryQueueItems();
  const cases = new InMemoryReviewCases(store);
  const clock = new ManualClock(new Date(NOW));
  const scheduled: Array<[string, number]> = [];
  const deps: DecideDeps = {
    cases,
    items: store,
    policies,
    clock,
    catalog: new QueueCatalog(policies),
    ...(options.undoWindowMs ? { undo: { windowMs: options.undoWindowMs, leaseMs: 15 * MIN, schedule: (itemId: string, at: number) => scheduled.push([itemId, at]) } } : {}),
  };
  /** A damage case in review, its decision item claimed by `holder` (or open). */
  const damageCase = (caseId: string, holder?: string, overrides: Partial<QueueItemDoc> = {}) => {
    store.cases.set(caseId, caseDoc(caseId, 'vehicle-damage', 'scratch'));
    store.put(itemOf(caseId, 'damage-review', 'vehicle-damage', { ...(holder ? { status: 'claimed', claim: claimOf(holder) } : {}), ...overrides }));
    return { caseId, itemId: queueItemId(caseId, 'decision') };
  };
  return { store, cases, clock, scheduled, deps, damageCase, decide: createDecideCase(deps), batch: createDecideBatch(deps), requestEvidence: createRequestEvidence(deps) };
}

const types = (events: readonly ArbiterEvent[]) => events.map((e) => e.type);
function expectValid(events: readonly ArbiterEvent[]): void {
  for (const e of events) expect(validateEventData(e.type, e.data)).toMatchObject({ ok: true });
}

describe('decide a case', () => {
  it('decides once for the reviewer who holds the claim: the item done, the case decided, reviewed before decided', async () => {
    const { store, decide, damageCase } = setup();
    const { caseId, itemId } = damageCase(caseIdWhere(false), 'rev-1');
    const routed = store.cases.get(caseId) as CaseDoc;
    store.cases.set(caseId, { ...routed, route: { kind: 'review', reason: 'band-medium', rationale: 'medium band', queue: 'damage-review', priority: { score: 10, reasons: ['next-booking-soon'] }, routedAt: NOW - 29 * MIN } });

    const result = await decide(damageReviewer('rev-1'), caseId, { optionId: 'approve', reasonCode: 'DAMAGE_CONFIRMED_NEW', notes: 'dent on the door' });
    expect(result).toMatchObject({ ok: true, value: { caseId, itemId, purpose: 'decision', outcome: 'damage_confirmed', decided: true, decisionId: `dec_${caseId}`, override: false } });
    expect(store.items.get(itemId)).toMatchObject({ status: 'done', doneAt: NOW, doneBy: 'rev-1', sla: { nextCheckAt: null }, verdict: { optionId: 'approve', outcome: 'damage_confirmed', reasonCode: 'DAMAGE_CONFIRMED_NEW' } });
    expect(store.items.get(itemId)).not.toHaveProperty('claim');
    expect(store.cases.get(caseId)).toMatchObject({ status: 'decided', decision: { outcome: 'damage_confirmed', decidedBy: { kind: 'human', id: 'rev-1' }, reasonCode: 'DAMAGE_CONFIRMED_NEW' } });
    expect(types(store.staged)).toEqual([EventTypes.caseReviewed, EventTypes.decisionMade, EventTypes.decisionMadeV2, EventTypes.caseDecided]);
    // The audit's facts of the case, from the document this unit of work read: on the review and beside the decision.
    const facts = { openedAt: new Date(NOW - 30 * MIN).toISOString(), label: 'scratch', queue: 'damage-review', priorityReasons: ['next-booking-soon'] };
    expect(store.staged[0]).toMatchObject({ id: `rev_${itemId}`, data: { reviewer: { id: 'rev-1', role: 'reviewer' }, notes: 'dent on the door', purpose: 'decision', caseFacts: facts } });
    const [, v1, , decided] = store.staged;
    expect(decided).toMatchObject({ id: `decided_${caseId}`, subject: caseId, source: v1?.source, time: v1?.time });
    expect(decided?.data).toEqual({ caseId, useCase: 'vehicle-damage', decision: v1?.data, decisionEvent: { id: v1?.id, source: v1?.source, time: v1?.time }, caseFacts: facts });
    expectValid(store.staged);
  });

  it('refuses a second decision, and writes nothing for it', async () => {
    const { store, decide, damageCase } = setup();
    const { caseId } = damageCase(caseIdWhere(false), 'rev-1');
    await decide(damageReviewer('rev-1'), caseId, { optionId: 'approve', reasonCode: 'DAMAGE_CONFIRMED_NEW' });
    const before = { events: store.staged.length, caseDoc: store.cases.get(caseId) };
    expect(await decide(damageReviewer('rev-1'), caseId, { optionId: 'reject', reasonCode: 'NORMAL_WEAR_AND_TEAR' })).toMatchObject({ ok: false, error: { code: 'CASE.ALREADY_DECIDED' } });
    expect(store.staged).toHaveLength(before.events);
    expect(store.cases.get(caseId)).toEqual(before.caseDoc);
  });

  it('labels an override of the model as feedback', async () => {
    const { store, decide, damageCase } = setup();
    const { caseId } = damageCase(caseIdWhere(false), 'rev-1');
    expect(await decide(damageReviewer('rev-1'), caseId, { optionId: 'reject', reasonCode: 'REFLECTION_OR_GLARE' })).toMatchObject({ ok: true, value: { outcome: 'no_damage', override: true } });
    expect(types(store.staged)).toEqual([EventTypes.caseReviewed, EventTypes.decisionMade, EventTypes.decisionMadeV2, EventTypes.caseDecided, EventTypes.feedbackLabelled]);
    expect(store.staged[4]).toMatchObject({ id: `fbk_override_${caseId}`, data: { outcome: 'no_damage', source: 'override', humanLabel: 'no_damage' } });
    expectValid(store.staged);
  });

  it('returns failures as values, writing nothing: no claim, someone else’s claim, no right, no case, no such option', async () => {
    const { store, decide, damageCase } = setup();
    const open = damageCase(caseIdWhere(false, 'open'));
    const theirs = damageCase(caseIdWhere(false, 'theirs'), 'rev-2');
    expect(await decide(damageReviewer('rev-1'), open.caseId, { optionId: 'approve', reasonCode: 'DAMAGE_CONFIRMED_NEW' })).toMatchObject({ ok: false, error: { code: 'ITEM.CONFLICT' } });
    expect(await decide(damageReviewer('rev-1'), theirs.caseId, { optionId: 'approve', reasonCode: 'DAMAGE_CONFIRMED_NEW' })).toMatchObject({ ok: false, error: { code: 'ITEM.CLAIMED_BY_OTHER' } });
    expect(await decide(outsider, theirs.caseId, { optionId: 'approve', reasonCode: 'DAMAGE_CONFIRMED_NEW' })).toMatchObject({ ok: false, error: { code: 'AUTH.FORBIDDEN' } });
    expect(await decide(damageReviewer('rev-1'), 'no-such-case', { optionId: 'approve', reasonCode: 'DAMAGE_CONFIRMED_NEW' })).toMatchObject({ ok: false, error: { code: 'CASE.NOT_FOUND' } });
    expect(await decide(damageReviewer('rev-2'), theirs.caseId, { optionId: 'no-such-option' })).toMatchObject({ ok: false, error: { code: 'VALIDATION.UNKNOWN_OPTION' } });
    expect(store.staged).toEqual([]);
    expect(store.items.get(theirs.itemId)?.status).toBe('claimed');
  });

  it('sends a sampled case to an independent double review, and a disagreeing one to a lead', async () => {
    const { store, cases, decide, damageCase } = setup();
    const { caseId } = damageCase(caseIdWhere(true), 'rev-1', { batchKey: 'damage|scratch', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    await decide(damageReviewer('rev-1'), caseId, { optionId: 'approve', reasonCode: 'DAMAGE_CONFIRMED_NEW' });
    const doubleId = queueItemId(caseId, 'double-review');
    // Opened through the rulebook, placed like the decision item (queue, priority, due time, summary,
    // trace), opened now, never batched, with no SLA work and none of the decision item's claim or verdict.
    const decisionItem = itemOf(caseId, 'damage-review', 'vehicle-damage');
    expect(store.items.get(doubleId)).toEqual({
      itemId: doubleId,
      caseId,
      useCase: 'vehicle-damage',
      queue: 'damage-review',
      purpose: 'double-review',
      status: 'open',
      lane: 1,
      priority: decisionItem.priority,
      priorityReasons: decisionItem.priorityReasons,
      enqueuedAt: NOW,
      dueAt: decisionItem.dueAt,
      blind: false,
      excludeReviewers: ['rev-1'],
      sla: { sent: [], nextCheckAt: null },
      summary: decisionItem.summary,
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });

    // The first reviewer may not take it; a second one takes it and disagrees.
    store.put({ ...(store.items.get(doubleId) as QueueItemDoc), status: 'claimed', claim: claimOf('rev-2') });
    expect(await decide(damageReviewer('rev-2'), caseId, { optionId: 'reject', reasonCode: 'NORMAL_WEAR_AND_TEAR' })).toMatchObject({ ok: true, value: { purpose: 'double-review', decided: false } });
    expect(store.cases.get(caseId)?.decision?.outcome).toBe('damage_confirmed');
    expect(store.items.get(queueItemId(caseId, 'adjudication'))).toMatchObject({
      purpose: 'adjudication',
      status: 'open',
      lane: 0,
      enqueuedAt: NOW,
      blind: false,
      sla: { sent: [], nextCheckAt: null },
      excludeReviewers: ['rev-1', 'rev-2'],
      disagreement: { first: { reviewerId: 'rev-1', outcome: 'damage_confirmed' }, second: { reviewerId: 'rev-2', outcome: 'no_damage' } },
    });
    // The pair of verdicts is recorded for the reviewers' agreement.
    expect(cases.judged.map((j) => [j.item.purpose, j.reviewerId])).toEqual([['decision', 'rev-1'], ['double-review', 'rev-2']]);
  });

  it('holds a decision in its undo window, deciding nothing, and commits it once afterwards', async () => {
    const { store, cases, scheduled, deps, decide, damageCase } = setup({ undoWindowMs: 10_000 });
    const { caseId, itemId } = damageCase(caseIdWhere(false), 'rev-1');
    expect(await decide(damageReviewer('rev-1'), caseId, { optionId: 'approve', reasonCode: 'DAMAGE_CONFIRMED_NEW' })).toMatchObject({ ok: true, value: { decided: false, pending: { undoUntil: new Date(NOW + 10_000).toISOString() } } });
    expect(scheduled).toEqual([[itemId, NOW + 10_000]]);
    expect(store.cases.get(caseId)?.decision).toBeUndefined();
    expect(store.staged).toEqual([]);
    expect(store.items.get(itemId)).toMatchObject({ status: 'claimed', claim: { reviewerId: 'rev-1' }, pendingDecision: { by: 'rev-1', commitAfter: NOW + 10_000 } });
    // Another verdict on the item waits for it.
    expect(await decide(damageReviewer('rev-1'), caseId, { optionId: 'reject', reasonCode: 'NORMAL_WEAR_AND_TEAR' })).toMatchObject({ ok: false, error: { code: 'ITEM.CONFLICT' } });

    expect(await commitPending(deps, verdictRecorder(deps), itemId)).toBe('committed');
    expect(await commitPending(deps, verdictRecorder(deps), itemId)).toBe('gone');
    expect(cases.pending.size).toBe(0);
    expect(store.cases.get(caseId)).toMatchObject({ status: 'decided', decision: { outcome: 'damage_confirmed', decidedAt: new Date(NOW).toISOString() } });
    expect(store.items.get(itemId)).toMatchObject({ status: 'done' });
    expect(store.items.get(itemId)).not.toHaveProperty('pendingDecision');
    expect(types(store.staged)).toEqual([EventTypes.caseReviewed, EventTypes.decisionMade, EventTypes.decisionMadeV2, EventTypes.caseDecided]);
  });

  it('parks the item for the crew’s evidence, releasing the claim, and announces both', async () => {
    const { store, requestEvidence, damageCase } = setup();
    const { caseId, itemId } = damageCase(caseIdWhere(false), 'rev-1');
    expect(await requestEvidence(damageReviewer('rev-1'), caseId, { reasonCode: 'ANGLE_MISSING', what: 'the rear bumper' })).toMatchObject({ ok: true, value: { status: 'awaiting-evidence', dueBy: new Date(NOW + 30 * MIN).toISOString() } });
    expect(store.items.get(itemId)?.status).toBe('awaiting-evidence');
    expect(store.items.get(itemId)).not.toHaveProperty('claim');
    expect(store.cases.get(caseId)).toMatchObject({ status: 'awaiting-evidence', evidenceRequest: { requestedBy: 'rev-1', reasonCode: 'ANGLE_MISSING', what: 'the rear bumper' } });
    expect(types(store.staged)).toEqual([EventTypes.evidenceRequested, EventTypes.caseReleased]);
    expectValid(store.staged);
    expect(await requestEvidence(damageReviewer('rev-1'), caseId, { reasonCode: 'ANGLE_MISSING', what: 'again' })).toMatchObject({ ok: false, error: { code: 'ITEM.CONFLICT' } });
  });
});

describe('decide a batch', () => {
  function apiBatch(store: InMemoryQueueItems, n: number, overrides: Partial<QueueItemDoc> = {}): string[] {
    return Array.from({ length: n }, (_, i) => {
      const caseId = `api-${i}`;
      store.cases.set(caseId, caseDoc(caseId, 'api-endpoint-batch', 'approve'));
      store.put(itemOf(caseId, 'api-batch', 'api-endpoint-batch', { batchKey: 'api-batch|journey', status: 'claimed', claim: claimOf('lead-1'), ...overrides }));
      return queueItemId(caseId, 'decision');
    });
  }

  it('decides every item of the batch in one action, each once', async () => {
    const { store, batch } = setup();
    const itemIds = apiBatch(store, 3);
    const result = await batch(techLead('lead-1'), { itemIds, optionId: 'approve-all', flagged: [] });
    expect(result).toMatchObject({ ok: true, value: { optionId: 'approve-all', batchKey: 'api-batch|journey' } });
    if (!result.ok) return;
    expect(result.value.results.map((r) => r.result)).toEqual(['decided', 'decided', 'decided']);
    for (const id of itemIds) expect(store.items.get(id)?.status).toBe('done');
    expect(store.staged.filter((e) => e.type === EventTypes.decisionMade)).toHaveLength(3);
    expect(store.staged.filter((e) => e.type === EventTypes.caseReviewed).map((e) => (e.data as { batchId?: string }).batchId)).toEqual(Array(3).fill(result.value.batchId));
    expectValid(store.staged);
  });

  it('sends flagged items back ahead of new work and reports a case decided meanwhile per item', async () => {
    const { store, batch } = setup();
    const [flagged, decidedMeanwhile, fine] = apiBatch(store, 3) as [string, string, string];
    const meanwhile = store.cases.get('api-1') as CaseDoc;
    store.cases.set('api-1', { ...meanwhile, status: 'decided', decision: { decisionId: 'dec_api-1' } as CaseDoc['decision'] });
    const result = await batch(techLead('lead-1'), { itemIds: [flagged, decidedMeanwhile, fine], optionId: 'review-flagged', reasonCode: 'FLAGGED_ITEMS', flagged: [flagged] });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.results).toEqual([
      { itemId: flagged, caseId: 'api-0', result: 'returned-for-review' },
      { itemId: decidedMeanwhile, caseId: 'api-1', result: 'failed', error: { code: 'CASE.ALREADY_DECIDED', message: 'case api-1 is already decided' } },
      expect.objectContaining({ itemId: fine, result: 'decided', outcome: 'approved' }),
    ]);
    expect(store.items.get(flagged)).toMatchObject({ status: 'open', lane: 0, flaggedInBatch: result.value.batchId });
    expect(store.items.get(flagged)).not.toHaveProperty('claim');
    expect(store.items.get(decidedMeanwhile)?.status).toBe('claimed');
  });

  it('refuses what cannot be a batch, as values', async () => {
    const { store, batch } = setup();
    const itemIds = apiBatch(store, 2);
    store.put({ ...(store.items.get(itemIds[1] as string) as QueueItemDoc), batchKey: 'api-batch|other' });
    expect(await batch(techLead('lead-1'), { itemIds, optionId: 'approve-all', flagged: [] })).toMatchObject({ ok: false, error: { code: 'VALIDATION.NOT_BATCHABLE' } });
    expect(await batch(techLead('lead-1'), { itemIds: ['no-such~decision'], optionId: 'approve-all', flagged: [] })).toMatchObject({ ok: false, error: { code: 'ITEM.NOT_FOUND' } });
    expect(await batch(outsider, { itemIds: [itemIds[0] as string], optionId: 'approve-all', flagged: [] })).toMatchObject({ ok: false, error: { code: 'AUTH.FORBIDDEN' } });
    expect(store.staged).toEqual([]);
  });
});
