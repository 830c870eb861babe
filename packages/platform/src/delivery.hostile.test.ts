/**
 * Hostile deliveries, generated (fast-check): for every subscription of the topology, malformed and
 * hostile messages — binary garbage, invalid UTF-8, data that is not an object, missing required
 * fields, wrong types, extra fields, `__proto__` / `constructor` keys, huge and deeply nested
 * payloads, broken `ce-*` attributes, oversized attributes — each must be dead-lettered with an
 * `arbiter-error-code` and a message, never reach the handler (so no case and no decision can come
 * of it), never throw, and thousands of them must not grow the heap.
 *
 * The generators are in hostile.test-support.ts. The dead-letter sink is an in-memory twin that enforces Pub/Sub's publish limits (100 attributes,
 * keys ≤ 256 bytes, values ≤ 1024 bytes, 10 MB), as the emulator and GCP do. Counts per outcome are
 * printed (HOSTILE_REPORT=1) for the closing note.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import pino from 'pino';
import { SubscriptionNames, type SubscriptionSpec } from '@arbiter/contract';
import { deadLetterAttributes, truncateUtf8 } from './dead-letter-attributes';
import { DeliveryCounters, processDelivery, type Delivery } from './delivery';
import { hostileFor, PubSubLimitedSink, Subscriptions, typesOf, type Hostile } from './hostile.test-support';

describe('hostile deliveries, every subscription', () => {
  const logger = pino({ level: 'silent' });
  const counts: Record<string, Record<string, number>> = {};
  let generated = 0;

  async function deliverOne(spec: SubscriptionSpec, hostile: Hostile, sink: PubSubLimitedSink, handled: string[]): Promise<{ disposition: string; code?: string }> {
    const delivery: Delivery = { data: hostile.data, attributes: hostile.attributes, messageId: `m-${generated}`, deliveryAttempt: 1 };
    const before = sink.published.length;
    const outcome = await processDelivery(delivery, {
      subscription: spec.name,
      handler: async (event) => {
        handled.push(`${spec.name}: ${hostile.kind} reached the handler as ${event.type}`);
      },
      logger,
      deadLetters: sink,
      maxDeliveryAttempts: spec.maxDeliveryAttempts,
      counters: new DeliveryCounters(),
      ...(spec.eventTypes ? { eventTypes: spec.eventTypes } : {}),
    });
    generated += 1;
    const letter = sink.published.length > before ? sink.published[sink.published.length - 1] : undefined;
    const code = letter?.attributes['arbiter-error-code'];
    const key = outcome.disposition === 'dead-letter' && code && letter?.attributes['arbiter-error-message'] ? `dead-lettered ${code}` : `NOT dead-lettered (${outcome.disposition})`;
    counts[hostile.kind] ??= {};
    (counts[hostile.kind] as Record<string, number>)[key] = ((counts[hostile.kind] as Record<string, number>)[key] ?? 0) + 1;
    return { disposition: outcome.disposition, ...(code ? { code } : {}) };
  }

  afterAll(() => {
    if (process.env.HOSTILE_REPORT) process.stdout.write(`hostile deliveries: ${generated} generated\n${JSON.stringify(counts, null, 2)}\n`);
  });

  it.each(Subscriptions.map((spec): [string, SubscriptionSpec] => [spec.name, spec]))('%s: every hostile delivery is dead-lettered with a code, none reaches the handler', async (_name, spec) => {
    const sink = new PubSubLimitedSink();
    const handled: string[] = [];
    const types = typesOf(spec);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...types).chain(hostileFor), async (hostile) => {
        const outcome = await deliverOne(spec, hostile, sink, handled);
        expect({ kind: hostile.kind, disposition: outcome.disposition, coded: outcome.code !== undefined }).toEqual({ kind: hostile.kind, disposition: 'dead-letter', coded: true });
        expect(sink.published[sink.published.length - 1]?.topic).toBe(`${spec.name}.dlq`);
      }),
      { numRuns: 200, seed: 20261207 },
    );
    expect(handled).toEqual([]);
  }, 120_000);

  it('thousands of them do not grow the heap', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const spec = Subscriptions.find((s) => s.name === SubscriptionNames.assessOnPredictionSubmitted) as SubscriptionSpec;
    const stream = fc.sample(hostileFor('arbiter.prediction.submitted.v1'), { numRuns: 500, seed: 7 });
    const run = async (rounds: number): Promise<void> => {
      for (let r = 0; r < rounds; r += 1) {
        // A fresh sink per round: what is kept is the service's, not the twin's.
        const sink = new PubSubLimitedSink();
        for (const hostile of stream) await deliverOne(spec, hostile, sink, []);
      }
    };
    await run(2);
    gc();
    const warm = process.memoryUsage().heapUsed;
    await run(8);
    gc();
    const after = process.memoryUsage().heapUsed;
    if (process.env.HOSTILE_REPORT) process.stdout.write(`heap after 1000 hostile deliveries ${(warm / 1e6).toFixed(1)} MB, after 4000 more ${(after / 1e6).toFixed(1)} MB\n`);
    expect(after - warm).toBeLessThan(8_000_000);
  }, 300_000);
});

describe('dead-letter attributes stay within Pub/Sub limits', () => {
  it('cuts values to 1024 bytes at a character boundary, drops keys Pub/Sub refuses, and keeps the reason', async () => {
    const cut = truncateUtf8('é'.repeat(2000), 1024);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(1024);
    expect(cut.endsWith('…')).toBe(true);
    expect(truncateUtf8('short', 1024)).toBe('short');
    const many = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`ce-x${i}`, 'v']));
    const out = deadLetterAttributes({ ...many, 'googx': 'no', ['k'.repeat(300)]: 'no', 'ce-big': '😀'.repeat(400) }, { 'arbiter-error-code': 'POLICY.UNKNOWN_USE_CASE', 'arbiter-error-message': `unknown use case ${'ü'.repeat(900)}` });
    expect(Object.keys(out).length).toBeLessThanOrEqual(100);
    expect(out['arbiter-error-code']).toBe('POLICY.UNKNOWN_USE_CASE');
    for (const [k, v] of Object.entries(out)) {
      expect(Buffer.byteLength(k)).toBeLessThanOrEqual(256);
      expect(Buffer.byteLength(v)).toBeLessThanOrEqual(1024);
      expect(k.startsWith('goog')).toBe(false);
    }
    await expect(new PubSubLimitedSink().publishTo('t', { data: Buffer.alloc(1), attributes: out })).resolves.toBe('id');
  });
});
