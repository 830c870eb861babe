import { at, auditRow, freshUseCase, insertRows, viewRows } from './fixture';

jest.setTimeout(120_000);

it('metrics_sla_adherence: share within target and P95 on the SLA clock, per queue', async () => {
  const uc = freshUseCase('sla');
  const decided = (caseId: string, sla_elapsed_seconds: number, actor_kind = 'human') =>
    auditRow(uc, caseId, 'decided', { actor_kind, queue: 'damage-review', sla_clock: 'business', sla_elapsed_seconds, sla_target_seconds: 3600, sla_percentile: 0.95, event_time: at(60) });
  await insertRows([
    decided('c1', 900),
    decided('c2', 1800),
    decided('c3', 3600), // exactly on target: within
    decided('c4', 5400, 'policy'), // expired by the policy, late
    auditRow(uc, 'c5', 'decided', { actor_kind: 'auto', event_time: at(0) }), // automatic: no queue, no SLA
  ]);
  const rows = await viewRows('metrics_sla_adherence', uc);
  // 4 reviewed cases; within 3600 business seconds: c1, c2, c3 → adherence 3 / 4 = 0.75.
  // P95 (nearest rank) over [900, 1800, 3600, 5400]: k = CEIL(0.95 × 4) = 4 → the 4th smallest, 5400 s.
  // meets_target: 0.75 >= 0.95 → false.
  expect(rows).toEqual([
    { use_case: uc, queue: 'damage-review', sla_clock: 'business', target_seconds: 3600, target_share: 0.95, decided_cases: 4, within_target: 3, expired: 1, adherence: 0.75, p95_seconds: 5400, meets_target: false },
  ]);
});
