import { auditRow, freshUseCase, insertRows, viewRows } from './fixture';

jest.setTimeout(120_000);

it('metrics_golden_accuracy: reviewer accuracy on golden cases and who is below the policy’s bar', async () => {
  const uc = freshUseCase('golden');
  const golden = (caseId: string, reviewer: string, outcome: string, expected_outcome: string) =>
    auditRow(uc, caseId, 'reviewed', { actor_kind: 'human', actor_id: reviewer, review_purpose: 'golden', outcome, expected_outcome, quality_min_golden_accuracy: 0.9 });
  await insertRows([
    golden('g1', 'r1', 'fee_charged', 'fee_charged'),
    golden('g2', 'r1', 'fee_waived', 'fee_waived'),
    golden('g3', 'r1', 'fee_charged', 'fee_waived'), // wrong
    golden('g4', 'r1', 'fee_charged', 'fee_charged'),
    golden('g5', 'r2', 'fee_waived', 'fee_waived'),
    golden('g6', 'r2', 'fee_charged', 'fee_charged'),
    auditRow(uc, 'c1', 'reviewed', { actor_kind: 'human', actor_id: 'r1', review_purpose: 'decision', outcome: 'fee_charged' }), // not golden
  ]);
  const rows = await viewRows('metrics_golden_accuracy', uc, 'reviewer_id');
  // r1: 3 of 4 correct = 0.75 < 0.9 → below the bar (flagged to the lead); r2: 2 of 2 = 1.0.
  expect(rows).toEqual([
    { use_case: uc, reviewer_id: 'r1', golden_reviews: 4, correct: 3, accuracy: 0.75, min_accuracy: 0.9, below_bar: true },
    { use_case: uc, reviewer_id: 'r2', golden_reviews: 2, correct: 2, accuracy: 1, min_accuracy: 0.9, below_bar: false },
  ]);
});
