import { adjudicate, adjudicationRevisionIdOf, disagreementOf } from './adjudication';

describe('adjudication', () => {
  const first = { reviewerId: 'ann', outcome: 'fee_applied' };
  const second = { reviewerId: 'bob', outcome: 'fee_waived' };

  it('finds a disagreement only when the two verdicts differ', () => {
    expect(disagreementOf(first, { reviewerId: 'bob', outcome: 'fee_applied' })).toBeUndefined();
    expect(disagreementOf(first, second)).toEqual({ first, second });
  });

  it('revises the published decision when the lead sides with the second reviewer, and judges both reviewers', () => {
    expect(adjudicate({ outcome: 'fee_applied' }, { first, second }, 'fee_waived')).toEqual({
      outcome: 'fee_waived',
      revises: true,
      judged: [
        { reviewerId: 'ann', outcome: 'fee_applied', correct: false },
        { reviewerId: 'bob', outcome: 'fee_waived', correct: true },
      ],
    });
  });

  it('confirms the published decision when the lead sides with the first reviewer; a third outcome makes both wrong', () => {
    expect(adjudicate({ outcome: 'fee_applied' }, { first, second }, 'fee_applied')).toMatchObject({ revises: false, judged: [{ correct: true }, { correct: false }] });
    expect(adjudicate({ outcome: 'fee_applied' }, { first, second }, 'decision_deferred')).toMatchObject({ revises: true, judged: [{ correct: false }, { correct: false }] });
  });

  it('derives one revision id per case', () => {
    expect(adjudicationRevisionIdOf('case_1')).toBe('rvs_adj_case_1');
  });
});
