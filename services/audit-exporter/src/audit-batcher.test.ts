import { Writable } from 'node:stream';
import { createLogger } from '@arbiter/platform';
import { AuditBatcher, RejectedRowError } from './audit-batcher';
import type { AuditRow } from './audit-row';
import type { AuditEntry } from './ports';
import { InMemoryAuditLedger, InMemoryAuditSink } from './ports.test-support';

const logger = createLogger({ service: 'test', level: 'fatal', destination: new Writable({ write: (_c, _e, done) => done() }) });
const entry = (n: number): AuditEntry => ({ key: `k${n}`, insertId: `/src/e${n}`, expireAt: new Date(Date.UTC(2027, 0, n)), row: { event_id: `e${n}` } as AuditRow });

function setup(options: { maxRows?: number; maxWaitMs?: number; idleMs?: number; attempts?: number } = {}) {
  const sink = new InMemoryAuditSink();
  const ledger = new InMemoryAuditLedger();
  const batcher = new AuditBatcher({ sink, ledger, logger, maxRows: options.maxRows ?? 3, maxWaitMs: options.maxWaitMs ?? 20, ...(options.idleMs !== undefined ? { idleMs: options.idleMs } : {}), attempts: options.attempts ?? 4, startingDelayMs: 1, maxDelayMs: 5 });
  return { sink, ledger, batcher };
}

describe('AuditBatcher', () => {
  it('flushes at maxRows in one insert, and records the ledger after the write', async () => {
    const { sink, ledger, batcher } = setup({ maxRows: 3, maxWaitMs: 60_000 });
    const outcomes = await Promise.all([1, 2, 3].map((n) => batcher.add(entry(n))));
    expect(outcomes).toEqual(['written', 'written', 'written']);
    expect(sink.calls).toBe(1);
    expect([...ledger.keys].sort()).toEqual(['k1', 'k2', 'k3']);
    // Each marker keeps its own entry's expiry (the case's policy, record-event.ts).
    expect(ledger.expiries.get('k2')).toEqual(entry(2).expireAt);
  });

  it('flushes a partial batch after maxWaitMs', async () => {
    const { sink, batcher } = setup({ maxRows: 100, maxWaitMs: 10 });
    await expect(batcher.add(entry(1))).resolves.toBe('written');
    expect(sink.rows).toHaveLength(1);
  });

  describe('idleMs', () => {
    afterEach(() => jest.useRealTimers());

    it('flushes once no row has come for idleMs, long before maxWaitMs', async () => {
      jest.useFakeTimers();
      const { sink, batcher } = setup({ maxRows: 100, maxWaitMs: 60_000, idleMs: 25 });
      const written = batcher.add(entry(1));
      jest.advanceTimersByTime(24);
      expect(sink.calls).toBe(0);
      jest.advanceTimersByTime(1);
      await expect(written).resolves.toBe('written');
      expect(sink.rows.map((r) => r.insertId)).toEqual(['/src/e1']);
    });

    it('keeps batching while rows come closer together than idleMs', async () => {
      jest.useFakeTimers();
      const { sink, batcher } = setup({ maxRows: 100, maxWaitMs: 60_000, idleMs: 25 });
      const written = [batcher.add(entry(1))];
      for (const n of [2, 3, 4]) {
        jest.advanceTimersByTime(20);
        written.push(batcher.add(entry(n)));
      }
      expect(sink.calls).toBe(0);
      jest.advanceTimersByTime(25);
      await expect(Promise.all(written)).resolves.toEqual(['written', 'written', 'written', 'written']);
      expect(sink.calls).toBe(1);
    });

    it('never flushes on idleness when idleMs is 0: maxWaitMs does', async () => {
      jest.useFakeTimers();
      const { sink, batcher } = setup({ maxRows: 100, maxWaitMs: 1_000, idleMs: 0 });
      const written = batcher.add(entry(1));
      jest.advanceTimersByTime(999);
      expect(sink.calls).toBe(0);
      jest.advanceTimersByTime(1);
      await expect(written).resolves.toBe('written');
    });
  });

  it('writes nothing for an event the ledger has, nor twice for one event in one batch', async () => {
    const { sink, ledger, batcher } = setup();
    ledger.keys.add('k1');
    const outcomes = await Promise.all([batcher.add(entry(1)), batcher.add(entry(2)), batcher.add(entry(2))]);
    expect(outcomes).toEqual(['already-recorded', 'written', 'written']);
    expect(sink.rows.map((r) => r.insertId)).toEqual(['/src/e2']);
  });

  it('retries transient errors with backoff, then succeeds', async () => {
    const { sink, batcher } = setup({ attempts: 4 });
    sink.failures = 2;
    await expect(Promise.all([1, 2, 3].map((n) => batcher.add(entry(n))))).resolves.toEqual(['written', 'written', 'written']);
    expect(sink.calls).toBe(3);
  });

  it('fails every row of the batch when the attempts run out, and records nothing', async () => {
    const { sink, ledger, batcher } = setup({ attempts: 2 });
    sink.failures = 5;
    const results = await Promise.allSettled([1, 2, 3].map((n) => batcher.add(entry(n))));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(ledger.keys.size).toBe(0);
  });

  it('rejects only the row BigQuery refuses, as permanent', async () => {
    const { sink, ledger, batcher } = setup();
    sink.rejectIds.add('/src/e2');
    const results = await Promise.allSettled([1, 2, 3].map((n) => batcher.add(entry(n))));
    expect(results[0]).toEqual({ status: 'fulfilled', value: 'written' });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: expect.any(RejectedRowError) });
    expect(results[2]).toEqual({ status: 'fulfilled', value: 'written' });
    expect([...ledger.keys].sort()).toEqual(['k1', 'k3']);
  });

  it('close() writes what is waiting', async () => {
    const { sink, batcher } = setup({ maxRows: 100, maxWaitMs: 60_000 });
    const pending = batcher.add(entry(1));
    await batcher.close();
    await expect(pending).resolves.toBe('written');
    expect(sink.rows).toHaveLength(1);
  });
});
