import { auditRow, freshUseCase, insertRows, viewRows } from './fixture';

jest.setTimeout(120_000);

it('metrics_model_overrides: override rate and false-positive reduction per model version', async () => {
  const uc = freshUseCase('overrides');
  const human = (caseId: string, model_version: string, outcome: string, model_outcome: string) =>
    auditRow(uc, caseId, 'decided', {
      actor_kind: 'human', model_name: 'vit', model_version, outcome, customer_favorable: outcome === 'fee_waived', model_outcome, model_customer_favorable: model_outcome === 'fee_waived',
    });
  await insertRows([
    human('c1', '1', 'fee_charged', 'fee_charged'), // the model would have charged; the person agreed
    human('c2', '1', 'fee_waived', 'fee_charged'), // override; a false positive prevented
    human('c3', '1', 'fee_waived', 'fee_charged'), // override; a false positive prevented
    human('c4', '1', 'fee_charged', 'fee_waived'), // override the other way: not a false positive of the model
    human('c5', '1', 'fee_waived', 'fee_waived'),
    human('c6', '2', 'fee_charged', 'fee_charged'),
    auditRow(uc, 'c7', 'decided', { actor_kind: 'auto', model_name: 'vit', model_version: '1', outcome: 'fee_charged', model_outcome: 'fee_charged', model_customer_favorable: false }), // not reviewed
  ]);
  const rows = await viewRows('metrics_model_overrides', uc, 'model_version');
  // v1: 5 human decisions, overrides c2 c3 c4 → 3 / 5 = 0.6.
  //     model customer-unfavourable: c1 c2 c3 (3); overturned to favourable: c2 c3 (2) → reduction 2 / 3.
  // v2: 1 decision, 0 overrides; 1 unfavourable, 0 overturned → 0.
  expect(rows).toEqual([
    { use_case: uc, model_name: 'vit', model_version: '1', human_decisions: 5, overrides: 3, override_rate: 0.6, model_unfavourable: 3, overturned_favourable: 2, false_positive_reduction: expect.closeTo(2 / 3, 9) },
    { use_case: uc, model_name: 'vit', model_version: '2', human_decisions: 1, overrides: 0, override_rate: 0, model_unfavourable: 1, overturned_favourable: 0, false_positive_reduction: 0 },
  ]);
});
