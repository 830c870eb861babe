import { assessConfidence } from './confidence';
import { assessCase } from './assessment';
import { HITL_OPT_FACTORS, aFactorPrediction, aHitlOptPolicy, anAdrPolicy, aPrediction } from './builders.test-support';
import type { ConfidenceSpec } from './policy';

const all = { pattern_similarity: 0.9, risk_assessment: 0.8, business_impact: 0.7, technical_complexity: 0.6, precedent_match: 1 };
const factorsSpec: ConfidenceSpec = { method: 'factors', factors: { ...HITL_OPT_FACTORS }, missingFactor: 'reject' };

describe('assessConfidence', () => {
  it("uses the prediction's own confidence", () => {
    expect(assessConfidence(aPrediction(), { method: 'prediction' })).toEqual({
      ok: true,
      value: { confidence: 0.78, source: 'prediction' },
    });
  });

  it('reports a missing or out-of-range confidence as a value', () => {
    const missing = assessConfidence(aPrediction({ prediction: { label: 'dirty' } }), { method: 'prediction' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'CONFIDENCE.MISSING' } });
    for (const confidence of [1.01, -0.1, Number.NaN]) {
      const bad = assessConfidence(aPrediction({ prediction: { confidence } }), { method: 'prediction' });
      expect(bad).toMatchObject({ ok: false, error: { code: 'CONFIDENCE.OUT_OF_RANGE' } });
    }
  });

  it('accepts the edges 0 and 1', () => {
    expect(assessConfidence(aPrediction({ prediction: { confidence: 0 } }), { method: 'prediction' }).ok).toBe(true);
    expect(assessConfidence(aPrediction({ prediction: { confidence: 1 } }), { method: 'prediction' }).ok).toBe(true);
  });

  it('weighs the HITL-OPT factors, normalising the weights', () => {
    const result = assessConfidence(aFactorPrediction(all), factorsSpec);
    // (2·0.9 + 2·0.8 + 0.7 + 0.6 + 2·1) / 8 = 6.7 / 8
    expect(result.ok && result.value.confidence).toBeCloseTo(0.8375, 12);
    expect(result.ok && result.value.source).toBe('factors');
  });

  it('gives the same result for proportional weights', () => {
    const scaled: ConfidenceSpec = {
      method: 'factors',
      factors: Object.fromEntries(Object.entries(HITL_OPT_FACTORS).map(([k, w]) => [k, w * 10])),
    };
    const a = assessConfidence(aFactorPrediction(all), factorsSpec);
    const b = assessConfidence(aFactorPrediction(all), scaled);
    expect(a.ok && b.ok && a.value.confidence - b.value.confidence).toBeCloseTo(0, 12);
  });

  it('ignores factors the policy does not weigh', () => {
    const result = assessConfidence(aFactorPrediction({ ...all, unrelated: 0 }), factorsSpec);
    expect(result.ok && result.value.confidence).toBeCloseTo(0.8375, 12);
  });

  it('rejects a missing weighted factor by default', () => {
    const { risk_assessment: _omitted, ...partial } = all;
    const result = assessConfidence(aFactorPrediction(partial), { method: 'factors', factors: { ...HITL_OPT_FACTORS } });
    expect(result).toMatchObject({ ok: false, error: { code: 'CONFIDENCE.FACTOR_MISSING', factors: ['risk_assessment'] } });
  });

  it('renormalises over the present factors with missingFactor: ignore', () => {
    const result = assessConfidence(aFactorPrediction({ pattern_similarity: 0.9, business_impact: 0.6 }), {
      ...factorsSpec,
      missingFactor: 'ignore',
    });
    // (2·0.9 + 1·0.6) / 3
    expect(result.ok && result.value.confidence).toBeCloseTo(0.8, 12);
  });

  it('reports no factors at all as missing, even when ignoring', () => {
    expect(assessConfidence(aFactorPrediction({}), { ...factorsSpec, missingFactor: 'ignore' })).toMatchObject({
      ok: false,
      error: { code: 'CONFIDENCE.MISSING' },
    });
    expect(assessConfidence(aPrediction(), factorsSpec)).toMatchObject({ ok: false, error: { code: 'CONFIDENCE.MISSING' } });
  });

  it('rejects factors outside 0..1', () => {
    expect(assessConfidence(aFactorPrediction({ ...all, business_impact: 1.5 }), factorsSpec)).toMatchObject({
      ok: false,
      error: { code: 'CONFIDENCE.FACTOR_OUT_OF_RANGE', factors: ['business_impact'] },
    });
  });

  it('reports a policy without usable weights', () => {
    expect(assessConfidence(aFactorPrediction(all), { method: 'factors' })).toMatchObject({
      ok: false,
      error: { code: 'CONFIDENCE.NO_FACTORS_CONFIGURED' },
    });
    expect(assessConfidence(aFactorPrediction(all), { method: 'factors', factors: { risk_assessment: 0 } })).toMatchObject({
      ok: false,
      error: { code: 'CONFIDENCE.INVALID_WEIGHT' },
    });
  });

  it('prediction-or-factors prefers the prediction, then the factors', () => {
    const spec: ConfidenceSpec = { ...factorsSpec, method: 'prediction-or-factors' };
    const both = aFactorPrediction(all, { prediction: { confidence: 0.5 } });
    expect(assessConfidence(both, spec)).toEqual({ ok: true, value: { confidence: 0.5, source: 'prediction' } });
    const onlyFactors = assessConfidence(aFactorPrediction(all), spec);
    expect(onlyFactors.ok && onlyFactors.value.source).toBe('factors');
    const neither = assessConfidence(aFactorPrediction({}, { factors: undefined }), spec);
    expect(neither).toMatchObject({ ok: false, error: { code: 'CONFIDENCE.MISSING' } });
  });
});

describe('assessCase', () => {
  it('stamps confidence, source, the model thresholds and the band', () => {
    expect(assessCase(aPrediction(), anAdrPolicy())).toEqual({
      ok: true,
      value: { confidence: 0.78, confidenceSource: 'prediction', thresholds: { high: 0.92, low: 0.65 }, band: 'medium' },
    });
    const hitl = assessCase(aFactorPrediction(all), aHitlOptPolicy());
    expect(hitl.ok && hitl.value).toMatchObject({ confidenceSource: 'factors', band: 'medium', thresholds: { high: 0.85, low: 0.7 } });
  });

  it('passes a confidence failure through', () => {
    expect(assessCase(aPrediction({ prediction: {} }), anAdrPolicy())).toMatchObject({ ok: false, error: { code: 'CONFIDENCE.MISSING' } });
  });
});
