import { EventTypes, validateEventData } from '@arbiter/contract';
import { dispositionOf } from '@arbiter/platform';
import { ManualClock } from '@arbiter/platform/testing';
import { caseIdOfPrediction, caseOpenedEventIdOf, createAssessPrediction } from './assess-prediction';
import { cleanlinessPrediction, InMemoryCaseOpenings, predictionEvent, shippedPolicies } from './assess-prediction.test-support';

const policies = shippedPolicies();
const now = new Date('2026-11-21T12:00:00Z');

function setup() {
  const cases = new InMemoryCaseOpenings();
  const assess = createAssessPrediction({ cases, policies, clock: new ManualClock(now), source: '/arbiter/confidence-assessor' });
  return { cases, assess };
}

describe('assess prediction', () => {
  it('opens a case with the band of the model version and stages case.opened', async () => {
    const { cases, assess } = setup();
    const event = predictionEvent(cleanlinessPrediction());
    const result = await assess(event);

    expect(result).toEqual({ ok: true, value: { caseId: caseIdOfPrediction(event), opened: true, band: 'medium', confidence: 0.78 } });
    const caseId = caseIdOfPrediction(event);
    expect(caseId).toMatch(/^case_[0-9a-f]{32}$/);
    const doc = cases.cases.get(caseId);
    expect(doc).toMatchObject({
      caseId,
      status: 'opened',
      useCase: 'vehicle-cleanliness',
      policy: { id: 'vehicle-cleanliness', version: '3' },
      band: 'medium',
      confidenceSource: 'prediction',
      // cleanliness-vit 2.3.0 has its own thresholds, not the policy default 0.95 / 0.70.
      thresholds: { high: 0.9, low: 0.6 },
      sourceEvent: { id: 'pred-1', source: '//vision/cleanliness' },
      openedAt: now.getTime(),
    });
    expect(cases.staged).toHaveLength(1);
    const opened = cases.staged[0];
    expect(opened).toMatchObject({ type: EventTypes.caseOpened, id: caseOpenedEventIdOf(caseId), subject: caseId, source: '/arbiter/confidence-assessor' });
    expect(validateEventData(EventTypes.caseOpened, opened?.data).ok).toBe(true);
    // The case now waits to be routed, driven by that case.opened (the reconciler publishes it again if it stalls).
    expect(doc?.nextStep).toEqual({ kind: 'route', since: now.getTime(), event: JSON.stringify(opened), redrives: 0 });
    expect(opened?.data).toMatchObject({ caseId, band: 'medium', confidence: 0.78, openedAt: now.toISOString(), prediction: cleanlinessPrediction() });
  });

  it('writes the case’s expiry from its policy’s retention: caseDays after opening', async () => {
    const { cases, assess } = setup();
    const event = predictionEvent(cleanlinessPrediction());
    await assess(event);
    const policy = policies.get('vehicle-cleanliness');
    if (!policy.ok) throw new Error('no cleanliness policy');
    expect(policy.value.privacy.retention.caseDays).toBe(90);
    expect(cases.cases.get(caseIdOfPrediction(event))?.expireAt).toEqual(new Date(now.getTime() + 90 * 86_400_000));

    // Another retention in the policy, another expiry on the case.
    const shorter = { ...policy.value, privacy: { ...policy.value.privacy, retention: { ...policy.value.privacy.retention, caseDays: 7 } } };
    const other = new InMemoryCaseOpenings();
    const assessShorter = createAssessPrediction({ cases: other, policies: { get: (id: string) => (id === shorter.id ? { ok: true as const, value: shorter } : policies.get(id)) }, clock: new ManualClock(now), source: '/arbiter/confidence-assessor' });
    await assessShorter(event);
    expect(other.cases.get(caseIdOfPrediction(event))?.expireAt).toEqual(new Date(now.getTime() + 7 * 86_400_000));
  });

  it('uses the default thresholds for a model version the policy does not list', async () => {
    const { cases, assess } = setup();
    const event = predictionEvent(cleanlinessPrediction({ model: { name: 'cleanliness-vit', version: '9.9.9' }, prediction: { label: 'dirty', confidence: 0.92 } }));
    const result = await assess(event);
    expect(result.ok && result.value.band).toBe('medium');
    expect(cases.cases.get(caseIdOfPrediction(event))?.thresholds).toEqual({ high: 0.95, low: 0.7 });
  });

  it('opens nothing and emits nothing for a redelivered or republished prediction', async () => {
    const { cases, assess } = setup();
    const event = predictionEvent(cleanlinessPrediction());
    await assess(event);
    const again = await assess(predictionEvent(cleanlinessPrediction({ prediction: { label: 'clean', confidence: 0.99 } })));
    expect(again).toEqual({ ok: true, value: { caseId: caseIdOfPrediction(event), opened: false, band: 'high', confidence: 0.99 } });
    expect(cases.cases.size).toBe(1);
    expect(cases.cases.get(caseIdOfPrediction(event))?.confidence).toBe(0.78);
    expect(cases.staged).toHaveLength(1);
  });

  it('keys cases on ce-source and ce-id together', async () => {
    const { cases, assess } = setup();
    await assess(predictionEvent(cleanlinessPrediction(), { id: 'same', source: '//vision/a' }));
    await assess(predictionEvent(cleanlinessPrediction(), { id: 'same', source: '//vision/b' }));
    expect(cases.cases.size).toBe(2);
  });

  it('weighs factors into a confidence when the prediction gives none (HITL-OPT)', async () => {
    const { cases, assess } = setup();
    const event = predictionEvent({
      useCase: 'api-endpoint-batch',
      subject: { type: 'endpoint', id: 'GET /api/journey/recommendations/{id}' },
      model: { name: 'journey-engine-assessor', version: '4.1.0' },
      factors: { pattern_similarity: 0.9, risk_assessment: 0.8, business_impact: 0.7, technical_complexity: 0.8, precedent_match: 0.8 },
    });
    const result = await assess(event);
    expect(result.ok).toBe(true);
    const doc = cases.cases.get(caseIdOfPrediction(event));
    expect(doc?.confidenceSource).toBe('factors');
    expect(doc?.confidence).toBeCloseTo(0.8, 10);
    expect(doc?.band).toBe('medium');
  });

  it('fails permanently, and writes nothing, for an unknown use case', async () => {
    const { cases, assess } = setup();
    const result = await assess(predictionEvent(cleanlinessPrediction({ useCase: 'no-such-use-case' })));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code: 'POLICY.UNKNOWN_USE_CASE', permanent: true });
    expect(result.error.message).toContain('no-such-use-case');
    expect(dispositionOf(result.error, 1, 10)).toBe('dead-letter');
    expect(cases.cases.size).toBe(0);
    expect(cases.staged).toHaveLength(0);
  });

  it('fails permanently when the confidence cannot be assessed (a weighted factor is missing)', async () => {
    const { cases, assess } = setup();
    const result = await assess(
      predictionEvent({
        useCase: 'api-endpoint-batch',
        subject: { type: 'endpoint', id: 'POST /api/journey/optimize' },
        model: { name: 'journey-engine-assessor', version: '4.1.0' },
        factors: { pattern_similarity: 0.9 },
      }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toMatch(/^CONFIDENCE\./);
    expect(result.error.permanent).toBe(true);
    expect(dispositionOf(result.error, 1, 10)).toBe('dead-letter');
    expect(cases.cases.size).toBe(0);
  });
});
