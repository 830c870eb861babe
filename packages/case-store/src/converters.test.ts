import { FieldValue, type QueryDocumentSnapshot } from '@google-cloud/firestore';
import { documentConverter, goldenCaseConverter, patternConverter, queueItemUpdateOf } from './converters';

describe('queueItemUpdateOf', () => {
  const claim = { reviewerId: 'rev-1', role: 'reviewer', leaseUntil: 2_000, claimedAt: 1_000 };

  it('writes the fields a change sets, and only those', () => {
    expect(queueItemUpdateOf({ status: 'claimed', claim })).toEqual({ status: 'claimed', claim });
    expect(queueItemUpdateOf({ status: 'done', doneAt: 3_000 })).toEqual({ status: 'done', doneAt: 3_000 });
    expect(queueItemUpdateOf({})).toEqual({});
  });

  it('deletes the claim a change releases', () => {
    const update = queueItemUpdateOf({ status: 'open', releaseClaim: true });
    expect(Object.keys(update).sort()).toEqual(['claim', 'status']);
    expect(update.status).toBe('open');
    expect(FieldValue.delete().isEqual(update.claim as FieldValue)).toBe(true);
  });

  it('writes a verdict’s completion (done, when, claim deleted) and an evidence wait', () => {
    const done = queueItemUpdateOf({ status: 'done', doneAt: 3_000, releaseClaim: true });
    expect(Object.keys(done).sort()).toEqual(['claim', 'doneAt', 'status']);
    expect(done).toMatchObject({ status: 'done', doneAt: 3_000 });
    expect(FieldValue.delete().isEqual(done.claim as FieldValue)).toBe(true);
    const waiting = queueItemUpdateOf({ status: 'awaiting-evidence', releaseClaim: true });
    expect(waiting.status).toBe('awaiting-evidence');
    expect(FieldValue.delete().isEqual(waiting.claim as FieldValue)).toBe(true);
  });

  it('writes the SLA bookkeeping by its dotted paths and a new rank as its two fields', () => {
    expect(queueItemUpdateOf({ nextCheckAt: 5_000, slaSent: ['reminder'] })).toEqual({ 'sla.nextCheckAt': 5_000, 'sla.sent': ['reminder'] });
    expect(queueItemUpdateOf({ status: 'done', doneAt: 3_000, nextCheckAt: null })).toEqual({ status: 'done', doneAt: 3_000, 'sla.nextCheckAt': null });
    expect(queueItemUpdateOf({ priority: { score: 70, reasons: ['sla-at-risk'] } })).toEqual({ priority: 70, priorityReasons: ['sla-at-risk'] });
  });
});

describe('documentConverter', () => {
  interface Verdict {
    reviewerId: string;
    at: number;
    correct?: boolean;
  }
  const converter = documentConverter<Verdict>('reviewer verdict', { reviewerId: 'string', at: 'number' });
  const snapshot = (data: unknown): QueryDocumentSnapshot => ({ data: () => data, ref: { path: 'reviewerVerdicts/i~rev-1' } }) as unknown as QueryDocumentSnapshot;

  it('reads a document whose required fields have their types, as it is', () => {
    expect(converter.fromFirestore(snapshot({ reviewerId: 'rev-1', at: 5, correct: true }))).toEqual({ reviewerId: 'rev-1', at: 5, correct: true });
  });

  it('refuses a document of another shape, naming it and every wrong field', () => {
    expect(() => converter.fromFirestore(snapshot({ reviewerId: 7 }))).toThrow('bug: reviewerVerdicts/i~rev-1 is not a reviewer verdict: reviewerId must be a string, at must be a number');
  });
});

describe('the golden case and pattern converters', () => {
  const snapshot = (path: string, data: unknown): QueryDocumentSnapshot => ({ data: () => data, ref: { path } }) as unknown as QueryDocumentSnapshot;

  it('read a golden case as loaded, and refuse one without its queue or known answer', () => {
    const golden = { goldenId: 'g-1', useCase: 'vehicle-cleanliness', queue: 'cleanliness-review', expectedOutcome: 'fee_waived', loadedAt: 7 };
    expect(goldenCaseConverter.fromFirestore(snapshot('goldenCases/g-1', golden))).toEqual(golden);
    expect(() => goldenCaseConverter.fromFirestore(snapshot('goldenCases/g-2', { ...golden, queue: 7, expectedOutcome: undefined }))).toThrow('bug: goldenCases/g-2 is not a golden case: queue must be a string, expectedOutcome must be a string');
  });

  it('read an approved pattern, and refuse one without its outcome', () => {
    const pattern = { caseId: 'case-1', useCase: 'vehicle-damage', outcome: 'no_damage', features: { panel: 'door' }, decidedAt: 3 };
    expect(patternConverter.fromFirestore(snapshot('patterns/case-1', pattern))).toEqual(pattern);
    expect(() => patternConverter.fromFirestore(snapshot('patterns/case-2', { ...pattern, outcome: null }))).toThrow('bug: patterns/case-2 is not a pattern: outcome must be a string');
  });
});
