import type { DocumentReference, Firestore } from '@google-cloud/firestore';
import { bucketOfCollectionId, moveTimer, setTimer, TIMER_BUCKET_MS, timerBucketCollectionId, timerBucketOf, timerFor, timerHourKey, type TimerDoc, type TimerWriter } from './timers';

/** Where a bucket's timers are, as a path. */
const at = (bucket: number): string => `timerBuckets/${timerHourKey(bucket)}/${timerBucketCollectionId(bucket)}`;

/** A stand-in Firestore that only names paths, and a writer that records what it was asked to do. */
function paths(): Firestore {
  const doc = (path: string): unknown => ({ path, collection: (name: string) => collection(`${path}/${name}`) });
  const collection = (path: string): unknown => ({ doc: (id: string) => doc(`${path}/${id}`) });
  return { collection } as unknown as Firestore;
}
function recorder(): TimerWriter & { ops: string[] } {
  const ops: string[] = [];
  return {
    ops,
    set: (ref: DocumentReference, data: TimerDoc) => ops.push(`set ${ref.path} at=${data.at}`),
    delete: (ref: DocumentReference) => ops.push(`delete ${ref.path}`),
  };
}

const T = Date.parse('2026-11-18T10:00:00Z');

describe('timer wheel slots', () => {
  it('puts a time in the bucket of its minute, under the document of its hour, in a collection of its own', () => {
    expect(timerBucketOf(T + 59_999)).toBe(T);
    expect(timerBucketOf(T + 60_000)).toBe(T + TIMER_BUCKET_MS);
    expect(at(T + 59 * TIMER_BUCKET_MS)).toBe(`timerBuckets/00${T}/m00${T + 59 * TIMER_BUCKET_MS}`);
    expect(timerHourKey(T + 60 * TIMER_BUCKET_MS)).toBe(`00${T + 3_600_000}`);
    expect(bucketOfCollectionId(timerBucketCollectionId(T + 7 * TIMER_BUCKET_MS))).toBe(T + 7 * TIMER_BUCKET_MS);
    expect(bucketOfCollectionId('timers')).toBeUndefined();
  });

  it('names hours and minutes so that they sort as their times do', () => {
    const buckets = [T + 3 * TIMER_BUCKET_MS, 999_960_000, T];
    expect(buckets.map(timerBucketCollectionId).sort()).toEqual([999_960_000, T, T + 3 * TIMER_BUCKET_MS].map(timerBucketCollectionId));
    expect(buckets.map(timerHourKey).sort()).toEqual([999_960_000, T, T].map(timerHourKey));
  });

  it('never files a timer before the writer\'s own minute', () => {
    expect(timerFor('sla', 'c1~decision', T - 3_600_000, T + 5_000)).toEqual({ slot: { bucket: T, id: 'sla~c1~decision' }, doc: { kind: 'sla', itemId: 'c1~decision', at: T + 5_000 } });
    expect(timerFor('lease', 'c1~decision', T + 15 * 60_000, T).slot).toEqual({ bucket: T + 15 * 60_000, id: 'lease~c1~decision' });
  });
});

describe('writing timers', () => {
  const firestore = paths();
  const from = { kind: 'sla' as const, itemId: 'c1~decision', bucket: T, id: 'sla~c1~decision' };

  it('adds a timer under its bucket', () => {
    const writer = recorder();
    setTimer(writer, firestore, 'sla', 'c1~decision', T + 90_000, T);
    expect(writer.ops).toEqual([`set ${at(T + 60_000)}/sla~c1~decision at=${T + 90_000}`]);
  });

  it('moves a looked-at timer to the next check, removing the old one', () => {
    const writer = recorder();
    moveTimer(writer, firestore, from, T + 10 * 60_000, T + 30_000);
    expect(writer.ops).toEqual([`set ${at(T + 10 * 60_000)}/sla~c1~decision at=${T + 10 * 60_000}`, `delete ${at(T)}/sla~c1~decision`]);
  });

  it('rewrites in place when the next check falls in the same minute, and removes when there is none', () => {
    const same = recorder();
    moveTimer(same, firestore, from, T + 45_000, T + 30_000);
    expect(same.ops).toEqual([`set ${at(T)}/sla~c1~decision at=${T + 45_000}`]);
    const none = recorder();
    moveTimer(none, firestore, from, null, T + 30_000);
    expect(none.ops).toEqual([`delete ${at(T)}/sla~c1~decision`]);
  });
});
