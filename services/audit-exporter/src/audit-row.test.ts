import { EventTypes } from '@arbiter/contract';
import type { Policy } from '@arbiter/core';
import { redactionPaths, routeLabel, toAuditRow } from './audit-row';
import { anEvent, caseOpened, caseReviewed, caseRouted, decisionMade, evidenceRequested } from './events.test-support';

const policy = { id: 'vehicle-cleanliness', version: '1', privacy: { redact: ['context.customerId', 'context.licensePlate'], retention: { caseDays: 90, auditDays: 1095, evidenceDays: 365 } } } satisfies Pick<Policy, 'id' | 'version' | 'privacy'>;
const ingestedAt = new Date('2026-11-21T12:05:00Z');
const context = { policy, useCase: 'vehicle-cleanliness', ingestedAt };
const payloadOf = (json: string | undefined): Record<string, unknown> => JSON.parse(json ?? 'null') as Record<string, unknown>;

describe('redaction', () => {
  it('covers free text and the policy PII paths, under the prediction and at the top level', () => {
    expect(redactionPaths(policy)).toEqual([
      'notes',
      'what',
      'prediction.context.customerId',
      'prediction.context.licensePlate',
      'workOrder.items.*.similarityBasis.context.customerId',
      'workOrder.items.*.similarityBasis.context.licensePlate',
      'context.customerId',
      'context.licensePlate',
    ]);
  });

  it('redacts PII a work order carries in a similarity basis (a queue comparing context fields)', () => {
    const routed = caseRouted('case-1');
    const basis = { prediction: { label: 'dirty' }, context: { customerId: 'cus-881', zone: 'north' } };
    const item = { purpose: 'decision' as const, queue: 'cleanliness-review', priority: { score: 0, reasons: [] }, dueAt: '2026-11-21T14:00:00Z', reminderAt: [], sla: { nextCheckAt: '2026-11-21T14:00:00Z' }, similarityBasis: basis };
    const row = toAuditRow({ ...routed, data: { ...routed.data, workOrder: { items: [item] } } }, context);
    const payload = payloadOf(row?.payload) as { workOrder: { items: Array<{ similarityBasis: unknown }> } };
    expect(payload.workOrder.items[0]?.similarityBasis).toEqual({ prediction: { label: 'dirty' }, context: { customerId: '[REDACTED]', zone: 'north' } });
    expect(row?.payload).not.toContain('cus-881');
  });

  it('redacts the customer id in case.opened, and never touches the event itself', () => {
    const event = caseOpened('case-1', 'cus-881');
    const row = toAuditRow(event, context);
    const payload = payloadOf(row?.payload) as { prediction: { context: Record<string, unknown> } };
    expect(payload.prediction.context).toEqual({ customerId: '[REDACTED]', amount: { value: 25, currency: 'EUR' }, nextBookingAt: '2026-11-21T14:00:00Z' });
    expect(row?.payload).not.toContain('cus-881');
    expect(event.data.prediction.context?.customerId).toBe('cus-881');
  });

  it('redacts reviewer notes and the free text of an evidence request', () => {
    const reviewed = toAuditRow(caseReviewed('case-1', 'Jane Doe, +49 170 1234567'), context);
    expect(payloadOf(reviewed?.payload).notes).toBe('[REDACTED]');
    expect(reviewed?.payload).not.toContain('Jane');
    const requested = toAuditRow(evidenceRequested('case-1'), context);
    expect(payloadOf(requested?.payload).what).toBe('[REDACTED]');
    expect(requested?.payload).not.toContain('Smith');
  });
});

describe('row mapping', () => {
  it('case.opened: assessment, model, thresholds, policy, evidence, the system as actor', () => {
    expect(toAuditRow(caseOpened('case-1'), context)).toMatchObject({
      event_id: 'opened-case-1',
      event_type: 'arbiter.case.opened.v1',
      event_source: '/arbiter/confidence-assessor',
      event_time: '2026-11-21T12:00:00.000Z',
      case_id: 'case-1',
      use_case: 'vehicle-cleanliness',
      state: 'opened',
      actor_kind: 'system',
      actor_id: 'confidence-assessor',
      subject_type: 'booking',
      subject_id: 'bk-20261121-0042',
      model_name: 'cleanliness-vit',
      model_version: '2.3.0',
      confidence: 0.78,
      band: 'medium',
      threshold_high: 0.9,
      threshold_low: 0.6,
      policy_id: 'vehicle-cleanliness',
      policy_version: '1',
      evidence_uris: ['gs://evidence/bk-20261121-0042/before-1.jpg', 'gs://evidence/bk-20261121-0042/after-1.jpg'],
      source_event_id: 'pred-case-1',
      outcome: null,
      ingested_at: '2026-11-21T12:05:00.000Z',
    });
  });

  it('carries the trace id of the event\'s traceparent extension, and null without one', () => {
    const traced = { ...decisionMade('case-1'), extensions: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } };
    expect(toAuditRow(traced, context)?.trace_id).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(toAuditRow(decisionMade('case-1'), context)?.trace_id).toBeNull();
    expect(toAuditRow({ ...decisionMade('case-1'), extensions: { traceparent: 'not-a-traceparent' } }, context)?.trace_id).toBeNull();
  });

  it('case.reviewed: the reviewer (id and role, no name), outcome and reason code', () => {
    expect(toAuditRow(caseReviewed('case-1'), context)).toMatchObject({ state: 'reviewed', actor_kind: 'human', actor_role: 'reviewer', actor_id: 'reviewer-17', outcome: 'fee_waived', reason_code: 'STAIN_NOT_VISIBLE_IN_RETURN', policy_version: '1' });
  });

  it('decision.made: who decided, outcome, favourability, evidence and the decision id', () => {
    expect(toAuditRow(decisionMade('case-1'), context)).toMatchObject({
      state: 'decided',
      actor_kind: 'human',
      actor_id: 'reviewer-17',
      outcome: 'fee_waived',
      customer_favorable: true,
      decision_id: 'dec_case-1',
      evidence_uris: ['gs://evidence/bk-20261121-0042/after-1.jpg'],
      threshold_high: 0.9,
      event_time: '2026-11-21T12:03:11.000Z',
    });
    const expiry = anEvent(EventTypes.decisionMade, { ...decisionMade('case-2').data, decidedBy: { kind: 'policy', id: 'policy:vehicle-cleanliness@1' }, reasonCode: 'SLA_EXPIRED' });
    expect(toAuditRow(expiry, context)).toMatchObject({ actor_kind: 'policy', actor_role: null, actor_id: 'policy:vehicle-cleanliness@1', reason_code: 'SLA_EXPIRED' });
  });

  it('decision.made.v2 adds no second decided row; decision.revised is a revised row by the lead', () => {
    expect(toAuditRow(anEvent(EventTypes.decisionMadeV2, { ...decisionMade('case-1').data, approval: { modifications: 'm' } }), context)).toBeUndefined();
    const revised = anEvent(EventTypes.decisionRevised, { caseId: 'case-1', decisionId: 'dec_case-1', revisionId: 'rvs_adj_case-1', outcome: 'fee_waived', reasonCode: 'STAIN_NOT_VISIBLE_IN_RETURN', customerFavorable: true, revisedBy: { kind: 'human', id: 'lead-2' }, revisedAt: '2026-11-22T09:30:00Z', previousOutcome: 'fee_applied' }, { source: '/arbiter/review-queue' });
    expect(toAuditRow(revised, context)).toMatchObject({ state: 'revised', case_id: 'case-1', actor_kind: 'human', actor_role: 'lead', actor_id: 'lead-2', outcome: 'fee_waived', customer_favorable: true, decision_id: 'dec_case-1', policy_id: 'vehicle-cleanliness' });
  });

  it('sla.escalated: level, reason, deadline, the escalator as actor', () => {
    const event = anEvent(EventTypes.slaEscalated, { caseId: 'case-1', useCase: 'vehicle-cleanliness', queue: 'cleanliness-review', level: 'on-call', reason: 'off-hours', dueAt: '2026-11-22T02:00:00Z', escalatedAt: '2026-11-22T01:00:00Z', assignee: 'reviewer-17' }, { source: '/arbiter/sla-escalator' });
    expect(toAuditRow(event, context)).toMatchObject({ state: 'escalated', actor_kind: 'system', actor_id: 'sla-escalator', escalation_level: 'on-call', reason_code: 'off-hours', due_at: '2026-11-22T02:00:00.000Z', queue: 'cleanliness-review' });
  });

  it('case.released by the system on lease expiry, and evidence submitted by the crew', () => {
    const released = anEvent(EventTypes.caseReleased, { caseId: 'case-1', useCase: 'vehicle-cleanliness', queue: 'q', releasedBy: { id: 'sla-escalator', role: 'system' }, reason: 'lease-expired', releasedAt: '2026-11-21T12:00:00Z' });
    expect(toAuditRow(released, context)).toMatchObject({ state: 'released', actor_kind: 'system', actor_id: 'sla-escalator', reason_code: 'lease-expired' });
    const submitted = anEvent(EventTypes.evidenceSubmitted, { caseId: 'case-1', evidence: [{ uri: 'gs://e/1.jpg' }], submittedBy: 'crew-4' });
    expect(toAuditRow(submitted, context)).toMatchObject({ state: 'evidence_submitted', use_case: 'vehicle-cleanliness', actor_kind: 'human', actor_role: 'crew', actor_id: 'crew-4', evidence_uris: ['gs://e/1.jpg'], policy_id: 'vehicle-cleanliness' });
  });

  it('labels routes the way analysts read them', () => {
    expect(routeLabel('auto', 'band-high')).toBe('auto');
    expect(routeLabel('default', 'band-low')).toBe('policy-default');
    expect(routeLabel('review', 'always-human-category')).toBe('always-human');
    expect(routeLabel('review', 'band-medium')).toBe('human-review');
  });

  it('has no row for an event that is not a state change of a case', () => {
    const prediction = anEvent(EventTypes.predictionSubmitted, { useCase: 'vehicle-cleanliness', subject: { type: 'booking', id: 'bk-1' }, model: { name: 'm', version: '1' }, prediction: { confidence: 0.5 } });
    expect(toAuditRow(prediction, context)).toBeUndefined();
  });
});
