import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PubSub } from '@google-cloud/pubsub';
import { createEvent, EventTypes, toPubSubMessage, Topics, type EventType } from '@arbiter/contract';
import type { PredictionSubmitted } from '@arbiter/core';
import { pubSubClient, startServices, type Services, type StackEndpoints } from '@arbiter/infra';
import { idFromEventIdentity } from '@arbiter/platform';

export const root = join(__dirname, '..', '..');
export const TEST_AUTH_SECRET = 'e2e-auth-secret-0123456789abcdef0123';

/** The emulators the Jest global setup started (always loopback; it refuses anything else). */
export function endpoints(): StackEndpoints {
  const { ARBITER_PROJECT_ID, PUBSUB_EMULATOR_HOST, FIRESTORE_EMULATOR_HOST, BIGQUERY_EMULATOR_HOST } = process.env;
  if (!ARBITER_PROJECT_ID || !PUBSUB_EMULATOR_HOST || !FIRESTORE_EMULATOR_HOST || !BIGQUERY_EMULATOR_HOST) throw new Error('the integration global setup did not export the emulator variables');
  return { projectId: ARBITER_PROJECT_ID, pubsubEmulatorHost: PUBSUB_EMULATOR_HOST, firestoreEmulatorHost: FIRESTORE_EMULATOR_HOST, bigqueryEmulatorHost: BIGQUERY_EMULATOR_HOST };
}

/**
 * A copy of the shipped policies in a temporary folder, with every queue id suffixed so this run's
 * queues are its own (other test files share the emulators), plus `e2e-short-sla`: the cleanliness
 * policy with an SLA of seconds, so reminders, escalation and expiry happen while the test watches.
 */
export function policiesForRun(suffix: string): { dir: string; queue: (id: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-e2e-policies-'));
  const queueIds = new Set<string>();
  const files = readdirSync(join(root, 'policies')).filter((file) => file.endsWith('.yaml'));
  for (const file of files) for (const match of readFileSync(join(root, 'policies', file), 'utf8').matchAll(/^ {2}- id: ([a-z0-9-]+)$/gm)) queueIds.add(match[1] as string);
  // Queue ids stand where a queue is defined (`  - id: x`) or referenced (`queue: x`).
  const suffixQueues = (text: string): string => text.replace(new RegExp(`(^ {2}- id: |queue: )(${[...queueIds].join('|')})\\b`, 'gm'), `$1$2-${suffix}`);
  for (const file of files) writeFileSync(join(dir, file), suffixQueues(readFileSync(join(root, 'policies', file), 'utf8')));
  const short = suffixQueues(readFileSync(join(root, 'policies', 'vehicle-cleanliness.yaml'), 'utf8'))
    .replace(/^id: vehicle-cleanliness$/m, 'id: e2e-short-sla')
    .replace(/^title: .*$/m, 'title: Cleanliness with an SLA of seconds (end-to-end test)')
    .replace(/target: PT2H/, 'target: PT8S')
    .replace(/remindBefore: \[PT30M, PT10M\]/, 'remindBefore: [PT5S]')
    .replace(/expiry: \{ after: PT22H/, 'expiry: { after: PT6S');
  writeFileSync(join(dir, 'e2e-short-sla.yaml'), short);
  return { dir, queue: (id) => `${id}-${suffix}`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startArbiter(policiesDir: string): Promise<Services> {
  return startServices({
    endpoints: endpoints(),
    ports: 'free',
    env: { ARBITER_POLICIES_DIR: policiesDir, ARBITER_AUTH_SECRET: TEST_AUTH_SECRET, ARBITER_TICK_EVERY: 'PT1S', LOG_LEVEL: 'info' },
    logDir: join(root, '.arbiter', 'logs', 'e2e'),
  });
}

/** A token minted by the documented command, as a person setting up locally would. */
export function mintToken(sub: string, roles: string[]): string {
  const output = execFileSync(process.execPath, [join(root, 'services', 'review-queue', 'dist', 'mint-token.js'), '--sub', sub, '--roles', roles.join(','), '--ttl', '1h'], {
    env: { ...process.env, ARBITER_AUTH_SECRET: TEST_AUTH_SECRET },
    encoding: 'utf8',
  });
  const token = output.trim().split('\n').pop() ?? '';
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) throw new Error(`pnpm mint-token printed no JWT: ${output}`);
  return token;
}

export function pubsub(): PubSub {
  const stack = endpoints();
  return pubSubClient(stack.projectId, stack.pubsubEmulatorHost);
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

export { Observer, waitUntil } from '@arbiter/infra';

export async function api<T = Record<string, unknown>>(baseUrl: string, token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}

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
