import type { DocumentSnapshot, Firestore } from '@google-cloud/firestore';
import { bucketOfCollectionId, TIMER_CURSOR_DOC, TimerCollections, timerBucketOf, timerBucketRef, timerHourKey, type TimerDoc, type TimerKind, type TimerSlot } from '@arbiter/cases';

/** A due timer as read: where it is, and what it is for. */
export interface DueTimer extends TimerSlot {
  kind: TimerKind;
  itemId: string;
  at: number;
}

/** One page of a bucket's due timers and where the next page starts. */
export interface TimerPage {
  timers: DueTimer[];
  /** Whether another page follows (read one timer beyond the page). */
  more: boolean;
  next?: unknown;
}

/**
 * What the tick asks of the timer wheel (`@arbiter/cases` timers): where to start, the due timers of
 * one minute bucket, and to remember how far it got. Every question touches one bucket or one
 * document, so a tick's reads grow with what is due, not with the open backlog.
 */
export interface TimerWheel {
  /** The first bucket that may still hold a due timer, as the last tick left it (undefined: no tick yet). */
  cursor(): Promise<number | undefined>;
  /**
   * The time of the earliest timer due between `fromMs` and `nowMs`, across all buckets: for jumping
   * over a long empty stretch (after an outage, or on the first tick), never in a steady tick.
   */
  earliestDue(fromMs: number, nowMs: number): Promise<number | undefined>;
  /** Timers in `bucket` due at `nowMs`, ordered by time, at most `limit`, after `after`. */
  dueIn(bucket: number, nowMs: number, limit: number, after?: unknown): Promise<TimerPage>;
  /** Remember that buckets before `bucket` hold nothing due (written only when it moved). */
  advance(bucket: number): Promise<void>;
}

export class FirestoreTimerWheel implements TimerWheel {
  private remembered: number | undefined;

  constructor(private readonly firestore: Firestore) {}

  private cursorRef() {
    return this.firestore.collection(TimerCollections.state).doc(TIMER_CURSOR_DOC);
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
    const buckets = this.firestore.collection(TimerCollections.buckets);
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
    const query = timerBucketRef(this.firestore, bucket).where('at', '<=', nowMs).orderBy('at');
    const snapshot = await (after ? query.startAfter(after as DocumentSnapshot) : query).limit(limit + 1).get();
    const docs = snapshot.docs.slice(0, limit);
    const timers = docs.map((doc) => {
      const data = doc.data() as TimerDoc;
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

/** How many minutes before the cursor a tick looks again, for writers whose clock lags the escalator's. */
export const CURSOR_LOOKBACK_BUCKETS = 3;
/** Buckets swept as one stretch (their first pages asked at once); a longer gap to now is jumped with `earliestDue`. */
export const SWEEP_BUCKETS = 16;
/** At most this many minute buckets per tick; the next tick continues. */
export const MAX_BUCKETS_PER_TICK = 720;
