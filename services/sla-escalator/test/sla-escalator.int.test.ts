import path from 'node:path';
import type { Firestore } from '@google-cloud/firestore';
import type { PubSub } from '@google-cloud/pubsub';
import { CaseStore, Collections, decideInTransaction, queueItemId, setTimer, TIMER_CURSOR_DOC, timerBucketCollectionId, type CaseDoc, type QueueItemDoc } from '@arbiter/case-store';
import { EventTypes, Topics } from '@arbiter/contract';
import { deepCopy, escalationState, type Policy, type QueueSpec } from '@arbiter/core';
import { createFirestore, OutboxRelay, ServiceHost, type Logger, noPushCallers } from '@arbiter/platform';
import { ManualClock } from '@arbiter/platform/testing';
import { createPolicyRegistry, loadPolicies } from '@arbiter/policy';
import { buildSlaEscalatorApp, type SlaEscalatorApp } from '../src/app';
import { FirestoreEscalationItems } from '../src/escalation-items.firestore';
import { FirestorePendingSteps } from '../src/pending-steps.firestore';
import { FirestoreTimerWheel } from '../src/timer-wheel.firestore';
import type { TickReport } from '../src/sla-tick';
import { TICK_SECRET_HEADER } from '../src/tick-auth';
import { dataOf, projectId, silentLogger, tap, testPubSub, unique, type Tap } from './support';

/**
 * The sla-escalator against the real Firestore and Pub/Sub emulators, driven by a manual clock:
 * queue items and cases are written in the shapes of @arbiter/case-store, the app runs in-process, and what
 * it publishes is observed on temporary subscriptions of our own.
 */
jest.setTimeout(120_000);

const MIN = 60_000;
const SECRET = 'itest-tick-secret-0123456789';
const WEDNESDAY = Date.parse('2026-11-18T10:00:00Z');

/** Test policies from the shipped damage policy, with short wall-clock SLAs. */
function testPolicies(): { wall: Policy; onCall: Policy } {
  const loaded = loadPolicies(path.join(__dirname, '..', '..', '..', 'policies'));
  if (!loaded.ok) throw new Error(loaded.error.message);
  const damage = loaded.value.get('vehicle-damage');
  if (!damage.ok) throw new Error(damage.error.message);
  const wall = deepCopy(damage.value) as Policy;
  wall.id = 'sla-test';
  const queue = wall.queues[0] as QueueSpec;
  queue.sla = { target: 'PT10M', clock: 'wall', remindBefore: ['PT5M'], escalateOnBreach: true, offHours: 'wait', expiry: { after: 'PT10M', outcome: 'decision_deferred', reasonCode: 'SLA_EXPIRED' } };
  queue.calendar = { timeZone: 'Europe/Berlin', weekly: { mon: [['00:00', '24:00']], tue: [['00:00', '24:00']], wed: [['00:00', '24:00']], thu: [['00:00', '24:00']], fri: [['00:00', '24:00']], sat: [['00:00', '24:00']], sun: [['00:00', '24:00']] }, holidays: [] };
  const onCall = deepCopy(damage.value) as Policy;
  onCall.id = 'sla-test-on-call';
  const onCallQueue = onCall.queues[0] as QueueSpec;
  onCallQueue.sla = { ...onCallQueue.sla, target: 'PT1H', clock: 'business', remindBefore: ['PT10M'], offHours: 'on-call', onCallTarget: 'PT30M' };
  return { wall, onCall };
}

const { wall, onCall } = testPolicies();
const policies = createPolicyRegistry([wall, onCall]);

let firestore: Firestore;
let pubsub: PubSub;
let logger: Logger;
let escalations: Tap;
let decisions: Tap;
let caseEvents: Tap;

interface Running {
  app: SlaEscalatorApp;
  host: ServiceHost;
  clock: ManualClock;
  port: number;
  store: CaseStore;
}
const running: Running[] = [];

async function escalator(at: number, options: { pageSize?: number } = {}): Promise<Running> {
  const clock = new ManualClock(new Date(at));
  const host = new ServiceHost({ service: 'sla-escalator', projectId: projectId(), logger, delivery: 'push', backoffBeforeNack: false, pushAuth: noPushCallers });
  const relay = new OutboxRelay(firestore, host.publisher, logger);
  const store = new CaseStore(firestore, relay);
  const app = buildSlaEscalatorApp({
    host,
    items: new FirestoreEscalationItems(store),
    timers: new FirestoreTimerWheel(firestore),
    pendingSteps: new FirestorePendingSteps(store),
    policies,
    clock,
    logger,
    config: { tickEveryMs: null, tickAuth: 'secret', tickSecret: SECRET, pageSize: options.pageSize ?? 50, maxItemsPerTick: 1000, concurrency: 8, reconcileAfterMs: null, reconcileMaxPerTick: 500 },
  });
  const port = await host.start(0, '127.0.0.1');
  const instance = { app, host, clock, port, store };
  running.push(instance);
  return instance;
}

async function postTick(instance: Running, headers: Record<string, string> = { [TICK_SECRET_HEADER]: SECRET }): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`http://127.0.0.1:${instance.port}/tick`, { method: 'POST', headers });
  return { status: response.status, body: await response.json() };
}

function caseDoc(caseId: string, useCase: string, openedAt: number): CaseDoc {
  return {
    caseId,
    useCase,
    policy: { id: useCase, version: '1' },
    subject: { type: 'booking', id: `bk-${caseId}` },
    model: { name: 'damage-detector', version: '1.4.0' },
    prediction: {
      useCase,
      subject: { type: 'booking', id: `bk-${caseId}` },
      model: { name: 'damage-detector', version: '1.4.0' },
      prediction: { label: 'scratch', confidence: 0.8 },
      evidence: [{ uri: `gs://evidence/${caseId}/return-1.jpg`, role: 'return' }],
      context: { customerId: 'cus-881' },
    },
    confidence: 0.8,
    confidenceSource: 'prediction',
    band: 'medium',
    thresholds: { high: 0.95, low: 0.7 },
    sourceEvent: { id: `pred-${caseId}`, source: '//itest/vision' },
    status: 'in-review',
    openedAt,
  };
}

/** A case and its decision queue item as review-queue would enqueue it, `sla.nextCheckAt` from the core plan. */
async function enqueue(policy: Policy, enqueuedAt: number, overrides: Partial<QueueItemDoc> = {}): Promise<{ caseId: string; itemId: string }> {
  const caseId = unique('case');
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
  // Item and timers in one batch, as review-queue commits them (the claim's lease timer as a claim does).
  const batch = firestore.batch();
  batch.set(firestore.collection(Collections.cases).doc(caseId), caseDoc(caseId, policy.id, enqueuedAt));
  batch.set(firestore.collection(Collections.queueItems).doc(itemId), item);
  if (item.sla.nextCheckAt !== null) setTimer(batch, firestore, 'sla', itemId, item.sla.nextCheckAt, enqueuedAt);
  if (item.status === 'claimed' && item.claim) setTimer(batch, firestore, 'lease', itemId, item.claim.leaseUntil, item.claim.claimedAt);
  await batch.commit();
  return { caseId, itemId };
}

const itemOf = async (itemId: string): Promise<QueueItemDoc> => (await firestore.collection(Collections.queueItems).doc(itemId).get()).data() as QueueItemDoc;
const totalEscalations = (report: TickReport): number => report.escalations.reminder + report.escalations.escalated + report.escalations['on-call'];

beforeAll(async () => {
  logger = silentLogger();
  firestore = createFirestore(projectId());
  pubsub = testPubSub();
  [escalations, decisions, caseEvents] = await Promise.all([tap(pubsub, Topics.escalations), tap(pubsub, Topics.decisions), tap(pubsub, Topics.cases)]);
});

beforeEach(async () => {
  // The tick looks at every due timer in the database: start each test from an empty queue and wheel
  // (and no cursor: each test's manual clock starts where it likes).
  await Promise.all([Collections.queueItems, Collections.timerBuckets, Collections.escalatorState].map((name) => firestore.recursiveDelete(firestore.collection(name))));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((instance) => instance.host.close()));
});

afterAll(async () => {
  await Promise.all([escalations, decisions, caseEvents].map((t) => t.close()));
  await pubsub.close();
  await firestore.terminate();
});

describe('POST /tick', () => {
  it('refuses a call without the shared secret, and with a wrong one', async () => {
    const instance = await escalator(WEDNESDAY);
    expect((await postTick(instance, {})).status).toBe(401);
    expect((await postTick(instance, { [TICK_SECRET_HEADER]: 'not-the-secret-at-all' })).status).toBe(403);
    const ok = await postTick(instance);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ read: { due: 0, leases: 0 }, errors: 0 });
  });
});

describe('escalations', () => {
  it('sends the reminder, then the breach escalation, each exactly once across repeated ticks', async () => {
    const { caseId, itemId } = await enqueue(wall, WEDNESDAY);
    const instance = await escalator(WEDNESDAY + 2 * MIN);

    const early = await instance.app.tick();
    expect(early.read.due).toBe(0);

    instance.clock.set(new Date(WEDNESDAY + 6 * MIN));
    const first = await instance.app.tick();
    const again = await instance.app.tick();
    expect(first.escalations).toEqual({ reminder: 1, escalated: 0, 'on-call': 0 });
    expect(totalEscalations(again)).toBe(0);
    expect(await itemOf(itemId)).toMatchObject({ sla: { sent: ['reminder:PT5M'], nextCheckAt: WEDNESDAY + 10 * MIN } });

    instance.clock.set(new Date(WEDNESDAY + 11 * MIN));
    const breach = (await postTick(instance)).body as TickReport;
    const breachAgain = (await postTick(instance)).body as TickReport;
    expect(breach.escalations).toEqual({ reminder: 0, escalated: 1, 'on-call': 0 });
    expect(totalEscalations(breachAgain)).toBe(0);
    expect(await itemOf(itemId)).toMatchObject({ sla: { sent: ['reminder:PT5M', 'escalated'], nextCheckAt: WEDNESDAY + 20 * MIN } });

    const sent = await escalations.until((data) => data.caseId === caseId, 2);
    expect(sent).toHaveLength(2);
    expect(sent.map((m) => m.attributes['ce-id']).sort()).toEqual([`${itemId}:escalated`, `${itemId}:reminder:PT5M`]);
    expect(sent.map(dataOf).sort((a, b) => String(a.level).localeCompare(String(b.level)))).toEqual([
      { caseId, useCase: 'sla-test', queue: 'damage-review', level: 'escalated', reason: 'sla-breached', dueAt: new Date(WEDNESDAY + 10 * MIN).toISOString(), escalatedAt: new Date(WEDNESDAY + 11 * MIN).toISOString() },
      { caseId, useCase: 'sla-test', queue: 'damage-review', level: 'reminder', reason: 'nearing-sla', dueAt: new Date(WEDNESDAY + 10 * MIN).toISOString(), escalatedAt: new Date(WEDNESDAY + 6 * MIN).toISOString() },
    ]);
    expect(sent.every((m) => m.attributes['ce-source'] === '/arbiter/sla-escalator' && m.attributes['ce-type'] === 'arbiter.sla.escalated.v1')).toBe(true);
  });

  it('never reminds, escalates or pages for quality work, and closes it at its soft SLA’s expiry', async () => {
    const quality = await Promise.all((['blind-review', 'double-review', 'golden'] as const).map((purpose) => enqueue(wall, WEDNESDAY, { purpose, blind: purpose !== 'double-review' })));
    const decision = await enqueue(wall, WEDNESDAY);
    const instance = await escalator(WEDNESDAY + 6 * MIN);
    expect((await instance.app.tick()).escalations).toEqual({ reminder: 1, escalated: 0, 'on-call': 0 });
    instance.clock.set(new Date(WEDNESDAY + 11 * MIN));
    expect((await instance.app.tick()).escalations).toEqual({ reminder: 0, escalated: 1, 'on-call': 0 });
    // The decision item's breach was published by the later tick: had the quality items' reminders gone
    // out in the first one, they would be here by now.
    await escalations.until((data) => data.caseId === decision.caseId && data.level === 'escalated', 1);
    expect(escalations.matching((data) => quality.some((q) => q.caseId === data.caseId))).toEqual([]);
    for (const q of quality) expect((await itemOf(q.itemId)).sla).toEqual({ sent: ['reminder:PT5M', 'escalated'], nextCheckAt: WEDNESDAY + 20 * MIN });

    instance.clock.set(new Date(WEDNESDAY + 21 * MIN));
    const expiry = await instance.app.tick();
    expect(expiry.expired).toBe(4);
    for (const q of quality) expect(await itemOf(q.itemId)).toMatchObject({ status: 'done', sla: { nextCheckAt: null } });
  });

  it('sends each level once when two escalators tick at the same moment', async () => {
    const items = await Promise.all(Array.from({ length: 12 }, (_, i) => enqueue(wall, WEDNESDAY + i * 1000)));
    const claimed = await enqueue(wall, WEDNESDAY, { status: 'claimed', claim: { reviewerId: 'reviewer-17', role: 'reviewer', leaseUntil: WEDNESDAY + 60 * MIN, claimedAt: WEDNESDAY } });
    const caseIds = new Set([...items, claimed].map((item) => item.caseId));
    const a = await escalator(WEDNESDAY + 7 * MIN, { pageSize: 5 });
    const b = await escalator(WEDNESDAY + 7 * MIN, { pageSize: 5 });

    const reports = await Promise.all([a.app.tick(), postTick(b).then((r) => r.body as TickReport), a.app.tick()]);
    expect(reports.reduce((sum, r) => sum + r.escalations.reminder, 0)).toBe(13);
    expect(reports.reduce((sum, r) => sum + r.errors, 0)).toBe(0);

    const sent = await escalations.until((data) => caseIds.has(String(data.caseId)), 13);
    expect(sent).toHaveLength(13);
    expect(new Set(sent.map((m) => m.attributes['ce-id'])).size).toBe(13);
    expect(sent.map(dataOf).filter((d) => d.assignee !== undefined)).toEqual([expect.objectContaining({ caseId: claimed.caseId, assignee: 'reviewer-17' })]);
  });

  it('pages on-call at once for a case that arrives off-hours, by the queue calendar', async () => {
    // Sunday 02:00 in Berlin: the damage calendar is closed on Sundays.
    const sundayNight = Date.parse('2026-11-22T01:00:00Z');
    const { caseId, itemId } = await enqueue(onCall, sundayNight);
    const weekday = await enqueue(onCall, WEDNESDAY); // business hours: no page
    expect((await itemOf(itemId)).sla.nextCheckAt).toBe(sundayNight);

    const instance = await escalator(sundayNight + MIN);
    const report = await instance.app.tick();
    expect(report.escalations).toEqual({ reminder: 0, escalated: 0, 'on-call': 1 });
    expect(totalEscalations(await instance.app.tick())).toBe(0);

    const [page] = await escalations.until((data) => data.caseId === caseId, 1);
    expect(page && dataOf(page)).toMatchObject({ level: 'on-call', reason: 'off-hours', dueAt: new Date(sundayNight + 30 * MIN).toISOString() });
    // The business-clock SLA starts on Monday 08:00 Berlin; the next look is its reminder, 10 min before due.
    expect((await itemOf(itemId)).sla.nextCheckAt).toBe(Date.parse('2026-11-23T07:50:00Z'));
    expect(escalations.matching((data) => data.caseId === weekday.caseId)).toHaveLength(0);
  });

  it('reads only the due items, however many are open', async () => {
    await Promise.all(Array.from({ length: 80 }, (_, i) => enqueue(wall, WEDNESDAY + 30 * MIN + i))); // open, nothing due yet
    await Promise.all(Array.from({ length: 5 }, (_, i) => enqueue(wall, WEDNESDAY + i, { status: 'done', sla: { sent: [], nextCheckAt: null } })));
    const due = await Promise.all(Array.from({ length: 3 }, (_, i) => enqueue(wall, WEDNESDAY + i)));
    const instance = await escalator(WEDNESDAY + 6 * MIN, { pageSize: 2 });

    const report = await instance.app.tick();
    expect(report.read).toEqual({ due: 3, leases: 0 });
    expect(report.escalations.reminder).toBe(3);
    const second = await instance.app.tick();
    expect(second.read).toEqual({ due: 0, leases: 0 });
    const sent = await escalations.until((data) => due.some((d) => d.caseId === data.caseId), 3);
    expect(sent).toHaveLength(3);
  });
});

describe('timers', () => {
  /** Every timer in the wheel, as `<minute collection>/<timer id>`. */
  const timersIn = async (): Promise<string[]> => {
    const found: string[] = [];
    for (const hour of await firestore.collection(Collections.timerBuckets).listDocuments()) {
      for (const minute of await hour.listCollections()) for (const timer of await minute.listDocuments()) found.push(`${minute.id}/${timer.id}`);
    }
    return found;
  };

  it('removes a timer left behind by a decided item or a renewed lease, and leaves the item alone', async () => {
    const decided = await enqueue(wall, WEDNESDAY, { status: 'done', doneAt: WEDNESDAY + MIN });
    const renewed = await enqueue(wall, WEDNESDAY, { status: 'claimed', claim: { reviewerId: 'reviewer-17', role: 'reviewer', leaseUntil: WEDNESDAY + 2 * MIN, claimedAt: WEDNESDAY }, sla: { sent: [], nextCheckAt: null } });
    // The reviewer renewed the lease: the item now runs to +30 min, with its own new timer.
    const renewedUntil = WEDNESDAY + 30 * MIN;
    const batch = firestore.batch();
    batch.update(firestore.collection(Collections.queueItems).doc(renewed.itemId), { 'claim.leaseUntil': renewedUntil });
    setTimer(batch, firestore, 'lease', renewed.itemId, renewedUntil, WEDNESDAY + MIN);
    await batch.commit();
    expect(await timersIn()).toHaveLength(3); // the decided item's first SLA check (+5 min), the first lease (+2 min), its renewal (+30 min)
    const before = await itemOf(decided.itemId);

    const instance = await escalator(WEDNESDAY + 6 * MIN);
    const report = await instance.app.tick();
    expect(report).toMatchObject({ read: { due: 1, leases: 1 }, released: 0, skipped: 2, errors: 0 });
    expect(totalEscalations(report)).toBe(0);
    expect(await itemOf(decided.itemId)).toMatchObject({ status: 'done', sla: { nextCheckAt: null }, doneAt: before.doneAt });
    expect(await itemOf(renewed.itemId)).toMatchObject({ status: 'claimed', claim: { leaseUntil: renewedUntil } });
    // What is left: the renewed lease's timer.
    expect(await timersIn()).toEqual([`${timerBucketCollectionId(WEDNESDAY + 30 * MIN)}/lease~${renewed.itemId}`]);
    expect(caseEvents.matching((data) => data.caseId === renewed.caseId || data.caseId === decided.caseId)).toHaveLength(0);
  });

  it('jumps a long quiet stretch to the next due timer and leaves a cursor for the next tick', async () => {
    const early = await enqueue(wall, WEDNESDAY);
    const late = await enqueue(wall, WEDNESDAY + 3 * 24 * 60 * MIN); // three days on: thousands of empty minutes between
    const instance = await escalator(WEDNESDAY + 3 * 24 * 60 * MIN + 6 * MIN);
    const report = await instance.app.tick();
    expect(report).toMatchObject({ read: { due: 2, leases: 0 }, errors: 0, truncated: false });
    expect(report.escalations.reminder).toBe(1); // the late case's reminder; the early one has expired
    expect(report.expired).toBe(1);
    expect(report.buckets).toBeLessThanOrEqual(40);
    const cursor = (await firestore.collection(Collections.escalatorState).doc(TIMER_CURSOR_DOC).get()).get('bucket') as number;
    expect(cursor).toBe(WEDNESDAY + 3 * 24 * 60 * MIN + 6 * MIN);
    const next = await instance.app.tick();
    expect(next).toMatchObject({ read: { due: 0, leases: 0 }, buckets: 4 });
    expect(await itemOf(early.itemId)).toMatchObject({ status: 'done' });
    expect((await itemOf(late.itemId)).sla.sent).toEqual(['reminder:PT5M']);
  });
});

describe('expiry', () => {
  it('decides an expired case once, with the policy outcome and decidedBy policy, and closes the item', async () => {
    const { caseId, itemId } = await enqueue(wall, WEDNESDAY);
    const instance = await escalator(WEDNESDAY + 21 * MIN);
    const report = await instance.app.tick();
    expect(report).toMatchObject({ expired: 1, decided: 1, errors: 0 });
    expect(totalEscalations(report)).toBe(0); // an expired case is closed, not escalated
    expect((await instance.app.tick()).read.due).toBe(0);

    const [decision, ...more] = await decisions.until((data, m) => data.caseId === caseId && m.attributes['ce-type'] === EventTypes.decisionMade, 1);
    expect(more).toHaveLength(0);
    expect(decision?.attributes['ce-id']).toBe(`dec_${caseId}`);
    expect(decision && dataOf(decision)).toMatchObject({
      caseId,
      outcome: 'decision_deferred',
      decidedBy: { kind: 'policy', id: 'policy:sla-test@1' },
      reasonCode: 'SLA_EXPIRED',
      customerFavorable: true,
      decidedAt: new Date(WEDNESDAY + 21 * MIN).toISOString(),
    });
    // Beside it, decision.made.v2: the same decision (nobody recorded an approval), a ce-id of its own.
    const [v2] = await decisions.until((data, m) => data.caseId === caseId && m.attributes['ce-type'] === EventTypes.decisionMadeV2, 1);
    expect(v2?.attributes['ce-id']).toBe(`dec2_${caseId}`);
    expect(v2 && dataOf(v2)).toEqual(decision && dataOf(decision));
    expect(await itemOf(itemId)).toMatchObject({ status: 'done', doneAt: WEDNESDAY + 21 * MIN, sla: { nextCheckAt: null } });
    const stored = (await firestore.collection(Collections.cases).doc(caseId).get()).data() as CaseDoc;
    expect(stored).toMatchObject({ status: 'decided', decision: { decidedBy: { kind: 'policy' } } });
  });

  it('makes one decision when a reviewer decides the same case at the same moment', async () => {
    const cases = await Promise.all(Array.from({ length: 4 }, () => enqueue(wall, WEDNESDAY)));
    const at = WEDNESDAY + 25 * MIN;
    const instance = await escalator(at);
    const reviewer = async (caseId: string): Promise<void> => {
      await instance.store.transact(async (tx) => {
        const snapshot = await tx.get(instance.store.caseRef(caseId));
        const outcome = decideInTransaction(tx, instance.store, snapshot.data() as CaseDoc, wall, { outcome: 'damage_confirmed', decidedBy: { kind: 'human', id: 'reviewer-17' }, reasonCode: 'DAMAGE_CONFIRMED_NEW', decidedAt: new Date(at) }, '/arbiter/review-queue');
        return { result: outcome.decided, events: outcome.decided ? [...outcome.events] : [] };
      }, new Date(at));
    };
    const [report] = await Promise.all([instance.app.tick(), ...cases.map((c) => reviewer(c.caseId))]);
    expect(report.errors).toBe(0);

    for (const { caseId } of cases) {
      const made = await decisions.until((data, m) => data.caseId === caseId && m.attributes['ce-type'] === EventTypes.decisionMade, 1, { settleMs: 250 });
      expect(made).toHaveLength(1);
      const stored = (await firestore.collection(Collections.cases).doc(caseId).get()).data() as CaseDoc;
      expect(stored.decision?.decidedBy).toEqual((dataOf(made[0] as never) as { decidedBy: unknown }).decidedBy);
    }
  });
});

describe('leases', () => {
  it('puts a claim whose lease ran out back in the queue, once, and leaves live claims alone', async () => {
    const now = WEDNESDAY + 3 * MIN;
    const lapsed = await enqueue(wall, WEDNESDAY, { status: 'claimed', claim: { reviewerId: 'reviewer-17', role: 'reviewer', leaseUntil: now - 1000, claimedAt: WEDNESDAY + MIN } });
    const live = await enqueue(wall, WEDNESDAY, { status: 'claimed', claim: { reviewerId: 'reviewer-18', role: 'reviewer', leaseUntil: now + 5 * MIN, claimedAt: WEDNESDAY + 2 * MIN } });
    const instance = await escalator(now);

    const report = await instance.app.tick();
    expect(report).toMatchObject({ read: { due: 0, leases: 1 }, released: 1 });
    expect((await instance.app.tick()).released).toBe(0);

    const after = await itemOf(lapsed.itemId);
    expect(after.status).toBe('open');
    expect(after.claim).toBeUndefined();
    expect((await itemOf(live.itemId)).status).toBe('claimed');
    const released = await caseEvents.until((data, m) => data.caseId === lapsed.caseId && m.attributes['ce-type'] === 'arbiter.case.released.v1', 1);
    expect(released).toHaveLength(1);
    expect(dataOf(released[0] as never)).toEqual({
      caseId: lapsed.caseId,
      useCase: 'sla-test',
      queue: 'damage-review',
      releasedBy: { id: 'sla-escalator', role: 'system' },
      reason: 'lease-expired',
      releasedAt: new Date(now).toISOString(),
    });
    expect(caseEvents.matching((data) => data.caseId === live.caseId)).toHaveLength(0);
  });
});
