import { fleissKappa } from '@arbiter/core';
import { auditRow, freshUseCase, insertRows, viewRows } from './fixture';

jest.setTimeout(120_000);

it("metrics_queue_agreement: Fleiss' kappa per queue on double-reviewed cases", async () => {
  const uc = freshUseCase('fleiss');
  const routed = (caseId: string) => auditRow(uc, caseId, 'routed', { queue: 'cleanliness-review' });
  const review = (caseId: string, purpose: string, actor_id: string, outcome: string) => auditRow(uc, caseId, 'reviewed', { actor_kind: 'human', actor_id, review_purpose: purpose, outcome, quality_min_kappa: 0.8 });
  const doubled = (caseId: string, a: string, b: string) => [routed(caseId), review(caseId, 'decision', 'r1', a), review(caseId, 'double-review', 'r2', b)];
  await insertRows([
    ...doubled('c1', 'charge', 'charge'),
    ...doubled('c2', 'waive', 'waive'),
    ...doubled('c3', 'charge', 'waive'),
    ...doubled('c4', 'charge', 'charge'),
    ...doubled('c5', 'waive', 'waive'),
    routed('c6'), review('c6', 'decision', 'r1', 'charge'), // one rating only: not a subject
  ]);
  const rows = await viewRows('metrics_queue_agreement', uc);
  // 5 subjects, n = 2 ratings each. P_i = 1, 1, 0, 1, 1 → P = 0.8.
  // Ratings: charge 2 + 0 + 1 + 2 + 0 = 5, waive 5, of N·n = 10 → p = 0.5, 0.5 → P_e = 0.25 + 0.25 = 0.5.
  // κ = (0.8 − 0.5) / (1 − 0.5) = 0.6.
  expect(rows).toEqual([{ use_case: uc, queue: 'cleanliness-review', double_reviewed: 5, observed: 0.8, expected: 0.5, kappa: expect.closeTo(0.6, 9), degenerate: false, min_kappa: 0.8, meets_target: false }]);
  const core = fleissKappa([['charge', 'charge'], ['waive', 'waive'], ['charge', 'waive'], ['charge', 'charge'], ['waive', 'waive']]);
  expect(core.ok && core.value.kappa).toBeCloseTo(0.6, 9);
});
