import path from 'node:path';
import { buildDecision, caseDocFromOpened, decisionEvents, type CaseDoc } from '@arbiter/case-store';
import { EventTypes, fromPubSubMessage, toPubSubMessage, type ArbiterEvent } from '@arbiter/contract';
import { ManualClock } from '@arbiter/platform/testing';
import { loadPolicies } from '@arbiter/policy';
import { toAuditRow, type AuditRow } from './audit-row';
import { InMemoryCaseUseCaseProjection } from './case-use-cases.test-support';
import { anEvent, caseDecided, caseOpened, caseReviewed, decisionMade, evidenceRequested, reviewedCaseFacts } from './events.test-support';
import type { AuditEntry } from './ports';
import { auditedEventOf, createRecordEvent, insertIdOf, ledgerKeyOf } from './record-event';

const policies = (() => {
  const loaded = loadPolicies(path.resolve(__dirname, '..', '..', '..', 'policies'));
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.value;
})();
const cleanliness = (() => {
  const policy = policies.get('vehicle-cleanliness');
  if (!policy.ok) throw new Error('no vehicle-cleanliness policy');
  return policy.value;
})();

const NOW = new Date('2026-11-21T12:05:00Z');
const DAY_MS = 86_400_000;

function setup() {
  const caseUseCases = new InMemoryCaseUseCaseProjection();
  const entries: AuditEntry[] = [];
  const record = createRecordEvent({ policies, caseUseCases, batcher: { add: async (entry) => (entries.push(entry), 'written') }, clock: new ManualClock(NOW) });
  const rows = (): AuditRow[] => entries.filter((entry) => entry.table === undefined).map((entry) => entry.row as AuditRow);
  return { caseUseCases, entries, record, rows };
}

/** An event as the exporter receives it: through the Pub/Sub binding. */
function delivered<T extends ArbiterEvent>(event: T): T {
  const message = toPubSubMessage(event);
  const decoded = fromPubSubMessage({ data: message.data, attributes: message.attributes });
  if (!decoded.ok) throw new Error(decoded.error.message);
  return decoded.value as T;
}

/** A vehicle-cleanliness case opened at 12:00:00.123, routed for review with a priority reason. */
function reviewedCase(caseId: string): CaseDoc {
  const opened = caseOpened(caseId);
  return {
    ...caseDocFromOpened({ ...opened.data, openedAt: '2026-11-21T12:00:00.123Z' }),
    status: 'in-review',
    route: { kind: 'review', reason: 'band-medium', rationale: 'medium band', queue: 'cleanliness-review', priority: { score: 50, reasons: ['Next booking within 3 h'] }, routedAt: Date.parse('2026-11-21T12:00:01Z') },
  };
}

describe('record event: the decided row from case.decided', () => {
  it('is the row decision.made.v1 gave with the case read: same identity, ledger key, insertId, columns and payload', async () => {
    const doc = reviewedCase('c-1');
    const decision = buildDecision(doc, cleanliness, { outcome: 'fee_waived', decidedBy: { kind: 'human', id: 'reviewer-17' }, reasonCode: 'STAIN_NOT_VISIBLE_IN_RETURN', decidedAt: new Date('2026-11-21T12:03:11Z') });
    const [v1, , decided] = decisionEvents(doc, decision, undefined, '/arbiter/review-queue').map(delivered);
    if (!v1 || !decided) throw new Error('no decision events');
    const { entries, record } = setup();

    expect(await record(decided)).toEqual({ ok: true, value: 'written' });

    // The old way: decision.made.v1 itself, with the facts read from cases/{caseId}.
    const before = toAuditRow(v1, { policy: cleanliness, useCase: 'vehicle-cleanliness', ingestedAt: NOW, facts: { openedAt: doc.openedAt, label: 'dirty', queue: 'cleanliness-review', priorityReasons: ['Next booking within 3 h'] } });
    expect(entries).toEqual([{ key: ledgerKeyOf(v1), insertId: insertIdOf(v1), expireAt: new Date(NOW.getTime() + cleanliness.privacy.retention.caseDays * DAY_MS), row: before }]);
    expect(entries[0]?.row).toMatchObject({
      event_id: 'dec_c-1',
      event_type: 'arbiter.decision.made.v1',
      event_source: '/arbiter/review-queue',
      event_time: '2026-11-21T12:03:11.000Z',
      state: 'decided',
      actor_kind: 'human',
      actor_role: 'reviewer',
      actor_id: 'reviewer-17',
      decision_id: 'dec_c-1',
      outcome: 'fee_waived',
      opened_at: '2026-11-21T12:00:00.123Z',
      elapsed_seconds: 190.877,
      queue: 'cleanliness-review',
      sla_clock: 'wall',
      sla_target_seconds: 7200,
      model_outcome: 'fee_applied',
      payload: JSON.stringify(decision),
    });
  });

  it('an automatic decision: no queue columns, the category and the model outcome from the event', async () => {
    const opened = caseOpened('c-2');
    const doc: CaseDoc = { ...caseDocFromOpened({ ...opened.data, prediction: { ...opened.data.prediction, category: 'operational' } }), route: { kind: 'auto', reason: 'band-high', rationale: 'high band', routedAt: 1 } };
    const decision = buildDecision(doc, cleanliness, { outcome: 'fee_applied', decidedBy: { kind: 'auto', id: 'cleanliness-vit@2.3.0' }, decidedAt: new Date('2026-11-21T12:00:02Z') });
    const [, , decided] = decisionEvents(doc, decision, undefined, '/arbiter/router');
    const { rows, record } = setup();
    expect(await record(delivered(decided))).toMatchObject({ ok: true });
    expect(rows()).toEqual([expect.objectContaining({ event_id: 'dec_c-2', actor_kind: 'auto', queue: null, sla_clock: null, critical_path: false, category: 'operational', opened_at: '2026-11-21T12:00:00.000Z', elapsed_seconds: 2, model_outcome: 'fee_applied' })]);
  });

  it('decision.made.v1 and v2 themselves add no row (v1 is recorded from case.decided)', async () => {
    const { entries, record } = setup();
    expect(await record(decisionMade('c-3'))).toEqual({ ok: true, value: 'not-audited' });
    expect(await record(anEvent(EventTypes.decisionMadeV2, decisionMade('c-3').data, { source: '/arbiter/review-queue', id: 'dec2_c-3' }))).toEqual({ ok: true, value: 'not-audited' });
    expect(entries).toEqual([]);
  });

  it('stands for the v1 event it accompanies, with the trace both were produced in', () => {
    const v1 = decisionMade('c-4');
    const traced = { ...caseDecided('c-4', v1), extensions: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } };
    const { audited, facts } = auditedEventOf(traced);
    expect(audited).toEqual({ ...v1, subject: 'c-4', extensions: traced.extensions });
    expect(facts).toEqual({ ...reviewedCaseFacts, openedAt: Date.parse(reviewedCaseFacts.openedAt) });
  });
});

describe('record event: the reviewed row', () => {
  it('takes the case facts from case.reviewed and leaves them out of the payload', async () => {
    const plain = caseReviewed('c-5');
    const golden = { ...reviewedCaseFacts, goldenExpectedOutcome: 'fee_applied' };
    const withFacts = anEvent(EventTypes.caseReviewed, { ...plain.data, caseFacts: golden }, { source: plain.source, id: plain.id, time: plain.time });
    const { rows, record } = setup();

    expect(await record(withFacts)).toMatchObject({ ok: true });
    const [row] = rows();
    expect(row).toMatchObject({ state: 'reviewed', opened_at: '2026-11-21T12:00:00.000Z', queue: 'cleanliness-review', model_outcome: 'fee_applied', model_customer_favorable: false, expected_outcome: 'fee_applied' });
    // The payload is the review's, as before the facts were carried (redacted notes included).
    expect(row?.payload).toBe(toAuditRow(plain, { policy: cleanliness, useCase: 'vehicle-cleanliness', ingestedAt: NOW })?.payload);
    expect(row?.payload).not.toContain('caseFacts');
  });

  it('a review produced before the facts were carried: a row without them, as for a case not found before', async () => {
    const { rows, record } = setup();
    expect(await record(caseReviewed('c-6'))).toMatchObject({ ok: true });
    expect(rows()[0]).toMatchObject({ state: 'reviewed', opened_at: null, queue: null, model_outcome: null, expected_outcome: null });
  });
});

describe('record event: events that name no use case', () => {
  const revised = (caseId: string) =>
    anEvent(EventTypes.decisionRevised, { caseId, decisionId: `dec_${caseId}`, revisionId: `rvs_adj_${caseId}`, outcome: 'fee_waived', customerFavorable: true, revisedBy: { kind: 'human', id: 'lead-2' }, revisedAt: '2026-11-22T09:30:00Z', previousOutcome: 'fee_applied' }, { source: '/arbiter/review-queue' });
  const submitted = (caseId: string) => anEvent(EventTypes.evidenceSubmitted, { caseId, evidence: [{ uri: 'gs://e/1.jpg' }], submittedBy: 'crew-4' }, { source: '//crew-app' });

  it('are attributed through the projection case.opened and evidence.requested write (case.decided writes none)', async () => {
    const { caseUseCases, rows, record } = setup();
    expect(await record(caseOpened('c-7'))).toMatchObject({ ok: true });
    expect(await record(caseOpened('c-8'))).toMatchObject({ ok: true });
    expect(await record(caseDecided('c-8'))).toMatchObject({ ok: true });
    expect(await record(caseDecided('c-11'))).toMatchObject({ ok: true });
    expect(await record(evidenceRequested('c-9'))).toMatchObject({ ok: true });
    const expireAt = new Date(NOW.getTime() + cleanliness.privacy.retention.caseDays * DAY_MS);
    expect([...caseUseCases.entries.values()]).toEqual(['c-7', 'c-8', 'c-9'].map((caseId) => ({ caseId, useCase: 'vehicle-cleanliness', expireAt })));

    expect(await record(submitted('c-7'))).toMatchObject({ ok: true, value: 'written' });
    expect(await record(revised('c-8'))).toMatchObject({ ok: true, value: 'written' });
    expect(await record(submitted('c-9'))).toMatchObject({ ok: true, value: 'written' });
    expect(rows().filter((row) => row.state === 'evidence_submitted' || row.state === 'revised').map((row) => [row.case_id, row.state, row.use_case, row.policy_id])).toEqual([
      ['c-7', 'evidence_submitted', 'vehicle-cleanliness', 'vehicle-cleanliness'],
      ['c-8', 'revised', 'vehicle-cleanliness', 'vehicle-cleanliness'],
      ['c-9', 'evidence_submitted', 'vehicle-cleanliness', 'vehicle-cleanliness'],
    ]);
  });

  it('a case the projection does not know yet is a transient failure (redelivered), and nothing is written', async () => {
    const { entries, record } = setup();
    const result = await record(revised('c-10'));
    expect(result).toMatchObject({ ok: false, error: { code: 'TRANSIENT.AUDIT_CASE_NOT_PROJECTED', permanent: false } });
    expect(result.ok ? '' : result.error.message).toContain('c-10');
    expect(entries).toEqual([]);
    // Once the event that names the use case is recorded, the redelivery goes through.
    expect(await record(caseOpened('c-10'))).toMatchObject({ ok: true });
    expect(await record(revised('c-10'))).toMatchObject({ ok: true, value: 'written' });
  });

  it('a projection write that fails is transient, and writes no row', async () => {
    const { caseUseCases, entries, record } = setup();
    caseUseCases.failures = 1;
    expect(await record(caseOpened('c-11'))).toMatchObject({ ok: false, error: { code: 'TRANSIENT.AUDIT_PROJECTION_WRITE_FAILED', permanent: false } });
    expect(entries).toEqual([]);
    expect(await record(caseOpened('c-11'))).toMatchObject({ ok: true, value: 'written' });
  });

  it('other events that name their use case write no projection', async () => {
    const { caseUseCases, record } = setup();
    expect(await record(caseReviewed('c-12'))).toMatchObject({ ok: true });
    expect(caseUseCases.entries.size).toBe(0);
  });
});

it('writes each ledger marker’s expiry from the case’s policy: caseDays after the write', async () => {
  const { entries, record } = setup();
  expect(await record(caseOpened('c-13'))).toMatchObject({ ok: true });
  const caseDays = cleanliness.privacy.retention.caseDays;
  expect(caseDays).toBeGreaterThanOrEqual(7);
  expect(entries.length).toBeGreaterThan(0);
  for (const entry of entries) expect(entry.expireAt).toEqual(new Date(NOW.getTime() + caseDays * DAY_MS));
});
