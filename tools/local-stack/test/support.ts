import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { pubSubClient } from '../src/clients';
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

/** The emulator's BigQuery REST API and unique names: the shared test package's. */
export { bigQueryRest, uniqueName } from '@arbiter/testing';

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
