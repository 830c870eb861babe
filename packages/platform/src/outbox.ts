import type { DocumentData, DocumentReference, Firestore, FirestoreDataConverter, UpdateData } from '@google-cloud/firestore';
import type { ArbiterEvent } from '@arbiter/contract';
import type { EventPublisher } from './ports';
import type { Logger } from './logger';

/**
 * Transactional outbox. A use case stages the events of a state change in the same Firestore
 * commit as the change itself (a transaction, or an atomic write batch); after the commit the relay publishes them and removes them.
 * If the process dies between commit and publish, the sweep publishes them later, from any process:
 * nothing assumes the process that staged an event is the one that sends it. Publishing twice is
 * harmless: the event keeps its `ce-id`, and every consumer is idempotent on (`ce-source`, `ce-id`).
 */
export const OUTBOX_COLLECTION = 'outbox';

/**
 * An unsent event. Sent entries are deleted (not kept and marked), so the collection holds only what
 * is still to publish and the sweep's query stays small — on GCP, and on the emulator, which scans the
 * whole collection for every query (with marked entries kept, four services' sweeps every 2 s read
 * every event ever sent).
 */
interface OutboxDoc {
  event: string;
  type: string;
  stagedAt: number;
}

/** Reads an outbox entry, refusing (as a bug of its writer) one without its event or staging time. */
const outboxConverter: FirestoreDataConverter<OutboxDoc> = {
  toFirestore: (doc) => ({ ...doc }),
  fromFirestore: (snapshot) => {
    const data = snapshot.data();
    if (typeof data.event !== 'string' || typeof data.stagedAt !== 'number') throw new Error(`bug: ${snapshot.ref.path} is not an outbox entry: event must be a string, stagedAt a number`);
    return { event: data.event, type: String(data.type), stagedAt: data.stagedAt };
  },
};

/** Document id of an event in the outbox (events have globally unique ids within their source). */
export const outboxIdOf = (event: ArbiterEvent): string => Buffer.from(`${event.source}\n${event.id}`).toString('base64url');

/**
 * Where a unit of work stages its writes: a transaction or a write batch (either commits atomically;
 * both fit). Staging only writes, never reads.
 */
export interface StagedWrites {
  set(ref: DocumentReference, data: DocumentData): unknown;
  update(ref: DocumentReference, data: UpdateData<DocumentData>): unknown;
}

export function stageEvents(tx: StagedWrites, firestore: Firestore, events: readonly ArbiterEvent[], nowMs: number): void {
  for (const event of events) {
    const doc: OutboxDoc = { event: JSON.stringify(event), type: event.type, stagedAt: nowMs };
    tx.set(firestore.collection(OUTBOX_COLLECTION).doc(outboxIdOf(event)), doc);
  }
}

/** Most sent entries removed in one batched write (Firestore allows 500 writes per batch). */
const REMOVE_BATCH = 500;

/**
 * When the sweep looks. Every entry the relay publishes after a commit is removed at once, so the
 * sweep only ever finds what a crash or a failed publish left behind. It therefore looks:
 * - once shortly after start (`olderThanMs`): what a predecessor left when it crashed;
 * - shortly after a publish of its own failed (`olderThanMs`);
 * - and every `sweepEveryMs` (30 s), for what a crashed instance that never came back left.
 * The query is cheap on GCP (an index range), but the emulator scans every document it holds to
 * answer it, so four services asking every 2 s cost the local stack 10–20 % of the Firestore
 * emulator under load (`pnpm bench`, JFR profile of the emulator).
 */
export const DEFAULT_SWEEP_EVERY_MS = 30_000;

export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private soonTimer?: NodeJS.Timeout;
  private sweeping = false;
  /** Published, not yet removed: removed together, in one batched write, a moment later. */
  private readonly toRemove = new Set<string>();
  private removeTimer?: NodeJS.Timeout;
  private readonly removing = new Set<Promise<void>>();
  /** Publishes started by `publishSoon`, waited for by `close`. */
  private readonly publishing = new Set<Promise<void>>();

  constructor(
    private readonly firestore: Firestore,
    private readonly publisher: EventPublisher,
    private readonly logger: Logger,
    private readonly options: { sweepEveryMs: number; olderThanMs: number; batch: number; removeEveryMs?: number } = { sweepEveryMs: DEFAULT_SWEEP_EVERY_MS, olderThanMs: 3_000, batch: 200 },
  ) {}

  /**
   * Publish events just committed. Removing their outbox entries is bookkeeping for the sweep, so it
   * is not waited for: the ids are collected and deleted in one batched write every `removeEveryMs`
   * (50 ms), well before the sweep would look (`olderThanMs`). An entry whose removal is lost is
   * published once more by the sweep, which consumers absorb (same `ce-id`). Failures to publish are
   * left to the sweep.
   */
  async publishCommitted(events: readonly ArbiterEvent[]): Promise<void> {
    await Promise.all(
      events.map(async (event) => {
        try {
          await this.publisher.publish(event);
          this.removeSoon(outboxIdOf(event));
        } catch (error) {
          this.logger.warn({ err: error, ceId: event.id, ceType: event.type }, 'publish after commit failed; the outbox sweep will retry');
          this.sweepSoon();
        }
      }),
    );
  }

  /**
   * `publishCommitted` without waiting for it: for a request whose answer need not wait for Pub/Sub —
   * the commit already holds the events in the outbox, so a publish cut short by a crash is the
   * sweep's to finish. `close` waits for the publishes still running.
   */
  publishSoon(events: readonly ArbiterEvent[]): void {
    if (events.length === 0) return;
    const publishing: Promise<void> = this.publishCommitted(events).finally(() => this.publishing.delete(publishing));
    this.publishing.add(publishing);
  }

  private removeSoon(id: string): void {
    this.toRemove.add(id);
    if (this.toRemove.size >= REMOVE_BATCH) {
      void this.flushRemovals();
    } else if (!this.removeTimer) {
      this.removeTimer = setTimeout(() => void this.flushRemovals(), this.options.removeEveryMs ?? 50);
      this.removeTimer.unref();
    }
  }

  /** Removes every published entry, in batched writes; resolves when those writes are done. */
  async flushRemovals(): Promise<void> {
    if (this.removeTimer) clearTimeout(this.removeTimer);
    this.removeTimer = undefined;
    while (this.toRemove.size > 0) {
      const ids = [...this.toRemove].slice(0, REMOVE_BATCH);
      for (const id of ids) this.toRemove.delete(id);
      const write = Promise.resolve()
        .then(() => {
          const batch = this.firestore.batch();
          for (const id of ids) batch.delete(this.firestore.collection(OUTBOX_COLLECTION).doc(id));
          return batch.commit();
        })
        .then(
          () => undefined,
          (error: unknown) => this.logger.warn({ err: error, entries: ids.length }, 'could not remove sent outbox entries; the sweep will publish them once more'),
        );
      this.removing.add(write);
      void write.finally(() => this.removing.delete(write));
    }
    await Promise.all([...this.removing]);
  }

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.options.sweepEveryMs);
    this.timer.unref();
    this.sweepSoon();
  }

  /** One sweep once entries staged now are old enough for it (`olderThanMs`), unless one is already due. */
  private sweepSoon(): void {
    if (!this.timer || this.soonTimer) return;
    this.soonTimer = setTimeout(() => {
      this.soonTimer = undefined;
      void this.sweep();
    }, this.options.olderThanMs + 100);
    this.soonTimer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.soonTimer) clearTimeout(this.soonTimer);
    this.soonTimer = undefined;
    while (this.sweeping) await new Promise((resolve) => setTimeout(resolve, 20));
    await Promise.all([...this.publishing]);
    await this.flushRemovals();
  }

  /**
   * Publish entries staged more than `olderThanMs` ago (every entry still there is unsent), oldest
   * first, and remove them. One range on one field: the automatic single-field index is enough on GCP.
   * Returns how many were sent.
   */
  async sweep(nowMs = Date.now()): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    try {
      const pending = await this.firestore
        .collection(OUTBOX_COLLECTION)
        .withConverter(outboxConverter)
        .where('stagedAt', '<=', nowMs - this.options.olderThanMs)
        .orderBy('stagedAt')
        .limit(this.options.batch)
        .get();
      let sent = 0;
      for (const doc of pending.docs) {
        try {
          const entry = doc.data();
          await this.publisher.publish(JSON.parse(entry.event) as ArbiterEvent);
          await this.removeSent(doc.id);
          sent += 1;
        } catch (error) {
          this.logger.warn({ err: error, outboxId: doc.id }, 'outbox sweep could not publish; will try again');
        }
      }
      if (sent) this.logger.info({ sent }, 'outbox sweep published events staged before a crash or a failed publish');
      return sent;
    } finally {
      this.sweeping = false;
    }
  }

  private async removeSent(id: string): Promise<void> {
    await this.firestore.collection(OUTBOX_COLLECTION).doc(id).delete();
  }
}
