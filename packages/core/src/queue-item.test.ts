import fc from 'fast-check';
import {
  applyQueueItemChange,
  claimItem,
  completeItem,
  expireLease,
  holdsClaim,
  isClaimable,
  reassignItem,
  releaseItem,
  type QueueItemClaim,
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
  it('finishes an item from any status but done, keeping its claim', () => {
    for (const item of [open, waiting, liveBy('rev-1'), lapsedBy('rev-1')]) {
      expect(completeItem(item, NOW)).toEqual({ ok: true, value: { change: { status: 'done', doneAt: NOW } } });
    }
    expect(applyQueueItemChange(liveBy('rev-1'), { status: 'done', doneAt: NOW })).toEqual({ ...liveBy('rev-1'), status: 'done', doneAt: NOW });
  });

  it('is a no-op on a done item', () => {
    expect(completeItem(done, NOW)).toEqual({ ok: true, value: { change: {} } });
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
      fc.property(anyItem, anyNow, anyNow, anyClaimant, (item, now, later, claimant) => {
        const first = completeItem(item, now);
        if (!first.ok) throw new Error('completeItem refused');
        const after = applyQueueItemChange(item, first.value.change);
        expect(after.status).toBe('done');
        expect(after.doneAt).toBe(item.status === 'done' ? item.doneAt : now);
        const again = completeItem(after, later);
        expect(again).toEqual({ ok: true, value: { change: {} } });
        expect(codeOf(claimItem(after, claimant, later, { leaseMs: LEASE, renewOwn: true }))).toBe('QUEUE_ITEM.DONE');
        expect(codeOf(releaseItem(after, { reviewerId: claimant.reviewerId, mayReleaseOthers: true }))).toBe('QUEUE_ITEM.NOT_CLAIMED');
        expect(codeOf(expireLease(after, later))).toBe('QUEUE_ITEM.NOT_CLAIMED');
      }),
    );
  });

  it('any run of allowed transitions from an open item keeps it sound: open and claimed agree with the claim, done stays done', () => {
    type Step = { op: 'claim' | 'renew' | 'release' | 'reassign' | 'expire' | 'complete'; who: { reviewerId: string; role: string }; lead: boolean; advance: number; leaseMs: number };
    const anyStep: fc.Arbitrary<Step> = fc.record({
      op: fc.constantFrom<Step['op']>('claim', 'renew', 'release', 'reassign', 'expire', 'complete'),
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
                    : completeItem(item, now);
          const wasDone = item.status === 'done';
          if (result.ok) item = applyQueueItemChange(item, result.value.change);
          if (wasDone) expect(item.status).toBe('done');
          if (item.status === 'open') expect(item.claim).toBeUndefined();
          if (item.status === 'claimed') expect(item.claim).toBeDefined();
          if (item.status === 'awaiting-evidence') throw new Error('no transition here leads to awaiting-evidence');
        }
      }),
    );
  });
});
