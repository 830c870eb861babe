import { backOff } from 'exponential-backoff';
import type { Logger } from '@arbiter/platform';
import type { AuditEntry, AuditLedger, AuditSink } from './ports';

export type WriteOutcome = 'written' | 'already-recorded';

/** A row the sink refused for good: the message is dead-lettered with this reason. */
export class RejectedRowError extends Error {
  constructor(readonly insertId: string, reason: string) {
    super(`BigQuery refused the row ${insertId}: ${reason}`);
    this.name = 'RejectedRowError';
  }
}

export interface AuditBatcherOptions {
  sink: AuditSink;
  ledger: AuditLedger;
  logger: Logger;
  /** Flush when this many rows wait… */
  maxRows: number;
  /** …or when the oldest has waited this long… */
  maxWaitMs: number;
  /**
   * …or when no row has come for this long (0: never). Deliveries that each wait for their row to be
   * written arrive only as fast as batches are written when their sender keeps few in flight (the
   * Pub/Sub emulator pushes two at a time per subscription): without it each would wait `maxWaitMs`.
   */
  idleMs?: number;
  /** Insert attempts for transient errors, with exponential backoff and full jitter between them. */
  attempts: number;
  startingDelayMs: number;
  maxDelayMs: number;
  now?: () => Date;
}

interface Pending {
  entry: AuditEntry;
  resolve: (outcome: WriteOutcome) => void;
  reject: (error: Error) => void;
}

/**
 * Collects rows from many deliveries and writes them in batches. Each `add` resolves only once its
 * row is in BigQuery (or was already, per the ledger), so the caller acks only after the write:
 *
 * 1. skip rows whose event the ledger has recorded (a redelivery after a complete write);
 * 2. insert the rest with `insertId` = event identity, retrying transient errors with backoff;
 * 3. record the written events in the ledger, then resolve.
 */
export class AuditBatcher {
  private pending: Pending[] = [];
  private timer?: NodeJS.Timeout;
  private idleTimer?: NodeJS.Timeout;
  private readonly flushing = new Set<Promise<void>>();
  private readonly now: () => Date;

  constructor(private readonly options: AuditBatcherOptions) {
    this.now = options.now ?? (() => new Date());
  }

  add(entry: AuditEntry): Promise<WriteOutcome> {
    return new Promise<WriteOutcome>((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      if (this.pending.length >= this.options.maxRows) {
        this.flushNow();
        return;
      }
      this.timer ??= setTimeout(() => this.flushNow(), this.options.maxWaitMs);
      const idleMs = this.options.idleMs ?? 0;
      if (idleMs > 0 && idleMs < this.options.maxWaitMs) {
        if (this.idleTimer) clearTimeout(this.idleTimer);
        this.idleTimer = setTimeout(() => this.flushNow(), idleMs);
      }
    });
  }

  /** Writes everything waiting, and waits for every flush in progress. */
  async flush(): Promise<void> {
    this.flushNow();
    await Promise.allSettled([...this.flushing]);
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.timer = undefined;
    this.idleTimer = undefined;
    while (this.pending.length) {
      const batch = this.pending.splice(0, this.options.maxRows);
      const work = this.write(batch).finally(() => this.flushing.delete(work));
      this.flushing.add(work);
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    const started = Date.now();
    try {
      // One row per event even when the same event sits in the batch twice (two deliveries at once).
      const byKey = new Map<string, Pending[]>();
      for (const item of batch) byKey.set(item.entry.key, [...(byKey.get(item.entry.key) ?? []), item]);
      const recorded = await this.retrying(() => this.options.ledger.recorded([...byKey.keys()]), 'ledger read');
      const toInsert = [...byKey.entries()].filter(([key]) => !recorded.has(key));
      for (const [key, items] of byKey) if (recorded.has(key)) for (const item of items) item.resolve('already-recorded');
      if (toInsert.length === 0) return;

      let remaining = toInsert.map(([, items]) => items[0]?.entry as AuditEntry);
      const rejected = new Map<string, string>();
      // A refused row makes BigQuery drop its batch-mates ("stopped"): insert them again without it.
      for (let round = 0; remaining.length > 0 && round < 3; round++) {
        const outcome = await this.retrying(() => this.options.sink.insert(remaining), 'insert', (error) => this.options.sink.isTransient(error));
        if (outcome.rejected.size === 0) break;
        const refused = [...outcome.rejected].filter(([, reason]) => !reason.startsWith('stopped'));
        for (const [insertId, reason] of refused) rejected.set(insertId, reason);
        if (refused.length === 0) throw new Error(`BigQuery stopped ${outcome.rejected.size} rows without naming an invalid one`);
        remaining = remaining.filter((entry) => outcome.rejected.has(entry.insertId) && !rejected.has(entry.insertId));
      }
      const written = toInsert.filter(([, items]) => !rejected.has(items[0]?.entry.insertId ?? ''));
      try {
        await this.retrying(() => this.options.ledger.record(written.map(([key, items]) => ({ key, expireAt: (items[0] as Pending).entry.expireAt })), this.now()), 'ledger write');
      } catch (error) {
        // The rows are in BigQuery; a redelivery would write them again, which the dedup view hides.
        this.options.logger.warn({ err: error, rows: written.length }, 'audit ledger write failed after the insert; a redelivery may add a duplicate row (hidden by audit_events_dedup)');
      }
      for (const [key, items] of byKey) {
        if (recorded.has(key)) continue;
        const insertId = items[0]?.entry.insertId ?? '';
        const reason = rejected.get(insertId);
        for (const item of items) {
          if (reason === undefined) item.resolve('written');
          else item.reject(new RejectedRowError(insertId, reason));
        }
      }
      this.options.logger.debug({ rows: written.length, rejected: rejected.size, ms: Date.now() - started }, 'audit batch written');
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const item of batch) item.reject(failure);
    }
  }

  private retrying<T>(work: () => Promise<T>, what: string, transient: (error: unknown) => boolean = () => true): Promise<T> {
    let attempt = 0;
    return backOff(work, {
      numOfAttempts: this.options.attempts,
      startingDelay: this.options.startingDelayMs,
      maxDelay: this.options.maxDelayMs,
      timeMultiple: 2,
      jitter: 'full',
      retry: (error: unknown) => {
        attempt += 1;
        const again = transient(error);
        if (again) this.options.logger.warn({ err: error, attempt }, `audit ${what} failed; retrying with backoff`);
        return again;
      },
    });
  }
}
