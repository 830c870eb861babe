import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { PubSub } from '@google-cloud/pubsub';
import { createEvent, EventTypes, toPubSubMessage, Topics, type EventType } from '@arbiter/contract';
import type { PredictionSubmitted } from '@arbiter/core';
import { newLocalIdentityKey, signReviewerToken, pubSubClient, type Services } from '@arbiter/local-stack';
import { policiesForRun, provisionRunProject, reviewerApi, startArbiterForTest, testEndpoints, type RunPolicies } from '@arbiter/testing';
import { idFromEventIdentity } from '@arbiter/platform';

export const root = join(__dirname, '..', '..');
/** Review-queue trusts this key for reviewer tokens (local identity); `mintToken` signs with it. */
let identityKey: ReturnType<typeof newLocalIdentityKey> | undefined;
export const testIdentityKey = (): ReturnType<typeof newLocalIdentityKey> => (identityKey ??= newLocalIdentityKey());

export const endpoints = testEndpoints;

/**
 * The shipped policies with this run's queue ids, plus `e2e-short-sla`: the cleanliness policy with an
 * SLA of seconds, so reminders, escalation and expiry happen while the test watches.
 */
export function policiesWithShortSla(suffix: string): RunPolicies {
  const policies = policiesForRun(suffix);
  const short = policies
    .text('vehicle-cleanliness.yaml')
    .replace(/^id: vehicle-cleanliness$/m, 'id: e2e-short-sla')
    .replace(/^title: .*$/m, 'title: Cleanliness with an SLA of seconds (end-to-end test)')
    .replace(/target: PT2H/, 'target: PT8S')
    .replace(/remindBefore: \[PT30M, PT10M\]/, 'remindBefore: [PT5S]')
    .replace(/expiry: \{ after: PT22H/, 'expiry: { after: PT6S');
  policies.write('e2e-short-sla.yaml', short);
  return policies;
}

export { provisionRunProject };

/** The five services in the run's project (`provisionRunProject`), the escalator ticking every second. */
export async function startArbiter(projectId: string, policiesDir: string): Promise<Services> {
  return startArbiterForTest({ projectId, policiesDir, identityKey: await testIdentityKey(), env: { ARBITER_TICK_EVERY: 'PT1S' }, logDir: join(root, '.arbiter', 'logs', 'e2e') });
}

/** A reviewer token for any id and roles, signed with the run's local identity key. */
export const mintToken = async (sub: string, roles: string[]): Promise<string> => signReviewerToken(await testIdentityKey(), sub, roles);

/** A Pub/Sub client in the run's project. */
export function pubsub(projectId: string): PubSub {
  return pubSubClient(projectId, endpoints().pubsubEmulatorHost);
}

export const SOURCE = '//e2e/upstream';

/** Publishes a prediction in binary mode; returns its ce-id and the case id Arbiter derives from it. */
export async function publishPrediction(client: PubSub, data: PredictionSubmitted, id: string = randomUUID()): Promise<{ id: string; caseId: string }> {
  await publishEvent(client, EventTypes.predictionSubmitted, data, id);
  return { id, caseId: idFromEventIdentity('case', SOURCE, id) };
}

export async function publishEvent(client: PubSub, type: EventType, data: unknown, id: string = randomUUID(), source = SOURCE): Promise<string> {
  const event = createEvent({ type, source, id, data: data as never });
  if (!event.ok) throw new Error(`test event is invalid: ${event.error.message}`);
  const topic = type === EventTypes.evidenceSubmitted ? Topics.evidence : Topics.predictions;
  await client.topic(topic).publishMessage(toPubSubMessage(event.value));
  return id;
}

export { Observer, waitUntil } from '@arbiter/testing';

export const api = reviewerApi;

export function cleanliness(overrides: Partial<PredictionSubmitted> & { confidence: number; label?: string; useCase?: string }): PredictionSubmitted {
  const booking = `bk-e2e-${randomUUID().slice(0, 8)}`;
  const { confidence, label = 'dirty', useCase = 'vehicle-cleanliness', ...rest } = overrides;
  return {
    useCase,
    subject: { type: 'booking', id: booking },
    model: { name: 'cleanliness-vit', version: '2.3.0' },
    prediction: { label, confidence, scores: { dirty: confidence, clean: Math.round((1 - confidence) * 1000) / 1000 }, regions: [{ x: 0.1, y: 0.2, width: 0.3, height: 0.2, label: 'stain', score: 0.81 }] },
    evidence: [
      { uri: `gs://arbiter-demo-evidence/vehicle-cleanliness/${booking}/baseline-1.jpg`, role: 'baseline', mediaType: 'image/jpeg' },
      { uri: `gs://arbiter-demo-evidence/vehicle-cleanliness/${booking}/return-1.jpg`, role: 'return', mediaType: 'image/jpeg' },
    ],
    category: 'operational',
    context: { nextBookingAt: new Date(Date.now() + 3_600_000).toISOString(), amount: { value: 25, currency: 'EUR' }, customerId: 'cus-e2e-secret-881' },
    ...rest,
  };
}

export function hitl(useCase: string, options: { confidence: number; category?: string; features?: Record<string, string | number | boolean>; context?: Record<string, unknown>; factors?: Record<string, number> }): PredictionSubmitted {
  return {
    useCase,
    subject: { type: 'proposal', id: `prop-e2e-${randomUUID().slice(0, 8)}` },
    model: { name: 'journey-engine', version: '4.1.0' },
    prediction: { label: 'approve', confidence: options.confidence },
    ...(options.category ? { category: options.category } : {}),
    ...(options.factors ? { factors: options.factors } : {}),
    ...(options.features ? { pattern: { features: options.features } } : {}),
    context: { component: 'Mobile TikTok Users', apiCategory: 'Journey Tracking', ...options.context },
  };
}

/** The audit rows of a case in the suite's BigQuery project (the emulator serves one project). */
export async function auditRowsOf(caseId: string): Promise<Array<Record<string, unknown>>> {
  const { bigqueryEmulatorHost, projectId } = testEndpoints();
  const response = await fetch(`${bigqueryEmulatorHost}/bigquery/v2/projects/${projectId}/queries`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `SELECT event_type, event_id, event_source, state, actor_kind, reason_code, source_event_id, payload FROM arbiter_audit.audit_events WHERE case_id = '${caseId}'`, useLegacySql: false }),
  });
  const body = (await response.json()) as { schema?: { fields: Array<{ name: string }> }; rows?: Array<{ f: Array<{ v: unknown }> }> };
  const names = body.schema?.fields.map((field) => field.name) ?? [];
  return (body.rows ?? []).map((row) => Object.fromEntries(row.f.map((cell, index) => [names[index] as string, cell.v])));
}
