import type { CollectionReference, DocumentReference, Firestore } from '@google-cloud/firestore';
import { Collections } from './documents';

/**
 * Timers: when the sla-escalator must look at a queue item — its next SLA check (`sla`) or the end
 * of a reviewer's lease (`lease`). They live in a wheel of one-minute buckets,
 * `timerBuckets/{hour}/m{minute}/{kind}~{itemId}` — one collection per minute, under a (never written)
 * document per hour — so a tick reads the buckets whose minute has come and nothing else: its cost
 * grows with what is due, never with the open backlog. (A query on the queue items themselves would
 * need an index on a time field that nearly every write moves — a hot index on GCP — and on the
 * emulator, which has no indexes, it scans every open item; the emulator also scans every collection
 * of the same id under any parent, which is why each minute's collection id is its own.)
 *
 * Writers only ever add a timer, in the same commit as the state that needs it; the escalator removes
 * a timer when it has looked at its item, in the transaction that acts on it. A timer left behind by a
 * decision or a released claim is harmless: when its minute comes the escalator finds nothing to do
 * and removes it. A timer never lands in a bucket before the writer's own minute (`at` is clamped to
 * the writer's clock), so the escalator's cursor only has to look back a few minutes for writers whose
 * clock lags its own. An empty minute's collection does not exist, so listing an hour's collections
 * tells which minutes hold timers (how a tick jumps a long quiet stretch).
 */
export const TIMER_CURSOR_DOC = 'timerCursor';
export const TIMER_BUCKET_MS = 60_000;
export const TIMER_HOUR_MS = 3_600_000;

export type TimerKind = 'sla' | 'lease';

export interface TimerDoc {
  kind: TimerKind;
  itemId: string;
  /** Epoch ms the escalator should look (never before the minute it was written in). */
  at: number;
}

/** Where a timer is: its bucket's start (epoch ms) and its document id. */
export interface TimerSlot {
  bucket: number;
  id: string;
}

/** The minute bucket a time falls in (its start, epoch ms). */
export const timerBucketOf = (atMs: number): number => Math.floor(atMs / TIMER_BUCKET_MS) * TIMER_BUCKET_MS;

/** Zero-padded epoch ms: keys sort as their times do. */
const key = (ms: number): string => String(ms).padStart(15, '0');

/** The id of the hour document a bucket is under. */
export const timerHourKey = (bucket: number): string => key(Math.floor(bucket / TIMER_HOUR_MS) * TIMER_HOUR_MS);

/** The id of a bucket's own collection (`m` + its start). */
export const timerBucketCollectionId = (bucket: number): string => `m${key(bucket)}`;

/** The bucket of a minute collection id, or undefined for anything else. */
export function bucketOfCollectionId(id: string): number | undefined {
  const match = /^m(\d{15})$/.exec(id);
  return match ? Number(match[1]) : undefined;
}

export const timerId = (kind: TimerKind, itemId: string): string => `${kind}~${itemId}`;

export const timerBucketRef = (firestore: Firestore, bucket: number): CollectionReference =>
  firestore.collection(Collections.timerBuckets).doc(timerHourKey(bucket)).collection(timerBucketCollectionId(bucket));

export const timerRef = (firestore: Firestore, slot: TimerSlot): DocumentReference => timerBucketRef(firestore, slot.bucket).doc(slot.id);

/** What a timer write goes through: a transaction, a batch or a bulk writer. */
export interface TimerWriter {
  set(ref: DocumentReference, data: TimerDoc): unknown;
  delete(ref: DocumentReference): unknown;
}

/** The timer for `kind` of `itemId` at `atMs`, no earlier than the writer's `nowMs`. */
export function timerFor(kind: TimerKind, itemId: string, atMs: number, nowMs: number): { slot: TimerSlot; doc: TimerDoc } {
  const at = Math.max(atMs, nowMs);
  return { slot: { bucket: timerBucketOf(at), id: timerId(kind, itemId) }, doc: { kind, itemId, at } };
}

/** Adds (or overwrites) the timer for `kind` of `itemId` at `atMs`. */
export function setTimer(writer: TimerWriter, firestore: Firestore, kind: TimerKind, itemId: string, atMs: number, nowMs: number): TimerSlot {
  const { slot, doc } = timerFor(kind, itemId, atMs, nowMs);
  writer.set(timerRef(firestore, slot), doc);
  return slot;
}

/**
 * After looking at the item of the timer in `from`: puts its timer where the item now needs it
 * (`atMs`; null: nowhere) and removes the one looked at unless that is the same slot.
 */
export function moveTimer(writer: TimerWriter, firestore: Firestore, from: TimerSlot & { kind: TimerKind; itemId: string }, atMs: number | null, nowMs: number): void {
  if (atMs === null) {
    writer.delete(timerRef(firestore, from));
    return;
  }
  const to = setTimer(writer, firestore, from.kind, from.itemId, atMs, nowMs);
  if (to.bucket !== from.bucket || to.id !== from.id) writer.delete(timerRef(firestore, from));
}
