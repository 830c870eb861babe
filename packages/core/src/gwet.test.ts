import { twoRaterAgreement } from './gwet';

const repeat = (pair: readonly [string, string], times: number): Array<readonly [string, string]> => Array.from({ length: times }, () => pair);

describe('twoRaterAgreement: Gwet’s AC1 beside Cohen’s κ', () => {
  // An approve-heavy queue: 95 both approve, 2 + 2 disagreements, 1 both reject. 96 % agreement.
  const skewed = [...repeat(['approve', 'approve'], 95), ...repeat(['approve', 'reject'], 2), ...repeat(['reject', 'approve'], 2), ...repeat(['reject', 'reject'], 1)];

  it('κ collapses on skewed labels while AC1 follows the observed agreement; both with 95 % intervals', () => {
    const r = twoRaterAgreement(skewed, ['approve', 'reject']);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.observed).toBeCloseTo(0.96, 12);
    expect(r.value.kappa.value).toBeCloseTo(0.3127147766323021, 12);
    expect(r.value.kappa.interval.standardError).toBeCloseTo(0.3366996210011241, 12);
    expect(r.value.ac1.expected).toBeCloseTo(0.0582, 12);
    expect(r.value.ac1.value).toBeCloseTo(0.9575281376088342, 12);
    expect(r.value.ac1.interval.standardError).toBeCloseTo(0.021636700405112803, 12);
    expect(r.value.ac1.interval.low).toBeCloseTo(0.9575281376088342 - 1.959963984540054 * 0.021636700405112803, 12);
    expect(r.value.ac1.interval.high).toBeCloseTo(0.9575281376088342 + 1.959963984540054 * 0.021636700405112803, 12);
    // Four subjects: the interval is wider than the scale and clipped to it.
    expect(twoRaterAgreement([...repeat(['approve', 'approve'], 3), ['approve', 'reject']], ['approve', 'reject'])).toMatchObject({ ok: true, value: { ac1: { interval: { high: 1 } } } });
    expect(r.value.kappa.interval.low).toBeCloseTo(0.3127147766323021 - 1.959963984540054 * 0.3366996210011241, 12);
  });

  it('counts unused categories of the scale in q, and agrees with κ on balanced labels', () => {
    const balanced = [...repeat(['a', 'a'], 40), ...repeat(['b', 'b'], 40), ...repeat(['a', 'b'], 10), ...repeat(['b', 'a'], 10)];
    const two = twoRaterAgreement(balanced, ['a', 'b']);
    if (!two.ok) throw new Error(two.error.message);
    // π = (0.5, 0.5): P_e(AC1) = 0.5 = P_e(κ), so both are 0.6.
    expect(two.value.ac1.value).toBeCloseTo(0.6, 12);
    expect(two.value.kappa.value).toBeCloseTo(0.6, 12);
    const three = twoRaterAgreement(balanced, ['a', 'b', 'c']);
    if (!three.ok) throw new Error(three.error.message);
    expect(three.value.categories).toEqual(['a', 'b', 'c']);
    expect(three.value.ac1.expected).toBeCloseTo(0.25, 12);
  });

  it('narrows its intervals as subjects grow, and refuses empty input', () => {
    const small = twoRaterAgreement(skewed.slice(0, 20).concat(skewed.slice(95)), ['approve', 'reject']);
    const large = twoRaterAgreement([...skewed, ...skewed, ...skewed, ...skewed], ['approve', 'reject']);
    if (!small.ok || !large.ok) throw new Error('expected results');
    expect(large.value.ac1.interval.standardError).toBeLessThan(small.value.ac1.interval.standardError);
    expect(twoRaterAgreement([]).ok).toBe(false);
  });

  it('all verdicts one category: κ is degenerate (defined 1), AC1 is 1 with a zero-width interval', () => {
    const r = twoRaterAgreement(repeat(['approve', 'approve'], 10), ['approve', 'reject']);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.kappa).toMatchObject({ value: 1, degenerate: true });
    expect(r.value.ac1.value).toBeCloseTo(1, 12);
    expect(r.value.ac1.interval.standardError).toBeLessThan(1e-6);
  });
});
