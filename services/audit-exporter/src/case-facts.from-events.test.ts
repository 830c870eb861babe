import { EventTypes, type ArbiterEvent } from '@arbiter/contract';
import { caseDocFromOpened, type CaseDoc, type CaseRoute } from '@arbiter/cases';
import { ManualClock } from '@arbiter/platform';
import { loadPolicies } from '@arbiter/policy';
import path from 'node:path';
import { factsOfCaseDoc, type CaseDocFields } from './audit-ledger.firestore';
import type { AuditRow } from './audit-row';
import { CaseFactsFromEvents } from './case-facts.from-events';
import { anEvent, caseOpened, caseRouted, decisionMade } from './events.test-support';
import type { AuditEntry, CaseFacts, CaseUseCases } from './ports';
import { createRecordEvent } from './record-event';

const policies = (() => {
  const loaded = loadPolicies(path.resolve(__dirname, '..', '..', '..', 'policies'));
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.value;
})();

const opened = (caseId: string, overrides: { label?: string; category?: 'operational' | 'strategic' } = {}): ArbiterEvent<typeof EventTypes.caseOpened> => {
  const event = caseOpened(caseId);
  const { prediction } = event.data;
  const withLabel = overrides.label === undefined ? prediction : { ...prediction, prediction: { ...prediction.prediction, label: overrides.label } };
  return anEvent(EventTypes.caseOpened, { ...event.data, openedAt: '2026-11-21T12:00:00.123Z', prediction: { ...withLabel, ...(overrides.category ? { category: overrides.category } : {}) } }, { source: event.source, id: event.id });
};

const decidedBy = (caseId: string, by: { kind: 'auto' | 'human' | 'policy'; id: string }): ArbiterEvent<typeof EventTypes.decisionMade> => {
  const event = decisionMade(caseId);
  return anEvent(EventTypes.decisionMade, { ...event.data, decidedBy: by }, { source: '/arbiter/router', id: event.id, time: event.time });
};

const routedAs = (caseId: string, route: 'auto' | 'default' | 'review'): ArbiterEvent<typeof EventTypes.caseRouted> => {
  const event = caseRouted(caseId);
  const { queue: _queue, dueAt: _dueAt, ...rest } = event.data;
  const data = route === 'review' ? event.data : { ...rest, route, reason: route === 'auto' ? ('band-high' as const) : ('band-low' as const), ...(route === 'auto' ? { blindReview: false } : {}) };
  return anEvent(EventTypes.caseRouted, data, { source: event.source, id: event.id });
};

/** The case document as the assessor opened it and the router then routed it. */
function caseDocOf(event: ArbiterEvent<typeof EventTypes.caseOpened>, route: CaseRoute): CaseDoc {
  return { ...caseDocFromOpened(event.data), route, status: 'decided' };
}

describe('case facts from the case events', () => {
  it('an automatic decision after its case.opened: the facts the case document gives, without reading it', () => {
    const seen = new CaseFactsFromEvents();
    const event = opened('c-1', { category: 'operational' });
    seen.observe(event);

    const facts = seen.factsOfDecision(decidedBy('c-1', { kind: 'auto', id: 'cleanliness-vit@2.3.0' }));

    const doc = caseDocOf(event, { kind: 'auto', reason: 'band-high', rationale: 'high band', routedAt: 1 });
    expect(facts).toEqual(factsOfCaseDoc(doc as CaseDocFields));
    expect(facts).toEqual({ openedAt: Date.parse('2026-11-21T12:00:00.123Z'), label: 'dirty', category: 'operational' });
  });

  it('a case without a label or category: neither is invented', () => {
    const seen = new CaseFactsFromEvents();
    const event = caseOpened('c-2');
    const { prediction } = event.data;
    const bare = anEvent(EventTypes.caseOpened, { ...event.data, prediction: { ...prediction, prediction: { confidence: 0.95 } } }, { source: event.source, id: event.id });
    seen.observe(bare);
    const facts = seen.factsOfDecision(decidedBy('c-2', { kind: 'auto', id: 'm@1' }));
    expect(facts).toEqual({ openedAt: Date.parse(event.data.openedAt) });
    expect(facts).toEqual(factsOfCaseDoc(caseDocOf(bare, { kind: 'auto', reason: 'band-high', rationale: 'x', routedAt: 1 }) as CaseDocFields));
  });

  it('a policy default: answered once case.routed says default; before that, or for an expiry, the case is read', () => {
    const seen = new CaseFactsFromEvents();
    seen.observe(opened('c-3'));
    const policyDecision = decidedBy('c-3', { kind: 'policy', id: 'policy:vehicle-cleanliness@1' });
    expect(seen.factsOfDecision(policyDecision)).toBeUndefined();
    seen.observe(routedAs('c-3', 'default'));
    expect(seen.factsOfDecision(policyDecision)).toEqual({ openedAt: Date.parse('2026-11-21T12:00:00.123Z'), label: 'dirty' });
  });

  it('a review route: never answered (the queue columns come from the case), and nothing is kept', () => {
    const seen = new CaseFactsFromEvents();
    seen.observe(opened('c-4'));
    seen.observe(routedAs('c-4', 'review'));
    expect(seen.size).toBe(0);
    expect(seen.factsOfDecision(decidedBy('c-4', { kind: 'human', id: 'reviewer-17' }))).toBeUndefined();
    expect(seen.factsOfDecision(decidedBy('c-4', { kind: 'policy', id: 'expiry' }))).toBeUndefined();
  });

  it('a human decision without case.routed, or a case never seen opened: undefined (read the case)', () => {
    const seen = new CaseFactsFromEvents();
    seen.observe(opened('c-5'));
    expect(seen.factsOfDecision(decidedBy('c-5', { kind: 'human', id: 'reviewer-17' }))).toBeUndefined();
    expect(seen.factsOfDecision(decidedBy('c-6', { kind: 'auto', id: 'm@1' }))).toBeUndefined();
  });

  it('answers once per case (a redelivered decision reads the case), and forgets the oldest beyond its capacity', () => {
    const seen = new CaseFactsFromEvents(2);
    seen.observe(opened('c-7'));
    expect(seen.factsOfDecision(decidedBy('c-7', { kind: 'auto', id: 'm@1' }))).toBeDefined();
    expect(seen.factsOfDecision(decidedBy('c-7', { kind: 'auto', id: 'm@1' }))).toBeUndefined();

    for (const id of ['c-8', 'c-9', 'c-10']) seen.observe(opened(id));
    expect(seen.size).toBe(2);
    expect(seen.factsOfDecision(decidedBy('c-8', { kind: 'auto', id: 'm@1' }))).toBeUndefined();
    expect(seen.factsOfDecision(decidedBy('c-10', { kind: 'auto', id: 'm@1' }))).toBeDefined();
  });
});

describe('record event with the facts seen', () => {
  class CountingCases implements CaseUseCases {
    reads = 0;
    constructor(private readonly docs: Map<string, CaseDoc>) {}
    async useCaseOf(caseId: string): Promise<string | undefined> {
      return this.docs.get(caseId)?.useCase;
    }
    async factsOf(caseId: string): Promise<CaseFacts | undefined> {
      this.reads += 1;
      const doc = this.docs.get(caseId);
      return doc ? factsOfCaseDoc(doc as CaseDocFields) : undefined;
    }
  }

  async function rowsOf(events: readonly ArbiterEvent[], withSeen: boolean, docs: Map<string, CaseDoc>): Promise<{ rows: AuditRow[]; reads: number }> {
    const cases = new CountingCases(docs);
    const rows: AuditEntry[] = [];
    const record = createRecordEvent({
      policies,
      cases,
      batcher: { add: async (entry) => (rows.push(entry), 'written') },
      clock: new ManualClock(new Date('2026-11-21T12:05:00Z')),
      ...(withSeen ? { seen: new CaseFactsFromEvents() } : {}),
    });
    for (const event of events) expect(await record(event)).toMatchObject({ ok: true });
    return { rows: rows.filter((entry) => entry.table === undefined).map((entry) => entry.row as AuditRow), reads: cases.reads };
  }

  it('the rows of an automatic case are the same with and without the case read; only the read is spared', async () => {
    const event = opened('c-20', { category: 'operational' });
    const docs = new Map([['c-20', caseDocOf(event, { kind: 'auto', reason: 'band-high', rationale: 'high band', routedAt: 1 })]]);
    const events = [event, routedAs('c-20', 'auto'), decidedBy('c-20', { kind: 'auto', id: 'cleanliness-vit@2.3.0' })];

    const read = await rowsOf(events, false, docs);
    const spared = await rowsOf(events, true, docs);

    expect(read.reads).toBe(1);
    expect(spared.reads).toBe(0);
    expect(spared.rows).toEqual(read.rows);
    expect(spared.rows.find((row) => row.state === 'decided')).toMatchObject({ opened_at: '2026-11-21T12:00:00.123Z', elapsed_seconds: 190.877, critical_path: false });
  });

  it('writes each ledger marker’s expiry from the case’s policy: caseDays after the write', async () => {
    const event = opened('c-22');
    const entries: AuditEntry[] = [];
    const record = createRecordEvent({ policies, cases: new CountingCases(new Map()), batcher: { add: async (entry) => (entries.push(entry), 'written') }, clock: new ManualClock(new Date('2026-11-21T12:05:00Z')) });
    expect(await record(event)).toMatchObject({ ok: true });
    const policy = policies.get(event.data.prediction.useCase);
    if (!policy.ok) throw new Error('no policy');
    const caseDays = policy.value.privacy.retention.caseDays;
    expect(caseDays).toBeGreaterThanOrEqual(7);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(entry.expireAt).toEqual(new Date(Date.parse('2026-11-21T12:05:00Z') + caseDays * 86_400_000));
  });

  it('a reviewed case still reads the case for its decision and its review', async () => {
    const event = opened('c-21');
    const docs = new Map([
      ['c-21', { ...caseDocOf(event, { kind: 'review', reason: 'band-medium', rationale: 'x', queue: 'cleanliness-review', priority: { score: 1, reasons: ['next-booking-soon'] }, routedAt: 1 }), status: 'in-review' as const }],
    ]);
    const reviewed = anEvent(
      EventTypes.caseReviewed,
      { caseId: 'c-21', useCase: 'vehicle-cleanliness', reviewer: { id: 'reviewer-17', role: 'reviewer' }, optionId: 'reject', outcome: 'fee_waived', purpose: 'decision', reviewedAt: '2026-11-21T12:03:00Z' },
      { source: '/arbiter/review-queue', id: 'reviewed-c-21' },
    );
    const events = [event, routedAs('c-21', 'review'), reviewed, decidedBy('c-21', { kind: 'human', id: 'reviewer-17' })];

    const read = await rowsOf(events, false, docs);
    const withSeen = await rowsOf(events, true, docs);

    expect(withSeen.reads).toBe(2);
    expect(withSeen.rows).toEqual(read.rows);
    expect(withSeen.rows.find((row) => row.state === 'decided')).toMatchObject({ queue: 'cleanliness-review' });
  });
});
