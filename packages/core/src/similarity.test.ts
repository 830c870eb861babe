import { bestMatch, featureSimilarity, valueSimilarity, type FeatureMap } from './similarity';

describe('valueSimilarity', () => {
  it('scores strings and booleans by equality', () => {
    expect(valueSimilarity('GET', 'GET')).toBe(1);
    expect(valueSimilarity('GET', 'get')).toBe(0);
    expect(valueSimilarity(true, true)).toBe(1);
    expect(valueSimilarity(true, false)).toBe(0);
  });

  it('scores numbers by relative closeness', () => {
    expect(valueSimilarity(100, 90)).toBeCloseTo(0.9, 12);
    expect(valueSimilarity(0, 0)).toBe(1);
    expect(valueSimilarity(0, 5)).toBe(0);
    expect(valueSimilarity(-5, 5)).toBe(0);
  });

  it('scores a missing value or a type mismatch as 0', () => {
    expect(valueSimilarity('1', 1)).toBe(0);
    expect(valueSimilarity(true, 1)).toBe(0);
    expect(valueSimilarity(undefined, 'x')).toBe(0);
  });
});

describe('featureSimilarity', () => {
  const endpoint = { component: 'api-endpoint', method: 'GET', resource: 'sessions', auth: true };

  it('is 1 for identical maps', () => {
    expect(featureSimilarity(endpoint, { ...endpoint })).toBe(1);
  });

  it('is the share of names whose values agree (Jaccard over names)', () => {
    expect(featureSimilarity(endpoint, { ...endpoint, method: 'POST' })).toBeCloseTo(3 / 4, 12);
    // a name on one side only counts against: union of 5 names, 4 agree
    expect(featureSimilarity(endpoint, { ...endpoint, rateLimited: true })).toBeCloseTo(4 / 5, 12);
  });

  it('blends numeric closeness in', () => {
    expect(featureSimilarity({ kind: 'x', fields: 10 }, { kind: 'x', fields: 8 })).toBeCloseTo((1 + 0.8) / 2, 12);
  });

  it('is symmetric and in [0, 1]', () => {
    const others: FeatureMap[] = [{}, { component: 'db' }, { component: 'api-endpoint', fields: 3 }, { ...endpoint, method: 'PUT' }];
    for (const other of others) {
      const s = featureSimilarity(endpoint, other);
      expect(s).toBe(featureSimilarity(other, endpoint));
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    }
  });

  it('is 0 for two empty maps and for disjoint maps', () => {
    expect(featureSimilarity({}, {})).toBe(0);
    expect(featureSimilarity({ a: 1 }, { b: 1 })).toBe(0);
  });

  it('ignores inherited properties', () => {
    expect(featureSimilarity({ toString: 'x' }, {})).toBe(0);
  });
});

describe('bestMatch', () => {
  const patterns = [
    { id: 'p1', features: { kind: 'api', method: 'POST' } },
    { id: 'p2', features: { kind: 'api', method: 'GET' } },
    { id: 'p3', features: { kind: 'api', method: 'GET' } },
  ];

  it('returns the most similar pattern with its similarity', () => {
    expect(bestMatch({ kind: 'api', method: 'GET' }, patterns)).toEqual({ pattern: patterns[1], similarity: 1 });
  });

  it('breaks ties by input order', () => {
    expect(bestMatch({ kind: 'api', method: 'PUT' }, patterns)?.pattern.id).toBe('p1');
  });

  it('returns undefined without patterns', () => {
    expect(bestMatch({ kind: 'api' }, [])).toBeUndefined();
  });
});
