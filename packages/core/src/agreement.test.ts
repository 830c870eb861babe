import { cohensKappa, fleissKappa, fleissKappaFromCounts } from './agreement';

const repeat = <T>(n: number, value: T): T[] => Array.from({ length: n }, () => value);

describe('cohensKappa', () => {
  it('matches the Wikipedia worked example (κ = 0.4)', () => {
    // 50 proposals: both yes 20, both no 15, A yes / B no 5, A no / B yes 10
    const pairs = [
      ...repeat(20, ['yes', 'yes'] as const),
      ...repeat(15, ['no', 'no'] as const),
      ...repeat(5, ['yes', 'no'] as const),
      ...repeat(10, ['no', 'yes'] as const),
    ];
    const result = cohensKappa(pairs);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.observed).toBeCloseTo(0.7, 12);
    expect(result.value.expected).toBeCloseTo(0.5, 12);
    expect(result.value.kappa).toBeCloseTo(0.4, 12);
    expect(result.value).toMatchObject({ subjects: 50, degenerate: false });
  });

  it('is 1 for perfect agreement over several categories', () => {
    const result = cohensKappa([['a', 'a'], ['b', 'b'], ['c', 'c'], ['a', 'a']]);
    expect(result).toMatchObject({ ok: true, value: { kappa: 1, degenerate: false } });
  });

  it('is −1 for systematic disagreement', () => {
    expect(cohensKappa([['a', 'b'], ['b', 'a']])).toMatchObject({ ok: true, value: { kappa: -1 } });
  });

  it('is 0 when agreement is what chance predicts', () => {
    const result = cohensKappa([['a', 'a'], ['a', 'b'], ['b', 'a'], ['b', 'b']]);
    expect(result.ok && result.value.kappa).toBeCloseTo(0, 12);
  });

  it('defines a single category throughout as κ = 1, flagged degenerate', () => {
    expect(cohensKappa(repeat(7, ['clean', 'clean'] as const))).toEqual({
      ok: true,
      value: { kappa: 1, observed: 1, expected: 1, subjects: 7, degenerate: true },
    });
  });

  it('reports empty input as an error value', () => {
    expect(cohensKappa([])).toMatchObject({ ok: false, error: { code: 'AGREEMENT.EMPTY' } });
  });
});

describe('fleissKappa', () => {
  // Wikipedia: 10 subjects, 14 raters, 5 categories; P̄ = 0.378, P̄e = 0.213, κ ≈ 0.210
  const wikipedia = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
  ];

  it('matches the Wikipedia worked example from counts', () => {
    const result = fleissKappaFromCounts(wikipedia);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.observed).toBeCloseTo(0.378, 3);
    expect(result.value.expected).toBeCloseTo(0.213, 3);
    expect(result.value.kappa).toBeCloseTo(0.21, 3);
    expect(result.value.subjects).toBe(10);
  });

  it('gives the same result from label lists', () => {
    const labels = wikipedia.map((row) => row.flatMap((count, j) => repeat(count, `c${j + 1}`)));
    const fromLabels = fleissKappa(labels);
    const fromCounts = fleissKappaFromCounts(wikipedia);
    expect(fromLabels.ok && fromCounts.ok && fromLabels.value.kappa - fromCounts.value.kappa).toBeCloseTo(0, 12);
  });

  it('agrees with Cohen-style chance correction on perfect agreement', () => {
    expect(fleissKappa([['a', 'a', 'a'], ['b', 'b', 'b'], ['a', 'a', 'a']])).toMatchObject({ ok: true, value: { kappa: 1, degenerate: false } });
  });

  it('defines a single category throughout as κ = 1, flagged degenerate', () => {
    expect(fleissKappa([['x', 'x'], ['x', 'x']])).toMatchObject({ ok: true, value: { kappa: 1, degenerate: true } });
  });

  it('reports bad input as error values', () => {
    expect(fleissKappa([])).toMatchObject({ ok: false, error: { code: 'AGREEMENT.EMPTY' } });
    expect(fleissKappa([['a', 'b'], ['a', 'b', 'c']])).toMatchObject({ ok: false, error: { code: 'AGREEMENT.UNEQUAL_RATERS' } });
    expect(fleissKappa([['a'], ['b']])).toMatchObject({ ok: false, error: { code: 'AGREEMENT.TOO_FEW_RATERS' } });
    expect(fleissKappaFromCounts([[1, -1, 2]])).toMatchObject({ ok: false, error: { code: 'AGREEMENT.INVALID_COUNT' } });
    expect(fleissKappaFromCounts([[1.5, 0.5]])).toMatchObject({ ok: false, error: { code: 'AGREEMENT.INVALID_COUNT' } });
  });
});
