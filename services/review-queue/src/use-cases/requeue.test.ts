import { pendingStep, queueItemId, type CaseDoc, type QueueItemDoc } from '@arbiter/case-store';
import { createEvent, EventTypes, SubscriptionNames, type ArbiterEvent } from '@arbiter/contract';
import type { CaseRedriven, EvidenceSubmitted } from '@arbiter/core';
import { ManualClock } from '@arbiter/platform/testing';
import { InMemoryQueueItems } from '../queue-items.test-support';
import { InMemoryReviewCases } from '../review-cases.test-support';
import { createRequeueOnCaseRedriven, createRequeueOnEvidenceSubmitted } from './consumers';
import { damageCase, handlerContext, shippedPolicies } from './builders.test-support';

const policies = shippedPolicies();

const OPENED = Date.parse('2026-11-18T10:00:00Z');
const MIN = 60_000;
const REQUESTED = OPENED + 10 * MIN;
const NOW = OPENED + 60 * MIN;
const DAY = 24 * 60 * MIN;
const context = handlerContext();

const request = (requestedAt: number) => ({ requestedBy: 'rev-1', reasonCode: 'ANGLE_MISSING', what: 'the rear bumper', dueBy: requestedAt + 30 * MIN, requestedAt });

/** A damage case waiting for the crew's evidence (requested at `requestedAt`), its decision item parked. */
function awaiting(caseId: string, requestedAt = REQUESTED): { caseDoc: CaseDoc; item: QueueItemDoc } {
  const caseDoc: CaseDoc = {
    ...damageCase(caseId, OPENED, 'awaiting-evidence'),
    evidenceRequest: request(requestedAt),
    nextStep: pendingStep('requeue', { id: `evreq-${caseId}`, type: EventTypes.evidenceRequested }, requestedAt),
  };
  const { subject, model } = caseDoc;
  const item: QueueItemDoc = {
    itemId: queueItemId(caseId, 'decision'),
    caseId,
    useCase: 'vehicle-damage',
    queue: 'damage-review',
    purpose: 'decision',
    status: 'awaiting-evidence',
    lane: 1,
    priority: 10,
    priorityReasons: [],
    enqueuedAt: OPENED,
    dueAt: OPENED + 120 * MIN,
    blind: false,
    sla: { sent: [], nextCheckAt: OPENED + 100 * MIN },
    summary: { label: 'scratch', confidence: 0.8, band: 'medium', model, subject },
  };
  return { caseDoc, item };
}

function submittedEvent(data: EvidenceSubmitted, id = `evs-${data.caseId}`): ArbiterEvent {
  const event = createEvent({ type: EventTypes.evidenceSubmitted, source: '//unit/crew-app', id, subject: data.caseId, data });
  if (!event.ok) throw new Error(event.error.message);
  return event.value as ArbiterEvent;
}

function redrivenEvent(caseId: string, redrivenAt: number, step: CaseRedriven['step'] = 'requeue'): ArbiterEvent {
  const data: CaseRedriven = { caseId, useCase: 'vehicle-damage', step, pendingSince: new Date(REQUESTED).toISOString(), attempt: 1, ...(step === 'requeue' ? {} : { republished: { type: EventTypes.caseRouted, id: `routed_${caseId}` } }), redrivenAt: new Date(redrivenAt).toISOString() };
  const event = createEvent({ type: EventTypes.caseRedriven, source: '/arbiter/reconciler', id: `redrive-${caseId}-${redrivenAt}`, subject: caseId, data });
  if (!event.ok) throw new Error(event.error.message);
  return event.value as ArbiterEvent;
}

function setup() {
  const store = new InMemoryQueueItems();
  const cases = new InMemoryReviewCases(store);
  const clock = new ManualClock(new Date(NOW));
  const deps = { cases, policies, clock };
  const onSubmitted = createRequeueOnEvidenceSubmitted(deps);
  const onRedriven = createRequeueOnCaseRedriven(deps);
  const put = (caseId: string, requestedAt?: number) => {
    const { caseDoc, item } = awaiting(caseId, requestedAt);
    store.cases.set(caseId, caseDoc);
    store.put(item);
    return { caseId, itemId: item.itemId };
  };
  return { store, cases, clock, put, submitted: (event: ArbiterEvent) => onSubmitted(event, context), redriven: (event: ArbiterEvent) => onRedriven(event, context) };
}

const photo = { uri: 'gs://evidence/case-1/rear-bumper.jpg', role: 'return', mediaType: 'image/jpeg' };

describe('requeue on evidence submitted', () => {
  it('adds the evidence and puts the case back at the head of its queue, claim gone, with a marker', async () => {
    const { store, cases, put, submitted } = setup();
    const { caseId, itemId } = put('case-1');
    store.put({ ...(store.items.get(itemId) as QueueItemDoc), claim: { reviewerId: 'rev-1', role: 'reviewer', leaseUntil: NOW - MIN, claimedAt: OPENED } });

    expect(await submitted(submittedEvent({ caseId, evidence: [photo], submittedBy: 'crew-7' }))).toEqual({ ok: true, value: { requeued: true, duplicate: false } });
    expect(store.items.get(itemId)).toMatchObject({ status: 'open', lane: 0, requeuedAt: NOW });
    expect(store.items.get(itemId)).not.toHaveProperty('claim');
    const after = store.cases.get(caseId);
    expect(after).toMatchObject({ status: 'in-review', extraEvidence: [{ ...photo, submittedBy: 'crew-7', submittedAt: NOW }] });
    expect(after).not.toHaveProperty('evidenceRequest');
    expect(after).not.toHaveProperty('nextStep');
    // The marker is kept as long as the case (vehicle-damage keeps cases for days), never less than the redelivery window.
    const marker = [...cases.processed.entries()];
    expect(marker).toHaveLength(1);
    expect(marker[0]?.[0]).toMatch(new RegExp(`^${SubscriptionNames.requeueOnEvidenceSubmitted}~`));
    expect(marker[0]?.[1]).toMatchObject({ consumer: SubscriptionNames.requeueOnEvidenceSubmitted, source: '//unit/crew-app', id: `evs-${caseId}`, caseId, processedAt: NOW });
    expect((marker[0]?.[1].expireAt as Date).getTime()).toBeGreaterThanOrEqual(NOW + DAY);
    expect(store.staged).toEqual([]);
  });

  it('takes the item back from a reviewer who claimed it meanwhile (evidence that came after an overdue requeue)', async () => {
    const { store, put, submitted } = setup();
    const { caseId, itemId } = put('case-1');
    store.put({ ...(store.items.get(itemId) as QueueItemDoc), status: 'claimed', claim: { reviewerId: 'rev-2', role: 'reviewer', leaseUntil: NOW + 10 * MIN, claimedAt: NOW - MIN } });

    expect(await submitted(submittedEvent({ caseId, evidence: [photo], submittedBy: 'crew-7' }))).toEqual({ ok: true, value: { requeued: true, duplicate: false } });
    expect(store.items.get(itemId)).toMatchObject({ status: 'open', lane: 0, requeuedAt: NOW });
    expect(store.items.get(itemId)).not.toHaveProperty('claim');
  });

  it('does nothing for a redelivery of the same event', async () => {
    const { store, put, submitted } = setup();
    const { caseId, itemId } = put('case-1');
    const event = submittedEvent({ caseId, evidence: [photo], submittedBy: 'crew-7' });
    await submitted(event);
    const before = { caseDoc: store.cases.get(caseId), item: store.items.get(itemId) };
    expect(await submitted(event)).toEqual({ ok: true, value: { requeued: false, duplicate: true } });
    expect(store.cases.get(caseId)).toEqual(before.caseDoc);
    expect(store.items.get(itemId)).toEqual(before.item);
  });

  it('adds evidence to a decided case without putting it back in the queue', async () => {
    const { store, put, submitted } = setup();
    const { caseId, itemId } = put('case-1');
    const decided = { ...(store.cases.get(caseId) as CaseDoc), status: 'decided' as const, decision: { decisionId: `dec_${caseId}` } as CaseDoc['decision'] };
    store.cases.set(caseId, decided);
    store.put({ ...(store.items.get(itemId) as QueueItemDoc), status: 'done', doneAt: NOW - MIN });

    expect(await submitted(submittedEvent({ caseId, evidence: [photo], submittedBy: 'crew-7' }))).toEqual({ ok: true, value: { requeued: false, duplicate: false } });
    expect(store.items.get(itemId)).toMatchObject({ status: 'done', lane: 1 });
    expect(store.cases.get(caseId)).toMatchObject({ status: 'decided', extraEvidence: [{ uri: photo.uri, submittedBy: 'crew-7' }] });
  });

  it('fails permanently for an unknown case, writing nothing', async () => {
    const { store, cases, submitted } = setup();
    const result = await submitted(submittedEvent({ caseId: 'no-such-case', evidence: [photo], submittedBy: 'crew-7' }));
    expect(result).toMatchObject({ ok: false, error: { code: 'CASE.NOT_FOUND', permanent: true } });
    expect(cases.processed.size).toBe(0);
    expect(store.cases.size).toBe(0);
  });
});

describe('requeue on case.redriven', () => {
  it('puts a case whose evidence is overdue back in its queue without it', async () => {
    const { store, cases, put, redriven } = setup();
    const { caseId, itemId } = put('case-1');
    expect(await redriven(redrivenEvent(caseId, REQUESTED + 40 * MIN))).toEqual({ ok: true, value: { requeued: true, duplicate: false } });
    expect(store.items.get(itemId)).toMatchObject({ status: 'open', lane: 0, requeuedAt: NOW });
    const after = store.cases.get(caseId);
    expect(after).toMatchObject({ status: 'in-review' });
    expect(after).not.toHaveProperty('evidenceRequest');
    expect(after).not.toHaveProperty('nextStep');
    expect(after).not.toHaveProperty('extraEvidence');
    // Only the evidence consumer keeps markers.
    expect(cases.processed.size).toBe(0);
  });

  it('a redelivery leaves a newer request waiting', async () => {
    const { store, put, redriven } = setup();
    const { caseId, itemId } = put('case-1');
    const event = redrivenEvent(caseId, REQUESTED + 40 * MIN);
    await redriven(event);
    // A reviewer asks again after the re-drive; then the old case.redriven comes again.
    const asked = awaiting(caseId, REQUESTED + 45 * MIN);
    store.cases.set(caseId, asked.caseDoc);
    store.put(asked.item);
    expect(await redriven(event)).toEqual({ ok: true, value: { requeued: false, duplicate: true } });
    expect(store.cases.get(caseId)).toEqual(asked.caseDoc);
    expect(store.items.get(itemId)).toMatchObject({ status: 'awaiting-evidence', lane: 1 });
  });

  it('ignores other steps, and fails permanently for an unknown case', async () => {
    const { store, put, redriven } = setup();
    const { caseId } = put('case-1');
    const before = store.cases.get(caseId);
    expect(await redriven(redrivenEvent(caseId, NOW, 'enqueue'))).toBeUndefined();
    expect(store.cases.get(caseId)).toEqual(before);
    expect(await redriven(redrivenEvent('no-such-case', NOW))).toMatchObject({ ok: false, error: { code: 'CASE.NOT_FOUND', permanent: true } });
  });
});
