import { goldenIndexFor, mixesGolden, needsDoubleReview, reviewerAccuracy } from './quality';

describe('quality sampling', () => {
  const policy = { quality: { doubleReviewRate: 0.2, goldenRate: 0.1, minGoldenAccuracy: 0.9, minKappa: 0.8 } };

  it('sends a deterministic share of cases to double review and golden mixing, independently', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `case_${i}`);
    const doubled = ids.filter((id) => needsDoubleReview(policy, id));
    const golden = ids.filter((id) => mixesGolden(policy, id));
    expect(doubled.length / ids.length).toBeCloseTo(0.2, 1);
    expect(golden.length / ids.length).toBeCloseTo(0.1, 1);
    expect(ids.filter((id) => needsDoubleReview(policy, id))).toEqual(doubled); // the same every time
    expect(needsDoubleReview({}, 'case_1')).toBe(false); // no quality block: no sampling
    const picks = new Set(ids.slice(0, 200).map((id) => goldenIndexFor(id, 3)));
    expect([...picks].sort()).toEqual([0, 1, 2]);
    expect(goldenIndexFor('x', 0)).toBe(-1);
  });

  it('reviewer accuracy on golden cases, flagged below the bar', () => {
    // r1: 3 of 4 right = 0.75 < 0.9 → flagged; r2: 2 of 2 = 1.
    const verdicts = [
      { reviewerId: 'r1', outcome: 'a', expected: 'a' },
      { reviewerId: 'r1', outcome: 'b', expected: 'a' },
      { reviewerId: 'r1', outcome: 'a', expected: 'a' },
      { reviewerId: 'r1', outcome: 'b', expected: 'b' },
      { reviewerId: 'r2', outcome: 'a', expected: 'a' },
      { reviewerId: 'r2', outcome: 'b', expected: 'b' },
    ];
    expect(reviewerAccuracy(verdicts, 0.9)).toEqual([
      { reviewerId: 'r1', golden: 4, correct: 3, accuracy: 0.75, belowBar: true },
      { reviewerId: 'r2', golden: 2, correct: 2, accuracy: 1, belowBar: false },
    ]);
  });
});
