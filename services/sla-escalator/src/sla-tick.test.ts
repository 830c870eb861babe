import path from 'node:path';
import { Writable } from 'node:stream';
import { queueItemId, type CaseDoc, type QueueItemDoc } from '@arbiter/case-store';
import { EventTypes, validateEventData, type ArbiterEvent } from '@arbiter/contract';
import { deepCopy, escalationState, SLA_AT_RISK_REASON, SLA_AT_RISK_WEIGHT, type Policy, type QueueSpec } from '@arbiter/core';
import { createLogger } from '@arbiter/platform';
import { ManualClock } from '@arbiter/platform/testing';
import { createPolicyRegistry, loadPolicies } from '@arbiter/policy';
import { InMemoryEscalationItems, InMemoryTimerWheel, MINUTE } from './escalator.test-support';
import { createSlaTick, escalationEventId, MISCONFIGURED_RETRY_MS, PENDING_DECISION_RETRY_MS, releaseEventId, type TickReport } from './sla-tick';

const SOURCE = '/arbiter/sla-escalator';
const WEDNESDAY = Date.parse('2026-11-18T10:00:00Z');
const logger = createLogger({ service: 'unit', level: 'fatal', destination: new Writable({ write: (_c, _e, done) => done() }) });

/** Test policies from the shipped damage policy: a 10-minute wall-clock SLA, and a business-hours one that pages on-call off-hours. */
function testPolicies(): { wall: Policy; onCall: Policy } {
  const loaded = loadPolicies(path.join(__dirname, '..', '..', '..', 'policies'));
  if (!loaded.ok) throw new Error(loaded.error.message);
  const damage = loaded.value.get('vehicle-damage');
  if (!damage.ok) throw new Error(damage.error.message);
  const wall = deepCopy(damage.value);
  wall.id = 'sla-test';
  const queue = wall.queues[0] as QueueSpec;
  queue.sla = { target: 'PT10M', clock: 'wall', remindBefore: ['PT5M'], escalateOnBreach: true, offHours: 'wait', expiry: { after: 'PT10M', outcome: 'decision_deferred', reasonCode: 'SLA_EXPIRED' } };
  queue.calendar = { timeZone: 'Europe/Berlin', weekly: { mon: [['00:00', '24:00']], tue: [['00:00', '24:00']], wed: [['00:00', '24:00']], thu: [['00:00', '24:00']], fri: [['00:00', '24:00']], sat: [['00:00', '24:00']], sun: [['00:00', '24:00']] }, holidays: [] };
  const onCall = deepCopy(damage.value);
  onCall.id = 'sla-test-on-call';
  const onCallQueue = onCall.queues[0] as QueueSpec;
  onCallQueue.sla = { ...onCallQueue.sla, target: 'PT1H', clock: 'business', remindBefore: ['PT10M'], offHours: 'on-call', onCallTarget: 'PT30M' };
  return { wall, onCall };
}
const { wall, onCall } = testPolicies();
const policies = createPolicyRegistry([wall, onCall]);

function caseDoc(caseId: string, useCase: string, openedAt: number): CaseDoc {
  const subject = { type: 'booking', id: `bk-${caseId}` };
  const model = { name: 'damage-detector', version: '1.4.0' };
  return {
    caseId,
    useCase,
    policy: { id: useCase, version: '1' },
    subject,
    model,
    prediction: { useCase, subject, model, prediction: { label: 'scratch', confidence: 0.8 }, evidence: [{ uri: `gs://evidence/${caseId}/return-1.jpg`, role: 'return' }] },
    confidence: 0.8,
    confidenceSource: 'prediction',
    band: 'medium',
    thresholds: { high: 0.95, low: 0.7 },
    sourceEvent: { id: `pred-${caseId}`, source: '//unit/vision' },
    status: 'in-review',
    openedAt,
  };
}

function setup(at: number, options: { pageSize?: number; maxItemsPerTick?: number } = {}) {
  const timers = new InMemoryTimerWheel();
  const items = new InMemoryEscalationItems(timers);
  const clock = new ManualClock(new Date(at));
  const tick = createSlaTick({ items, timers, policies, clock, logger, source: SOURCE, pageSize: options.pageSize ?? 50, maxItemsPerTick: options.maxItemsPerTick ?? 1000, concurrency: 4 });
  let counter = 0;
  /** A case and its queue item as review-queue enqueues them, with the item's timers. */
  const enqueue = (policy: Policy, enqueuedAt: number, overrides: Partial<QueueItemDoc> = {}): { caseId: string; itemId: string } => {
    counter += 1;
    const caseId = `case-${counter}`;
    const itemId = queueItemId(caseId, overrides.purpose ?? 'decision');
    const queue = policy.queues[0] as QueueSpec;
    const plan = escalationState({ openedAt: new Date(enqueuedAt) }, queue.sla, queue.calendar, new Date(enqueuedAt));
    const item: QueueItemDoc = {
      itemId,
      caseId,
      useCase: policy.id,
      queue: queue.id,
      purpose: 'decision',
      status: 'open',
      lane: 1,
      priority: 10,
      priorityReasons: [],
      enqueuedAt,
      dueAt: plan.dueAt.getTime(),
      blind: false,
      sla: { sent: [], nextCheckAt: plan.due.length ? enqueuedAt : plan.nextCheckAt?.getTime() ?? null },
      summary: { label: 'scratch', confidence: 0.8, band: 'medium', model: { name: 'damage-detector', version: '1.4.0' }, subject: { type: 'booking', id: `bk-${caseId}` } },
      ...overrides,
    };
    items.put(item, caseDoc(caseId, policy.id, enqueuedAt));
    if (item.sla.nextCheckAt !== null) timers.set('sla', itemId, item.sla.nextCheckAt, enqueuedAt);
    if (item.status === 'claimed' && item.claim) timers.set('lease', itemId, item.claim.leaseUntil, item.claim.claimedAt);
    return { caseId, itemId };
  };
  const at_ = (ms: number): void => clock.set(new Date(ms));
  return { timers, items, clock, tick, enqueue, at: at_ };
}

const total = (report: TickReport): number => report.escalations.reminder + report.escalations.escalated + report.escalations['on-call'];
const escalationsOf = (events: readonly ArbiterEvent[], caseId?: string) => events.filter((event) => event.type === EventTypes.slaEscalated && (caseId === undefined || event.subject === caseId));
function expectValid(events: readonly ArbiterEvent[]): void {
  for (const event of events) expect(validateEventData(event.type, event.data)).toMatchObject({ ok: true });
}

describe('sla tick: escalations', () => {
  it('sends nothing before the reminder is due, and does not even read the item', async () => {
    const { items, tick, enqueue } = setup(WEDNESDAY + 4 * MINUTE);
    enqueue(wall, WEDNESDAY);
    const report = await tick();
    expect(report).toMatchObject({ read: { due: 0, leases: 0 }, errors: 0 });
    expect(total(report)).toBe(0);
    expect(items.units).toEqual([]);
    expect(items.staged).toEqual([]);
  });

  it('sends the reminder, then the breach escalation, each once across repeated ticks', async () => {
    const { items, timers, tick, enqueue, at } = setup(WEDNESDAY + 6 * MINUTE);
    const { caseId, itemId } = enqueue(wall, WEDNESDAY);

    expect((await tick()).escalations).toEqual({ reminder: 1, escalated: 0, 'on-call': 0 });
    expect(total(await tick())).toBe(0);
    expect(items.items.get(itemId)?.sla).toEqual({ sent: ['reminder:PT5M'], nextCheckAt: WEDNESDAY + 10 * MINUTE });
    expect(timers.of(itemId)).toEqual([`sla@${WEDNESDAY + 10 * MINUTE}`]);

    at(WEDNESDAY + 11 * MINUTE);
    expect((await tick()).escalations).toEqual({ reminder: 0, escalated: 1, 'on-call': 0 });
    expect(total(await tick())).toBe(0);
    expect(items.items.get(itemId)?.sla).toEqual({ sent: ['reminder:PT5M', 'escalated'], nextCheckAt: WEDNESDAY + 20 * MINUTE });

    const sent = escalationsOf(items.staged, caseId);
    expect(sent.map((event) => event.id)).toEqual([escalationEventId(itemId, 'reminder:PT5M'), escalationEventId(itemId, 'escalated')]);
    expect(sent.map((event) => event.data)).toEqual([
      { caseId, useCase: 'sla-test', queue: 'damage-review', level: 'reminder', reason: 'nearing-sla', dueAt: new Date(WEDNESDAY + 10 * MINUTE).toISOString(), escalatedAt: new Date(WEDNESDAY + 6 * MINUTE).toISOString() },
      { caseId, useCase: 'sla-test', queue: 'damage-review', level: 'escalated', reason: 'sla-breached', dueAt: new Date(WEDNESDAY + 10 * MINUTE).toISOString(), escalatedAt: new Date(WEDNESDAY + 11 * MINUTE).toISOString() },
    ]);
    expect(sent.every((event) => event.source === SOURCE)).toBe(true);
    expectValid(items.staged);
  });

  it('re-ranks an item once its SLA is at risk, and leaves the rank alone while it stays the same', async () => {
    const { items, tick, enqueue, at } = setup(WEDNESDAY + 6 * MINUTE);
    const { itemId } = enqueue(wall, WEDNESDAY);
    expect(await tick()).toMatchObject({ escalations: { reminder: 1 }, reranked: 1 });
    expect(items.items.get(itemId)).toMatchObject({ priority: 10 + SLA_AT_RISK_WEIGHT, priorityReasons: [SLA_AT_RISK_REASON] });
    at(WEDNESDAY + 11 * MINUTE);
    expect(await tick()).toMatchObject({ escalations: { escalated: 1 }, reranked: 0 });
    expect(items.items.get(itemId)).toMatchObject({ priority: 10 + SLA_AT_RISK_WEIGHT, priorityReasons: [SLA_AT_RISK_REASON] });
  });

  it('sends a level that is already in sla.sent never again, even when its timer comes round again', async () => {
    const { items, timers, tick, enqueue } = setup(WEDNESDAY + 7 * MINUTE);
    const { itemId } = enqueue(wall, WEDNESDAY, { sla: { sent: ['reminder:PT5M'], nextCheckAt: WEDNESDAY + 5 * MINUTE } });
    const report = await tick();
    expect(report).toMatchObject({ read: { due: 1 }, rescheduled: 1 });
    expect(total(report)).toBe(0);
    expect(escalationsOf(items.staged)).toEqual([]);
    expect(timers.of(itemId)).toEqual([`sla@${WEDNESDAY + 10 * MINUTE}`]);
  });

  it('names the reviewer holding the claim as the assignee', async () => {
    const { items, tick, enqueue } = setup(WEDNESDAY + 6 * MINUTE);
    const { caseId } = enqueue(wall, WEDNESDAY, { status: 'claimed', claim: { reviewerId: 'reviewer-17', role: 'reviewer', leaseUntil: WEDNESDAY + 60 * MINUTE, claimedAt: WEDNESDAY } });
    await tick();
    expect(escalationsOf(items.staged, caseId).map((event) => event.data)).toEqual([expect.objectContaining({ level: 'reminder', assignee: 'reviewer-17' })]);
  });

  it('pages on-call at once for a case that arrives off-hours, by the queue calendar; not in hours, not for quality work', async () => {
    const sundayNight = Date.parse('2026-11-22T01:00:00Z'); // 02:00 in Berlin: the damage calendar is closed on Sundays
    const { items, tick, enqueue, at } = setup(sundayNight + MINUTE);
    const { caseId, itemId } = enqueue(onCall, sundayNight);
    const weekday = enqueue(onCall, WEDNESDAY);
    const quality = enqueue(onCall, sundayNight, { purpose: 'blind-review', blind: true });

    expect((await tick()).escalations).toEqual({ reminder: 0, escalated: 0, 'on-call': 1 });
    // A quality item off-hours pages nobody: its on-call level is only marked handled.
    expect(escalationsOf(items.staged, quality.caseId)).toEqual([]);
    expect(items.items.get(quality.itemId)?.sla.sent).toEqual(['on-call']);
    expect(total(await tick())).toBe(0);
    expect(escalationsOf(items.staged, caseId).map((event) => event.data)).toEqual([expect.objectContaining({ level: 'on-call', reason: 'off-hours', dueAt: new Date(sundayNight + 30 * MINUTE).toISOString() })]);
    // The business-clock SLA starts on Monday 08:00 Berlin; the next look is its reminder, 10 min before due.
    expect(items.items.get(itemId)?.sla.nextCheckAt).toBe(Date.parse('2026-11-23T07:50:00Z'));

    at(WEDNESDAY + 5 * MINUTE);
    await tick();
    expect(escalationsOf(items.staged, weekday.caseId)).toEqual([]);
  });

  it('never reminds, escalates or pages for quality work, and closes it at its soft SLA’s expiry', async () => {
    const { items, tick, enqueue, at } = setup(WEDNESDAY + 6 * MINUTE);
    const quality = (['blind-review', 'double-review', 'golden'] as const).map((purpose) => enqueue(wall, WEDNESDAY, { purpose, blind: purpose !== 'double-review' }));
    const decision = enqueue(wall, WEDNESDAY);

    expect((await tick()).escalations).toEqual({ reminder: 1, escalated: 0, 'on-call': 0 });
    at(WEDNESDAY + 11 * MINUTE);
    expect((await tick()).escalations).toEqual({ reminder: 0, escalated: 1, 'on-call': 0 });
    expect(escalationsOf(items.staged).map((event) => event.subject)).toEqual([decision.caseId, decision.caseId]);
    for (const q of quality) expect(items.items.get(q.itemId)?.sla).toEqual({ sent: ['reminder:PT5M', 'escalated'], nextCheckAt: WEDNESDAY + 20 * MINUTE });

    at(WEDNESDAY + 21 * MINUTE);
    const expiry = await tick();
    expect(expiry).toMatchObject({ expired: 4, decided: 1 });
    for (const q of quality) expect(items.items.get(q.itemId)).toMatchObject({ status: 'done', doneAt: WEDNESDAY + 21 * MINUTE, sla: { nextCheckAt: null } });
    // Closing a quality item decides nothing: its case is decided or has a decision item of its own.
    for (const q of quality) expect(items.cases.get(q.caseId)?.decision).toBeUndefined();
  });
});

describe('sla tick: expiry', () => {
  it('decides an expired case once, with the policy outcome and decidedBy policy, and closes the item', async () => {
    const { items, timers, tick, enqueue } = setup(WEDNESDAY + 21 * MINUTE);
    const { caseId, itemId } = enqueue(wall, WEDNESDAY);
    const report = await tick();
    expect(report).toMatchObject({ expired: 1, decided: 1, errors: 0 });
    expect(total(report)).toBe(0); // an expired case is closed, not escalated
    expect((await tick()).read.due).toBe(0);

    expect(items.staged.map((event) => [event.type, event.id])).toEqual([
      [EventTypes.decisionMade, `dec_${caseId}`],
      [EventTypes.decisionMadeV2, `dec2_${caseId}`],
      [EventTypes.caseDecided, `decided_${caseId}`],
    ]);
    expect(items.staged[0]?.data).toMatchObject({ caseId, outcome: 'decision_deferred', decidedBy: { kind: 'policy', id: 'policy:sla-test@1' }, reasonCode: 'SLA_EXPIRED', customerFavorable: true, decidedAt: new Date(WEDNESDAY + 21 * MINUTE).toISOString() });
    expect(items.staged[2]?.data).toMatchObject({ decision: items.staged[0]?.data, decisionEvent: { id: `dec_${caseId}`, source: items.staged[0]?.source, time: items.staged[0]?.time }, caseFacts: { openedAt: new Date(WEDNESDAY).toISOString() } });
    expectValid(items.staged);
    expect(items.items.get(itemId)).toMatchObject({ status: 'done', doneAt: WEDNESDAY + 21 * MINUTE, sla: { nextCheckAt: null } });
    expect(items.cases.get(caseId)).toMatchObject({ status: 'decided', decision: { decidedBy: { kind: 'policy' } } });
    expect(timers.of(itemId)).toEqual([]);
  });

  it('stops chasing an item whose case a reviewer decided, without deciding it again', async () => {
    const { items, timers, tick, enqueue } = setup(WEDNESDAY + 21 * MINUTE);
    const { caseId, itemId } = enqueue(wall, WEDNESDAY);
    const decidedCase = items.cases.get(caseId) as CaseDoc;
    items.cases.set(caseId, { ...decidedCase, status: 'decided', decision: { decisionId: `dec_${caseId}` } as CaseDoc['decision'] });
    expect(await tick()).toMatchObject({ read: { due: 1 }, skipped: 1, expired: 0, decided: 0 });
    expect(items.staged).toEqual([]);
    expect(items.items.get(itemId)?.sla.nextCheckAt).toBeNull();
    expect(timers.of(itemId)).toEqual([]);
  });
});

describe('sla tick: a verdict in its undo window', () => {
  it('lets a verdict given in time win over expiry, and expires the item if the verdict is undone', async () => {
    const expiresAt = WEDNESDAY + 21 * MINUTE;
    const commitAfter = expiresAt + 5_000;
    const { items, timers, tick, enqueue, at } = setup(expiresAt);
    const claim = { reviewerId: 'reviewer-17', role: 'reviewer', leaseUntil: commitAfter + 5 * MINUTE, claimedAt: WEDNESDAY + 19 * MINUTE };
    const { caseId, itemId } = enqueue(wall, WEDNESDAY, { status: 'claimed', claim, pendingDecision: { commitAfter, by: 'reviewer-17' } });
    const retryAt = commitAfter + PENDING_DECISION_RETRY_MS;

    // Past the expiry, but a reviewer's verdict is held: nothing is decided, the item is looked at after the window.
    expect(await tick()).toMatchObject({ read: { due: 1 }, skipped: 1, expired: 0, decided: 0, errors: 0 });
    expect(items.staged).toEqual([]);
    expect(items.items.get(itemId)).toMatchObject({ status: 'claimed', sla: { nextCheckAt: retryAt } });
    expect(timers.of(itemId)).toContain(`sla@${retryAt}`);

    // The reviewer undoes it (review-queue removes the mark): at the next look the expiry decides the case.
    const { pendingDecision: _undone, ...undone } = items.items.get(itemId) as QueueItemDoc;
    void _undone;
    items.items.set(itemId, undone);
    at(retryAt);
    expect(await tick()).toMatchObject({ expired: 1, decided: 1, errors: 0 });
    expect(items.cases.get(caseId)).toMatchObject({ status: 'decided', decision: { decidedBy: { kind: 'policy' }, reasonCode: 'SLA_EXPIRED' } });
    expect(items.items.get(itemId)).toMatchObject({ status: 'done', doneAt: retryAt });
  });
});

describe('sla tick: leases', () => {
  it('puts a claim whose lease ran out back in the queue, once, and leaves live claims alone', async () => {
    const now = WEDNESDAY + 3 * MINUTE;
    const { items, timers, tick, enqueue } = setup(now);
    const lapsed = enqueue(wall, WEDNESDAY, { status: 'claimed', claim: { reviewerId: 'reviewer-17', role: 'reviewer', leaseUntil: now - 1000, claimedAt: WEDNESDAY + MINUTE } });
    const live = enqueue(wall, WEDNESDAY, { status: 'claimed', claim: { reviewerId: 'reviewer-18', role: 'reviewer', leaseUntil: now + 5 * MINUTE, claimedAt: WEDNESDAY + 2 * MINUTE } });

    expect(await tick()).toMatchObject({ read: { due: 0, leases: 1 }, released: 1 });
    expect((await tick()).released).toBe(0);
    const after = items.items.get(lapsed.itemId);
    expect(after?.status).toBe('open');
    expect(after?.claim).toBeUndefined();
    expect(items.items.get(live.itemId)?.status).toBe('claimed');
    expect(timers.of(lapsed.itemId).filter((timer) => timer.startsWith('lease'))).toEqual([]);
    expect(items.staged).toHaveLength(1);
    expect(items.staged[0]).toMatchObject({ type: EventTypes.caseReleased, id: releaseEventId(lapsed.itemId, WEDNESDAY + MINUTE), subject: lapsed.caseId });
    expect(items.staged[0]?.data).toEqual({ caseId: lapsed.caseId, useCase: 'sla-test', queue: 'damage-review', releasedBy: { id: 'sla-escalator', role: 'system' }, reason: 'lease-expired', releasedAt: new Date(now).toISOString() });
    expectValid(items.staged);
  });

  it('moves the timer of a renewed lease to its new end, and releases nothing', async () => {
    const { items, timers, tick, enqueue } = setup(WEDNESDAY + 6 * MINUTE);
    const renewed = enqueue(wall, WEDNESDAY, { status: 'claimed', claim: { reviewerId: 'reviewer-17', role: 'reviewer', leaseUntil: WEDNESDAY + 2 * MINUTE, claimedAt: WEDNESDAY }, sla: { sent: [], nextCheckAt: null } });
    const item = items.items.get(renewed.itemId) as QueueItemDoc;
    items.items.set(renewed.itemId, { ...item, claim: { ...(item.claim as NonNullable<QueueItemDoc['claim']>), leaseUntil: WEDNESDAY + 30 * MINUTE } });
    expect(await tick()).toMatchObject({ read: { leases: 1 }, released: 0, skipped: 1 });
    expect(timers.of(renewed.itemId)).toEqual([`lease@${WEDNESDAY + 30 * MINUTE}`]);
    expect(items.staged).toEqual([]);
  });
});

describe('sla tick: the wheel', () => {
  it('removes a timer left behind by a done item and leaves the item alone', async () => {
    const { items, timers, tick, enqueue } = setup(WEDNESDAY + 6 * MINUTE);
    const done = enqueue(wall, WEDNESDAY, { status: 'done', doneAt: WEDNESDAY + MINUTE });
    expect(await tick()).toMatchObject({ read: { due: 1 }, skipped: 1, errors: 0 });
    expect(items.items.get(done.itemId)).toMatchObject({ status: 'done', doneAt: WEDNESDAY + MINUTE, sla: { nextCheckAt: null } });
    expect(timers.of(done.itemId)).toEqual([]);
    expect(items.staged).toEqual([]);
  });

  it('looks again later at an item whose policy or queue is unknown, and counts it as an error', async () => {
    const { items, timers, tick, enqueue } = setup(WEDNESDAY + 6 * MINUTE);
    const { itemId } = enqueue(wall, WEDNESDAY, { useCase: 'no-such-policy' });
    expect(await tick()).toMatchObject({ read: { due: 1 }, errors: 1 });
    expect(items.items.get(itemId)?.sla.nextCheckAt).toBe(WEDNESDAY + 6 * MINUTE + MISCONFIGURED_RETRY_MS);
    expect(timers.of(itemId)).toEqual([`sla@${WEDNESDAY + 6 * MINUTE + MISCONFIGURED_RETRY_MS}`]);
  });

  it('keeps the timer of an item the store failed on, and leaves the cursor at its bucket so the next tick tries again', async () => {
    const { items, timers, tick, enqueue } = setup(WEDNESDAY + 6 * MINUTE);
    const failing = enqueue(wall, WEDNESDAY);
    const fine = enqueue(wall, WEDNESDAY + 30_000);
    items.failing.add(failing.itemId);
    expect(await tick()).toMatchObject({ read: { due: 2 }, escalations: { reminder: 1 }, errors: 1 });
    expect(timers.of(failing.itemId)).toEqual([`sla@${WEDNESDAY + 5 * MINUTE}`]);
    expect(timers.stored).toBe(WEDNESDAY + 5 * MINUTE);
    expect(escalationsOf(items.staged).map((event) => event.subject)).toEqual([fine.caseId]);

    items.failing.clear();
    expect(await tick()).toMatchObject({ read: { due: 1 }, escalations: { reminder: 1 }, errors: 0 });
    expect(timers.stored).toBe(WEDNESDAY + 6 * MINUTE);
  });

  it('reads only the due timers, page by page, however many items are open', async () => {
    const { items, tick, enqueue } = setup(WEDNESDAY + 6 * MINUTE, { pageSize: 2 });
    for (let i = 0; i < 40; i += 1) enqueue(wall, WEDNESDAY + 30 * MINUTE + i); // open, nothing due yet
    const due = [0, 1, 2].map((i) => enqueue(wall, WEDNESDAY + i));
    expect(await tick()).toMatchObject({ read: { due: 3, leases: 0 }, escalations: { reminder: 3 } });
    expect([...items.units].sort()).toEqual(due.map((d) => d.itemId).sort());
    expect((await tick()).read).toEqual({ due: 0, leases: 0 });
  });

  it('stops at maxItemsPerTick, says so, and continues from there on the next tick', async () => {
    const { tick, enqueue, timers } = setup(WEDNESDAY + 6 * MINUTE, { pageSize: 2, maxItemsPerTick: 3 });
    for (let i = 0; i < 5; i += 1) enqueue(wall, WEDNESDAY + i);
    expect(await tick()).toMatchObject({ read: { due: 3 }, truncated: true });
    expect(timers.stored).toBe(WEDNESDAY + 5 * MINUTE);
    expect(await tick()).toMatchObject({ read: { due: 2 }, truncated: false });
  });

  it('jumps a long quiet stretch to the next due timer and leaves a cursor for the next tick', async () => {
    const later = WEDNESDAY + 3 * 24 * 60 * MINUTE; // three days on: thousands of empty minutes between
    const { items, timers, tick, enqueue } = setup(later + 6 * MINUTE);
    const early = enqueue(wall, WEDNESDAY);
    const late = enqueue(wall, later);
    const report = await tick();
    expect(report).toMatchObject({ read: { due: 2, leases: 0 }, expired: 1, escalations: { reminder: 1 }, errors: 0, truncated: false });
    expect(report.buckets).toBeLessThanOrEqual(40);
    expect(timers.stored).toBe(later + 6 * MINUTE);
    expect(await tick()).toMatchObject({ read: { due: 0, leases: 0 }, buckets: 4 });
    expect(items.items.get(early.itemId)).toMatchObject({ status: 'done' });
    expect(items.items.get(late.itemId)?.sla.sent).toEqual(['reminder:PT5M']);
  });
});
