import { auditRow, freshUseCase, insertRows, viewRows } from './fixture';

jest.setTimeout(120_000);

it('metrics_batch_same_day: batch cases decided on the day they opened, in the queue’s time zone', async () => {
  const uc = freshUseCase('batch');
  const routed = (caseId: string, batchKey?: string) => auditRow(uc, caseId, 'routed', { queue: 'api-batch', payload: JSON.stringify(batchKey ? { batchKey } : {}) });
  const decided = (caseId: string, opened_at: string, event_time: string) => auditRow(uc, caseId, 'decided', { actor_kind: 'human', opened_at, event_time, sla_time_zone: 'Europe/Berlin' });
  await insertRows([
    routed('c1', 'k'), decided('c1', '2026-11-23T08:00:00Z', '2026-11-23T10:00:00Z'), // 09:00 → 11:00 Berlin: same day
    routed('c2', 'k'), decided('c2', '2026-11-23T22:30:00Z', '2026-11-23T23:10:00Z'), // 23:30 → 00:10 Berlin: next day (same day in UTC!)
    routed('c3', 'k'), decided('c3', '2026-11-23T08:00:00Z', '2026-11-24T09:00:00Z'), // next day
    routed('c4', 'k'), decided('c4', '2026-11-23T08:00:00Z', '2026-11-23T15:00:00Z'), // same day, through a batch verdict:
    auditRow(uc, 'c4', 'reviewed', { actor_kind: 'human', review_purpose: 'decision', batch_id: 'bat_1', outcome: 'approved' }),
    routed('c5'), decided('c5', '2026-11-23T08:00:00Z', '2026-11-23T09:00:00Z'), // not a batch case
  ]);
  const rows = await viewRows('metrics_batch_same_day', uc);
  // Batch cases c1–c4; same day in Berlin: c1, c4 → same_day_rate = 2 / 4 = 0.5; through a batch verdict: c4.
  expect(rows).toEqual([{ use_case: uc, queue: 'api-batch', decided_cases: 4, batch_decided: 1, same_day: 2, same_day_rate: 0.5 }]);
});
