/**
 * Arbiter pushed to, as on Cloud Run: the five services run with `ARBITER_DELIVERY=push` and their
 * subscriptions are push subscriptions on the emulator pointing at each service's
 * `POST /pubsub/push/<subscription>` through the local push signer, which adds the OIDC token Pub/Sub
 * push sends on GCP (`pnpm start --push` does the same). Every band still takes its
 * path, and a service killed and started again (same port, as a new instance behind the same URL)
 * gets its deliveries again.
 */
import { randomUUID } from 'node:crypto';
import type { PubSub } from '@google-cloud/pubsub';
import { EventTypes, Subscriptions, Topics } from '@arbiter/contract';
import type { DecisionMade } from '@arbiter/core';
import { pushEndpointOf, type Services } from '@arbiter/local-stack';
import { startArbiterForTest } from '@arbiter/testing';
import { join } from 'node:path';
import { api, cleanliness, mintToken, Observer, policiesWithShortSla, provisionRunProject, publishPrediction, pubsub, root, testIdentityKey, waitUntil } from './support';

jest.setTimeout(180_000);

const run = randomUUID().slice(0, 6);
const policies = policiesWithShortSla(`push${run}`);
let arbiter: Services;
let client: PubSub;
let decisions: Observer;

beforeAll(async () => {
  const project = await provisionRunProject(`push${run}`);
  arbiter = await startArbiterForTest({ projectId: project, policiesDir: policies.dir, identityKey: await testIdentityKey(), env: { ARBITER_TICK_EVERY: 'PT1S' }, logDir: join(root, '.arbiter', 'logs', 'e2e-push'), delivery: 'push' });
  client = pubsub(project);
  decisions = await Observer.onTopic(client, Topics.decisions);
});

afterAll(async () => {
  await decisions?.close();
  await arbiter?.stop();
  await client?.close();
  policies.cleanup();
});

const decisionOf = (caseId: string): Promise<DecisionMade> => waitUntil(`the decision of ${caseId}`, () => decisions.json<DecisionMade>((data) => data.caseId === caseId)[0]);

it('points every subscription at the service that owns it, through the push signer', async () => {
  expect(arbiter.delivery).toBe('push');
  for (const spec of Subscriptions) {
    const [metadata] = await client.subscription(spec.name).getMetadata();
    expect(metadata.pushConfig?.pushEndpoint).toBe(pushEndpointOf(spec.name, arbiter.pushSigner.endpointBaseOf(spec.service)));
  }
});

it('decides automatically, by default and by a reviewer, pushed to', async () => {
  const high = await publishPrediction(client, cleanliness({ confidence: 0.97 }));
  const medium = await publishPrediction(client, cleanliness({ confidence: 0.78 }));
  const low = await publishPrediction(client, cleanliness({ confidence: 0.3 }));
  expect(await decisionOf(high.caseId)).toMatchObject({ decidedBy: { kind: 'auto' }, band: 'high' });
  expect(await decisionOf(low.caseId)).toMatchObject({ decidedBy: { kind: 'policy' }, band: 'low' });

  const apiUrl = arbiter.urlOf('review-queue');
  const reviewer = await mintToken('reviewer-push', ['reviewer', 'cleanliness-reviewer']);
  const queueId = policies.queue('cleanliness-review');
  const item = await waitUntil(`${medium.caseId} in ${queueId}`, async () => (await api<{ items: Array<{ itemId: string; caseId: string }> }>(apiUrl, reviewer, 'GET', `/queues/${queueId}/items?limit=100`)).body.items?.find((candidate) => candidate.caseId === medium.caseId));
  expect((await api(apiUrl, reviewer, 'POST', `/items/${encodeURIComponent(item.itemId)}/claim`, {})).status).toBe(200);
  expect((await api(apiUrl, reviewer, 'POST', `/cases/${medium.caseId}/decision`, { optionId: 'reject', reasonCode: 'STAIN_NOT_VISIBLE_IN_RETURN' })).status).toBe(200);
  expect(await decisionOf(medium.caseId)).toMatchObject({ decidedBy: { kind: 'human', id: 'reviewer-push' } });
});

it('pushes to a router that was killed and started again', async () => {
  await arbiter.kill('router');
  const whileDown = await publishPrediction(client, cleanliness({ confidence: 0.97 }));
  await arbiter.restart('router');
  const after = await publishPrediction(client, cleanliness({ confidence: 0.97 }));
  expect(await decisionOf(after.caseId)).toMatchObject({ decidedBy: { kind: 'auto' } });
  // Published while no router answered: the emulator retries the push until one does.
  expect(await decisionOf(whileDown.caseId)).toMatchObject({ decidedBy: { kind: 'auto' } });
  // One decision.made.v1 each (v2 repeats it on the same topic with a ce-id of its own).
  expect(decisions.json<DecisionMade>((data, attributes) => attributes['ce-type'] === EventTypes.decisionMade && (data.caseId === whileDown.caseId || data.caseId === after.caseId)).map((d) => d.caseId).sort()).toEqual([whileDown.caseId, after.caseId].sort());
});
