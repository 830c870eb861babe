import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Message, PubSub } from '@google-cloud/pubsub';
import { pubSubClient } from '@arbiter/local-stack';
import { createLogger, type Logger } from '@arbiter/platform';

export const projectId = (): string => process.env.ARBITER_PROJECT_ID ?? 'arbiter-local';
export const testPubSub = (): PubSub => pubSubClient(projectId(), process.env.PUBSUB_EMULATOR_HOST ?? '');
export const silentLogger = (): Logger => createLogger({ service: 'itest', level: 'fatal', destination: new Writable({ write: (_c, _e, done) => done() }) });
export const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

export interface Tap {
  messages: Message[];
  /** Messages whose JSON body satisfies `match`. */
  matching(match: (data: Record<string, unknown>, message: Message) => boolean): Message[];
  /** Waits until `count` messages match, then `settleMs` more (so a duplicate would show), and returns them. */
  until(match: (data: Record<string, unknown>, message: Message) => boolean, count: number, options?: { timeoutMs?: number; settleMs?: number }): Promise<Message[]>;
  close(): Promise<void>;
}

/** A temporary subscription of our own on `topic`, collecting everything published from now on. */
export async function tap(pubsub: PubSub, topic: string): Promise<Tap> {
  const name = unique(`itest.tap-${topic}`);
  const [subscription] = await pubsub.topic(topic).createSubscription(name, { ackDeadlineSeconds: 30 });
  const messages: Message[] = [];
  // A stream error after the test closed it must not crash the run (an unhandled 'error' event).
  subscription.on('error', () => undefined);
  subscription.on('message', (message: Message) => {
    messages.push(message);
    message.ack();
  });
  const body = (message: Message): Record<string, unknown> => JSON.parse(message.data.toString('utf8')) as Record<string, unknown>;
  const matching = (match: (data: Record<string, unknown>, message: Message) => boolean): Message[] => messages.filter((m) => match(body(m), m));
  return {
    messages,
    matching,
    until: async (match, count, options = {}) => {
      const deadline = Date.now() + (options.timeoutMs ?? 15_000);
      while (matching(match).length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 750));
      return matching(match);
    },
    close: async () => {
      await subscription.close();
      await subscription.delete();
    },
  };
}

export const dataOf = (message: Message): Record<string, unknown> => JSON.parse(message.data.toString('utf8')) as Record<string, unknown>;
