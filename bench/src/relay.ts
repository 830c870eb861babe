/**
 * The baseline: a bare relay hop, run as a process like the services. It pulls from one subscription,
 * does the minimum durable work a hop of Arbiter must do — one idempotency transaction in Firestore
 * (read a marker, create it if absent) — publishes the message unchanged to the next topic, and acks
 * only after that. No validation, no policy, no logging per message: what is left is the cost of the
 * emulators and the client libraries, the ceiling Arbiter's own hops are compared against.
 *
 * Same client settings as the services' ServiceHost: streaming pull with at most 50 messages in
 * flight, publisher batching of 100 messages or 5 ms.
 *
 *   RELAY_SUBSCRIPTION=bench-hop-1 RELAY_TOPIC=bench-relay-2 RELAY_NAME=hop-1 node bench/dist/relay.js
 */
import { createHash } from 'node:crypto';
import { Firestore } from '@google-cloud/firestore';
import { PubSub, type Message } from '@google-cloud/pubsub';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`relay: ${name} is required\n`);
    process.exit(78);
  }
  return value;
};

const projectId = env('ARBITER_PROJECT_ID');
const subscriptionName = env('RELAY_SUBSCRIPTION');
const topicName = env('RELAY_TOPIC');
const name = env('RELAY_NAME');
const maxInFlight = Number(process.env.RELAY_MAX_IN_FLIGHT ?? '50');

const pubsub = new PubSub({ projectId });
const firestore = new Firestore({ projectId, ignoreUndefinedProperties: true });
const topic = pubsub.topic(topicName, { batching: { maxMessages: 100, maxMilliseconds: 5 } });
const markers = firestore.collection('benchRelayProcessed');
const subscription = pubsub.subscription(subscriptionName, { flowControl: { maxMessages: maxInFlight, allowExcessMessages: false } });
const inFlight = new Set<Promise<void>>();
let closing = false;

async function relay(message: Message): Promise<void> {
  if (closing) {
    message.nack();
    return;
  }
  const attributes = message.attributes ?? {};
  const key = createHash('sha256').update(`${attributes['ce-source'] ?? ''}\n${attributes['ce-id'] ?? message.id}`).digest('hex').slice(0, 32);
  try {
    const ref = markers.doc(`${name}~${key}`);
    await firestore.runTransaction(async (tx) => {
      const seen = await tx.get(ref);
      if (!seen.exists) tx.create(ref, { at: Date.now() });
    });
    // At least once: publish even when the marker existed (the previous attempt may have died before publishing).
    await topic.publishMessage({ data: message.data, attributes });
    message.ack();
  } catch (error) {
    process.stderr.write(`relay ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    message.nack();
  }
}

subscription.on('message', (message: Message) => {
  const work = relay(message);
  inFlight.add(work);
  void work.finally(() => inFlight.delete(work));
});
subscription.on('error', (error: Error) => process.stderr.write(`relay ${name}: subscription error: ${error.message}\n`));

async function close(): Promise<void> {
  closing = true;
  await Promise.allSettled([...inFlight]);
  await subscription.close();
  await topic.flush();
  await pubsub.close();
  await firestore.terminate();
  process.exit(0);
}
process.once('SIGTERM', () => void close());
process.once('SIGINT', () => void close());

// Open the Firestore channel before saying ready, so the first measured message does not pay for it.
void firestore
  .collection('benchRelayProcessed')
  .doc(`${name}~warm-up`)
  .get()
  .then(() => process.stdout.write(`${JSON.stringify({ relay: name, ready: true, pid: process.pid })}\n`));
