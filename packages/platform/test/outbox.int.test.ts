import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Firestore } from '@google-cloud/firestore';
import { createEvent, EventTypes, type ArbiterEvent } from '@arbiter/contract';
import { createFirestore, createLogger, OUTBOX_COLLECTION, outboxIdOf, OutboxRelay, stageEvents } from '@arbiter/platform';

/**
 * The outbox against the real Firestore emulator: what a crash left staged but unpublished is
 * published by the sweep of any instance and removed; what was just staged is left to the process
 * that staged it; what was published is removed, so the collection holds only unsent events.
 */
const silent = createLogger({ service: 'itest', level: 'fatal', destination: new Writable({ write: (_c, _e, done) => done() }) });
let firestore: Firestore;

beforeAll(() => {
  firestore = createFirestore(`outbox-itest-${randomUUID().slice(0, 8)}`);
});

afterAll(async () => {
  await firestore?.terminate();
});

function released(caseId: string): ArbiterEvent {
  const made = createEvent({
    type: EventTypes.caseReleased,
    source: '/arbiter/itest',
    data: { caseId, useCase: 'vehicle-damage', queue: 'damage-review', releasedBy: { id: 'reviewer-1', role: 'reviewer' }, reason: 'released', releasedAt: new Date().toISOString() },
  });
  if (!made.ok) throw new Error(made.error.message);
  return made.value;
}

async function stage(events: ArbiterEvent[], stagedAt: number): Promise<void> {
  const batch = firestore.batch();
  stageEvents(batch, firestore, events, stagedAt);
  await batch.commit();
}

const exists = async (event: ArbiterEvent): Promise<boolean> => (await firestore.collection(OUTBOX_COLLECTION).doc(outboxIdOf(event)).get()).exists;

it('the sweep publishes what a crash left staged, oldest first, removes it, and leaves fresh entries alone', async () => {
  const now = Date.now();
  const orphans = [released('case-a'), released('case-b')];
  const fresh = released('case-c');
  await stage([orphans[1] as ArbiterEvent], now - 60_000);
  await stage([orphans[0] as ArbiterEvent], now - 120_000);
  await stage([fresh], now);
  const published: string[] = [];
  const relay = new OutboxRelay(firestore, { publish: async (event) => void published.push(event.id) }, silent, { sweepEveryMs: 60_000, olderThanMs: 3_000, batch: 10 });

  expect(await relay.sweep(now)).toBe(2);
  expect(published).toEqual(orphans.map((e) => e.id));
  expect(await Promise.all([...orphans, fresh].map(exists))).toEqual([false, false, true]);
  expect(await relay.sweep(now)).toBe(0);
  await relay.close();
});

it('an event published after its commit is removed from the outbox, and a failed publish stays for the sweep', async () => {
  const sent = released('case-d');
  const failed = released('case-e');
  await stage([sent, failed], Date.now());
  const relay = new OutboxRelay(firestore, { publish: async (event) => (event.id === failed.id ? Promise.reject(new Error('pubsub down')) : undefined) }, silent, { sweepEveryMs: 60_000, olderThanMs: 3_000, batch: 10, removeEveryMs: 10 });

  await relay.publishCommitted([sent, failed]);
  await relay.flushRemovals();
  expect(await exists(sent)).toBe(false);
  expect(await exists(failed)).toBe(true);
  await relay.close();
});
