/**
 * Integration-test helpers: observe what arrives on a topic (a temporary subscription of our own),
 * publish CloudEvents in binary mode, and poll Firestore. The Jest global setup has started the
 * emulators and set PUBSUB_EMULATOR_HOST / FIRESTORE_EMULATOR_HOST / ARBITER_PROJECT_ID.
 */
import { randomUUID } from 'node:crypto';
import { toPubSubMessage, type ArbiterEvent } from '@arbiter/contract';
import { pubSubClient } from '@arbiter/infra';

export const projectId = (): string => process.env.ARBITER_PROJECT_ID ?? 'arbiter-local';

export type PubSubClient = ReturnType<typeof pubSubClient>;

export function testPubSub(): PubSubClient {
  const host = process.env.PUBSUB_EMULATOR_HOST;
  if (!host) throw new Error('PUBSUB_EMULATOR_HOST is not set: run with --selectProjects integration (the global setup starts the emulators)');
  return pubSubClient(projectId(), host);
}

export interface Received {
  data: string;
  attributes: Record<string, string>;
}

/** Everything published on `topic` (or kept by an existing subscription) from now on. */
export class Observer {
  readonly received: Received[] = [];
  private constructor(
    private readonly subscription: ReturnType<PubSubClient['subscription']>,
    private readonly temporary: boolean,
  ) {
    subscription.on('message', (message: { data: Buffer; attributes: Record<string, string>; ack(): void }) => {
      this.received.push({ data: message.data.toString('utf8'), attributes: { ...message.attributes } });
      message.ack();
    });
    subscription.on('error', () => undefined);
  }

  /** A temporary subscription on `topic`, deleted by `close`. */
  static async onTopic(pubsub: PubSubClient, topic: string): Promise<Observer> {
    const [subscription] = await pubsub.topic(topic).createSubscription(`test-${topic}-${randomUUID().slice(0, 8)}`, { ackDeadlineSeconds: 30 });
    return new Observer(subscription, true);
  }

  /** An existing subscription (e.g. a `.dlq.inspect`). */
  static existing(pubsub: PubSubClient, subscription: string): Observer {
    return new Observer(pubsub.subscription(subscription), false);
  }

  where(predicate: (message: Received) => boolean): Received[] {
    return this.received.filter(predicate);
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
    this.subscription.removeAllListeners('message');
    await this.subscription.close();
    if (this.temporary) await this.subscription.delete().catch(() => undefined);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const bySubjectAndType = (subject: string, type: string) => (m: Received): boolean => m.attributes['ce-subject'] === subject && m.attributes['ce-type'] === type;

/** Publishes an event in binary content mode (CONTRACT.md). */
export async function publishEvent(pubsub: PubSubClient, topic: string, event: ArbiterEvent): Promise<void> {
  const message = toPubSubMessage(event);
  await pubsub.topic(topic).publishMessage({ data: message.data, attributes: message.attributes });
}

/** Publishes raw bytes with attributes (for malformed events). */
export async function publishRaw(pubsub: PubSubClient, topic: string, data: string, attributes: Record<string, string>): Promise<void> {
  await pubsub.topic(topic).publishMessage({ data: Buffer.from(data, 'utf8'), attributes });
}

/** Polls until `read` returns something that satisfies `done`. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value: ${JSON.stringify(value)?.slice(0, 500)}`);
    await sleep(150);
  }
}
