import { goldenIndexFor, MIN_KAPPA_PAIRS, mixesGolden, needsDoubleReview, reviewerAccuracy, reviewerStanding, servesExtraGolden, type JudgedVerdict } from './quality';

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

describe('reviewer standing: quality gates that act', () => {
  const quality = { minGoldenAccuracy: 0.9, minKappa: 0.6, window: 4 };
  const right = (n: number): JudgedVerdict[] => Array.from({ length: n }, () => ({ kind: 'known-answer', correct: true }));
  const wrong = (n: number): JudgedVerdict[] => Array.from({ length: n }, () => ({ kind: 'known-answer', correct: false }));

  it('flags a reviewer below the accuracy bar on the recent window, and clears the flag once the window is right again', () => {
    // Newest first: one wrong answer among the last four → 75 % < 90 %.
    const flagged = reviewerStanding([...right(3), ...wrong(1)], quality);
    expect(flagged).toMatchObject({ known: 4, correct: 3, accuracy: 0.75, flagged: true });
    expect(flagged.reasons).toEqual(['accuracy 75% on the last 4 known answers, below 90%']);
    // Four right answers since: the wrong one fell out of the window.
    expect(reviewerStanding([...right(4), ...wrong(1)], quality)).toMatchObject({ known: 4, correct: 4, accuracy: 1, flagged: false, reasons: [] });
    // No known answer yet: nothing to judge.
    expect(reviewerStanding([], quality)).toMatchObject({ known: 0, accuracy: null, flagged: false });
  });

  it('flags on κ over double-review pairs only from MIN_KAPPA_PAIRS pairs on', () => {
    const agreeing: JudgedVerdict[] = Array.from({ length: MIN_KAPPA_PAIRS }, (_, i) => ({ kind: 'pair', own: i % 2 ? 'a' : 'b', other: i % 2 ? 'a' : 'b' }));
    const random: JudgedVerdict[] = Array.from({ length: MIN_KAPPA_PAIRS }, (_, i) => ({ kind: 'pair', own: i % 2 ? 'a' : 'b', other: i % 4 < 2 ? 'a' : 'b' }));
    const wide = { ...quality, window: 50 };
    expect(reviewerStanding(agreeing, wide)).toMatchObject({ pairs: MIN_KAPPA_PAIRS, kappa: 1, flagged: false });
    const low = reviewerStanding(random, wide);
    expect(low.kappa).toBeCloseTo(0, 5);
    expect(low.flagged).toBe(true);
    expect(low.reasons[0]).toMatch(/^κ 0\.00 on the last 10 double reviews, below 0\.6$/);
    expect(reviewerStanding(random.slice(0, MIN_KAPPA_PAIRS - 1), wide)).toMatchObject({ kappa: null, flagged: false });
  });

  it('serves a flagged reviewer a golden case at the policy’s rate, an unflagged one never', () => {
    expect(servesExtraGolden({ flagged: true }, { flaggedGoldenRate: 0.3 }, 0.29)).toBe(true);
    expect(servesExtraGolden({ flagged: true }, { flaggedGoldenRate: 0.3 }, 0.3)).toBe(false);
    expect(servesExtraGolden({ flagged: true }, {}, 0.49)).toBe(true);
    expect(servesExtraGolden({ flagged: false }, { flaggedGoldenRate: 1 }, 0)).toBe(false);
  });
});
