/** Small builders of valid events for the audit exporter's tests (unit and integration). */
import { randomUUID } from 'node:crypto';
import { createEvent, EventTypes, type ArbiterEvent, type EventDataMap, type EventType } from '@arbiter/contract';

export function anEvent<T extends EventType>(type: T, data: EventDataMap[T], options: { id?: string; source?: string; time?: string } = {}): ArbiterEvent<T> {
  const event = createEvent({ type, source: options.source ?? '/arbiter/itest', data, id: options.id ?? randomUUID(), subject: (data as { caseId?: string }).caseId ?? 'x', time: options.time ?? '2026-11-21T12:00:00.000Z' });
  if (!event.ok) throw new Error(`invalid test event ${type}: ${event.error.message}`);
  return event.value;
}

export const caseOpened = (caseId: string, customerId = 'cus-881'): ArbiterEvent<typeof EventTypes.caseOpened> =>
  anEvent(
    EventTypes.caseOpened,
    {
      caseId,
      useCase: 'vehicle-cleanliness',
      policy: { id: 'vehicle-cleanliness', version: '1' },
      subject: { type: 'booking', id: 'bk-20261121-0042' },
      model: { name: 'cleanliness-vit', version: '2.3.0' },
      confidence: 0.78,
      confidenceSource: 'prediction',
      band: 'medium',
      thresholds: { high: 0.9, low: 0.6 },
      prediction: {
        useCase: 'vehicle-cleanliness',
        subject: { type: 'booking', id: 'bk-20261121-0042' },
        model: { name: 'cleanliness-vit', version: '2.3.0' },
        prediction: { label: 'dirty', confidence: 0.78 },
        evidence: [
          { uri: 'gs://evidence/bk-20261121-0042/before-1.jpg', role: 'baseline' },
          { uri: 'gs://evidence/bk-20261121-0042/after-1.jpg', role: 'return' },
        ],
        context: { customerId, amount: { value: 25, currency: 'EUR' }, nextBookingAt: '2026-11-21T14:00:00Z' },
      },
      sourceEvent: { id: `pred-${caseId}`, source: '//vision' },
      openedAt: '2026-11-21T12:00:00Z',
    },
    { source: '/arbiter/confidence-assessor', id: `opened-${caseId}` },
  );

export const caseReviewed = (caseId: string, notes = 'Customer Jane Doe called, said the seat was already stained'): ArbiterEvent<typeof EventTypes.caseReviewed> =>
  anEvent(
    EventTypes.caseReviewed,
    { caseId, useCase: 'vehicle-cleanliness', reviewer: { id: 'reviewer-17', role: 'reviewer' }, optionId: 'reject', outcome: 'fee_waived', reasonCode: 'STAIN_NOT_VISIBLE_IN_RETURN', notes, purpose: 'decision', reviewedAt: '2026-11-21T12:03:00Z' },
    { source: '/arbiter/review-queue', id: `reviewed-${caseId}`, time: '2026-11-21T12:03:00.000Z' },
  );

export const decisionMade = (caseId: string): ArbiterEvent<typeof EventTypes.decisionMade> =>
  anEvent(
    EventTypes.decisionMade,
    {
      decisionId: `dec_${caseId}`,
      caseId,
      useCase: 'vehicle-cleanliness',
      subject: { type: 'booking', id: 'bk-20261121-0042' },
      outcome: 'fee_waived',
      decidedBy: { kind: 'human', id: 'reviewer-17' },
      band: 'medium',
      confidence: 0.78,
      reasonCode: 'STAIN_NOT_VISIBLE_IN_RETURN',
      model: { name: 'cleanliness-vit', version: '2.3.0' },
      policy: { id: 'vehicle-cleanliness', version: '1' },
      thresholds: { high: 0.9, low: 0.6 },
      customerFavorable: true,
      evidence: ['gs://evidence/bk-20261121-0042/after-1.jpg'],
      sourceEventId: `pred-${caseId}`,
      decidedAt: '2026-11-21T12:03:11Z',
    },
    { source: '/arbiter/review-queue', id: `dec_${caseId}`, time: '2026-11-21T12:03:11.000Z' },
  );

export const evidenceRequested = (caseId: string): ArbiterEvent<typeof EventTypes.evidenceRequested> =>
  anEvent(
    EventTypes.evidenceRequested,
    { caseId, useCase: 'vehicle-cleanliness', subject: { type: 'booking', id: 'bk-20261121-0042' }, requestedBy: 'reviewer-17', reasonCode: 'IMAGE_QUALITY_INSUFFICIENT', what: 'Call Mr. Smith at +49 170 1234567 and photograph the back seat', dueBy: '2026-11-21T14:00:00Z' },
    { source: '/arbiter/review-queue', id: `req-${caseId}` },
  );

export const caseRouted = (caseId: string): ArbiterEvent<typeof EventTypes.caseRouted> =>
  anEvent(
    EventTypes.caseRouted,
    { caseId, useCase: 'vehicle-cleanliness', policy: { id: 'vehicle-cleanliness', version: '1' }, route: 'review', reason: 'band-medium', queue: 'cleanliness-review', dueAt: '2026-11-21T14:00:00Z', rationale: 'medium band: human review', routedAt: '2026-11-21T12:00:01Z' },
    { source: '/arbiter/router', id: `routed-${caseId}`, time: '2026-11-21T12:00:01.000Z' },
  );

/** Facts of the case `caseOpened` opens, routed for review to cleanliness-review (as `case.decided` / `case.reviewed` carry them). */
export const reviewedCaseFacts = { openedAt: '2026-11-21T12:00:00.000Z', label: 'dirty', queue: 'cleanliness-review', priorityReasons: ['next-booking-soon'] };

/** The `case.decided` staged with `decision` (by default `decisionMade(caseId)`): its data, its identity, the case's facts. */
export const caseDecided = (caseId: string, decision: ArbiterEvent<typeof EventTypes.decisionMade> = decisionMade(caseId), caseFacts: EventDataMap[typeof EventTypes.caseDecided]['caseFacts'] = reviewedCaseFacts): ArbiterEvent<typeof EventTypes.caseDecided> =>
  anEvent(
    EventTypes.caseDecided,
    { caseId, useCase: decision.data.useCase, decision: decision.data, decisionEvent: { id: decision.id, source: decision.source, time: decision.time ?? decision.data.decidedAt }, caseFacts },
    { source: decision.source, id: `decided_${caseId}`, ...(decision.time ? { time: decision.time } : {}) },
  );
