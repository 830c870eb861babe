import type { QueueItemDoc } from '@arbiter/case-store';
import { EventTypes, validateEventData, type ArbiterEvent } from '@arbiter/contract';
import { ManualClock } from '@arbiter/platform/testing';
import type { Principal } from '../auth';
import { InMemoryQueueItems, InMemoryReviewerQuality } from '../queue-items.test-support';
import { ClaimHints, createClaimItem, createClaimNext, createReleaseItem, type ClaimDeps } from './claims';
import { QueueCatalog } from './common';
import { damageItem, shippedPolicies } from './builders.test-support';

const policies = shippedPolicies();

const NOW = Date.parse('2026-11-18T10:00:00Z');
const MIN = 60_000;
const LEASE_MS = 15 * MIN;
const QUEUE = 'damage-review';

const reviewer = (id: string): Principal => ({ id, roles: ['reviewer'], queueRoles: ['damage-reviewer'] });
const lead: Principal = { id: 'lead-1', roles: ['lead'], queueRoles: [] };
const outsider: Principal = { id: 'rev-x', roles: ['reviewer'], queueRoles: ['cleanliness-reviewer'] };

let counter = 0;
function item(overrides: Partial<QueueItemDoc> = {}): QueueItemDoc {
  counter += 1;
  return damageItem(`case-${counter}`, NOW, overrides);
}

function setup(options: { spread?: number; random?: () => number } = {}) {
  const items = new InMemoryQueueItems();
  const quality = new InMemoryReviewerQuality(items, (reviewerId) => item({ purpose: 'golden', caseId: `golden-for-${reviewerId}`, itemId: `golden-for-${reviewerId}~decision`, sla: { sent: [], nextCheckAt: null } }));
  const clock = new ManualClock(new Date(NOW));
  // Deterministic "random": increasing, so the pool keeps its priority order (and a draw of 1+ serves no extra golden case).
  let draws = 0;
  const deps: ClaimDeps = { items, quality, policies, clock, catalog: new QueueCatalog(policies), leaseMs: LEASE_MS, spread: options.spread ?? 1, random: options.random ?? (() => (draws += 1)), hints: new ClaimHints() };
  return { items, quality, clock, claimNext: createClaimNext(deps), claimItem: createClaimItem(deps), releaseItem: createReleaseItem(deps) };
}

const types = (events: readonly ArbiterEvent[]) => events.map((e) => e.type);
function expectValid(events: readonly ArbiterEvent[]): void {
  for (const e of events) expect(validateEventData(e.type, e.data)).toMatchObject({ ok: true });
}

describe('claim next', () => {
  it('claims the top of the queue with a lease, its timer and case.claimed', async () => {
    const { items, claimNext } = setup();
    const low = item({ priority: 5 });
    const top = item({ priority: 50 });
    [low, top].forEach((i) => items.put(i));

    const result = await claimNext(reviewer('rev-1'), QUEUE);
    expect(result).toMatchObject({ ok: true, value: { item: { itemId: top.itemId, status: 'claimed', claim: { reviewerId: 'rev-1', leaseUntil: new Date(NOW + LEASE_MS).toISOString() } }, attempts: 1 } });
    expect(items.items.get(top.itemId)).toMatchObject({ status: 'claimed', claim: { reviewerId: 'rev-1', role: 'reviewer', leaseUntil: NOW + LEASE_MS, claimedAt: NOW } });
    expect(items.items.get(low.itemId)?.status).toBe('open');
    expect(items.leaseTimers).toEqual([`${top.itemId}@${NOW + LEASE_MS}`]);
    expect(types(items.staged)).toEqual([EventTypes.caseClaimed]);
    expect(items.staged[0]?.data).toEqual({ caseId: top.caseId, useCase: 'vehicle-damage', queue: QUEUE, claimedBy: { id: 'rev-1', role: 'reviewer' }, leaseUntil: new Date(NOW + LEASE_MS).toISOString(), claimedAt: new Date(NOW).toISOString() });
    expectValid(items.staged);
  });

  it('gives a reviewer who holds a live claim that item back, without claiming another', async () => {
    const { items, claimNext } = setup();
    const held = item({ status: 'claimed', claim: { reviewerId: 'rev-1', role: 'reviewer', leaseUntil: NOW + 5 * MIN, claimedAt: NOW - MIN } });
    const other = item({ priority: 99 });
    [held, other].forEach((i) => items.put(i));
    expect(await claimNext(reviewer('rev-1'), QUEUE)).toMatchObject({ ok: true, value: { item: { itemId: held.itemId }, attempts: 0 } });
    expect(items.staged).toEqual([]);
    expect(items.items.get(other.itemId)?.status).toBe('open');
  });

  it('moves on to the next item when another reviewer won the race for the first', async () => {
    const { items, claimNext } = setup();
    const first = item({ priority: 50 });
    const second = item({ priority: 40 });
    [first, second].forEach((i) => items.put(i));
    items.beforeClaim = (itemId) => {
      if (itemId !== first.itemId) return;
      items.beforeClaim = undefined;
      items.put({ ...(items.items.get(itemId) as QueueItemDoc), status: 'claimed', claim: { reviewerId: 'rev-2', role: 'reviewer', leaseUntil: NOW + LEASE_MS, claimedAt: NOW } });
    };
    expect(await claimNext(reviewer('rev-1'), QUEUE)).toMatchObject({ ok: true, value: { item: { itemId: second.itemId }, attempts: 2 } });
    expect(items.items.get(first.itemId)?.claim?.reviewerId).toBe('rev-2');
    expect(items.staged.map((e) => e.subject)).toEqual([second.caseId]);
  });

  it('takes over a claim whose lease ran out, announcing its release first', async () => {
    const { items, claimNext } = setup();
    const lapsed = item({ status: 'claimed', claim: { reviewerId: 'rev-2', role: 'reviewer', leaseUntil: NOW - 1, claimedAt: NOW - LEASE_MS } });
    items.put(lapsed);
    expect(await claimNext(reviewer('rev-1'), QUEUE)).toMatchObject({ ok: true, value: { item: { itemId: lapsed.itemId, claim: { reviewerId: 'rev-1' } } } });
    expect(types(items.staged)).toEqual([EventTypes.caseReleased, EventTypes.caseClaimed]);
    expect(items.staged[0]?.data).toMatchObject({ reason: 'lease-expired', releasedBy: { id: 'review-queue', role: 'system' } });
    expectValid(items.staged);
  });

  it('serves a reviewer flagged below the quality bar a golden case first, at the policy’s rate', async () => {
    const flagged = { known: 4, correct: 2, accuracy: 0.5, pairs: 0, kappa: null, flagged: true, reasons: ['accuracy 50% below 90%'] };
    const drawn = setup({ random: () => 0 });
    const real = item({ priority: 99 });
    drawn.items.put(real);
    drawn.quality.standings.set('rev-1', flagged);
    expect(await drawn.claimNext(reviewer('rev-1'), QUEUE)).toMatchObject({ ok: true, value: { item: { itemId: 'golden-for-rev-1~decision', purpose: 'decision' }, attempts: 1 } });
    expect(drawn.items.items.get(real.itemId)?.status).toBe('open');

    // Not drawn (at or above the rate), or in good standing: the real work.
    const notDrawn = setup({ random: () => 0.99 });
    notDrawn.items.put(real);
    notDrawn.quality.standings.set('rev-1', flagged);
    expect(await notDrawn.claimNext(reviewer('rev-1'), QUEUE)).toMatchObject({ ok: true, value: { item: { itemId: real.itemId } } });
    const good = setup({ random: () => 0 });
    good.items.put(real);
    expect(await good.claimNext(reviewer('rev-1'), QUEUE)).toMatchObject({ ok: true, value: { item: { itemId: real.itemId } } });
    expect([...drawn.quality.served, ...notDrawn.quality.served, ...good.quality.served]).toEqual(['golden-for-rev-1~decision']);
  });

  it('answers no item for an empty queue, and never hands a double review to the reviewer it checks', async () => {
    const { items, claimNext } = setup();
    expect(await claimNext(reviewer('rev-1'), QUEUE)).toEqual({ ok: true, value: { item: null, attempts: 0 } });
    items.put(item({ purpose: 'double-review', excludeReviewers: ['rev-1'] }));
    expect(await claimNext(reviewer('rev-1'), QUEUE)).toEqual({ ok: true, value: { item: null, attempts: 0 } });
    expect(items.staged).toEqual([]);
  });

  it('returns failures as values: an unknown queue, a queue the caller may not work', async () => {
    const { items, claimNext } = setup();
    items.put(item());
    expect(await claimNext(reviewer('rev-1'), 'no-such-queue')).toMatchObject({ ok: false, error: { code: 'QUEUE.NOT_FOUND' } });
    expect(await claimNext(outsider, QUEUE)).toMatchObject({ ok: false, error: { code: 'AUTH.FORBIDDEN' } });
    expect(items.staged).toEqual([]);
  });
});

describe('claim one item', () => {
  it('claims an open item, and renews the holder’s own claim without moving claimedAt or shortening it', async () => {
    const { items, clock, claimItem } = setup();
    const open = item();
    items.put(open);
    expect(await claimItem(reviewer('rev-1'), open.itemId)).toMatchObject({ ok: true, value: { itemId: open.itemId, status: 'claimed' } });
    clock.set(new Date(NOW + 5 * MIN));
    expect(await claimItem(reviewer('rev-1'), open.itemId)).toMatchObject({ ok: true });
    expect(items.items.get(open.itemId)?.claim).toEqual({ reviewerId: 'rev-1', role: 'reviewer', leaseUntil: NOW + 5 * MIN + LEASE_MS, claimedAt: NOW });
    expect(items.leaseTimers).toEqual([`${open.itemId}@${NOW + LEASE_MS}`, `${open.itemId}@${NOW + 5 * MIN + LEASE_MS}`]);
  });

  it('says who holds an item claimed by someone else, and refuses done, waiting and unknown items', async () => {
    const { items, claimItem } = setup();
    const taken = item({ status: 'claimed', claim: { reviewerId: 'rev-2', role: 'reviewer', leaseUntil: NOW + 5 * MIN, claimedAt: NOW } });
    const done = item({ status: 'done', doneAt: NOW });
    const waiting = item({ status: 'awaiting-evidence' });
    [taken, done, waiting].forEach((i) => items.put(i));
    expect(await claimItem(reviewer('rev-1'), taken.itemId)).toEqual({ ok: false, error: { code: 'ITEM.CLAIMED_BY_OTHER', message: `item ${taken.itemId} is claimed by rev-2 until ${new Date(NOW + 5 * MIN).toISOString()}` } });
    expect(await claimItem(reviewer('rev-1'), done.itemId)).toMatchObject({ ok: false, error: { code: 'ITEM.CONFLICT' } });
    expect(await claimItem(reviewer('rev-1'), waiting.itemId)).toMatchObject({ ok: false, error: { code: 'ITEM.CONFLICT', message: expect.stringContaining('waiting for evidence') } });
    expect(await claimItem(reviewer('rev-1'), 'no-such~decision')).toMatchObject({ ok: false, error: { code: 'ITEM.NOT_FOUND' } });
    expect(await claimItem(outsider, taken.itemId)).toMatchObject({ ok: false, error: { code: 'AUTH.FORBIDDEN' } });
    expect(items.staged).toEqual([]);
  });
});

describe('release', () => {
  const claimed = (reviewerId: string) => item({ status: 'claimed', claim: { reviewerId, role: 'reviewer', leaseUntil: NOW + 5 * MIN, claimedAt: NOW - MIN } });

  it('puts the holder’s own claim back in the queue, with case.released', async () => {
    const { items, releaseItem } = setup();
    const mine = claimed('rev-1');
    items.put(mine);
    expect(await releaseItem(reviewer('rev-1'), mine.itemId, {})).toMatchObject({ ok: true, value: { item: { itemId: mine.itemId, status: 'open' } } });
    expect(items.items.get(mine.itemId)?.status).toBe('open');
    expect(items.items.get(mine.itemId)).not.toHaveProperty('claim');
    expect(items.staged.map((e) => e.data)).toEqual([expect.objectContaining({ reason: 'released', releasedBy: { id: 'rev-1', role: 'reviewer' } })]);
    expectValid(items.staged);
  });

  it('lets a lead reassign anyone’s claim, with a fresh lease and its timer', async () => {
    const { items, releaseItem } = setup();
    const theirs = claimed('rev-2');
    items.put(theirs);
    expect(await releaseItem(lead, theirs.itemId, { reassignTo: 'rev-3' })).toMatchObject({ ok: true, value: { reassignedTo: 'rev-3', item: { claim: { reviewerId: 'rev-3' } } } });
    expect(items.items.get(theirs.itemId)).toMatchObject({ status: 'claimed', claim: { reviewerId: 'rev-3', role: 'reviewer', leaseUntil: NOW + LEASE_MS, claimedAt: NOW } });
    expect(items.leaseTimers).toEqual([`${theirs.itemId}@${NOW + LEASE_MS}`]);
    expect(types(items.staged)).toEqual([EventTypes.caseReleased, EventTypes.caseClaimed]);
    expect(items.staged[0]?.data).toMatchObject({ reason: 'reassigned', releasedBy: { id: 'lead-1', role: 'lead' }, reassignedTo: { id: 'rev-3', role: 'reviewer' } });
    expectValid(items.staged);
  });

  it('refuses, as values and without writing: someone else’s claim, a reviewer reassigning, an unclaimed item', async () => {
    const { items, releaseItem } = setup();
    const theirs = claimed('rev-2');
    const open = item();
    [theirs, open].forEach((i) => items.put(i));
    expect(await releaseItem(reviewer('rev-1'), theirs.itemId, {})).toMatchObject({ ok: false, error: { code: 'AUTH.FORBIDDEN' } });
    expect(await releaseItem(reviewer('rev-2'), theirs.itemId, { reassignTo: 'rev-3' })).toMatchObject({ ok: false, error: { code: 'AUTH.FORBIDDEN', message: 'only a lead may reassign a claim' } });
    expect(await releaseItem(reviewer('rev-1'), open.itemId, {})).toMatchObject({ ok: false, error: { code: 'ITEM.CONFLICT' } });
    expect(await releaseItem(lead, 'no-such~decision', {})).toMatchObject({ ok: false, error: { code: 'ITEM.NOT_FOUND' } });
    expect(items.items.get(theirs.itemId)?.claim?.reviewerId).toBe('rev-2');
    expect(items.staged).toEqual([]);
    expect(items.leaseTimers).toEqual([]);
  });
});
