/**
 * What the console's browser tests need from the stack: the shared harness (tools/testing) for the
 * run's policies, the services as processes, the persona sign-in and the reviewer API, plus the predictions these tests publish.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { PubSub } from '@google-cloud/pubsub';
import { createEvent, EventTypes, toPubSubMessage, Topics } from '@arbiter/contract';
import { sampleDefects, type PredictionSubmitted } from '@arbiter/core';
import { newLocalIdentityKey, signInAsPersona, pubSubClient, type Services } from '@arbiter/local-stack';
import { policiesForRun as sharedPoliciesForRun, provisionRunProject, reviewerApi, startArbiterForTest, testEndpoints } from '@arbiter/testing';
import { idFromEventIdentity } from '@arbiter/platform';

export const root = join(__dirname, '..', '..', '..');
const SOURCE = '//console-e2e/upstream';

export const endpoints = testEndpoints;
export const policiesForRun = sharedPoliciesForRun;

export { provisionRunProject };

/** The five services in the run's project (`provisionRunProject`). */
export async function startArbiter(projectId: string, policiesDir: string, env: Record<string, string> = {}): Promise<Services> {
  return startArbiterForTest({ projectId, policiesDir, identityKey: await newLocalIdentityKey(), logDir: join(root, '.arbiter', 'logs', 'console-e2e'), env });
}

/** The persona sign-in the console uses (`POST /auth/local/sign-in`). */
export { signInAsPersona };

/** A Pub/Sub client in the run's project. */
export const pubsub = (projectId: string): PubSub => pubSubClient(projectId, endpoints().pubsubEmulatorHost);

export async function publishPrediction(client: PubSub, data: PredictionSubmitted): Promise<string> {
  const id = randomUUID();
  const event = createEvent({ type: EventTypes.predictionSubmitted, source: SOURCE, id, data });
  if (!event.ok) throw new Error(`test prediction is invalid: ${event.error.message}`);
  await client.topic(Topics.predictions).publishMessage(toPubSubMessage(event.value));
  return idFromEventIdentity('case', SOURCE, id);
}

/** Watching topics and waiting: the helpers every integration test shares. */
export { Observer, waitUntil } from '@arbiter/testing';

export const api = reviewerApi;

/**
 * A medium-band cleanliness prediction with the demo's evidence URIs (painted by review-queue, its
 * defects where the regions are). Cases given the same `look` show the same photos with the stains in
 * the same places — alike, so the queue batches them (policy batch.similarity); by default each case
 * looks like itself.
 */
export function cleanliness(confidence: number, look?: string): PredictionSubmitted {
  const booking = `bk-console-${randomUUID().slice(0, 8)}`;
  const scene = look ?? booking;
  return {
    useCase: 'vehicle-cleanliness',
    subject: { type: 'booking', id: booking },
    model: { name: 'cleanliness-vit', version: '2.3.0' },
    prediction: { label: 'dirty', confidence, scores: { dirty: confidence, clean: Math.round((1 - confidence) * 1000) / 1000 }, regions: sampleDefects('vehicle-cleanliness', scene).map((d) => ({ x: d.x, y: d.y, width: d.width, height: d.height, label: d.kind, score: 0.81 })) },
    evidence: [
      { uri: `gs://arbiter-demo-evidence/vehicle-cleanliness/${scene}/baseline-1.jpg`, role: 'baseline', mediaType: 'image/jpeg' },
      { uri: `gs://arbiter-demo-evidence/vehicle-cleanliness/${scene}/return-1.jpg`, role: 'return', mediaType: 'image/jpeg' },
    ],
    category: 'operational',
    context: { nextBookingAt: new Date(Date.now() + 2 * 3_600_000).toISOString(), amount: { value: 35, currency: 'EUR' }, customerId: 'cus-console-4411', station: 'BER-Hbf' },
  };
}

export function journeyProposal(context: Record<string, unknown>): PredictionSubmitted {
  return {
    useCase: 'journey-logic-architecture',
    subject: { type: 'journey-logic', id: `jl-console-${randomUUID().slice(0, 8)}` },
    model: { name: 'journey-planner', version: '4.1.0' },
    prediction: { label: 'approve', confidence: 0.8 },
    category: 'strategic',
    pattern: { features: { component: 'Mobile TikTok Users', stageCount: 4 } },
    context: { revenueImpactEur: 120000, technicalComplexity: 'Medium', implementationWeeks: 3, ...context },
  };
}
