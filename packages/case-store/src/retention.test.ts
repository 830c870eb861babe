import { Collections } from './documents';
import { caseExpiry, ExpiryField, markerExpiry, REDELIVERY_WINDOW_MS, RetainedCollections } from './retention';

const withCaseDays = (caseDays: number) => ({ privacy: { redact: [], retention: { caseDays, auditDays: 1095, evidenceDays: 365 } } });

describe('case retention', () => {
  it('expires a case caseDays after it opened, from its own policy', () => {
    const openedAt = Date.parse('2026-11-21T12:00:00Z');
    expect(caseExpiry(withCaseDays(90), openedAt)).toEqual(new Date('2027-02-19T12:00:00Z'));
    expect(caseExpiry(withCaseDays(365), openedAt)).toEqual(new Date('2027-11-21T12:00:00Z'));
    expect(caseExpiry(withCaseDays(1), openedAt).getTime() - openedAt).toBe(86_400_000);
  });

  it('is a Date, which Firestore stores as the Timestamp a TTL policy needs', () => {
    expect(caseExpiry(withCaseDays(30), 0)).toBeInstanceOf(Date);
    expect(ExpiryField).toBe('expireAt');
  });

  it('covers every collection that holds a case’s state or grows with its events', () => {
    expect([...RetainedCollections].sort()).toEqual([Collections.auditCaseUseCases, Collections.auditLedger, Collections.cases, Collections.patterns, Collections.processed, Collections.queueItems, Collections.reviewerVerdicts, Collections.routings].sort());
  });

  it('expires an event’s marker caseDays after it was written, never within the 7-day redelivery window', () => {
    const writtenAt = Date.parse('2026-11-21T12:00:00Z');
    expect(markerExpiry(withCaseDays(90), writtenAt)).toEqual(new Date('2027-02-19T12:00:00Z'));
    expect(markerExpiry(withCaseDays(1), writtenAt).getTime() - writtenAt).toBe(REDELIVERY_WINDOW_MS);
    expect(REDELIVERY_WINDOW_MS).toBe(7 * 86_400_000);
  });
});
