import { auditRow, freshUseCase, insertRows, viewRows } from './fixture';

jest.setTimeout(120_000);

it('metrics_human_alignment: blind reviews that agree with the automatic outcome, per model version', async () => {
  const uc = freshUseCase('align');
  const auto = (caseId: string, model_version: string) => auditRow(uc, caseId, 'decided', { actor_kind: 'auto', outcome: 'fee_charged', model_name: 'vit', model_version });
  const blind = (caseId: string, outcome: string) => auditRow(uc, caseId, 'reviewed', { actor_kind: 'human', actor_id: 'r1', review_purpose: 'blind-review', outcome });
  await insertRows([
    auto('c1', '1'), blind('c1', 'fee_charged'),
    auto('c2', '1'), blind('c2', 'fee_charged'),
    auto('c3', '1'), blind('c3', 'fee_waived'),
    auto('c4', '1'), blind('c4', 'fee_charged'),
    auto('c5', '2'), blind('c5', 'fee_charged'),
    auto('c6', '1'), // automatic, not sampled
    auditRow(uc, 'c7', 'decided', { actor_kind: 'policy', outcome: 'fee_waived', model_name: 'vit', model_version: '1' }), blind('c7', 'fee_waived'), // a low-band default labelled blind: not an automatic decision
  ]);
  const rows = await viewRows('metrics_human_alignment', uc, 'model_version');
  // v1: blind reviews of automatic decisions c1–c4, aligned c1 c2 c4 → 3 / 4 = 0.75. v2: c5 → 1 / 1.
  expect(rows).toEqual([
    { use_case: uc, model_name: 'vit', model_version: '1', blind_reviews: 4, aligned: 3, alignment_rate: 0.75 },
    { use_case: uc, model_name: 'vit', model_version: '2', blind_reviews: 1, aligned: 1, alignment_rate: 1 },
  ]);
});
