import { batchKey, batchSizes, formBatches, formSimilarBatches, similarityBasisOf, type BatchCandidate, type SimilarCandidate } from './batching';
import type { SimilarityBasis } from './events';
import { aPrediction, at } from './builders.test-support';
import type { BatchSpec } from './policy';

const spec: BatchSpec = { enabled: true, groupBy: ['prediction.label', 'model.version'], minSize: 5, maxSize: 10 };

describe('batchKey', () => {
  it('groups by use case, queue and the groupBy values', () => {
    const a = batchKey('vehicle-cleanliness', 'cleanliness-review', aPrediction(), spec);
    expect(a).toBe('["vehicle-cleanliness","cleanliness-review","dirty","2.3.0"]');
    expect(batchKey('vehicle-cleanliness', 'cleanliness-review', aPrediction({ subject: { type: 'booking', id: 'other' } }), spec)).toBe(a);
    expect(batchKey('vehicle-cleanliness', 'cleanliness-review', aPrediction({ prediction: { label: 'clean' } }), spec)).not.toBe(a);
    expect(batchKey('vehicle-cleanliness', 'other-queue', aPrediction(), spec)).not.toBe(a);
  });

  it('groups missing values together as null', () => {
    expect(batchKey('u', 'q', aPrediction({ prediction: {} }), spec)).toBe('["u","q",null,"2.3.0"]');
  });

  it('is stable for objects whatever their key order', () => {
    const s: BatchSpec = { ...spec, groupBy: ['context.amount'] };
    const k1 = batchKey('u', 'q', { context: { amount: { value: 1, currency: 'EUR' } } }, s);
    const k2 = batchKey('u', 'q', { context: { amount: { currency: 'EUR', value: 1 } } }, s);
    expect(k1).toBe(k2);
  });

  it('is undefined when batching is off', () => {
    expect(batchKey('u', 'q', aPrediction(), { ...spec, enabled: false })).toBeUndefined();
    expect(batchKey('u', 'q', aPrediction(), undefined)).toBeUndefined();
  });
});

describe('batchSizes', () => {
  it.each<[number, number, number, number[]]>([
    [4, 5, 10, []],
    [5, 5, 10, [5]],
    [10, 5, 10, [10]],
    [11, 5, 10, [6, 5]],
    [12, 5, 10, [6, 6]],
    [20, 5, 10, [10, 10]],
    [21, 5, 10, [7, 7, 7]],
    [11, 6, 10, [10]], // 6 + 5 is impossible: one full batch, one case waits
    [0, 1, 10, []],
  ])('%p cases with sizes %p–%p → %p', (n, min, max, sizes) => {
    const result = batchSizes(n, min, max);
    expect(result).toEqual(sizes);
    for (const size of result) {
      expect(size).toBeGreaterThanOrEqual(min);
      expect(size).toBeLessThanOrEqual(max);
    }
  });
});

describe('formBatches', () => {
  const c = (caseId: string, batchKey: string | undefined, priority: number, minute = 0): BatchCandidate => ({
    caseId,
    priority,
    openedAt: at(`2026-11-21T10:${String(minute).padStart(2, '0')}:00Z`),
    ...(batchKey === undefined ? {} : { batchKey }),
  });

  it('groups by key into batches of 5–10 in priority order (HITL-OPT batch size)', () => {
    const cases = [
      ...Array.from({ length: 12 }, (_, i) => c(`a${i}`, 'A', i)),
      ...Array.from({ length: 5 }, (_, i) => c(`b${i}`, 'B', 100 + i)),
      ...Array.from({ length: 3 }, (_, i) => c(`x${i}`, 'X', 50)),
      c('solo', undefined, 1000),
    ];
    const { batches, unbatched } = formBatches(cases, spec);
    expect(batches.map((b) => [b.key, b.cases.map((x) => x.caseId)])).toEqual([
      ['B', ['b4', 'b3', 'b2', 'b1', 'b0']],
      ['A', ['a11', 'a10', 'a9', 'a8', 'a7', 'a6']],
      ['A', ['a5', 'a4', 'a3', 'a2', 'a1', 'a0']],
    ]);
    expect(unbatched.map((x) => x.caseId)).toEqual(['solo', 'x0', 'x1', 'x2']);
  });

  it('orders equal priorities oldest first, then by case id', () => {
    const cases = [c('e', 'K', 1, 5), c('d', 'K', 1, 1), c('c', 'K', 1, 1), c('b', 'K', 2, 9), c('a', 'K', 1, 3)];
    expect(formBatches(cases, spec).batches[0]?.cases.map((x) => x.caseId)).toEqual(['b', 'c', 'd', 'a', 'e']);
  });

  it('leaves the lowest-priority cases waiting when not all fit', () => {
    const cases = Array.from({ length: 11 }, (_, i) => c(`k${i}`, 'K', i));
    const { batches, unbatched } = formBatches(cases, { minSize: 6, maxSize: 10 });
    expect(batches).toHaveLength(1);
    expect(unbatched.map((x) => x.caseId)).toEqual(['k0']);
  });

  it('keeps every case exactly once and never mutates the input', () => {
    const cases = Array.from({ length: 37 }, (_, i) => c(`k${i}`, `K${i % 3}`, i % 7));
    const before = cases.map((x) => x.caseId);
    const { batches, unbatched } = formBatches(cases, spec);
    const out = [...batches.flatMap((b) => b.cases), ...unbatched].map((x) => x.caseId).sort();
    expect(out).toEqual([...before].sort());
    expect(cases.map((x) => x.caseId)).toEqual(before);
  });

  it('tolerates degenerate sizes', () => {
    expect(formBatches([c('a', 'K', 1), c('b', 'K', 1)], { minSize: 0, maxSize: 0 }).batches.map((b) => b.cases.length)).toEqual([1, 1]);
    expect(formBatches([], spec)).toEqual({ batches: [], unbatched: [] });
  });
});

describe('formSimilarBatches: batches of cases that look alike', () => {
  const openedAt = new Date('2026-11-23T09:00:00Z');
  const stain = (x: number) => ({ label: 'dirty', scores: { dirty: 0.8, clean: 0.2 }, regions: [{ x, y: 0.2, width: 0.3, height: 0.2, label: 'stain' }] });
  const candidate = (caseId: string, priority: number, basis?: SimilarityBasis): SimilarCandidate => ({ caseId, priority, openedAt, batchKey: 'k', ...(basis ? { basis } : {}) });

  it('groups by predicted regions overlap, not by label alone, and says why', () => {
    // a, b, c: a stain at about the same place (IoU with a: 1, 0.875); d: the same label and scores,
    // the stain elsewhere (IoU 0): (1 + 1 + 0·2) / 4 = 0.5, below 0.8.
    const cases = [
      candidate('a', 30, { prediction: stain(0.1) }),
      candidate('b', 20, { prediction: stain(0.1) }),
      candidate('c', 10, { prediction: stain(0.12) }),
      candidate('d', 5, { prediction: stain(0.7) }),
      candidate('e', 1),
    ];
    const spec = { minSize: 2, maxSize: 10, similarity: { minSimilarity: 0.8 } };
    const { batches, unbatched } = formSimilarBatches(cases, spec);
    expect(batches.map((b) => [b.key, b.cases.map((c) => c.caseId)])).toEqual([['k~a', ['a', 'b', 'c']]]);
    expect(unbatched.map((c) => c.caseId)).toEqual(['d', 'e']);
    const why = batches[0]?.why ?? [];
    expect(why.map((w) => w.caseId)).toEqual(['a', 'b', 'c']);
    expect(why[1]?.similarity).toBe(1);
    // c: label 1·1, scores 1·1, regions 0.875·2 → 3.75 / 4.
    expect(why[2]?.similarity).toBe(0.9375);
    expect(why[2]?.parts).toEqual(['1 vs 1 regions, matched by overlap (IoU): 88%', 'same label dirty: 100%', 'score distributions: 100%']);
  });

  it('weights HITL-OPT pattern features as the policy says, and splits a group into batches around different seeds', () => {
    const proposal = (patternType: string, component: string): SimilarityBasis => ({ prediction: { label: 'approve' }, pattern: { features: { patternType, component } } });
    const cases = [
      candidate('crud-1', 50, proposal('CRUD', 'orders')),
      candidate('graph-1', 40, proposal('GraphQL', 'search')),
      candidate('crud-2', 30, proposal('CRUD', 'payments')),
      candidate('graph-2', 20, proposal('GraphQL', 'search')),
    ];
    // patternType weighs 3, component 0 (ignored): CRUD cases are alike whatever their component.
    const spec = { minSize: 2, maxSize: 10, similarity: { minSimilarity: 0.9, featureWeights: { patternType: 3, component: 0 } } };
    const { batches } = formSimilarBatches(cases, spec);
    expect(batches.map((b) => b.cases.map((c) => c.caseId))).toEqual([['crud-1', 'crud-2'], ['graph-1', 'graph-2']]);
    expect(batches[0]?.why[1]?.parts).toEqual(['2 pattern features: 100%', 'same label approve: 100%']);
  });

  it('keeps only the compared context fields in the basis, never the rest of the context', () => {
    const basis = similarityBasisOf({ useCase: 'u', subject: { type: 's', id: '1' }, model: { name: 'm', version: '1' }, prediction: { label: 'x', confidence: 0.8 }, context: { apiCategory: 'Tracking', customerId: 'cus-1', nested: { a: 1 } } }, { contextFields: ['apiCategory', 'nested'] });
    expect(basis).toEqual({ prediction: { label: 'x', confidence: 0.8 }, context: { apiCategory: 'Tracking' } });
  });
});
