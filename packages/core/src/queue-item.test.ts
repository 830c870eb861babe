import fc from 'fast-check';
import {
  applyQueueItemChange,
  awaitEvidence,
  claimItem,
  completeItem,
  expireLease,
  holdForDecision,
  holdsClaim,
  isClaimable,
  mergeChanges,
  openItem,
  orderOfWorkItem,
  reassignItem,
  recordSlaCheck,
  releaseItem,
  rerankItem,
  restoreItem,
  returnToQueue,
  type QueueItemChange,
  type QueueItemClaim,
  type QueueItemOrder,
  type QueueItemState,
  type QueueItemStatus,
} from './queue-item';

const NOW = Date.parse('2026-12-07T10:00:00Z');
const MIN = 60_000;
const LEASE = 15 * MIN;
const rev1 = { reviewerId: 'rev-1', role: 'reviewer' };
const rev2 = { reviewerId: 'rev-2', role: 'reviewer' };

const claimOf = (reviewerId: string, leaseUntil: number, claimedAt = NOW - 10 * MIN): QueueItemClaim => ({ reviewerId, role: 'reviewer', leaseUntil, claimedAt });
const open: QueueItemState = { status: 'open' };
const done: QueueItemState = { status: 'done' };
const waiting: QueueItemState = { status: 'awaiting-evidence' };
const liveBy = (reviewerId: string): QueueItemState => ({ status: 'claimed', claim: claimOf(reviewerId, NOW + 5 * MIN) });
const lapsedBy = (reviewerId: string): QueueItemState => ({ status: 'claimed', claim: claimOf(reviewerId, NOW) });

const codeOf = (result: { ok: boolean; error?: { code: string } }): string | undefined => (result.ok ? undefined : result.error?.code);

describe('QueueItemChange', () => {
  it('either stores a claim or removes it, never both (a compile-time rule, checked by tsc -p tsconfig.tests.json)', () => {
    const stores: QueueItemChange = { status: 'claimed', claim: claimOf('rev-1', NOW + LEASE) };
    const removes: QueueItemChange = { status: 'open', releaseClaim: true };
    // @ts-expect-error a change that sets and removes the claim at once has no meaning
    const both: QueueItemChange = { status: 'claimed', claim: claimOf('rev-1', NOW + LEASE), releaseClaim: true };
    expect(applyQueueItemChange(open, stores)).toEqual({ status: 'claimed', claim: claimOf('rev-1', NOW + LEASE) });
    expect(applyQueueItemChange(liveBy('rev-2'), removes)).toEqual({ status: 'open' });
    expect(both.releaseClaim).toBe(true);
  });
});

describe('claimItem', () => {
  it('claims an open item under a new lease', () => {
    expect(claimItem(open, rev1, NOW, { leaseMs: LEASE })).toEqual({ ok: true, value: { change: { status: 'claimed', claim: { reviewerId: 'rev-1', role: 'reviewer', leaseUntil: NOW + LEASE, claimedAt: NOW } } } });
  });

  it('claims over a lease that ran out (at its very end), naming the lapsed claim', () => {
    const item = lapsedBy('rev-2');
    expect(claimItem(item, rev1, NOW, { leaseMs: LEASE })).toEqual({ ok: true, value: { change: { status: 'claimed', claim: { reviewerId: 'rev-1', role: 'reviewer', leaseUntil: NOW + LEASE, claimedAt: NOW } }, lapsed: item.claim } });
  });

  it('claims anew, without renewing, the claimant’s own lapsed claim', () => {
    const item = lapsedBy('rev-1');
    expect(claimItem(item, rev1, NOW, { leaseMs: LEASE, renewOwn: true })).toMatchObject({ ok: true, value: { change: { claim: { claimedAt: NOW } }, lapsed: item.claim } });
  });

  it('renews the claimant’s own live claim, keeping when it was taken, never shortening the lease', () => {
    const item = liveBy('rev-1');
    expect(claimItem(item, rev1, NOW, { leaseMs: LEASE, renewOwn: true })).toEqual({ ok: true, value: { change: { status: 'claimed', claim: { ...item.claim, leaseUntil: NOW + LEASE } } } });
    expect(claimItem(item, rev1, NOW, { leaseMs: MIN, renewOwn: true })).toEqual({ ok: true, value: { change: { status: 'claimed', claim: item.claim } } });
  });

  it('refuses a done item, one waiting for evidence, someone else’s live claim, and an own live claim not asked to renew', () => {
    expect(codeOf(claimItem(done, rev1, NOW, { leaseMs: LEASE }))).toBe('QUEUE_ITEM.DONE');
    expect(codeOf(claimItem(waiting, rev1, NOW, { leaseMs: LEASE, renewOwn: true }))).toBe('QUEUE_ITEM.AWAITING_EVIDENCE');
    expect(codeOf(claimItem(liveBy('rev-2'), rev1, NOW, { leaseMs: LEASE, renewOwn: true }))).toBe('QUEUE_ITEM.CLAIMED_BY_OTHER');
    expect(codeOf(claimItem(liveBy('rev-1'), rev1, NOW, { leaseMs: LEASE }))).toBe('QUEUE_ITEM.ALREADY_HELD');
  });
});

describe('releaseItem', () => {
  it('lets the holder release, live lease or not', () => {
    const change = { status: 'open', releaseClaim: true };
    expect(releaseItem(liveBy('rev-1'), { reviewerId: 'rev-1', mayReleaseOthers: false })).toEqual({ ok: true, value: { change } });
    expect(releaseItem(lapsedBy('rev-1'), { reviewerId: 'rev-1', mayReleaseOthers: false })).toEqual({ ok: true, value: { change } });
  });

  it('lets a lead release someone else’s claim; nobody else', () => {
    expect(releaseItem(liveBy('rev-2'), { reviewerId: 'lead-1', mayReleaseOthers: true })).toMatchObject({ ok: true });
    expect(codeOf(releaseItem(liveBy('rev-2'), { reviewerId: 'rev-1', mayReleaseOthers: false }))).toBe('QUEUE_ITEM.CLAIMED_BY_OTHER');
  });

  it('refuses an item nobody holds', () => {
    for (const item of [open, done, waiting, { status: 'claimed' } as QueueItemState]) {
      expect(codeOf(releaseItem(item, { reviewerId: 'rev-1', mayReleaseOthers: true }))).toBe('QUEUE_ITEM.NOT_CLAIMED');
    }
  });
});

describe('reassignItem', () => {
  it('gives a claimed item to someone else under a new lease', () => {
    expect(reassignItem(liveBy('rev-1'), rev2, NOW, LEASE)).toEqual({ ok: true, value: { change: { status: 'claimed', claim: { reviewerId: 'rev-2', role: 'reviewer', leaseUntil: NOW + LEASE, claimedAt: NOW } } } });
  });

  it('refuses an item nobody holds', () => {
    for (const item of [open, done, waiting]) expect(codeOf(reassignItem(item, rev2, NOW, LEASE))).toBe('QUEUE_ITEM.NOT_CLAIMED');
  });
});

describe('expireLease', () => {
  it('puts an item whose lease ran out back in the queue, naming the lapsed claim', () => {
    const item = lapsedBy('rev-1');
    expect(expireLease(item, NOW)).toEqual({ ok: true, value: { change: { status: 'open', releaseClaim: true }, lapsed: item.claim } });
  });

  it('refuses a live lease and an item nobody holds', () => {
    expect(codeOf(expireLease(liveBy('rev-1'), NOW))).toBe('QUEUE_ITEM.LEASE_LIVE');
    for (const item of [open, done, waiting, { status: 'claimed' } as QueueItemState]) expect(codeOf(expireLease(item, NOW))).toBe('QUEUE_ITEM.NOT_CLAIMED');
  });
});

describe('completeItem', () => {
  it('finishes an item from any status but done, keeping its claim, with no next check', () => {
    for (const item of [open, waiting, liveBy('rev-1'), lapsedBy('rev-1')]) {
      expect(completeItem(item, NOW)).toEqual({ ok: true, value: { change: { status: 'done', doneAt: NOW, nextCheckAt: null } } });
    }
    expect(applyQueueItemChange(liveBy('rev-1'), { status: 'done', doneAt: NOW })).toEqual({ ...liveBy('rev-1'), status: 'done', doneAt: NOW });
    const checked = { ...liveBy('rev-1'), sla: { sent: ['reminder'], nextCheckAt: NOW + LEASE } };
    expect(applyQueueItemChange(checked, { status: 'done', doneAt: NOW, nextCheckAt: null })).toEqual({ ...checked, status: 'done', doneAt: NOW, sla: { sent: ['reminder'], nextCheckAt: null } });
  });

  it('is a no-op on a done item, but for clearing a next check left behind', () => {
    expect(completeItem(done, NOW)).toEqual({ ok: true, value: { change: {} } });
    expect(completeItem(done, NOW, { releaseClaim: true })).toEqual({ ok: true, value: { change: {} } });
    expect(completeItem({ ...done, sla: { sent: [], nextCheckAt: null } }, NOW)).toEqual({ ok: true, value: { change: {} } });
    expect(completeItem({ ...done, sla: { sent: ['reminder'], nextCheckAt: NOW } }, NOW)).toEqual({ ok: true, value: { change: { nextCheckAt: null } } });
  });

  it('removes the claim when asked (a reviewer’s verdict)', () => {
    expect(completeItem(liveBy('rev-1'), NOW, { releaseClaim: true })).toEqual({ ok: true, value: { change: { status: 'done', doneAt: NOW, nextCheckAt: null, releaseClaim: true } } });
    expect(applyQueueItemChange(liveBy('rev-1'), { status: 'done', doneAt: NOW, releaseClaim: true })).toEqual({ status: 'done', doneAt: NOW });
  });
});

describe('recordSlaCheck', () => {
  const checked = (sent: string[], nextCheckAt: number | null): QueueItemState => ({ status: 'open', sla: { sent, nextCheckAt } });

  it('moves the next check, and records the levels sent when more were', () => {
    expect(recordSlaCheck(checked([], NOW), { sent: ['reminder'], nextCheckAt: NOW + LEASE })).toEqual({ ok: true, value: { change: { nextCheckAt: NOW + LEASE, slaSent: ['reminder'] } } });
    expect(recordSlaCheck(checked(['reminder'], NOW), { sent: ['reminder'], nextCheckAt: NOW + LEASE })).toEqual({ ok: true, value: { change: { nextCheckAt: NOW + LEASE } } });
    expect(recordSlaCheck(checked(['reminder'], NOW), { nextCheckAt: null })).toEqual({ ok: true, value: { change: { nextCheckAt: null } } });
    expect(applyQueueItemChange(checked(['reminder'], NOW), { nextCheckAt: NOW + LEASE, slaSent: ['reminder', 'escalated'] })).toEqual(checked(['reminder', 'escalated'], NOW + LEASE));
  });

  it('checks any item not done: claimed, waiting for evidence, one with no SLA bookkeeping yet', () => {
    for (const item of [liveBy('rev-1'), waiting, open]) expect(recordSlaCheck(item, { sent: ['reminder'], nextCheckAt: NOW })).toEqual({ ok: true, value: { change: { nextCheckAt: NOW, slaSent: ['reminder'] } } });
  });

  it('refuses a done item, forgetting a level sent, and a next check that is not a time', () => {
    expect(codeOf(recordSlaCheck({ ...done, sla: { sent: [], nextCheckAt: null } }, { nextCheckAt: NOW }))).toBe('QUEUE_ITEM.DONE');
    expect(recordSlaCheck(checked(['reminder', 'escalated'], NOW), { sent: ['reminder'], nextCheckAt: NOW })).toMatchObject({ ok: false, error: { code: 'QUEUE_ITEM.INVALID_SLA_CHECK', message: expect.stringContaining('escalated') } });
    expect(codeOf(recordSlaCheck(checked([], NOW), { nextCheckAt: Number.NaN }))).toBe('QUEUE_ITEM.INVALID_SLA_CHECK');
  });
});

describe('rerankItem', () => {
  const ranked: QueueItemState = { status: 'claimed', claim: claimOf('rev-1', NOW + LEASE), priority: 50, priorityReasons: ['booking-soon'] };

  it('re-ranks when the score or the reasons differ, and only then', () => {
    expect(rerankItem(ranked, { score: 70, reasons: ['booking-soon'] })).toEqual({ ok: true, value: { change: { priority: { score: 70, reasons: ['booking-soon'] } } } });
    expect(rerankItem(ranked, { score: 50, reasons: ['booking-soon', 'sla-at-risk'] })).toEqual({ ok: true, value: { change: { priority: { score: 50, reasons: ['booking-soon', 'sla-at-risk'] } } } });
    expect(rerankItem(ranked, { score: 50, reasons: ['booking-soon'] })).toEqual({ ok: true, value: { change: {} } });
    expect(applyQueueItemChange(ranked, { priority: { score: 70, reasons: [] } })).toEqual({ ...ranked, priority: 70, priorityReasons: [] });
  });

  it('refuses a done item and a score that is not a number', () => {
    expect(codeOf(rerankItem({ ...done, priority: 1, priorityReasons: [] }, { score: 2, reasons: [] }))).toBe('QUEUE_ITEM.DONE');
    expect(codeOf(rerankItem(ranked, { score: Number.NaN, reasons: [] }))).toBe('QUEUE_ITEM.INVALID_PRIORITY');
  });
});

describe('mergeChanges', () => {
  it('writes an SLA check and a re-rank of one look as one change', () => {
    const check = recordSlaCheck({ status: 'open', sla: { sent: [], nextCheckAt: NOW } }, { sent: ['reminder'], nextCheckAt: NOW + LEASE });
    const rerank = rerankItem({ status: 'open', priority: 10, priorityReasons: [] }, { score: 70, reasons: ['sla-at-risk'] });
    if (!check.ok || !rerank.ok) throw new Error('refused');
    expect(mergeChanges(check.value.change, rerank.value.change)).toEqual({ nextCheckAt: NOW + LEASE, slaSent: ['reminder'], priority: { score: 70, reasons: ['sla-at-risk'] } });
  });

  it('refuses at compile time two changes that set one field or store and remove the claim (checked by tsc -p tsconfig.tests.json)', () => {
    const claimed = { status: 'claimed' as const, claim: claimOf('rev-1', NOW + LEASE) };
    // @ts-expect-error two statuses at once have no meaning
    const twoStatuses = mergeChanges(claimed, { status: 'open' as const });
    // @ts-expect-error a claim stored and removed at once has no meaning
    const storedAndRemoved = mergeChanges({ claim: claimOf('rev-1', NOW + LEASE) }, { releaseClaim: true as const });
    // @ts-expect-error two next checks at once have no meaning
    const twoChecks = mergeChanges({ nextCheckAt: NOW }, { nextCheckAt: null });
    // Were they written anyway, the later change would silently win: why the compiler refuses them.
    expect([twoStatuses, storedAndRemoved, twoChecks] as unknown[]).toEqual([{ status: 'open', claim: claimed.claim }, { claim: claimed.claim, releaseClaim: true }, { nextCheckAt: null }]);
  });
});

describe('awaitEvidence', () => {
  it('parks an open or claimed item, the claim removed', () => {
    for (const item of [open, liveBy('rev-1'), lapsedBy('rev-2')]) {
      expect(awaitEvidence(item)).toEqual({ ok: true, value: { change: { status: 'awaiting-evidence', releaseClaim: true } } });
    }
  });

  it('refuses a done item and one already waiting', () => {
    expect(codeOf(awaitEvidence(done))).toBe('QUEUE_ITEM.DONE');
    expect(codeOf(awaitEvidence(waiting))).toBe('QUEUE_ITEM.AWAITING_EVIDENCE');
  });
});

describe('returnToQueue', () => {
  it('puts an item waiting for evidence, an open or a claimed one back in the queue, the claim removed', () => {
    for (const item of [waiting, open, liveBy('rev-1'), lapsedBy('rev-2')]) {
      expect(returnToQueue(item)).toEqual({ ok: true, value: { change: { status: 'open', releaseClaim: true } } });
    }
  });

  it('refuses a done item', () => {
    expect(codeOf(returnToQueue(done))).toBe('QUEUE_ITEM.DONE');
  });
});

describe('holdForDecision', () => {
  const lead = { reviewerId: 'lead-1', role: 'lead' };

  it('gives an open item, one waiting for evidence, or someone else’s claim (live or not), to the decider from now', () => {
    for (const item of [open, waiting, liveBy('rev-2'), lapsedBy('rev-2')]) {
      expect(holdForDecision(item, lead, NOW, LEASE)).toEqual({ ok: true, value: { change: { status: 'claimed', claim: { reviewerId: 'lead-1', role: 'lead', leaseUntil: NOW + LEASE, claimedAt: NOW } } } });
    }
  });

  it('keeps when the decider’s own claim (live or lapsed) was taken, never shortening its lease', () => {
    const live = liveBy('rev-1');
    expect(holdForDecision(live, rev1, NOW, LEASE)).toEqual({ ok: true, value: { change: { status: 'claimed', claim: { ...live.claim, leaseUntil: NOW + LEASE } } } });
    expect(holdForDecision(live, rev1, NOW, MIN)).toEqual({ ok: true, value: { change: { status: 'claimed', claim: live.claim } } });
    const lapsed = lapsedBy('rev-1');
    expect(holdForDecision(lapsed, rev1, NOW, LEASE)).toMatchObject({ ok: true, value: { change: { claim: { claimedAt: lapsed.claim?.claimedAt, leaseUntil: NOW + LEASE } } } });
  });

  it('refuses a done item', () => {
    expect(codeOf(holdForDecision(done, rev1, NOW, LEASE))).toBe('QUEUE_ITEM.DONE');
  });
});

describe('restoreItem', () => {
  it('gives the decider’s own claim a working lease again, never shortened', () => {
    const before = lapsedBy('rev-1');
    expect(restoreItem(before, rev1, NOW, LEASE)).toEqual({ ok: true, value: { change: { status: 'claimed', claim: { ...before.claim, leaseUntil: NOW + LEASE } } } });
    const long = { status: 'claimed' as const, claim: claimOf('rev-1', NOW + 2 * LEASE) };
    expect(restoreItem(long, rev1, NOW, LEASE)).toEqual({ ok: true, value: { change: long } });
  });

  it('gives someone else’s claim back as it was', () => {
    const before = lapsedBy('rev-2');
    expect(restoreItem(before, rev1, NOW, LEASE)).toEqual({ ok: true, value: { change: before } });
  });

  it('puts an unclaimed item back in its status without a claim', () => {
    for (const before of [open, waiting, { status: 'claimed' } as QueueItemState]) {
      expect(restoreItem(before, rev1, NOW, LEASE)).toEqual({ ok: true, value: { change: { status: before.status, releaseClaim: true } } });
    }
  });
});

describe('the rules, for any item', () => {
  const reviewers = ['rev-1', 'rev-2', 'rev-3'];
  const anyClaim = fc.record({
    reviewerId: fc.constantFrom(...reviewers),
    role: fc.constantFrom('reviewer', 'lead'),
    leaseUntil: fc.integer({ min: NOW - 2 * LEASE, max: NOW + 2 * LEASE }),
    claimedAt: fc.integer({ min: NOW - 4 * LEASE, max: NOW }),
  });
  const anyStatus = fc.constantFrom<QueueItemStatus>('open', 'claimed', 'awaiting-evidence', 'done');
  /** Any item, including ones no writer should leave (claimed without a claim, open with one). */
  const anyItem: fc.Arbitrary<QueueItemState & { doneAt?: number }> = fc.record({ status: anyStatus, claim: anyClaim }, { requiredKeys: ['status'] });
  const anyClaimant = fc.record({ reviewerId: fc.constantFrom(...reviewers), role: fc.constantFrom('reviewer', 'lead') });
  const anyNow = fc.integer({ min: NOW - LEASE, max: NOW + LEASE });
  const anyLease = fc.integer({ min: 1, max: 2 * LEASE });

  it('claimItem: allowed exactly when the item is claimable or the claimant renews a live claim; the claimant then holds it', () => {
    fc.assert(
      fc.property(anyItem, anyClaimant, anyNow, anyLease, fc.boolean(), (item, claimant, now, leaseMs, renewOwn) => {
        const result = claimItem(item, claimant, now, { leaseMs, renewOwn });
        const own = holdsClaim(item, claimant.reviewerId, now);
        expect(result.ok).toBe(isClaimable(item, now) || (renewOwn && own));
        if (!result.ok) {
          const expected = item.status === 'done' ? 'QUEUE_ITEM.DONE' : item.status === 'awaiting-evidence' ? 'QUEUE_ITEM.AWAITING_EVIDENCE' : own ? 'QUEUE_ITEM.ALREADY_HELD' : 'QUEUE_ITEM.CLAIMED_BY_OTHER';
          expect(result.error.code).toBe(expected);
          return;
        }
        const after = applyQueueItemChange(item, result.value.change);
        expect(holdsClaim(after, claimant.reviewerId, now)).toBe(true);
        expect(after.claim?.leaseUntil).toBeGreaterThanOrEqual(now + leaseMs);
        if (own) expect(after.claim).toMatchObject({ claimedAt: item.claim?.claimedAt, leaseUntil: Math.max(now + leaseMs, item.claim?.leaseUntil ?? 0) });
        else expect(after.claim?.claimedAt).toBe(now);
        expect(result.value.lapsed).toEqual(!own && item.status === 'claimed' ? item.claim : undefined);
      }),
    );
  });

  it('releaseItem: allowed exactly for a held item, to its holder or a lead; the item is then open and unclaimed', () => {
    fc.assert(
      fc.property(anyItem, fc.constantFrom(...reviewers), fc.boolean(), (item, reviewerId, mayReleaseOthers) => {
        const result = releaseItem(item, { reviewerId, mayReleaseOthers });
        const held = item.status === 'claimed' && item.claim !== undefined;
        expect(result.ok).toBe(held && (item.claim?.reviewerId === reviewerId || mayReleaseOthers));
        if (!result.ok) return expect(result.error.code).toBe(held ? 'QUEUE_ITEM.CLAIMED_BY_OTHER' : 'QUEUE_ITEM.NOT_CLAIMED');
        const after = applyQueueItemChange(item, result.value.change);
        expect(after).toEqual({ status: 'open' });
      }),
    );
  });

  it('expireLease: allowed exactly for a held item whose lease ran out; the item is then claimable by anyone', () => {
    fc.assert(
      fc.property(anyItem, anyNow, anyClaimant, (item, now, claimant) => {
        const result = expireLease(item, now);
        const held = item.status === 'claimed' && item.claim !== undefined;
        expect(result.ok).toBe(held && (item.claim?.leaseUntil ?? 0) <= now);
        if (!result.ok) return expect(result.error.code).toBe(held ? 'QUEUE_ITEM.LEASE_LIVE' : 'QUEUE_ITEM.NOT_CLAIMED');
        expect(result.value.lapsed).toEqual(item.claim);
        const after = applyQueueItemChange(item, result.value.change);
        expect(after).toEqual({ status: 'open' });
        expect(claimItem(after, claimant, now, { leaseMs: LEASE }).ok).toBe(true);
      }),
    );
  });

  it('completeItem: always allowed; done is final and completing again changes nothing', () => {
    fc.assert(
      fc.property(anyItem, anyNow, anyNow, anyClaimant, fc.boolean(), (item, now, later, claimant, releaseClaim) => {
        const first = completeItem(item, now, { releaseClaim });
        if (!first.ok) throw new Error('completeItem refused');
        const after = applyQueueItemChange(item, first.value.change);
        expect(after.status).toBe('done');
        expect(after.doneAt).toBe(item.status === 'done' ? item.doneAt : now);
        expect(after.claim).toEqual(releaseClaim && item.status !== 'done' ? undefined : item.claim);
        expect(after.sla?.nextCheckAt ?? null).toBeNull();
        const again = completeItem(after, later, { releaseClaim: true });
        expect(again).toEqual({ ok: true, value: { change: {} } });
        expect(codeOf(recordSlaCheck(after, { nextCheckAt: later }))).toBe('QUEUE_ITEM.DONE');
        expect(codeOf(rerankItem(after, { score: 1, reasons: [] }))).toBe('QUEUE_ITEM.DONE');
        expect(codeOf(claimItem(after, claimant, later, { leaseMs: LEASE, renewOwn: true }))).toBe('QUEUE_ITEM.DONE');
        expect(codeOf(releaseItem(after, { reviewerId: claimant.reviewerId, mayReleaseOthers: true }))).toBe('QUEUE_ITEM.NOT_CLAIMED');
        expect(codeOf(expireLease(after, later))).toBe('QUEUE_ITEM.NOT_CLAIMED');
        expect(codeOf(awaitEvidence(after))).toBe('QUEUE_ITEM.DONE');
        expect(codeOf(returnToQueue(after))).toBe('QUEUE_ITEM.DONE');
        expect(codeOf(holdForDecision(after, claimant, later, LEASE))).toBe('QUEUE_ITEM.DONE');
      }),
    );
  });

  it('awaitEvidence: allowed exactly for an open or claimed item; it then waits unclaimed, out of reach of claims, until returned to the queue', () => {
    fc.assert(
      fc.property(anyItem, anyNow, anyClaimant, (item, now, claimant) => {
        const result = awaitEvidence(item);
        expect(result.ok).toBe(item.status === 'open' || item.status === 'claimed');
        if (!result.ok) return expect(result.error.code).toBe(item.status === 'done' ? 'QUEUE_ITEM.DONE' : 'QUEUE_ITEM.AWAITING_EVIDENCE');
        const after = applyQueueItemChange(item, result.value.change);
        expect(after).toEqual({ status: 'awaiting-evidence' });
        expect(codeOf(claimItem(after, claimant, now, { leaseMs: LEASE, renewOwn: true }))).toBe('QUEUE_ITEM.AWAITING_EVIDENCE');
        const back = returnToQueue(after);
        if (!back.ok) throw new Error('returnToQueue refused');
        expect(isClaimable(applyQueueItemChange(after, back.value.change), now)).toBe(true);
      }),
    );
  });

  it('returnToQueue: allowed exactly for an item not done; the item is then open, unclaimed and claimable by anyone', () => {
    fc.assert(
      fc.property(anyItem, anyNow, anyClaimant, (item, now, claimant) => {
        const result = returnToQueue(item);
        expect(result.ok).toBe(item.status !== 'done');
        if (!result.ok) return expect(result.error.code).toBe('QUEUE_ITEM.DONE');
        const after = applyQueueItemChange(item, result.value.change);
        expect(after).toEqual({ status: 'open' });
        expect(claimItem(after, claimant, now, { leaseMs: LEASE }).ok).toBe(true);
      }),
    );
  });

  it('holdForDecision: allowed exactly for an item not done; the decider then holds it until now + leaseMs at least', () => {
    fc.assert(
      fc.property(anyItem, anyClaimant, anyNow, anyLease, (item, decider, now, leaseMs) => {
        const result = holdForDecision(item, decider, now, leaseMs);
        expect(result.ok).toBe(item.status !== 'done');
        if (!result.ok) return expect(result.error.code).toBe('QUEUE_ITEM.DONE');
        const after = applyQueueItemChange(item, result.value.change);
        expect(holdsClaim(after, decider.reviewerId, now)).toBe(true);
        const own = item.status === 'claimed' && item.claim?.reviewerId === decider.reviewerId ? item.claim : undefined;
        expect(after.claim).toEqual({ ...decider, leaseUntil: Math.max(own?.leaseUntil ?? 0, now + leaseMs), claimedAt: own?.claimedAt ?? now });
      }),
    );
  });

  it('restoreItem after holdForDecision: the item is as it was, the decider’s own claim with a working lease', () => {
    /** What a hold can start from, as a writer leaves it: open or waiting without a claim, or claimed with one. */
    const anyHoldable = fc.oneof(fc.constantFrom<QueueItemState>({ status: 'open' }, { status: 'awaiting-evidence' }), anyClaim.map((claim): QueueItemState => ({ status: 'claimed', claim })));
    fc.assert(
      fc.property(anyHoldable, anyClaimant, anyNow, anyLease, anyLease, (before, decider, now, holdMs, leaseMs) => {
        const held = holdForDecision(before, decider, now, holdMs);
        if (!held.ok) throw new Error('holdForDecision refused');
        const during = applyQueueItemChange(before, held.value.change);
        const restored = restoreItem(before, decider, now, leaseMs);
        if (!restored.ok) throw new Error('restoreItem refused');
        const after = applyQueueItemChange(during, restored.value.change);
        const own = before.claim?.reviewerId === decider.reviewerId;
        expect(after).toEqual(own && before.claim ? { status: 'claimed', claim: { ...before.claim, leaseUntil: Math.max(before.claim.leaseUntil, now + leaseMs) } } : before);
      }),
    );
  });

  it('any run of allowed transitions from an open item keeps it sound: open and waiting items have no claim, claimed ones have one, done stays done', () => {
    type Step = { op: 'claim' | 'renew' | 'release' | 'reassign' | 'expire' | 'complete' | 'finish' | 'await' | 'return' | 'hold'; who: { reviewerId: string; role: string }; lead: boolean; advance: number; leaseMs: number };
    const anyStep: fc.Arbitrary<Step> = fc.record({
      op: fc.constantFrom<Step['op']>('claim', 'renew', 'release', 'reassign', 'expire', 'complete', 'finish', 'await', 'return', 'hold'),
      who: anyClaimant,
      lead: fc.boolean(),
      advance: fc.integer({ min: 0, max: LEASE }),
      leaseMs: anyLease,
    });
    fc.assert(
      fc.property(fc.array(anyStep, { maxLength: 30 }), (steps) => {
        let item: QueueItemState & { doneAt?: number } = { status: 'open' };
        let now = NOW;
        for (const step of steps) {
          now += step.advance;
          const result =
            step.op === 'claim' || step.op === 'renew'
              ? claimItem(item, step.who, now, { leaseMs: step.leaseMs, renewOwn: step.op === 'renew' })
              : step.op === 'release'
                ? releaseItem(item, { reviewerId: step.who.reviewerId, mayReleaseOthers: step.lead })
                : step.op === 'reassign'
                  ? reassignItem(item, step.who, now, step.leaseMs)
                  : step.op === 'expire'
                    ? expireLease(item, now)
                    : step.op === 'await'
                      ? awaitEvidence(item)
                      : step.op === 'return'
                        ? returnToQueue(item)
                        : step.op === 'hold'
                          ? holdForDecision(item, step.who, now, step.leaseMs)
                          : completeItem(item, now, { releaseClaim: step.op === 'finish' });
          const wasDone = item.status === 'done';
          if (result.ok) item = applyQueueItemChange(item, result.value.change);
          if (wasDone) expect(item.status).toBe('done');
          if (item.status === 'open' || item.status === 'awaiting-evidence') expect(item.claim).toBeUndefined();
          if (item.status === 'claimed') expect(item.claim).toBeDefined();
        }
      }),
    );
  });
});

describe('the SLA bookkeeping, for any run of looks', () => {
  it('levels sent never shrink, and a done item never gets a next check again', () => {
    type Look = { op: 'check' | 'rerank' | 'complete' | 'claim'; keep: number; add: string[]; next: number | null; score: number };
    const anyLook: fc.Arbitrary<Look> = fc.record({
      op: fc.constantFrom<Look['op']>('check', 'check', 'rerank', 'complete', 'claim'),
      keep: fc.nat({ max: 4 }),
      add: fc.subarray(['reminder', 'escalated', 'on-call']),
      next: fc.option(fc.integer({ min: NOW, max: NOW + 10 * LEASE }), { nil: null }),
      score: fc.integer({ min: 0, max: 100 }),
    });
    fc.assert(
      fc.property(fc.array(anyLook, { maxLength: 25 }), (looks) => {
        let item: QueueItemState = { status: 'open', sla: { sent: [], nextCheckAt: NOW }, priority: 0, priorityReasons: [] };
        for (const look of looks) {
          const before = item;
          const sent = before.sla?.sent ?? [];
          // `keep`: how many of the levels sent the look still names (fewer: it would go backwards).
          const named = [...sent.slice(0, look.keep), ...look.add.filter((key) => !sent.includes(key))];
          const result =
            look.op === 'check'
              ? recordSlaCheck(item, { sent: named, nextCheckAt: look.next })
              : look.op === 'rerank'
                ? rerankItem(item, { score: look.score, reasons: look.score > 50 ? ['sla-at-risk'] : [] })
                : look.op === 'claim'
                  ? claimItem(item, rev1, NOW, { leaseMs: LEASE })
                  : completeItem(item, NOW);
          if (look.op === 'check' && before.status !== 'done') expect(result.ok).toBe(sent.every((key) => named.includes(key)));
          if (result.ok) item = applyQueueItemChange(item, result.value.change);
          expect(sent.every((key) => item.sla?.sent.includes(key))).toBe(true);
          if (item.status === 'done') expect(item.sla?.nextCheckAt ?? null).toBeNull();
          if (before.status === 'done') expect(item).toEqual(before);
        }
      }),
    );
  });
});

describe('openItem: the one way a queue item comes to be', () => {
  const summary = { label: 'scratch', confidence: 0.8, band: 'medium' as const, model: { name: 'damage-net', version: '4.1.0' }, subject: { type: 'booking', id: 'bk-1' } };
  const order: QueueItemOrder = {
    itemId: 'case-1~decision',
    caseId: 'case-1',
    useCase: 'vehicle-damage',
    queue: 'damage-review',
    purpose: 'decision',
    priority: { score: 42, reasons: ['booking soon'] },
    dueAt: NOW + 60 * MIN,
    nextCheckAt: NOW + 30 * MIN,
    batchKey: 'damage|scratch',
  };

  it('opens an item as ordered: open, unclaimed, lane 1, no SLA step sent, enqueued now', () => {
    expect(openItem(order, summary, NOW)).toEqual({
      ok: true,
      value: {
        itemId: 'case-1~decision',
        caseId: 'case-1',
        useCase: 'vehicle-damage',
        queue: 'damage-review',
        purpose: 'decision',
        status: 'open',
        lane: 1,
        priority: 42,
        priorityReasons: ['booking soon'],
        enqueuedAt: NOW,
        dueAt: NOW + 60 * MIN,
        batchKey: 'damage|scratch',
        blind: false,
        sla: { sent: [], nextCheckAt: NOW + 30 * MIN },
        summary,
      },
    });
  });

  it('makes a blind review blind, puts an item ahead when ordered, and keeps who may not take it', () => {
    const blind = openItem({ ...order, itemId: 'case-1~blind-review', purpose: 'blind-review' }, summary, NOW);
    expect(blind.ok && blind.value.blind).toBe(true);
    const ahead = openItem({ ...order, itemId: 'case-1~adjudication', purpose: 'adjudication', lane: 0, nextCheckAt: null, excludeReviewers: ['rev-1', 'rev-2'] }, summary, NOW);
    expect(ahead.ok && ahead.value).toMatchObject({ lane: 0, blind: false, excludeReviewers: ['rev-1', 'rev-2'], sla: { sent: [], nextCheckAt: null } });
  });

  it('opens an item that every rule then treats as open: claimable, and claimable by anyone', () => {
    const opened = openItem(order, summary, NOW);
    if (!opened.ok) throw new Error(opened.error.message);
    expect(isClaimable(opened.value, NOW)).toBe(true);
    expect(claimItem(opened.value, rev1, NOW, { leaseMs: LEASE })).toMatchObject({ ok: true, value: { change: { status: 'claimed' } } });
  });

  it.each([
    ['no queue', { queue: '' }, 'no queue'],
    ['no case', { caseId: '' }, 'no caseId'],
    ['a due time that is not a time', { dueAt: Number.NaN }, 'due time'],
    ['a first check that is not a time', { nextCheckAt: Number.POSITIVE_INFINITY }, 'first check'],
    ['a priority that is not a number', { priority: { score: Number.NaN, reasons: [] } }, 'priority'],
  ])('refuses an order with %s', (_what, change, message) => {
    expect(openItem({ ...order, ...change }, summary, NOW)).toMatchObject({ ok: false, error: { code: 'QUEUE_ITEM.INVALID_ORDER', message: expect.stringContaining(message) } });
  });

  it('reads an item of the router’s work order: ISO times as epoch ms; a malformed one is refused on opening', () => {
    const work = {
      purpose: 'blind-review' as const,
      queue: 'damage-review',
      priority: { score: 5, reasons: [] },
      dueAt: new Date(NOW + 60 * MIN).toISOString(),
      reminderAt: [new Date(NOW + 30 * MIN).toISOString()],
      sla: { nextCheckAt: new Date(NOW + 30 * MIN).toISOString() },
    };
    const ids = { itemId: 'case-1~blind-review', caseId: 'case-1', useCase: 'vehicle-damage' };
    expect(orderOfWorkItem(work, ids)).toEqual({ ...ids, queue: 'damage-review', purpose: 'blind-review', priority: { score: 5, reasons: [] }, dueAt: NOW + 60 * MIN, nextCheckAt: NOW + 30 * MIN });
    expect(openItem(orderOfWorkItem({ ...work, dueAt: 'soon' }, ids), summary, NOW)).toMatchObject({ ok: false, error: { code: 'QUEUE_ITEM.INVALID_ORDER' } });
  });
});
