import { caseSimilarity, cosineSimilarity, iou, regionSimilarity, scoreSimilarity, weightedFeatureSimilarity } from './case-similarity';
import { patternSimilarity } from './routing';
import type { PredictionSubmitted } from './events';

const vision = (over: Partial<NonNullable<PredictionSubmitted['prediction']>> = {}, embedding?: number[]): PredictionSubmitted => ({
  useCase: 'vehicle-cleanliness',
  subject: { type: 'booking', id: 'bk-1' },
  model: { name: 'cleanliness-vit', version: '2.3.0' },
  prediction: { label: 'dirty', confidence: 0.8, scores: { dirty: 0.8, clean: 0.2 }, regions: [{ x: 0.1, y: 0.2, width: 0.3, height: 0.2, label: 'stain', score: 0.8 }], ...over },
  ...(embedding ? { pattern: { features: {}, embedding } } : {}),
});

describe('the parts', () => {
  it('iou: overlap of boxes', () => {
    const a = { x: 0, y: 0, width: 0.2, height: 0.2 };
    expect(iou(a, a)).toBe(1);
    expect(iou(a, { x: 0.1, y: 0, width: 0.2, height: 0.2 })).toBeCloseTo(0.02 / 0.06, 12); // 1/3
    expect(iou(a, { x: 0.5, y: 0.5, width: 0.1, height: 0.1 })).toBe(0);
  });

  it('regions match by overlap within a label, both ways', () => {
    const stain = { x: 0, y: 0, width: 0.2, height: 0.2, label: 'stain' };
    expect(regionSimilarity([stain], [{ ...stain, x: 0.1 }])).toBeCloseTo(1 / 3, 12);
    expect(regionSimilarity([stain], [{ ...stain, label: 'scratch' }])).toBe(0);
    // One extra region on one side with nothing to match halves… the mean over all three regions.
    expect(regionSimilarity([stain], [stain, { x: 0.6, y: 0.6, width: 0.1, height: 0.1, label: 'stain' }])).toBeCloseTo(2 / 3, 12);
  });

  it('scores: one minus total variation distance; cosine; weighted features', () => {
    expect(scoreSimilarity({ dirty: 0.8, clean: 0.2 }, { dirty: 0.6, clean: 0.4 })).toBeCloseTo(0.8, 12);
    expect(cosineSimilarity([1, 0, 0], [1, 0, 0])).toBe(1);
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity([1, 0], [1, 0, 0])).toBeUndefined();
    expect(weightedFeatureSimilarity({ a: 'x', b: 'y' }, { a: 'x', b: 'z' }, { a: 3 })).toBeCloseTo(0.75, 12);
    expect(weightedFeatureSimilarity({ a: 'x', b: 'y' }, { a: 'x', b: 'z' }, { b: 0 })).toBe(1);
  });
});

describe('caseSimilarity', () => {
  it('weighs label, scores and regions, and explains each', () => {
    const r = caseSimilarity(vision(), vision({ scores: { dirty: 0.6, clean: 0.4 }, regions: [{ x: 0.15, y: 0.2, width: 0.3, height: 0.2, label: 'stain' }] }));
    // label 1 (w1), scores 0.8 (w1), regions IoU 0.25/0.35 = 0.714… (w2) → (1 + 0.8 + 2·0.714)/4
    expect(r.similarity).toBeCloseTo((1 + 0.8 + 2 * (0.05 / 0.07)) / 4, 12);
    expect(r.parts.map((p) => p.part)).toEqual(['regions', 'label', 'scores']);
    expect(r.parts[0]?.detail).toBe('1 vs 1 regions, matched by overlap (IoU): 71%');
  });

  it('a stain elsewhere on the seat is less similar than one in the same place, though label and confidence match', () => {
    const same = caseSimilarity(vision(), vision()).similarity;
    const elsewhere = caseSimilarity(vision(), vision({ regions: [{ x: 0.6, y: 0.6, width: 0.3, height: 0.2, label: 'stain' }] })).similarity;
    expect(same).toBe(1);
    expect(elsewhere).toBeLessThan(0.6);
  });

  it('uses the embedding when both cases carry one, and leaves out parts one side lacks', () => {
    const e = [1, 0, 0, 0, 0, 0, 0, 0];
    const r = caseSimilarity(vision({ regions: [] }, e), vision({ regions: [] }, [0, 1, 0, 0, 0, 0, 0, 0]));
    expect(r.parts.map((p) => p.part).sort()).toEqual(['embedding', 'label', 'scores']);
    // label 1 (w1) + scores 1 (w1) + embedding 0 (w3) → 2/5
    expect(r.similarity).toBeCloseTo(0.4, 12);
  });

  it('fast-track patterns: weighted features, and the embedding when both have one', () => {
    expect(patternSimilarity({ features: { a: 'x', b: 'y' } }, { features: { a: 'x', b: 'z' } }, { a: 3 })).toBeCloseTo(0.75, 12);
    expect(patternSimilarity({ features: { a: 'x' }, embedding: [1, 0] }, { features: { a: 'x' }, embedding: [0, 1] })).toBeCloseTo(0.4, 12);
  });
});
