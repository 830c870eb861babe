import { at, auditRow, freshUseCase, insertRows, viewRows } from './fixture';

jest.setTimeout(120_000);

it('metrics_post_action_report: automatic decisions per category, day, outcome and model version', async () => {
  const uc = freshUseCase('post');
  const auto = (caseId: string, confidence: number, category = 'operational', actor_id = 'code-reviewer@4.1.0') =>
    auditRow(uc, caseId, 'decided', { actor_kind: 'auto', actor_id, category, outcome: 'approved', model_name: 'code-reviewer', model_version: '4.1.0', confidence, event_time: at(30) });
  const blind = (caseId: string, outcome: string) => auditRow(uc, caseId, 'reviewed', { actor_kind: 'human', actor_id: 'r1', review_purpose: 'blind-review', outcome });
  await insertRows([
    auto('c1', 0.9), blind('c1', 'approved'),
    auto('c2', 0.92, 'operational', 'fast-track'), blind('c2', 'rejected'),
    auto('c3', 0.94),
    auto('c4', 0.99, 'strategic'),
    auditRow(uc, 'c5', 'decided', { actor_kind: 'human', outcome: 'approved', category: 'operational' }), // not automatic
  ]);
  const rows = await viewRows('metrics_post_action_report', uc, 'category');
  // operational: c1 c2 c3 → 3 decisions, 1 fast-tracked, mean confidence (0.90 + 0.92 + 0.94) / 3 = 0.92,
  //   min 0.90; blind-sampled c1 c2, aligned c1 → 2 sampled, 1 aligned. strategic: c4 alone.
  expect(rows).toEqual([
    { use_case: uc, category: 'operational', day: '2026-11-23', outcome: 'approved', model_name: 'code-reviewer', model_version: '4.1.0', decisions: 3, fast_tracked: 1, mean_confidence: expect.closeTo(0.92, 9), min_confidence: 0.9, blind_sampled: 2, blind_aligned: 1 },
    { use_case: uc, category: 'strategic', day: '2026-11-23', outcome: 'approved', model_name: 'code-reviewer', model_version: '4.1.0', decisions: 1, fast_tracked: 0, mean_confidence: 0.99, min_confidence: 0.99, blind_sampled: 0, blind_aligned: 0 },
  ]);
});
