import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import { Collections, caseDocFromOpened, type CaseDoc } from '@arbiter/case-store';
import { createEvent, toPubSubMessage, topicOf, EventTypes, type ArbiterEvent } from '@arbiter/contract';
import { similarityBasisOf, type CaseOpened, type CaseRouted, type WorkOrder, type WorkOrderItem } from '@arbiter/core';
import { OutboxRelay, ServiceHost, createLogger, systemClock, noPushCallers } from '@arbiter/platform';
import { parsePolicyFiles, type PolicyRegistry } from '@arbiter/policy';
import { provisionPubSub, pubSubClient } from '@arbiter/local-stack';
import { createReviewQueueApp, type ReviewQueueUseCases } from '../src/app';
import { firestoreStores } from '../src/stores.firestore';
import { LocalIdentityProvider } from '../src/identity';
import { LocalEvidenceUrlSigner } from '../src/evidence';
import type { AuditQueries } from '../src/ports';

/** What the tests read of a Pub/Sub message. */
export interface Message {
  attributes: Record<string, string>;
  data: Buffer;
  ack(): void;
}

/** The local identity provider the test apps trust; `token` signs with its key (ES256, as the persona sign-in does). */
let key: ReturnType<typeof LocalIdentityProvider.newPrivateJwk> | undefined;
let provider: Promise<LocalIdentityProvider> | undefined;
/** The private key the test apps' local identity provider signs with (for tokens a test forges on purpose). */
export const localIdentityKey = (): ReturnType<typeof LocalIdentityProvider.newPrivateJwk> => (key ??= LocalIdentityProvider.newPrivateJwk());
export const localIdentity = (): Promise<LocalIdentityProvider> => (provider ??= localIdentityKey().then((jwk) => LocalIdentityProvider.create(jwk)));
const root = join(__dirname, '..', '..', '..');

export const uid = (): string => randomUUID().slice(0, 8);

/**
 * A policy edit that samples every case (1) or none (0) for double review and golden cases. Both
 * sample on the case id, so with the shipped rates a random test case would draw them now and then.
 */
export const withQualitySampling = (rate: 0 | 1) => (text: string): string =>
  text.replace(/doubleReviewRate: [0-9.]+/, `doubleReviewRate: ${rate}`).replace(/goldenRate: [0-9.]+/, `goldenRate: ${rate}`);

/** Quality sampling off, for tests that follow one item per case (sampling has quality.int.test.ts). */
export const withoutQualitySampling = withQualitySampling(0);

/** The shipped policies, with every queue id suffixed so this test's queues are its own. */
export function isolatedPolicies(suffix: string, edit: (text: string) => string = (text) => text): { registry: PolicyRegistry; queue: (id: string) => string } {
  const files = ['vehicle-cleanliness', 'api-endpoint-batch'].map((id) => {
    const text = edit(readFileSync(join(root, 'policies', `${id}.yaml`), 'utf8').replace(/\b(cleanliness-review|api-review|api-batch|api-immediate)\b/g, `$1-${suffix}`));
    return { file: `${id}.yaml`, text };
  });
  const parsed = parsePolicyFiles(files);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return { registry: parsed.value, queue: (id: string) => `${id}-${suffix}` };
}

export interface Running {
  url: string;
  host: ServiceHost;
  firestore: Firestore;
  useCases: ReviewQueueUseCases;
  policies: PolicyRegistry;
  queue: (id: string) => string;
  close(): Promise<void>;
}

export async function startApp(options: { leaseMs?: number; spread?: number; editPolicies?: (text: string) => string; undoWindowMs?: number; pendingSweepMs?: number; aheadLeaseMs?: number; sameProjectAs?: Running & { projectId: string }; audit?: AuditQueries } = {}): Promise<Running & { projectId: string }> {
  // A project of its own on the shared emulators: its own topics, subscriptions and Firestore data,
  // so nothing another test file published or wrote (and nothing left in a shared subscription)
  // reaches this app, and nothing it does reaches theirs.
  // (`sameProjectAs`: a second instance of the service over the first one's project, as Cloud Run runs several.)
  const projectId = options.sameProjectAs?.projectId ?? `rq-test-${uid()}`;
  const emulator = process.env.PUBSUB_EMULATOR_HOST;
  if (!emulator) throw new Error('PUBSUB_EMULATOR_HOST is not set: run with --selectProjects integration');
  if (!options.sameProjectAs) {
    const admin = pubSubClient(projectId, emulator);
    await provisionPubSub(admin);
    await admin.close();
  }
  const logger = createLogger({ service: 'review-queue-test', level: 'warn' });
  const firestore = new Firestore({ projectId, ignoreUndefinedProperties: true });
  const host = new ServiceHost({ service: 'review-queue', projectId, logger, delivery: 'pull', backoffBeforeNack: true, pushAuth: noPushCallers });
  const relay = new OutboxRelay(firestore, host.publisher, logger);
  const { registry, queue } = options.sameProjectAs ? { registry: options.sameProjectAs.policies, queue: options.sameProjectAs.queue } : isolatedPolicies(uid(), options.editPolicies);
  let url = '';
  const useCases = createReviewQueueApp({
    host,
    stores: firestoreStores(firestore, relay),
    policies: registry,
    clock: systemClock,
    logger,
    signer: new LocalEvidenceUrlSigner(() => url),
    identity: (await localIdentity()).verifier(),
    localIdentity: await localIdentity(),
    claimLeaseMs: options.leaseMs ?? 600_000,
    claimSpread: options.spread ?? 10,
    ...(options.undoWindowMs !== undefined ? { undoWindowMs: options.undoWindowMs } : {}),
    ...(options.pendingSweepMs !== undefined ? { pendingSweepMs: options.pendingSweepMs } : {}),
    ...(options.aheadLeaseMs !== undefined ? { aheadLeaseMs: options.aheadLeaseMs } : {}),
    ...(options.audit ? { audit: options.audit } : {}),
    evidenceDir: join(__dirname, '..', 'sample-evidence'),
  });
  const port = await host.start(0, '127.0.0.1');
  url = `http://127.0.0.1:${port}`;
  return {
    projectId,
    policies: registry,
    url,
    host,
    firestore,
    useCases,
    queue,
    close: async () => {
      await host.close();
      // As main.ts does: publishes still running and the removal of sent outbox entries finish before Firestore goes.
      await relay.close();
      await firestore.terminate();
    },
  };
}

export const token = async (sub: string, roles: string[], extra: { queues?: string[]; ttlSeconds?: number } = {}): Promise<string> =>
  (await (await localIdentity()).issue({ sub, roles, ...(extra.queues ? { queues: extra.queues } : {}) }, extra.ttlSeconds ?? 3600)).token;

export async function call(app: Running, method: string, path: string, auth: string | undefined, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: { ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export interface CaseSpec {
  label?: string;
  confidence?: number;
  subjectId?: string;
  nextBookingAt?: string;
  customerId?: string;
  features?: Record<string, string>;
}

/** Writes the case document the assessor would have written (the review queue reads it, never creates it). */
export async function writeCase(firestore: Firestore, spec: CaseSpec = {}): Promise<CaseDoc> {
  const caseId = `case_${randomUUID().replace(/-/g, '')}`;
  const subjectId = spec.subjectId ?? `bk-${uid()}`;
  const opened: CaseOpened = {
    caseId,
    useCase: 'vehicle-cleanliness',
    policy: { id: 'vehicle-cleanliness', version: '1' },
    subject: { type: 'booking', id: subjectId },
    model: { name: 'cleanliness-vit', version: '2.3.0' },
    confidence: spec.confidence ?? 0.78,
    confidenceSource: 'prediction',
    band: 'medium',
    thresholds: { high: 0.9, low: 0.6 },
    prediction: {
      useCase: 'vehicle-cleanliness',
      subject: { type: 'booking', id: subjectId },
      model: { name: 'cleanliness-vit', version: '2.3.0' },
      prediction: { label: spec.label ?? 'dirty', confidence: spec.confidence ?? 0.78, scores: { dirty: 0.78, clean: 0.22 }, regions: [{ x: 0.1, y: 0.2, width: 0.3, height: 0.2, label: 'stain', score: 0.81 }] },
      evidence: [
        { uri: 'gs://evidence/bk-20261121-0042/before-1.jpg', role: 'baseline', mediaType: 'image/jpeg' },
        { uri: 'gs://evidence/bk-20261121-0042/after-1.jpg', role: 'return', mediaType: 'image/jpeg' },
      ],
      ...(spec.features ? { pattern: { features: spec.features } } : {}),
      context: { amount: { value: 25, currency: 'EUR' }, customerId: spec.customerId ?? 'cus-881', ...(spec.nextBookingAt ? { nextBookingAt: spec.nextBookingAt } : {}) },
    },
    sourceEvent: { id: randomUUID(), source: '//test/upstream' },
    openedAt: new Date().toISOString(),
  };
  const doc = caseDocFromOpened(opened);
  await firestore.collection(Collections.cases).doc(caseId).set(doc);
  return doc;
}

/**
 * `case.routed` of a review route to `queue` (or what `extra` makes of it), with the work order the
 * router would issue for its fields: the decision item of a review route (its priority, due time,
 * reminders — 30 and 10 minutes before due unless given — batch key and similarity basis), the
 * blind-review item of a sampled automatic decision (in `extra.queue`, else `queue`). `extra.workOrder`
 * replaces it.
 */
export function routedEvent(caseDoc: CaseDoc, queue: string, extra: Partial<CaseRouted> = {}): ArbiterEvent {
  const fields: CaseRouted = {
    caseId: caseDoc.caseId,
    useCase: caseDoc.useCase,
    policy: caseDoc.policy,
    route: 'review',
    reason: 'band-medium',
    queue,
    priority: { score: 10, reasons: [] },
    dueAt: new Date(Date.now() + 2 * 3_600_000).toISOString(),
    batchKey: JSON.stringify(['vehicle-cleanliness', queue, 'cleanliness-vit', '2.3.0', caseDoc.prediction.prediction?.label ?? null]),
    rationale: 'test',
    routedAt: new Date().toISOString(),
    ...extra,
  };
  const data: CaseRouted = { ...fields, workOrder: extra.workOrder ?? workOrderOf(caseDoc, fields, queue) };
  const event = createEvent({ type: EventTypes.caseRouted, source: '/arbiter/router', data, subject: caseDoc.caseId });
  if (!event.ok) throw new Error(event.error.message);
  return event.value as ArbiterEvent;
}

function workOrderOf(caseDoc: CaseDoc, routed: CaseRouted, queue: string): WorkOrder {
  const dueAt = routed.dueAt ?? new Date(Date.now() + 2 * 3_600_000).toISOString();
  const due = Date.parse(dueAt);
  const reminderAt = routed.reminderAt ?? [due - 30 * 60_000, due - 10 * 60_000].map((t) => new Date(t).toISOString());
  const first = reminderAt.map((r) => Date.parse(r)).find((t) => t > caseDoc.openedAt && t < due);
  const item = (purpose: WorkOrderItem['purpose']): WorkOrderItem => ({
    purpose,
    queue: routed.queue ?? queue,
    priority: routed.priority ?? { score: 0, reasons: [] },
    dueAt,
    reminderAt,
    sla: { nextCheckAt: new Date(first ?? due).toISOString() },
    ...(purpose === 'decision' && routed.batchKey ? { batchKey: routed.batchKey, similarityBasis: similarityBasisOf(caseDoc.prediction, {}) } : {}),
  });
  if (routed.route === 'review') return { items: [item('decision')] };
  return { items: routed.blindReview === true ? [item('blind-review')] : [] };
}

/** Publishes on the event type's own topic unless told otherwise. */
export async function publish(app: Running, event: ArbiterEvent, topic: string = topicOf[event.type]): Promise<void> {
  const message = toPubSubMessage(event);
  await app.host.pubsub.topic(topic).publishMessage({ data: message.data, attributes: message.attributes });
}

/** The shared wait of the integration tests (@arbiter/testing). */
export { waitUntil } from '@arbiter/testing';

/** A temporary subscription on a topic that collects every message from now on. */
export async function tap(app: Running, topic: string): Promise<{ messages: Message[]; close(): Promise<void> }> {
  const [subscription] = await app.host.pubsub.topic(topic).createSubscription(`test-tap-${uid()}`);
  const messages: Message[] = [];
  // A stream error after the test closed it must not crash the run (an unhandled 'error' event).
  subscription.on('error', () => undefined);
  subscription.on('message', (m: Message) => {
    messages.push(m);
    m.ack();
  });
  return {
    messages,
    close: async () => {
      await subscription.close();
      await subscription.delete();
    },
  };
}

export const ofType = (messages: Message[], type: string, caseId?: string): Array<{ attributes: Record<string, string>; data: any }> =>
  messages
    .filter((m) => m.attributes['ce-type'] === type && (caseId === undefined || m.attributes['ce-subject'] === caseId))
    .map((m) => ({ attributes: m.attributes, data: JSON.parse(m.data.toString('utf8')) }));
