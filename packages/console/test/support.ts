/**
 * What the console's browser tests need from the stack, kept here (not borrowed from tests/e2e) so
 * they do not move when the end-to-end suite does: a temporary copy of the policies with this run's
 * queue ids, the services as processes, tokens from the documented mint command, predictions
 * published in binary mode, and a watcher on a topic through a subscription of the test's own.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PubSub } from '@google-cloud/pubsub';
import { createEvent, EventTypes, toPubSubMessage, Topics } from '@arbiter/contract';
import type { PredictionSubmitted } from '@arbiter/core';
import { pubSubClient, startServices, type Services, type StackEndpoints } from '@arbiter/infra';
import { idFromEventIdentity } from '@arbiter/platform';

export const root = join(__dirname, '..', '..', '..');
const AUTH_SECRET = 'console-e2e-auth-secret-0123456789abcdef';
const SOURCE = '//console-e2e/upstream';

export function endpoints(): StackEndpoints {
  const { ARBITER_PROJECT_ID, PUBSUB_EMULATOR_HOST, FIRESTORE_EMULATOR_HOST, BIGQUERY_EMULATOR_HOST } = process.env;
  if (!ARBITER_PROJECT_ID || !PUBSUB_EMULATOR_HOST || !FIRESTORE_EMULATOR_HOST || !BIGQUERY_EMULATOR_HOST) throw new Error('the integration global setup did not export the emulator variables');
  return { projectId: ARBITER_PROJECT_ID, pubsubEmulatorHost: PUBSUB_EMULATOR_HOST, firestoreEmulatorHost: FIRESTORE_EMULATOR_HOST, bigqueryEmulatorHost: BIGQUERY_EMULATOR_HOST };
}

/** The shipped policies in a temporary folder with every queue id suffixed (other test files share the emulators). */
export function policiesForRun(suffix: string): { dir: string; queue: (id: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-console-policies-'));
  const files = readdirSync(join(root, 'policies')).filter((f) => f.endsWith('.yaml'));
  const ids = new Set<string>();
  for (const f of files) for (const m of readFileSync(join(root, 'policies', f), 'utf8').matchAll(/^ {2}- id: ([a-z0-9-]+)$/gm)) ids.add(m[1] as string);
  const pattern = new RegExp(`(^ {2}- id: |queue: )(${[...ids].join('|')})\\b`, 'gm');
  for (const f of files) writeFileSync(join(dir, f), readFileSync(join(root, 'policies', f), 'utf8').replace(pattern, `$1$2-${suffix}`));
  return { dir, queue: (id) => `${id}-${suffix}`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function startArbiter(policiesDir: string): Promise<Services> {
  return startServices({ endpoints: endpoints(), ports: 'free', env: { ARBITER_POLICIES_DIR: policiesDir, ARBITER_AUTH_SECRET: AUTH_SECRET, LOG_LEVEL: 'info' }, logDir: join(root, '.arbiter', 'logs', 'console-e2e') });
}

/** A token from the documented command (`pnpm mint-token`), as a person signing in locally would mint it. */
export function mintToken(sub: string, roles: string[]): string {
  const output = execFileSync(process.execPath, [join(root, 'services', 'review-queue', 'dist', 'mint-token.js'), '--sub', sub, '--roles', roles.join(','), '--ttl', '1h'], { env: { ...process.env, ARBITER_AUTH_SECRET: AUTH_SECRET }, encoding: 'utf8' });
  const token = output.trim().split('\n').pop() ?? '';
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) throw new Error(`pnpm mint-token printed no JWT: ${output}`);
  return token;
}

export const pubsub = (): PubSub => pubSubClient(endpoints().projectId, endpoints().pubsubEmulatorHost);

export async function publishPrediction(client: PubSub, data: PredictionSubmitted): Promise<string> {
  const id = randomUUID();
  const event = createEvent({ type: EventTypes.predictionSubmitted, source: SOURCE, id, data });
  if (!event.ok) throw new Error(`test prediction is invalid: ${event.error.message}`);
  await client.topic(Topics.predictions).publishMessage(toPubSubMessage(event.value));
  return idFromEventIdentity('case', SOURCE, id);
}

/** Watching topics and waiting: the helpers every integration test shares. */
export { Observer, waitUntil as eventually } from '@arbiter/infra';

export async function api<T = Record<string, unknown>>(baseUrl: string, token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl}/api${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}

/** A medium-band cleanliness prediction with the demo's evidence URIs (painted by review-queue). */
export function cleanliness(confidence: number): PredictionSubmitted {
  const booking = `bk-console-${randomUUID().slice(0, 8)}`;
  return {
    useCase: 'vehicle-cleanliness',
    subject: { type: 'booking', id: booking },
    model: { name: 'cleanliness-vit', version: '2.3.0' },
    prediction: { label: 'dirty', confidence, scores: { dirty: confidence, clean: Math.round((1 - confidence) * 1000) / 1000 }, regions: [{ x: 0.3, y: 0.35, width: 0.3, height: 0.25, label: 'stain', score: 0.81 }] },
    evidence: [
      { uri: `gs://arbiter-demo-evidence/vehicle-cleanliness/${booking}/baseline-1.jpg`, role: 'baseline', mediaType: 'image/jpeg' },
      { uri: `gs://arbiter-demo-evidence/vehicle-cleanliness/${booking}/return-1.jpg`, role: 'return', mediaType: 'image/jpeg' },
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
