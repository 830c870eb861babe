import { join } from 'node:path';
import { validateEventData, EventTypes } from '@arbiter/contract';
import { assessCase, decideRoute } from '@arbiter/core';
import { loadPolicies } from '@arbiter/policy';
import { demoPredictions, DemoUseCases } from './demo';

const policies = loadPolicies(join(__dirname, '..', '..', '..', 'policies'));

describe('the demo stream', () => {
  const predictions = demoPredictions({ perUseCase: 30, seed: 7, now: new Date('2026-11-21T10:00:00Z') });

  it('is valid against the contract and assessable by every shipped policy', () => {
    if (!policies.ok) throw new Error(JSON.stringify(policies.error));
    for (const prediction of predictions) {
      const valid = validateEventData(EventTypes.predictionSubmitted, prediction);
      expect(valid.ok ? 'valid' : valid.error.message).toBe('valid');
      const policy = policies.value.get(prediction.useCase);
      if (!policy.ok) throw new Error(policy.error.message);
      const assessed = assessCase(prediction, policy.value);
      expect(assessed.ok ? 'assessed' : assessed.error.message).toBe('assessed');
    }
  });

  it('covers every shipped use case and every route', () => {
    if (!policies.ok) throw new Error('policies did not load');
    expect(new Set(predictions.map((prediction) => prediction.useCase))).toEqual(new Set(DemoUseCases));
    expect(policies.value.list().map((policy) => policy.id).sort()).toEqual([...DemoUseCases].sort());
    const routes = new Set<string>();
    predictions.forEach((prediction, index) => {
      const policy = policies.value.get(prediction.useCase);
      if (!policy.ok) return;
      const assessed = assessCase(prediction, policy.value);
      if (!assessed.ok) return;
      routes.add(decideRoute({ caseId: `c${index}`, policy: policy.value, prediction, confidence: assessed.value.confidence, band: assessed.value.band }).route);
    });
    expect([...routes].sort()).toEqual(['auto', 'default', 'review']);
  });

  it('is the same stream for the same seed', () => {
    const again = demoPredictions({ perUseCase: 30, seed: 7, now: new Date('2026-11-21T10:00:00Z') });
    expect(again).toEqual(predictions);
  });
});

describe('the demo labels', () => {
  it('are in each model’s vocabulary, so automatic decisions carry the outcome the label means', () => {
    if (!policies.ok) throw new Error('policies did not load');
    const predictions = demoPredictions({ perUseCase: 40, seed: 3, now: new Date('2026-11-21T10:00:00Z') });
    for (const prediction of predictions) {
      const policy = policies.value.get(prediction.useCase);
      if (!policy.ok || !prediction.prediction?.label) continue;
      expect(Object.keys(policy.value.modelOutcome.byLabel)).toContain(prediction.prediction.label);
    }
  });
});
