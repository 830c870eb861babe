/**
 * No case stalls when the router dies with a case in hand. The router is frozen (SIGSTOP) so the
 * case's `case.opened` is sent to a process that will never handle it, then killed (SIGKILL) and
 * started again the way a new Cloud Run instance would be. Whether or when the emulator would deliver
 * that message again is not what finishes the case: the reconciler sees the case pending its routing
 * past ARBITER_RECONCILE_AFTER and publishes its case.opened again (same ce-id); the audit trail shows
 * the re-drive, and the case gets exactly one decision.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { PubSub } from '@google-cloud/pubsub';
import { EventTypes, Topics } from '@arbiter/contract';
import type { DecisionMade } from '@arbiter/core';
import { type Services } from '@arbiter/local-stack';
import { policiesForRun, startArbiterForTest } from '@arbiter/testing';
import { auditRowsOf, cleanliness, Observer, provisionRunProject, publishPrediction, pubsub, root, testIdentityKey, waitUntil } from './support';
import { createFirestore } from '@arbiter/platform';

/** What the test reads of `cases/{caseId}`. */
interface CaseDoc {
  status: string;
  nextStep?: { kind: string };
}

jest.setTimeout(300_000);

const run = randomUUID().slice(0, 6);
const policies = policiesForRun(`rec${run}`);
let arbiter: Services;
let client: PubSub;
let decisions: Observer;
let opened: Observer;
let firestore: ReturnType<typeof createFirestore>;

beforeAll(async () => {
  const project = await provisionRunProject(`rec${run}`);
  arbiter = await startArbiterForTest({
    projectId: project,
    policiesDir: policies.dir,
    identityKey: await testIdentityKey(),
    env: { ARBITER_TICK_EVERY: 'PT1S', ARBITER_RECONCILE_AFTER: 'PT5S' },
    logDir: join(root, '.arbiter', 'logs', 'e2e-reconciler'),
  });
  client = pubsub(project);
  decisions = await Observer.onTopic(client, Topics.decisions);
  opened = await Observer.onTopic(client, Topics.caseOpened);
  firestore = createFirestore(project);
});

afterAll(async () => {
  await Promise.all([decisions, opened].map((observer) => observer?.close()));
  await arbiter?.stop();
  await client?.close();
  await firestore?.terminate();
  policies.cleanup();
});

it('finishes a case whose router was killed with it in hand, and the audit trail shows the re-drive', async () => {
  arbiter.pause('router');
  const { caseId } = await publishPrediction(client, cleanliness({ confidence: 0.97 }));
  // The assessor opened the case and published case.opened; the frozen router's stream took it.
  await waitUntil(`${caseId} opened`, async () => ((await firestore.collection('cases').doc(caseId).get()).data() as CaseDoc | undefined)?.nextStep?.kind === 'route');
  await opened.waitFor((message) => message.attributes['ce-subject'] === caseId);
  await arbiter.kill('router');
  await arbiter.restart('router');

  // The reconciler re-drives with backoff (the gaps grow 5, 10, 20, 40, 80 s …). The emulator can keep
  // handing case.opened to the killed router's dead stream for a while: on one clean-clone run (of
  // ac36bb3) re-drives 1–4 all reached the exporter's subscription of the same topic but none the
  // restarted router within 60 s. So the wait covers two more re-drives; it still fails if none lands.
  const decision = await waitUntil(`the decision of ${caseId}`, () => decisions.json<DecisionMade>((data) => data.caseId === caseId)[0], 180_000);
  expect(decision).toMatchObject({ decidedBy: { kind: 'auto' }, band: 'high' });

  // Each row comes through a subscription of its own, in no particular order: wait for all four.
  const rows = await waitUntil(
    `the audit rows of ${caseId} up to its decision`,
    async () => {
      const found = await auditRowsOf(caseId);
      const types = new Set(found.map((row) => row.event_type));
      return [EventTypes.caseOpened, EventTypes.caseRouted, EventTypes.decisionMade, EventTypes.caseRedriven].every((type) => types.has(type)) ? found : undefined;
    },
    60_000,
  );
  const redriven = rows.filter((row) => row.state === 'redriven');
  expect(redriven[0]).toMatchObject({ event_type: 'arbiter.case.redriven.v1', actor_kind: 'system', reason_code: 'STEP_OVERDUE.route', source_event_id: `opened_${caseId}` });
  // One row per state change: one opening, one routing, one decision, however often case.opened went out.
  const count = (type: string): number => rows.filter((row) => row.event_type === type).length;
  expect([count(EventTypes.caseOpened), count(EventTypes.caseRouted), count(EventTypes.decisionMade)]).toEqual([1, 1, 1]);
  expect(opened.where((message) => message.attributes['ce-subject'] === caseId).length).toBeGreaterThanOrEqual(2);
  expect(new Set(opened.where((message) => message.attributes['ce-subject'] === caseId).map((message) => message.attributes['ce-id']))).toEqual(new Set([`opened_${caseId}`]));
  const after = (await firestore.collection('cases').doc(caseId).get()).data() as CaseDoc;
  expect(after.nextStep).toBeUndefined();
  expect(after.status).toBe('decided');
});
