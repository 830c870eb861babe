import type { AuditEntry, AuditLedger, AuditSink, InsertOutcome, LedgerMarker } from './ports';

/** In-memory twins, for unit tests. */
export class InMemoryAuditSink implements AuditSink {
  readonly rows: AuditEntry[] = [];
  /** Throw this many times before succeeding. */
  failures = 0;
  rejectIds = new Set<string>();
  calls = 0;
  async insert(entries: readonly AuditEntry[]): Promise<InsertOutcome> {
    this.calls += 1;
    if (this.failures > 0) {
      this.failures -= 1;
      throw Object.assign(new Error('backend error'), { code: 503 });
    }
    const rejected = new Map<string, string>();
    for (const entry of entries) {
      if (this.rejectIds.has(entry.insertId)) rejected.set(entry.insertId, 'invalid: no such field');
      else this.rows.push(entry);
    }
    return { rejected };
  }
  isTransient(error: unknown): boolean {
    return (error as { code?: unknown }).code === 503;
  }
}

export class InMemoryAuditLedger implements AuditLedger {
  readonly keys = new Set<string>();
  async recorded(keys: readonly string[]): Promise<Set<string>> {
    return new Set(keys.filter((key) => this.keys.has(key)));
  }
  readonly expiries = new Map<string, Date>();
  async record(markers: ReadonlyArray<LedgerMarker>): Promise<void> {
    for (const { key, expireAt } of markers) {
      this.keys.add(key);
      this.expiries.set(key, expireAt);
    }
  }
}
