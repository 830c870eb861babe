import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Message, PubSub } from '@google-cloud/pubsub';
import { createEvent, deadLetterInspectionOf, EventTypes, toPubSubMessage } from '@arbiter/contract';
import { provisionPubSub, pubSubClient } from '@arbiter/local-stack';
import { waitUntil } from '@arbiter/testing';
import { createLogger, DeliveryCounters, PubSubConsumer, PubSubEventPublisher, permanentFailure, type EventHandler } from '@arbiter/platform';

/**
 * The consumer against the real Pub/Sub emulator, on a topic and subscription provisioned by the same
 * code `pnpm start` uses: a valid event reaches the handler and is acked; an invalid one, or one the
 * handler rejects for good, or one that keeps failing, ends on the subscription's dead-letter topic
 * with its reason — and is never handed to the handler twice after that.
 */
// The dead-letter test waits up to a minute for the last attempt; Jest's 5 s default is for unit tests.
jest.setTimeout(120_000);

const run = randomUUID().slice(0, 8);
const topic = `itest-consumer-${run}`;
const subscription = `itest.consume-on-${run}`;
/** Pub/Sub's smallest allowed max delivery attempts (the emulator enforces it like GCP). */
const MAX_ATTEMPTS = 5;

let pubsub: PubSub;
let publisher: PubSubEventPublisher;
const silent = createLogger({ service: 'itest', level: 'fatal', destination: new Writable({ write: (_c, _e, done) => done() }) });

beforeAll(async () => {
  pubsub = pubSubClient(process.env.ARBITER_PROJECT_ID ?? 'arbiter-local', process.env.PUBSUB_EMULATOR_HOST ?? '');
  await provisionPubSub(pubsub, { topology: { topics: [topic], subscriptions: [{ name: subscription, topic, ackDeadlineSeconds: 10, maxDeliveryAttempts: MAX_ATTEMPTS }] } });
  publisher = new PubSubEventPublisher(pubsub);
});

afterAll(async () => {
  await publisher?.close();
  await pubsub?.close();
});

function predictionMessage(overrides: Record<string, unknown> = {}): { data: Buffer; attributes: Record<string, string> } {
  const event = createEvent({
    type: EventTypes.predictionSubmitted,
    source: '//itest/vision',
    data: { useCase: 'vehicle-cleanliness', subject: { type: 'booking', id: `bk-${randomUUID()}` }, model: { name: 'cleanliness-vit', version: '2.3.0' }, prediction: { label: 'dirty', confidence: 0.8 } },
  });
  if (!event.ok) throw new Error(event.error.message);
  const message = toPubSubMessage(event.value);
  return { data: Object.keys(overrides).length ? Buffer.from(JSON.stringify({ ...JSON.parse(message.data.toString()), ...overrides })) : message.data, attributes: message.attributes };
}

/** Collects dead letters from the inspection subscription provisioning created. */
function deadLetters(): { received: Message[]; until: (count: number, timeoutMs?: number) => Promise<Message[]>; stop: () => Promise<void> } {
  const received: Message[] = [];
  const sub = pubsub.subscription(deadLetterInspectionOf(subscription));
  // A stream error after the test closed it must not crash the run (an unhandled 'error' event).
  sub.on('error', () => undefined);
  sub.on('message', (message: Message) => {
    received.push(message);
    message.ack();
  });
  return {
    received,
    until: (count, timeoutMs = 30_000) =>
      waitUntil(`${count} dead letters`, () => {
        if (received.length >= count) return received;
        throw new Error(`${received.length} of ${count} arrived`);
      }, timeoutMs),
    stop: () => sub.close(),
  };
}

function consumer(handler: EventHandler, counters = new DeliveryCounters()): { consumer: PubSubConsumer; counters: DeliveryCounters } {
  const instance = new PubSubConsumer({ pubsub, subscription, handler, logger: silent, deadLetters: publisher, counters, maxDeliveryAttempts: MAX_ATTEMPTS, backoffBeforeNack: false });
  instance.start();
  return { consumer: instance, counters };
}

it('hands a valid event to the handler once and dead-letters invalid ones with their reason', async () => {
  const handled: string[] = [];
  const dlq = deadLetters();
  const { consumer: running, counters } = consumer(async (event) => {
    handled.push(event.id);
  });
  try {
    const valid = predictionMessage();
    const notJson = { data: Buffer.from('this is not json'), attributes: predictionMessage().attributes };
    const schemaViolation = predictionMessage({ prediction: { confidence: 7 } });
    for (const message of [valid, notJson, schemaViolation]) await pubsub.topic(topic).publishMessage(message);

    const letters = await dlq.until(2);
    expect(letters.map((letter) => letter.attributes['arbiter-error-code']).sort()).toEqual(['EVENT.NOT_JSON', 'EVENT.SCHEMA_VIOLATION']);
    const violation = letters.find((letter) => letter.attributes['arbiter-error-code'] === 'EVENT.SCHEMA_VIOLATION');
    expect(violation?.attributes['arbiter-error-message']).toContain('prediction.confidence must be <= 1');
    expect(violation?.attributes['ce-id']).toBe(schemaViolation.attributes['ce-id']);
    expect(letters.find((letter) => letter.attributes['arbiter-error-code'] === 'EVENT.NOT_JSON')?.data.toString()).toBe('this is not json');

    await waitUntil('the valid event handled', () => handled.length >= 1, 10_000);
    expect(handled).toEqual([valid.attributes['ce-id']]);
    expect(counters.deadLettersByCode).toEqual({ 'EVENT.NOT_JSON': 1, 'EVENT.SCHEMA_VIOLATION': 1 });
  } finally {
    await running.close();
    await dlq.stop();
  }
});

it('dead-letters a permanent handler failure at once, and a failing one after the last attempt', async () => {
  const attempts = new Map<string, number>();
  const dlq = deadLetters();
  const rejected = predictionMessage();
  const flaky = predictionMessage();
  const { consumer: running } = consumer(async (event) => {
    attempts.set(event.id, (attempts.get(event.id) ?? 0) + 1);
    if (event.id === rejected.attributes['ce-id']) return { ok: false, error: permanentFailure('POLICY.UNKNOWN_USE_CASE', 'no policy for use case "x"') };
    throw new Error('Firestore unavailable');
  });
  try {
    await pubsub.topic(topic).publishMessage(rejected);
    await pubsub.topic(topic).publishMessage(flaky);
    const letters = await dlq.until(2, 60_000);
    const byId = new Map(letters.map((letter) => [letter.attributes['ce-id'], letter.attributes]));
    expect(byId.get(rejected.attributes['ce-id'] as string)?.['arbiter-error-code']).toBe('POLICY.UNKNOWN_USE_CASE');
    expect(byId.get(flaky.attributes['ce-id'] as string)?.['arbiter-error-code']).toBe('DELIVERY.RETRIES_EXHAUSTED');
    expect(attempts.get(rejected.attributes['ce-id'] as string)).toBe(1);
    expect(attempts.get(flaky.attributes['ce-id'] as string)).toBe(MAX_ATTEMPTS);
  } finally {
    await running.close();
    await dlq.stop();
  }
});
