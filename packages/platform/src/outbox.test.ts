import type { Firestore } from '@google-cloud/firestore';
import { createEvent, EventTypes, type ArbiterEvent } from '@arbiter/contract';
import { OutboxRelay, outboxIdOf } from './outbox';
import type { Logger } from './logger';

/** A stand-in Firestore that records which outbox entries were removed as sent. */
function removalRecorder(): { firestore: Firestore; removed: string[] } {
  const removed: string[] = [];
  const firestore = {
    collection: () => ({ doc: (id: string) => ({ id }) }),
    batch: () => {
      const ids: string[] = [];
      return { delete: (ref: { id: string }) => ids.push(ref.id), commit: async () => void removed.push(...ids) };
    },
  } as unknown as Firestore;
  return { firestore, removed };
}

const silent = { warn: () => undefined, info: () => undefined, debug: () => undefined, error: () => undefined } as unknown as Logger;

function released(): ArbiterEvent {
  const made = createEvent({
    type: EventTypes.caseReleased,
    source: '/arbiter/review-queue',
    id: 'evt-1',
    data: { caseId: 'case-1', useCase: 'vehicle-damage', queue: 'damage-review', releasedBy: { id: 'reviewer-1', role: 'reviewer' }, reason: 'released', releasedAt: '2026-11-18T10:00:00.000Z' },
  });
  if (!made.ok) throw new Error(made.error.message);
  return made.value;
}

describe('OutboxRelay.publishSoon', () => {
  it('returns before the publish, and close waits for it and removes the sent entry', async () => {
    const { firestore, removed } = removalRecorder();
    let finish: () => void = () => undefined;
    const published: string[] = [];
    const publisher = { publish: (event: ArbiterEvent) => new Promise<void>((resolve) => (finish = () => (published.push(event.id), resolve()))) };
    const relay = new OutboxRelay(firestore, publisher, silent);
    const event = released();

    relay.publishSoon([event]);
    expect(published).toEqual([]);
    let closed = false;
    const closing = relay.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(closed).toBe(false); // still publishing
    finish();
    await closing;
    expect(published).toEqual(['evt-1']);
    expect(removed).toEqual([outboxIdOf(event)]);
  });
});

describe('OutboxRelay sweep schedule', () => {
  afterEach(() => jest.useRealTimers());

  it('looks once shortly after start, shortly after a failed publish of its own, and otherwise every sweepEveryMs', async () => {
    jest.useFakeTimers();
    const { firestore } = removalRecorder();
    const publisher = { publish: async (): Promise<void> => Promise.reject(new Error('pubsub down')) };
    const relay = new OutboxRelay(firestore, publisher, silent, { sweepEveryMs: 30_000, olderThanMs: 3_000, batch: 10 });
    const sweep = jest.spyOn(relay, 'sweep').mockResolvedValue(0);

    relay.start();
    expect(sweep).toHaveBeenCalledTimes(0);
    jest.advanceTimersByTime(3_100); // what a crashed predecessor left
    expect(sweep).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(10_000);
    expect(sweep).toHaveBeenCalledTimes(1); // nothing to look for

    await relay.publishCommitted([released()]); // fails: its entry stays in the outbox
    jest.advanceTimersByTime(3_000);
    expect(sweep).toHaveBeenCalledTimes(1); // not before the entry is old enough for the sweep
    jest.advanceTimersByTime(100);
    expect(sweep).toHaveBeenCalledTimes(2);

    jest.advanceTimersByTime(30_000 - 16_200); // 30 s after start: the periodic look
    expect(sweep).toHaveBeenCalledTimes(3);

    await relay.close();
    await relay.publishCommitted([released()]); // after close: no look scheduled
    jest.advanceTimersByTime(60_000);
    expect(sweep).toHaveBeenCalledTimes(3);
  });
});
