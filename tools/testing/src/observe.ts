/**
 * Helpers for tests that run against the emulators the Jest global setup started: observe what
 * arrives on a topic through a temporary subscription of the test's own, publish CloudEvents in
 * binary mode (or raw bytes, for malformed events), and poll until something holds.
 */
import { randomUUID } from 'node:crypto';
import type { PubSub, Subscription } from '@google-cloud/pubsub';
import { toPubSubMessage, type ArbiterEvent } from '@arbiter/contract';
import { pubSubClient } from '@arbiter/local-stack';

export const testProjectId = (): string => process.env.ARBITER_PROJECT_ID ?? 'arbiter-local';

/** A Pub/Sub client for the emulator the global setup started (in the suite's project unless told another). */
export function testPubSub(projectId: string = testProjectId()): PubSub {
  const host = process.env.PUBSUB_EMULATOR_HOST;
  if (!host) throw new Error('PUBSUB_EMULATOR_HOST is not set: run with --selectProjects integration (the global setup starts the emulators)');
  return pubSubClient(projectId, host);
}

export interface Received {
  data: string;
  attributes: Record<string, string>;
}

/** Everything published on one or more topics (or kept by an existing subscription) from the moment it starts. */
export class Observer {
  readonly received: Received[] = [];

  private constructor(
    private readonly subscriptions: readonly Subscription[],
    private readonly temporary: boolean,
  ) {
    for (const subscription of subscriptions) {
      subscription.on('message', (message: { data: Buffer; attributes: Record<string, string>; ack(): void }) => {
        this.received.push({ data: message.data.toString('utf8'), attributes: { ...message.attributes } });
        message.ack();
      });
      subscription.on('error', () => undefined);
    }
  }

  /** A temporary subscription on `topic`, deleted by `close`. */
  static async onTopic(pubsub: PubSub, topic: string): Promise<Observer> {
    return Observer.onTopics(pubsub, [topic]);
  }

  /** A temporary subscription on each topic, all received into one list (e.g. every topic of the case lifecycle). */
  static async onTopics(pubsub: PubSub, topics: readonly string[]): Promise<Observer> {
    const subscriptions = await Promise.all(
      topics.map(async (topic) => (await pubsub.topic(topic).createSubscription(`test-${topic}-${randomUUID().slice(0, 8)}`, { ackDeadlineSeconds: 30 }))[0]),
    );
    return new Observer(subscriptions, true);
  }

  /** An existing subscription (e.g. a `.dlq.inspect`). */
  static existing(pubsub: PubSub, subscription: string): Observer {
    return new Observer([pubsub.subscription(subscription)], false);
  }

  where(predicate: (message: Received) => boolean): Received[] {
    return this.received.filter(predicate);
  }

  /** The parsed JSON bodies of the messages whose body (and attributes) match. */
  json<T>(predicate: (data: T, attributes: Record<string, string>) => boolean = () => true): T[] {
    return this.received.map((message) => ({ data: JSON.parse(message.data) as T, attributes: message.attributes })).filter((entry) => predicate(entry.data, entry.attributes)).map((entry) => entry.data);
  }

  /** Waits until `count` messages match (and returns them), or fails after `timeoutMs`. */
  async waitFor(predicate: (message: Received) => boolean, count = 1, timeoutMs = 20_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matching = this.where(predicate);
      if (matching.length >= count) return matching;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} message(s); ${matching.length} matched of ${this.received.length} received`);
      await sleep(100);
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      this.subscriptions.map(async (subscription) => {
        subscription.removeAllListeners('message');
        await subscription.close();
        if (this.temporary) await subscription.delete().catch(() => undefined);
      }),
    );
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const bySubjectAndType =
  (subject: string, type: string) =>
  (message: Received): boolean =>
    message.attributes['ce-subject'] === subject && message.attributes['ce-type'] === type;

/** Publishes an event in binary content mode (CONTRACT.md). */
export async function publishEvent(pubsub: PubSub, topic: string, event: ArbiterEvent): Promise<void> {
  const message = toPubSubMessage(event);
  await pubsub.topic(topic).publishMessage({ data: message.data, attributes: message.attributes });
}

/** Publishes raw bytes with attributes (for malformed events). */
export async function publishRaw(pubsub: PubSub, topic: string, data: string, attributes: Record<string, string>): Promise<void> {
  await pubsub.topic(topic).publishMessage({ data: Buffer.from(data, 'utf8'), attributes });
}

/** How a last value reads in a timeout message (errors by their message, values as JSON, cut short). */
const describe = (value: unknown): string => (value instanceof Error ? value.message : (JSON.stringify(value) ?? String(value))).slice(0, 500);

/**
 * The one wait of the integration tests: polls `probe` until it returns a value (anything but
 * undefined or false) and returns that value. A probe that throws is polled again. On timeout it
 * throws, naming `what` it waited for and the last thing the probe returned or threw, so a probe that
 * wants to say how far it got throws (or returns) that.
 */
export async function waitUntil<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${describe(last)}`);
    await sleep(150);
  }
}
