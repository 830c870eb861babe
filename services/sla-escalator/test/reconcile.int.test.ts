import type { Firestore } from '@google-cloud/firestore';
import type { PubSub } from '@google-cloud/pubsub';
import { CaseStore, Collections, pendingStep, producedEvent, type CaseDoc } from '@arbiter/case-store';
import { EventTypes, Topics, type ArbiterEvent } from '@arbiter/contract';
import { provisionPubSub, pubSubClient } from '@arbiter/local-stack';
import { createFirestore, OutboxRelay, PubSubEventPublisher, type Logger } from '@arbiter/platform';
import { ManualClock } from '@arbiter/platform/testing';
import { FirestorePendingSteps } from '../src/pending-steps.firestore';
import { createReconcile, redriveEventId, type Reconcile } from '../src/reconcile';
import { dataOf, silentLogger, tap, unique, type Tap } from './support';

/**
 * The reconciler against the real Firestore and Pub/Sub emulators, in a project of its own (it reads
 * every overdue case of its project), with a manual clock: cases are written the way the assessor and
 * the router leave them, with their pending step; what it publishes is observed on subscriptions of ours.
 */
jest.setTimeout(120_000);

const AFTER_MS = 30_000;
const T0 = Date.parse('2026-11-18T10:00:00Z');
const SOURCE = '/arbiter/sla-escalator';

const project = unique('reconcile').replace(/-/g, '');
let firestore: Firestore;
let pubsub: PubSub;
let logger: Logger;
let opened: Tap;
let routed: Tap;
let lifecycle: Tap;
const relays: OutboxRelay[] = [];
const publishers: PubSubEventPublisher[] = [];

beforeAll(async () => {
  pubsub = pubSubClient(project, process.env.PUBSUB_EMULATOR_HOST ?? '');
  await provisionPubSub(pubsub);
  firestore = createFirestore(project);
  logger = silentLogger();
  [opened, routed, lifecycle] = await Promise.all([tap(pubsub, Topics.caseOpened), tap(pubsub, Topics.caseRouted), tap(pubsub, Topics.caseRedriven)]);
});

afterAll(async () => {
  for (const relay of relays) await relay.close();
  for (const publisher of publishers) await publisher.close();
  await Promise.all([opened, routed, lifecycle].map((t) => t?.close()));
  await pubsub?.close();
  await firestore?.terminate();
});

function reconciler(clock: ManualClock): Reconcile {
  const publisher = new PubSubEventPublisher(pubsub);
  publishers.push(publisher);
  const relay = new OutboxRelay(firestore, publisher, logger);
  relays.push(relay);
  return createReconcile({ cases: new FirestorePendingSteps(new CaseStore(firestore, relay)), clock, logger, source: SOURCE, afterMs: AFTER_MS, maxPerRun: 100, concurrency: 4 });
}

function openedCase(caseId: string, at: number): { doc: CaseDoc; event: ArbiterEvent } {
  const prediction = { useCase: 'vehicle-damage', subject: { type: 'booking', id: `bk-${caseId}` }, model: { name: 'damage-detr', version: '1.4.2' }, prediction: { label: 'dent', confidence: 0.99 } };
  const data = {
    caseId,
    useCase: 'vehicle-damage',
    policy: { id: 'vehicle-damage', version: '1' },
    subject: prediction.subject,
    model: prediction.model,
    confidence: 0.99,
    confidenceSource: 'prediction' as const,
    band: 'high' as const,
    thresholds: { high: 0.95, low: 0.7 },
    prediction,
    sourceEvent: { id: `pred-${caseId}`, source: '//itest/vision' },
    openedAt: new Date(at).toISOString(),
  };
  const event = producedEvent(EventTypes.caseOpened, '/arbiter/confidence-assessor', data, { id: `opened_${caseId}`, subject: caseId, time: new Date(at) });
  const doc: CaseDoc = { ...data, openedAt: at, status: 'opened', nextStep: pendingStep('route', event, at) };
  return { doc, event };
}

const write = (doc: CaseDoc): Promise<unknown> => firestore.collection(Collections.cases).doc(doc.caseId).set(doc);
const read = async (caseId: string): Promise<CaseDoc> => (await firestore.collection(Collections.cases).doc(caseId).get()).data() as CaseDoc;
const redrivenOf = (caseId: string) => (data: Record<string, unknown>) => data.caseId === caseId;

it('publishes the overdue step’s event again with its ce-id, with case.redriven, and reads only the overdue cases', async () => {
  const stuck = openedCase(unique('case-stuck'), T0);
  const recent = openedCase(unique('case-recent'), T0 + AFTER_MS);
  const routedDone = { ...openedCase(unique('case-routed'), T0).doc, status: 'decided' as const };
  delete routedDone.nextStep;
  await Promise.all([write(stuck.doc), write(recent.doc), write(routedDone)]);

  const clock = new ManualClock(new Date(T0 + AFTER_MS + 1_000));
  const report = await reconciler(clock)();
  expect(report).toEqual({ overdue: 1, redriven: { route: 1, enqueue: 0, requeue: 0 }, skipped: 0, errors: 0, truncated: false });

  const [again] = await opened.until((data) => data.caseId === stuck.doc.caseId, 1);
  expect(again?.attributes['ce-id']).toBe(stuck.event.id);
  expect(again?.attributes['ce-source']).toBe(stuck.event.source);
  const [redriven] = await lifecycle.until(redrivenOf(stuck.doc.caseId), 1);
  expect(redriven?.attributes['ce-type']).toBe(EventTypes.caseRedriven);
  expect(redriven?.attributes['ce-id']).toBe(redriveEventId(stuck.doc.caseId, 'route', 1));
  expect(dataOf(redriven!)).toMatchObject({ step: 'route', attempt: 1, pendingSince: new Date(T0).toISOString(), republished: { type: EventTypes.caseOpened, id: stuck.event.id } });
  expect((await read(stuck.doc.caseId)).nextStep).toMatchObject({ kind: 'route', since: T0 + AFTER_MS + 1_000, redrives: 1 });
  expect((await read(recent.doc.caseId)).nextStep).toMatchObject({ since: T0 + AFTER_MS, redrives: 0 });
});

it('re-drives a case once when two reconcilers run at once, and again only after another wait', async () => {
  const stuck = openedCase(unique('case-twice'), T0 - 10 * AFTER_MS);
  await write(stuck.doc);
  const at = T0 - 8 * AFTER_MS;
  const [a, b] = await Promise.all([reconciler(new ManualClock(new Date(at)))(), reconciler(new ManualClock(new Date(at)))()]);
  expect(a.redriven.route + b.redriven.route).toBe(1);
  expect(a.skipped + b.skipped).toBe(1);
  expect((await read(stuck.doc.caseId)).nextStep?.redrives).toBe(1);

  // Not overdue again until AFTER_MS after the re-drive; then attempt 2.
  const early = await reconciler(new ManualClock(new Date(at + AFTER_MS - 1)))();
  expect(early.overdue).toBe(0);
  const late = await reconciler(new ManualClock(new Date(at + AFTER_MS)))();
  expect(late.redriven.route).toBe(1);
  // Attempt 2 was published after anything the two concurrent runs published: once it is here, a
  // second attempt 1 would be too.
  await lifecycle.until((data) => redrivenOf(stuck.doc.caseId)(data) && data.attempt === 2, 1);
  expect(lifecycle.matching(redrivenOf(stuck.doc.caseId)).map((m) => dataOf(m).attempt).sort()).toEqual([1, 2]);
});

it('re-drives a routed case that has no queue item with its case.routed', async () => {
  const base = openedCase(unique('case-enqueue'), T0 - 20 * AFTER_MS).doc;
  const routedData = {
    caseId: base.caseId,
    useCase: base.useCase,
    policy: base.policy,
    route: 'review' as const,
    reason: 'band-medium' as const,
    rationale: 'medium band',
    queue: 'damage-review',
    priority: { score: 10, reasons: [] },
    dueAt: new Date(T0).toISOString(),
    reminderAt: [],
    routedAt: new Date(T0 - 20 * AFTER_MS).toISOString(),
  };
  const routedEvent = producedEvent(EventTypes.caseRouted, '/arbiter/router', routedData, { id: `routed_${base.caseId}`, subject: base.caseId });
  await write({ ...base, status: 'in-review', nextStep: pendingStep('enqueue', routedEvent, T0 - 20 * AFTER_MS) });
  const report = await reconciler(new ManualClock(new Date(T0 - 18 * AFTER_MS)))();
  expect(report.redriven.enqueue).toBe(1);
  const [again] = await routed.until((data) => data.caseId === base.caseId, 1);
  expect(again?.attributes['ce-id']).toBe(routedEvent.id);
  expect(dataOf(again!)).toEqual(routedData);
});

it('re-drives an evidence request past its dueBy with case.redriven alone: nothing of the crew’s or review-queue’s is published again', async () => {
  const base = openedCase(unique('case-requeue'), T0 - 50 * AFTER_MS).doc;
  const dueBy = T0 - 40 * AFTER_MS;
  const requested = producedEvent(
    EventTypes.evidenceRequested,
    '/arbiter/review-queue',
    { caseId: base.caseId, useCase: base.useCase, subject: base.subject, requestedBy: 'reviewer-1', reasonCode: 'ANGLE_MISSING', what: 'the rear bumper', dueBy: new Date(dueBy).toISOString() },
    { id: `evreq_${base.caseId}`, subject: base.caseId },
  );
  await write({ ...base, status: 'awaiting-evidence', nextStep: pendingStep('requeue', requested, dueBy) });
  // The crew may answer until dueBy: not overdue AFTER_MS after the request, only AFTER_MS after dueBy.
  expect((await reconciler(new ManualClock(new Date(dueBy + AFTER_MS - 1)))()).overdue).toBe(0);
  const report = await reconciler(new ManualClock(new Date(dueBy + AFTER_MS)))();
  expect(report).toMatchObject({ overdue: 1, redriven: { route: 0, enqueue: 0, requeue: 1 }, errors: 0 });
  const [redriven] = await lifecycle.until(redrivenOf(base.caseId), 1);
  expect(redriven?.attributes['ce-id']).toBe(redriveEventId(base.caseId, 'requeue', 1));
  expect(dataOf(redriven!)).toEqual({ caseId: base.caseId, useCase: base.useCase, step: 'requeue', pendingSince: new Date(dueBy).toISOString(), attempt: 1, redrivenAt: new Date(dueBy + AFTER_MS).toISOString() });
  // Still pending until review-queue acts on it: re-driven again after another wait.
  expect((await read(base.caseId)).nextStep).toMatchObject({ kind: 'requeue', since: dueBy + AFTER_MS, redrives: 1 });
});
