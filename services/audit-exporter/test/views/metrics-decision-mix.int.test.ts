import { at, auditRow, freshUseCase, insertRows, viewRows } from './fixture';

jest.setTimeout(120_000);

it('metrics_decision_mix: the automatic-approval rate per use case and day, each event counted once', async () => {
  const uc = freshUseCase('mix');
  const decided = (caseId: string, actor_kind: string, customer_favorable: boolean) => auditRow(uc, caseId, 'decided', { actor_kind, customer_favorable, event_time: at(10) });
  const first = decided('c1', 'auto', false);
  await insertRows([
    first,
    { ...first, ingested_at: new Date(Date.now() + 60_000).toISOString() }, // the same event written twice: dedup keeps one
    decided('c2', 'auto', false),
    decided('c3', 'auto', false),
    decided('c4', 'human', true),
    decided('c5', 'policy', true),
    auditRow(uc, 'c1', 'routed', { event_time: at(1) }), // not a decision
  ]);
  const rows = await viewRows<{ day: string; decisions: number; automatic: number; human: number; policy: number; automatic_rate: number; customer_favorable_rate: number }>('metrics_decision_mix', uc);
  // 5 decisions on 2026-11-23: auto c1 c2 c3, human c4, policy c5.
  // automatic_rate = 3 / 5 = 0.6 (HITL-OPT target > 0.6: exactly on the line, not above it);
  // customer_favorable_rate = (c4 + c5) / 5 = 0.4.
  expect(rows).toEqual([{ use_case: uc, day: '2026-11-23', decisions: 5, automatic: 3, human: 1, policy: 1, automatic_rate: 0.6, customer_favorable_rate: 0.4 }]);
});
