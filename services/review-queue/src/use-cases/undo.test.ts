import { queueItemId, type CaseDoc, type QueueItemDoc } from '@arbiter/case-store';
import { ManualClock } from '@arbiter/platform/testing';
import type { Principal } from '../auth';
import { InMemoryQueueItems } from '../queue-items.test-support';
import { InMemoryReviewCases } from '../review-cases.test-support';
import { QueueCatalog } from './common';
import { createDecideBatch, createDecideCase, verdictRecorder, type DecideDeps } from './decide';
import { commitPending, createUndoBatch, createUndoDecision, startPendingCommits } from './undo';
import { quietLogger, shippedPolicies } from './builders.test-support';

const policies = shippedPolicies();

const NOW = Date.parse('2026-11-18T10:00:00Z');
const MIN = 60_000;
const WINDOW = 10_000;
const LEASE = 15 * MIN;
const logger = quietLogger();

const lead = (id: string): Principal => ({ id, roles: ['reviewer'], queueRoles: ['tech-lead'] });

function caseDoc(caseId: string): CaseDoc {
  const subject = { type: 'endpoint', id: `ep-${caseId}` };
  const model = { name: 'model', version: '1.0.0' };
  return {
    caseId,
    useCase: 'api-endpoint-batch',
    policy: { id: 'api-endpoint-batch', version: '1' },
    subject,
    model,
    prediction: { useCase: 'api-endpoint-batch', subject, model, prediction: { label: 'approve', confidence: 0.8 } },
    confidence: 0.8,
    confidenceSource: 'prediction',
    band: 'medium',
    thresholds: { high: 0.95, low: 0.7 },
    sourceEvent: { id: `pred-${caseId}`, source: '//unit/api' },
    status: 'in-review',
    openedAt: NOW - 30 * MIN,
  };
}

const claimOf = (reviewerId: string) => ({ reviewerId, role: 'reviewer', leaseUntil: NOW + 5 * MIN, claimedAt: NOW - MIN });

function item(caseId: string, overrides: Partial<QueueItemDoc> = {}): QueueItemDoc {
  return {
    itemId: queueItemId(caseId, 'decision'),
    caseId,
    useCase: 'api-endpoint-batch',
    queue: 'api-batch',
    purpose: 'decision',
    status: 'claimed',
    claim: claimOf('lead-1'),
    lane: 1,
    priority: 10,
    priorityReasons: [],
    enqueuedAt: NOW - 30 * MIN,
    dueAt: NOW + 30 * MIN,
    batchKey: 'api-batch|journey',
    blind: false,
    sla: { sent: [], nextCheckAt: NOW + 10 * MIN },
    summary: { label: 'approve', confidence: 0.8, band: 'medium', model: { name: 'model', version: '1.0.0' }, subject: { type: 'endpoint', id: `ep-${caseId}` } },
    ...overrides,
  };
}

function setup(windowMs = WINDOW) {
  const store = new InMemoryQueueItems();
  const cases = new InMemoryReviewCases(store);
  const clock = new ManualClock(new Date(NOW));
  const deps: DecideDeps = { cases, items: store, policies, clock, catalog: new QueueCatalog(policies), ...(windowMs > 0 ? { undo: { windowMs, leaseMs: LEASE, schedule: () => undefined } } : {}) };
  const put = (n: number, overrides: Partial<QueueItemDoc> = {}): string[] =>
    Array.from({ length: n }, (_, i) => {
      const caseId = `api-${i}`;
      store.cases.set(caseId, caseDoc(caseId));
      store.put(item(caseId, overrides));
      return caseId;
    });
  return {
    store,
    cases,
    clock,
    deps,
    put,
    decide: createDecideCase(deps),
    batch: createDecideBatch(deps),
    undo: createUndoDecision(deps),
    undoBatch: createUndoBatch(deps),
    commit: (itemId: string) => commitPending(deps, verdictRecorder(deps), itemId),
  };
}

describe('undo a decision', () => {
  it('within the window: the pending decision goes and the item is the decider’s again, with a working lease', async () => {
    const { store, cases, clock, put, decide, undo, commit } = setup();
    const [caseId] = put(1) as [string];
    const itemId = queueItemId(caseId, 'decision');
    const held = await decide(lead('lead-1'), caseId, { optionId: 'approve' });
    if (!held.ok) throw new Error(held.error.code + ' ' + held.error.message);
    expect(held).toMatchObject({ ok: true, value: { decided: false } });
    expect(cases.pending.has(itemId)).toBe(true);

    clock.advance(WINDOW - 1_000);
    expect(await undo(lead('lead-1'), caseId)).toEqual({ ok: true, value: { caseId, itemId, undone: true, status: 'claimed' } });
    expect(cases.pending.size).toBe(0);
    const after = store.items.get(itemId);
    expect(after).toMatchObject({ status: 'claimed', claim: { reviewerId: 'lead-1', claimedAt: NOW - MIN, leaseUntil: NOW + WINDOW - 1_000 + LEASE } });
    expect(after).not.toHaveProperty('pendingDecision');
    // Nothing is left to commit, nothing was decided or announced.
    expect(await commit(itemId)).toBe('gone');
    expect(store.cases.get(caseId)?.decision).toBeUndefined();
    expect(store.staged).toEqual([]);
  });

  it('puts back an item of a batch that was open before the decision: open again, unclaimed', async () => {
    const { store, put, batch, undoBatch } = setup();
    const itemIds = put(2, { status: 'open' }).map((caseId) => queueItemId(caseId, 'decision'));
    for (const id of itemIds) {
      const { claim: _claim, ...open } = store.items.get(id) as QueueItemDoc;
      store.put(open);
    }
    const decided = await batch(lead('lead-1'), { itemIds, optionId: 'approve-all', flagged: [] });
    if (!decided.ok) throw new Error(decided.error.message);
    for (const id of itemIds) expect(store.items.get(id)).toMatchObject({ status: 'claimed', claim: { reviewerId: 'lead-1' } });
    const undone = await undoBatch(lead('lead-1'), decided.value.batchId);
    expect(undone).toMatchObject({ ok: true, value: { results: [{ undone: true, status: 'open' }, { undone: true, status: 'open' }] } });
    for (const id of itemIds) {
      expect(store.items.get(id)).toMatchObject({ status: 'open' });
      expect(store.items.get(id)).not.toHaveProperty('claim');
      expect(store.items.get(id)).not.toHaveProperty('pendingDecision');
    }
  });

  it('is refused after the window and after the commit, and to anyone but the decider, writing nothing', async () => {
    const { store, cases, clock, put, decide, undo, commit } = setup();
    const [caseId] = put(1) as [string];
    const itemId = queueItemId(caseId, 'decision');
    await decide(lead('lead-1'), caseId, { optionId: 'approve' });
    const held = store.items.get(itemId);

    expect(await undo(lead('lead-2'), caseId)).toMatchObject({ ok: false, error: { code: 'UNDO.NOT_FOUND' } });
    clock.advance(WINDOW + 1);
    expect(await undo(lead('lead-1'), caseId)).toMatchObject({ ok: false, error: { code: 'ITEM.CONFLICT', message: expect.stringContaining('undo window') } });
    expect(cases.pending.has(itemId)).toBe(true);
    expect(store.items.get(itemId)).toEqual(held);

    expect(await commit(itemId)).toBe('committed');
    expect(await undo(lead('lead-1'), caseId)).toMatchObject({ ok: false, error: { code: 'UNDO.NOT_FOUND' } });
    expect(store.cases.get(caseId)).toMatchObject({ status: 'decided', decision: { outcome: 'approved' } });
    expect(store.items.get(itemId)).toMatchObject({ status: 'done' });
  });

  it('has nothing to undo where decisions commit at once', async () => {
    const { undo, undoBatch } = setup(0);
    expect(await undo(lead('lead-1'), 'api-0')).toMatchObject({ ok: false, error: { code: 'UNDO.NOT_FOUND', message: expect.stringContaining('ARBITER_UNDO_WINDOW') } });
    expect(await undoBatch(lead('lead-1'), 'b-1')).toMatchObject({ ok: false, error: { code: 'UNDO.NOT_FOUND' } });
  });
});

describe('undo a batch', () => {
  it('undoes every pending decision of the caller’s batch, per item', async () => {
    const { store, cases, put, batch, undoBatch } = setup();
    const itemIds = put(3).map((caseId) => queueItemId(caseId, 'decision'));
    const decided = await batch(lead('lead-1'), { itemIds, optionId: 'approve-all', flagged: [] });
    if (!decided.ok) throw new Error(decided.error.message);
    const { batchId } = decided.value;
    expect(cases.pending.size).toBe(3);

    expect(await undoBatch(lead('lead-2'), batchId)).toMatchObject({ ok: false, error: { code: 'UNDO.NOT_FOUND' } });
    const undone = await undoBatch(lead('lead-1'), batchId);
    expect(undone).toMatchObject({ ok: true, value: { batchId } });
    if (!undone.ok) return;
    expect(undone.value.results.map((r) => [r.itemId, r.undone])).toEqual(itemIds.map((id) => [id, true]));
    expect(cases.pending.size).toBe(0);
    for (const id of itemIds) expect(store.items.get(id)).toMatchObject({ status: 'claimed', claim: { reviewerId: 'lead-1' } });
    expect(store.staged).toEqual([]);
  });

  it('reports a decision of the batch committed meanwhile, and undoes the others', async () => {
    const { cases, clock, put, batch, undoBatch, deps } = setup();
    const itemIds = put(2).map((caseId) => queueItemId(caseId, 'decision'));
    const decided = await batch(lead('lead-1'), { itemIds, optionId: 'approve-all', flagged: [] });
    if (!decided.ok) throw new Error(decided.error.message);
    // The first one commits between the listing and its undo.
    const [first, second] = itemIds as [string, string];
    const listing = cases.pendingOfBatch.bind(cases);
    cases.pendingOfBatch = async (batchId, limit) => {
      const listed = await listing(batchId, limit);
      clock.advance(0);
      await commitPending(deps, verdictRecorder(deps), first);
      return listed;
    };
    const undone = await undoBatch(lead('lead-1'), decided.value.batchId);
    if (!undone.ok) throw new Error(undone.error.message);
    expect(undone.value.results).toEqual([
      { caseId: 'api-0', itemId: first, undone: false, error: { code: 'ITEM.CONFLICT', message: 'the decision on case api-0 was committed already' } },
      { caseId: 'api-1', itemId: second, undone: true, status: 'claimed' },
    ]);
  });
});

describe('the sweep of pending decisions', () => {
  it('commits every decision overdue by the grace period, exactly once, and nothing younger', async () => {
    const { store, cases, clock, put, decide, deps } = setup();
    const [a, b] = put(2) as [string, string];
    await decide(lead('lead-1'), a, { optionId: 'approve' });
    clock.advance(5_000);
    await decide(lead('lead-1'), b, { optionId: 'approve' });
    const drivers = startPendingCommits(deps, verdictRecorder(deps), { sweepEveryMs: 0, graceMs: 2_000, logger });
    try {
      clock.set(new Date(NOW + WINDOW + 1_999));
      expect(await drivers.sweep()).toBe(0);
      clock.set(new Date(NOW + WINDOW + 2_000));
      expect(await drivers.sweep()).toBe(1);
      expect(store.cases.get(a)).toMatchObject({ status: 'decided' });
      expect(store.cases.get(b)?.decision).toBeUndefined();
      clock.set(new Date(NOW + 5_000 + WINDOW + 2_000));
      expect(await drivers.sweep()).toBe(1);
      expect(await drivers.sweep()).toBe(0);
      expect(cases.pending.size).toBe(0);
      expect(store.cases.get(b)).toMatchObject({ status: 'decided', decision: { decidedAt: new Date(NOW + 5_000).toISOString() } });
    } finally {
      drivers.stop();
    }
  });
});
