import { auditRow, freshUseCase, insertRows, viewRows } from './fixture';

jest.setTimeout(120_000);

it('metrics_critical_path: critical-path cases a person decided within 2 hours', async () => {
  const uc = freshUseCase('critical');
  const decided = (caseId: string, elapsed_seconds: number, actor_kind = 'human', critical_path = true) => auditRow(uc, caseId, 'decided', { actor_kind, elapsed_seconds, critical_path });
  await insertRows([
    decided('c1', 3600),
    decided('c2', 7000),
    decided('c3', 9000),
    decided('c4', 86_400, 'policy'), // expired: a miss
    decided('c5', 100, 'human', false), // not on the critical path
  ]);
  const rows = await viewRows('metrics_critical_path', uc);
  // Critical path: c1–c4; a person within 7200 s: c1, c2 → within_2h_rate = 2 / 4 = 0.5.
  // Nearest-rank percentiles over [3600, 7000, 9000, 86400]: median k = CEIL(0.5 × 4) = 2 → 7000;
  // P95 k = CEIL(0.95 × 4) = 4 → 86400.
  expect(rows).toEqual([{ use_case: uc, decided_cases: 4, human_decided: 3, answered_within_2h: 2, within_2h_rate: 0.5, median_seconds: 7000, p95_seconds: 86_400 }]);
});
