import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { randomUUID } from 'node:crypto';
import { bigQueryBaseUrl, pubSubClient } from '../src/clients';
import { assertLoopbackEndpoints } from '../src/loopback';

/** The stack the Jest global setup started, from the variables it exported (always loopback). */
export const testStack = (): { projectId: string; pubsubHost: string; firestoreHost: string; bigqueryHost: string } => {
  const { ARBITER_PROJECT_ID, PUBSUB_EMULATOR_HOST, FIRESTORE_EMULATOR_HOST, BIGQUERY_EMULATOR_HOST } = process.env;
  if (!ARBITER_PROJECT_ID || !PUBSUB_EMULATOR_HOST || !FIRESTORE_EMULATOR_HOST || !BIGQUERY_EMULATOR_HOST) {
    throw new Error('The integration global setup did not export the emulator variables');
  }
  assertLoopbackEndpoints({ PUBSUB_EMULATOR_HOST, FIRESTORE_EMULATOR_HOST, BIGQUERY_EMULATOR_HOST });
  return { projectId: ARBITER_PROJECT_ID, pubsubHost: PUBSUB_EMULATOR_HOST, firestoreHost: FIRESTORE_EMULATOR_HOST, bigqueryHost: BIGQUERY_EMULATOR_HOST };
};

export const testPubSub = (): PubSub => {
  const stack = testStack();
  return pubSubClient(stack.projectId, stack.pubsubHost);
};

/**
 * The BigQuery REST API, called with fetch. Not the client library: inside Jest's VM its HTTP layer
 * (teeny-request 10) fails on `import('node-fetch')` with "A dynamic import callback was invoked
 * without --experimental-vm-modules" unless Jest runs with NODE_OPTIONS=--experimental-vm-modules.
 */
export const bigQueryRest = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
  const stack = testStack();
  const url = `${bigQueryBaseUrl(stack.bigqueryHost)}/bigquery/v2/projects/${stack.projectId}${path}`;
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}: ${text}`);
  return JSON.parse(text) as T;
};

/** A name no other test (or test run) uses. */
export const uniqueName = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/**
 * Resolves with the first message on `subscription` that `accept` returns true for; every message
 * is handed to `handle` (default: ack). Rejects after `timeoutMs`.
 */
export const receive = (
  subscription: Subscription,
  accept: (message: Message) => boolean,
  options: { timeoutMs?: number; handle?: (message: Message) => void } = {},
): Promise<Message> =>
  new Promise((resolve, reject) => {
    const handle = options.handle ?? ((message: Message) => message.ack());
    const timer = setTimeout(() => {
      subscription.removeListener('message', onMessage);
      void subscription.close();
      reject(new Error(`No matching message on ${subscription.name} within ${options.timeoutMs ?? 30_000} ms`));
    }, options.timeoutMs ?? 30_000);
    const onMessage = (message: Message): void => {
      if (!accept(message)) {
        handle(message);
        return;
      }
      message.ack();
      clearTimeout(timer);
      subscription.removeListener('message', onMessage);
      void subscription.close().then(() => resolve(message), reject);
    };
    subscription.on('message', onMessage);
    subscription.on('error', reject);
  });
