import { cohensKappa } from '@arbiter/core';
import { auditRow, freshUseCase, insertRows, viewRows } from './fixture';

jest.setTimeout(120_000);

it("metrics_reviewer_agreement: Cohen's kappa per reviewer pair on double-reviewed cases", async () => {
  const uc = freshUseCase('cohen');
  const review = (caseId: string, purpose: string, actor_id: string, outcome: string) =>
    auditRow(uc, caseId, 'reviewed', { actor_kind: 'human', actor_id, review_purpose: purpose, outcome, quality_min_kappa: 0.8 });
  const doubled = (caseId: string, first: string, firstSaid: string, second: string, secondSaid: string) => [review(caseId, 'decision', first, firstSaid), review(caseId, 'double-review', second, secondSaid)];
  await insertRows([
    ...doubled('c1', 'r-a', 'charge', 'r-b', 'charge'),
    ...doubled('c2', 'r-b', 'waive', 'r-a', 'waive'), // who went first does not matter
    ...doubled('c3', 'r-a', 'charge', 'r-b', 'waive'),
    ...doubled('c4', 'r-b', 'charge', 'r-a', 'charge'),
    ...doubled('c5', 'r-a', 'waive', 'r-b', 'waive'),
    ...doubled('c6', 'r-c', 'charge', 'r-d', 'charge'),
    ...doubled('c7', 'r-d', 'charge', 'r-c', 'charge'),
    review('c8', 'decision', 'r-a', 'charge'), // not double-reviewed
  ]);
  const rows = await viewRows<Record<string, unknown>>('metrics_reviewer_agreement', uc, 'reviewer_a');
  // Pair (r-a, r-b), 5 cases. r-a said charge, waive, charge, charge, waive (charge 3, waive 2);
  // r-b said charge, waive, waive, charge, waive (charge 2, waive 3). Agreed on c1 c2 c4 c5:
  //   P_o = 4 / 5 = 0.8;  P_e = (3/5)(2/5) + (2/5)(3/5) = 0.24 + 0.24 = 0.48;
  //   κ = (0.8 − 0.48) / (1 − 0.48) = 0.32 / 0.52 = 0.6154 < 0.8 → does not meet the target.
  // Pair (r-c, r-d): both always "charge": P_e = 1 → κ defined as 1, degenerate.
  expect(rows).toEqual([
    { use_case: uc, reviewer_a: 'r-a', reviewer_b: 'r-b', double_reviewed: 5, agreed: 4, observed: 0.8, expected: expect.closeTo(0.48, 9), kappa: expect.closeTo(0.32 / 0.52, 9), degenerate: false, min_kappa: 0.8, meets_target: false },
    { use_case: uc, reviewer_a: 'r-c', reviewer_b: 'r-d', double_reviewed: 2, agreed: 2, observed: 1, expected: 1, kappa: 1, degenerate: true, min_kappa: 0.8, meets_target: true },
  ]);
  // The same κ as @arbiter/core's cohensKappa over the same pairs.
  const core = cohensKappa([['charge', 'charge'], ['waive', 'waive'], ['charge', 'waive'], ['charge', 'charge'], ['waive', 'waive']]);
  expect(core.ok && core.value.kappa).toBeCloseTo(rows[0]?.kappa as number, 9);
});
