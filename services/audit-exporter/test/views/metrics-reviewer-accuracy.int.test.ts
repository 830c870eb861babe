import { auditRow, freshUseCase, insertRows, viewRows } from './fixture';

jest.setTimeout(120_000);

it('metrics_reviewer_accuracy: golden answers and adjudicated double reviews both judge reviewers', async () => {
  const uc = freshUseCase('accuracy');
  const reviewed = (caseId: string, reviewer: string, review_purpose: string, outcome: string, extra: Record<string, unknown> = {}) =>
    auditRow(uc, caseId, 'reviewed', { actor_kind: 'human', actor_id: reviewer, review_purpose, outcome, quality_min_golden_accuracy: 0.9, ...extra });
  await insertRows([
    reviewed('g1', 'ann', 'golden', 'fee_applied', { expected_outcome: 'fee_applied' }),
    // c1: ann decided fee_applied, bob's double review said fee_waived, the lead sided with bob.
    reviewed('c1', 'ann', 'decision', 'fee_applied'),
    reviewed('c1', 'bob', 'double-review', 'fee_waived'),
    reviewed('c1', 'lead-1', 'adjudication', 'fee_waived'),
    // c2: the two agreed, nobody adjudicated: no known answer, judges nobody.
    reviewed('c2', 'ann', 'decision', 'fee_applied'),
    reviewed('c2', 'bob', 'double-review', 'fee_applied'),
  ]);
  const rows = await viewRows('metrics_reviewer_accuracy', uc, 'reviewer_id');
  expect(rows).toEqual([
    { use_case: uc, reviewer_id: 'ann', judged: 2, golden: 1, adjudicated: 1, correct: 1, accuracy: 0.5, min_accuracy: 0.9, below_bar: true },
    { use_case: uc, reviewer_id: 'bob', judged: 1, golden: 0, adjudicated: 1, correct: 1, accuracy: 1, min_accuracy: 0.9, below_bar: false },
  ]);
});
