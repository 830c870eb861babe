import type { DocumentSnapshot, Firestore } from '@google-cloud/firestore';
import { bucketOfCollectionId, Collections, TIMER_CURSOR_DOC, timerBucketOf, timerBucketRef, timerConverter, timerHourKey } from '@arbiter/case-store';
import type { TimerPage, TimerWheel } from './ports';

/**
 * The timer wheel in Firestore (`@arbiter/case-store` timers): a collection per minute bucket under a
 * document per hour, and the cursor in `escalatorState/timerCursor`.
 */
export class FirestoreTimerWheel implements TimerWheel {
  private remembered: number | undefined;

  constructor(private readonly firestore: Firestore) {}

  private cursorRef() {
    return this.firestore.collection(Collections.escalatorState).doc(TIMER_CURSOR_DOC);
  }

  async cursor(): Promise<number | undefined> {
    const stored = (await this.cursorRef().get()).get('bucket') as unknown;
    this.remembered = typeof stored === 'number' ? stored : undefined;
    return this.remembered;
  }

  async earliestDue(fromMs: number, nowMs: number): Promise<number | undefined> {
    // The hours that hold timers (documents that exist only as parents), then, earliest hour first,
    // the minutes of each that have a collection, then that minute's first due timer. No collection-
    // group query and no index: a minute whose timers are all gone has no collection any more.
    const fromBucket = timerBucketOf(fromMs);
    const [fromHour, toHour] = [timerHourKey(fromBucket), timerHourKey(timerBucketOf(nowMs))];
    const buckets = this.firestore.collection(Collections.timerBuckets);
    const hours = (await buckets.listDocuments()).map((doc) => doc.id).filter((id) => id >= fromHour && id <= toHour).sort();
    for (const hour of hours) {
      const minutes = (await buckets.doc(hour).listCollections())
        .map((collection) => bucketOfCollectionId(collection.id))
        .filter((bucket): bucket is number => bucket !== undefined && bucket >= fromBucket && bucket <= nowMs)
        .sort((a, b) => a - b);
      for (const bucket of minutes) {
        const first = await timerBucketRef(this.firestore, bucket).where('at', '>=', fromMs).where('at', '<=', nowMs).orderBy('at').limit(1).get();
        const at = first.docs[0]?.get('at') as unknown;
        if (typeof at === 'number') return at;
      }
    }
    return undefined;
  }

  async dueIn(bucket: number, nowMs: number, limit: number, after?: unknown): Promise<TimerPage> {
    const query = timerBucketRef(this.firestore, bucket).withConverter(timerConverter).where('at', '<=', nowMs).orderBy('at');
    // `after` is the last document of the previous page, as this adapter returned it.
    const snapshot = await (after ? query.startAfter(after as DocumentSnapshot) : query).limit(limit + 1).get();
    const docs = snapshot.docs.slice(0, limit);
    const timers = docs.map((doc) => {
      const data = doc.data();
      return { bucket, id: doc.id, kind: data.kind, itemId: data.itemId, at: data.at };
    });
    const last = docs[docs.length - 1];
    return { timers, more: snapshot.docs.length > limit, ...(last ? { next: last } : {}) };
  }

  async advance(bucket: number): Promise<void> {
    if (this.remembered === bucket) return;
    await this.cursorRef().set({ bucket, at: new Date(bucket).toISOString() });
    this.remembered = bucket;
  }
}
