import { checkHistory, type History } from './history';
import { leadOfKey } from './policy';

const base = (): History => ({
  cases: [
    { caseId: 'c1', kind: 'auto', publishedAt: 1_000 },
    { caseId: 'c2', kind: 'review', publishedAt: 2_000 },
    { caseId: 'c3', kind: 'default', publishedAt: 3_000 },
  ],
  decisions: [
    { ceId: 'dec_c1', caseId: 'c1', outcome: 'fee_applied', decidedBy: 'auto:m', receivedAt: 1_500 },
    { ceId: 'dec_c1', caseId: 'c1', outcome: 'fee_applied', decidedBy: 'auto:m', receivedAt: 1_600 },
    { ceId: 'dec_c2', caseId: 'c2', outcome: 'fee_waived', decidedBy: 'human:r1', receivedAt: 9_000 },
    { ceId: 'dec_c3', caseId: 'c3', outcome: 'fee_waived', decidedBy: 'policy:p', receivedAt: 7_000 },
  ],
  escalations: [{ ceId: 'c2~decision:reminder:PT10S', caseId: 'c2', itemId: 'c2~decision', level: 'reminder', key: 'reminder:PT10S', dueAt: 22_000, escalatedAt: 12_500 }],
  audit: ['c1', 'c2', 'c3'].flatMap((caseId) => ['opened', 'routed', 'decided'].map((state) => ({ caseId, eventType: state, eventId: `${state}_${caseId}`, eventSource: '/arbiter/x', state }))),
  rawDuplicateRows: 0,
  faults: [{ kind: 'kill', service: 'router', at: 2_000, endedAt: 4_000 }],
  undecidedWithItem: new Set(),
  neverReceived: new Set(),
  evidence: { requested: 0, unanswered: [] },
  leadOf: leadOfKey,
});

describe('the fault suite history checker', () => {
  it('passes a clean history: redeliveries of one decision are fine', () => {
    const verdict = checkHistory(base());
    expect(verdict).toMatchObject({ cases: 3, lost: 0, decidedTwice: 0, stranded: 0, duplicateAuditRows: 0, missingAuditRows: 0, escalationsTwice: 0, escalationsEarly: 0, qualityPages: 0 });
    // After the kill ended at 4 s, the last machine-decided case published before then (c3) was decided at 7 s.
    expect(verdict.recoveryMs).toEqual({ p50: 3_000, max: 3_000, samples: 1 });
    expect(verdict.lastFaultToLastDecisionMs).toBe(5_000);
    expect(verdict.faults).toEqual({ 'kill router': 1 });
  });

  it('counts the reconciler’s re-drives by step from the audit rows’ reason codes', () => {
    const history = base();
    history.audit = [
      ...history.audit,
      { caseId: 'c2', eventType: 'arbiter.case.redriven.v1', eventId: 'redrive_c2_requeue_1', eventSource: '/arbiter/sla-escalator', state: 'redriven', reasonCode: 'STEP_OVERDUE.requeue' },
      { caseId: 'c3', eventType: 'arbiter.case.redriven.v1', eventId: 'redrive_c3_route_1', eventSource: '/arbiter/sla-escalator', state: 'redriven', reasonCode: 'STEP_OVERDUE.route' },
      { caseId: 'c3', eventType: 'arbiter.case.redriven.v1', eventId: 'redrive_c3_route_2', eventSource: '/arbiter/sla-escalator', state: 'redriven', reasonCode: 'STEP_OVERDUE.route' },
    ];
    history.evidence = { requested: 3, unanswered: ['c2', 'c1'] };
    expect(checkHistory(history)).toMatchObject({ redriven: 3, redrivenByStep: { requeue: 1, route: 2 }, duplicateAuditRows: 0, evidence: { requested: 3, unanswered: 2, requeued: 1, decidedWithoutRequeue: 1 } });
  });

  it('finds a lost case, and says whether anything was left to claim', () => {
    const history = base();
    history.decisions = history.decisions.filter((d) => d.caseId !== 'c2' && d.caseId !== 'c3');
    history.undecidedWithItem = new Set(['c2']);
    const verdict = checkHistory(history);
    expect(verdict).toMatchObject({ lost: 2, stranded: 1, examples: { lost: ['c2', 'c3'], stranded: ['c3'] } });
  });

  it('counts a prediction Arbiter never received apart from a case it lost', () => {
    const history = base();
    history.decisions = history.decisions.filter((d) => d.caseId !== 'c3');
    history.audit = history.audit.filter((row) => row.caseId !== 'c3');
    history.neverReceived = new Set(['c3']);
    expect(checkHistory(history)).toMatchObject({ lost: 0, neverReceived: 1, stranded: 0, missingAuditRows: 0, examples: { neverReceived: ['c3'] } });
  });

  it('finds a case decided twice: two events, or one ce-id with two outcomes', () => {
    const history = base();
    history.decisions = [...history.decisions, { ceId: 'dec_c3', caseId: 'c3', outcome: 'fee_applied', decidedBy: 'human:r2', receivedAt: 8_000 }];
    expect(checkHistory(history)).toMatchObject({ decidedTwice: 1, examples: { decidedTwice: ['c3'] } });
  });

  it('finds duplicate and missing audit rows', () => {
    const history = base();
    history.audit = [...history.audit.filter((row) => !(row.caseId === 'c3' && row.state === 'routed')), { caseId: 'c1', eventType: 'decided', eventId: 'decided_c1', eventSource: '/arbiter/x', state: 'decided' }];
    expect(checkHistory(history)).toMatchObject({ duplicateAuditRows: 2, missingAuditRows: 1, examples: { duplicateAuditRows: ['/arbiter/x|decided_c1', 'c1:decided'], missingAuditRows: ['c3:routed'] } });
  });

  it('counts a second decision row of a case under another event id as a duplicate state change', () => {
    const history = base();
    history.audit = [...history.audit, { caseId: 'c2', eventType: 'decided', eventId: 'other_c2', eventSource: '/arbiter/y', state: 'decided' }];
    expect(checkHistory(history)).toMatchObject({ duplicateAuditRows: 1, examples: { duplicateAuditRows: ['c2:decided'] } });
  });

  it('finds escalations that fired early, twice, or for quality work', () => {
    const history = base();
    history.escalations = [
      { ceId: 'c2~decision:escalated', caseId: 'c2', itemId: 'c2~decision', level: 'escalated', key: 'escalated', dueAt: 22_000, escalatedAt: 21_000 },
      { ceId: 'c2~decision:reminder:PT10S', caseId: 'c2', itemId: 'c2~decision', level: 'reminder', key: 'reminder:PT10S', dueAt: 22_000, escalatedAt: 12_000 },
      { ceId: 'c2~decision:reminder:PT10S#2', caseId: 'c2', itemId: 'c2~decision', level: 'reminder', key: 'reminder:PT10S', dueAt: 22_000, escalatedAt: 12_100 },
      { ceId: 'c1~blind-review:escalated', caseId: 'c1', itemId: 'c1~blind-review', level: 'escalated', key: 'escalated', dueAt: 22_000, escalatedAt: 23_000 },
    ];
    expect(checkHistory(history)).toMatchObject({ escalationsEarly: 1, escalationsTwice: 1, qualityPages: 1 });
  });
});
