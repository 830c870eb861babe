import { adviseThresholds, classificationReport, recommendThresholds, thresholdUncertainty, type ThresholdExample } from './thresholds';

const ex = (confidence: number, agreed: boolean, modelVersion = '2.3.0'): ThresholdExample => ({ modelVersion, confidence, agreed });

describe('recommendThresholds', () => {
  it('picks the lowest threshold whose automatic decisions reach the target precision, and the split it gives', () => {
    // 10 examples of 2.3.0, low threshold 0.6:
    //   0.50 ✗  0.55 ✓ | 0.65 ✗  0.70 ✓  0.75 ✗  0.80 ✓  0.85 ✓  0.90 ✓  0.95 ✓  0.97 ✓
    // Precision of "automatic iff c >= t":
    //   t = 0.65: 6 agreed of 8 = 0.75;  t = 0.70: 6 of 7 = 0.857;  t = 0.75: 5 of 6 = 0.833;
    //   t = 0.80: 5 of 5 = 1.0 → the first to reach 0.95.
    // Split at 0.80: automatic 5/10 = 0.5; review 0.6 <= c < 0.8: 0.65 0.70 0.75 → 0.3; default 0.50 0.55 → 0.2.
    const examples = [ex(0.5, false), ex(0.55, true), ex(0.65, false), ex(0.7, true), ex(0.75, false), ex(0.8, true), ex(0.85, true), ex(0.9, true), ex(0.95, true), ex(0.97, true)];
    const [r] = recommendThresholds(examples, { targetPrecision: 0.95, low: 0.6 });
    expect(r).toMatchObject({ modelVersion: '2.3.0', examples: 10, high: 0.8, precision: 1, support: 5, automaticRate: 0.5, reviewRate: expect.closeTo(0.3, 12), defaultRate: 0.2 });
    // A looser target, 0.85: t = 0.70 reaches 6/7 = 0.857 → automatic 7/10, review 0.65 only → 0.1.
    const [loose] = recommendThresholds(examples, { targetPrecision: 0.85, low: 0.6 });
    expect(loose).toMatchObject({ high: 0.7, precision: expect.closeTo(6 / 7, 12), support: 7, automaticRate: 0.7, reviewRate: expect.closeTo(0.1, 12), defaultRate: 0.2 });
  });

  it('per model version; none when no threshold reaches the target with enough support', () => {
    // 2.4.0: 0.9 ✓, 0.95 ✗ → t = 0.9: 1/2 = 0.5; t = 0.95: 0/1 = 0 → none; everything reviewed or defaulted.
    const examples = [ex(0.9, true, '2.4.0'), ex(0.95, false, '2.4.0'), ex(0.92, true, '2.3.0'), ex(0.99, true, '2.3.0')];
    const [a, b] = recommendThresholds(examples, { targetPrecision: 0.9, low: 0.6, minSupport: 2 });
    // 2.3.0 with minSupport 2: t = 0.92 has 2 examples, both agreed → 1.0.
    expect(a).toMatchObject({ modelVersion: '2.3.0', high: 0.92, support: 2, automaticRate: 1 });
    expect(b).toMatchObject({ modelVersion: '2.4.0', high: null, precision: null, automaticRate: 0, reviewRate: 1, defaultRate: 0 });
  });
});

describe('classificationReport', () => {
  it('precision and recall per label, and accuracy', () => {
    // predicted/expected: dirty/dirty, dirty/clean, clean/clean, clean/dirty, dirty/dirty
    // dirty: predicted 3, right 2 → precision 2/3; truly dirty 3 → recall 2/3.
    // clean: predicted 2, right 1 → 1/2; truly clean 2 → 1/2. Accuracy 3/5.
    const report = classificationReport([
      { predicted: 'dirty', expected: 'dirty' },
      { predicted: 'dirty', expected: 'clean' },
      { predicted: 'clean', expected: 'clean' },
      { predicted: 'clean', expected: 'dirty' },
      { predicted: 'dirty', expected: 'dirty' },
    ]);
    expect(report).toEqual({
      examples: 5,
      accuracy: 0.6,
      labels: [
        { label: 'clean', precision: 0.5, recall: 0.5, support: 2 },
        { label: 'dirty', precision: 2 / 3, recall: 2 / 3, support: 3 },
      ],
    });
  });
});

describe('thresholdUncertainty', () => {
  const examples = [ex(0.5, false), ex(0.55, true), ex(0.65, false), ex(0.7, true), ex(0.75, false), ex(0.8, true), ex(0.85, true), ex(0.9, true), ex(0.95, true), ex(0.97, true)];

  it('gives a bootstrap interval around the recommendation and the change in review load from the threshold in force', () => {
    const [u] = thresholdUncertainty(examples, { targetPrecision: 0.95, low: 0.6, currentHigh: 0.9, resamples: 300, seed: 7 });
    expect(u?.resamples).toBe(300);
    expect(u?.high?.level).toBe(0.95);
    expect(u?.high?.low).toBeLessThanOrEqual(0.8);
    expect(u?.high?.high).toBeGreaterThanOrEqual(0.8);
    expect(u?.high?.low).toBeGreaterThanOrEqual(0.6);
    expect(u?.resolvedShare).toBeGreaterThan(0.5);
    // Review share (0.6 <= c < high): at 0.9 → 0.65 0.70 0.75 0.80 0.85 = 0.5; at 0.8 → 0.3: 20 points less load.
    expect(u?.reviewLoad).toEqual({ current: 0.5, recommended: expect.closeTo(0.3, 12), change: expect.closeTo(-0.2, 12) });
  });

  it('is deterministic for a seed, and narrower with more data', () => {
    const a = thresholdUncertainty(examples, { targetPrecision: 0.95, low: 0.6, resamples: 200, seed: 3 });
    expect(thresholdUncertainty(examples, { targetPrecision: 0.95, low: 0.6, resamples: 200, seed: 3 })).toEqual(a);
    const many = Array.from({ length: 20 }, () => examples).flat();
    const [small] = a;
    const [large] = thresholdUncertainty(many, { targetPrecision: 0.95, low: 0.6, resamples: 200, seed: 3 });
    const width = (u: typeof small): number => (u?.high ? u.high.high - u.high.low : Number.POSITIVE_INFINITY);
    expect(width(large)).toBeLessThanOrEqual(width(small));
    expect(large?.reviewLoad).toBeNull(); // no threshold in force given
  });
});

describe('adviseThresholds', () => {
  it('joins each recommendation with its bootstrap interval and its change in review load', () => {
    // 20 examples at 0.70..0.89: the model is right at 0.80 and above, half the time below.
    const examples = Array.from({ length: 20 }, (_, i) => ({ modelVersion: 'v1', confidence: Math.round((0.7 + i * 0.01) * 100) / 100, agreed: i >= 10 || i % 2 === 0 }));
    const [advice] = adviseThresholds(examples, { targetPrecision: 0.9, low: 0.7, minSupport: 3, currentHigh: 0.95, resamples: 200, seed: 7 });
    const [plain] = recommendThresholds(examples, { targetPrecision: 0.9, low: 0.7, minSupport: 3 });
    expect(advice).toMatchObject({ ...plain, currentHigh: 0.95, resamples: 200 });
    // Every example is reviewed under 0.95; under the recommendation only those below it.
    expect(advice?.reviewLoad).toEqual({ current: 1, recommended: plain?.reviewRate, change: (plain?.reviewRate ?? 0) - 1 });
    expect(advice?.interval?.level).toBe(0.95);
    expect(advice?.interval?.low).toBeLessThanOrEqual(plain?.high as number);
    expect(advice?.interval?.high).toBeGreaterThanOrEqual(plain?.high as number);
  });
});
