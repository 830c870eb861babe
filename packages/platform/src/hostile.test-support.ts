/**
 * Generators of hostile event deliveries (fast-check) for the tests that throw them at every
 * subscription: in process (delivery.hostile.test.ts) and at the services as processes
 * (tests/e2e/security.e2e.test.ts). Each kind is invalid by construction, so every one must be
 * dead-lettered.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { Subscriptions, topicOf, toPubSubMessage, createEvent, type EventType, type SubscriptionSpec } from '@arbiter/contract';
import { minimalSamples } from '../../contract/src/event-samples.test-support';
import type { DeadLetterSink } from './delivery';

export { Subscriptions };

const SCHEMAS = join(__dirname, '..', '..', '..', 'schemas', 'events');
const requiredOf = (type: string): string[] => (JSON.parse(readFileSync(join(SCHEMAS, `${type}.schema.json`), 'utf8')) as { required?: string[] }).required ?? [];

/** Pub/Sub's publish limits, as the emulator and GCP enforce them. */
export class PubSubLimitedSink implements DeadLetterSink {
  readonly published: Array<{ topic: string; attributes: Record<string, string> }> = [];
  async publishTo(topic: string, message: { data: Buffer; attributes: Record<string, string> }): Promise<unknown> {
    const entries = Object.entries(message.attributes);
    if (entries.length > 100) throw new Error(`INVALID_ARGUMENT: ${entries.length} attributes (at most 100)`);
    for (const [key, value] of entries) {
      if (Buffer.byteLength(key) > 256 || key === '' || key.startsWith('goog')) throw new Error(`INVALID_ARGUMENT: attribute key ${key.slice(0, 40)}…`);
      if (Buffer.byteLength(value) > 1024) throw new Error(`INVALID_ARGUMENT: attribute ${key} is ${Buffer.byteLength(value)} bytes (at most 1024)`);
    }
    if (message.data.length > 10_000_000) throw new Error('INVALID_ARGUMENT: message larger than 10 MB');
    this.published.push({ topic, attributes: message.attributes });
    return 'id';
  }
}

export const typesOf = (spec: SubscriptionSpec): EventType[] => (spec.eventTypes ? [...spec.eventTypes] : (Object.entries(topicOf) as Array<[EventType, string]>).filter(([, topic]) => topic === spec.topic).map(([type]) => type));

/** A valid binary-mode message of `type` (the sample data), to be broken. */
function validMessage(type: EventType, id: string): { data: Buffer; attributes: Record<string, string> } {
  const event = createEvent({ type, source: '//hostile/test', id, data: minimalSamples[type] as never });
  if (!event.ok) throw new Error(`sample of ${type} is invalid: ${event.error.message}`);
  const message = toPubSubMessage(event.value);
  return { data: message.data, attributes: message.attributes };
}

const differentType = (value: unknown): fc.Arbitrary<unknown> => {
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  const all: Record<string, fc.Arbitrary<unknown>> = {
    string: fc.string({ maxLength: 20 }),
    number: fc.double({ noNaN: true, noDefaultInfinity: true }),
    boolean: fc.boolean(),
    null: fc.constant(null),
    array: fc.array(fc.integer(), { maxLength: 3 }),
    object: fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
  };
  return fc.oneof(...Object.entries(all).filter(([k]) => k !== kind).map(([, a]) => a));
};

/** The JSON text of an object with raw keys spliced in front (JSON.stringify cannot write an own `__proto__`). */
const withRawKeys = (data: Record<string, unknown>, raw: string): Buffer => Buffer.from(`{${raw},${JSON.stringify(data).slice(1)}`);

export type Hostile = { kind: string; data: Buffer; attributes: Record<string, string> };

export function hostileFor(type: EventType, options: { maxHugeBytes?: number } = {}): fc.Arbitrary<Hostile> {
  const base = validMessage(type, 'base');
  const data = JSON.parse(base.data.toString('utf8')) as Record<string, unknown>;
  const required = requiredOf(type);
  const attrs = (over: Record<string, string | undefined> = {}): Record<string, string> => {
    const out: Record<string, string> = { ...base.attributes };
    for (const [k, v] of Object.entries(over)) {
      if (v === undefined) delete out[k];
      else out[k] = v;
    }
    return out;
  };
  const id = fc.uuid();
  const extraKey = fc.string({ minLength: 1, maxLength: 12 }).map((k) => `x_${k}`);
  return fc.oneof(
    fc.tuple(id, fc.uint8Array({ minLength: 1, maxLength: 4096 })).map(([i, bytes]) => ({ kind: 'binary garbage', data: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(bytes)]), attributes: attrs({ 'ce-id': i }) })),
    fc.tuple(id, fc.nat(required.length)).map(([i]) => {
      const text = JSON.stringify({ ...data, [required[0] as string]: 'AAAA' });
      const at = text.indexOf('AAAA');
      return { kind: 'invalid UTF-8', data: Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xc3, 0x28, 0xa0, 0xa1]), Buffer.from(text.slice(at + 4))]), attributes: attrs({ 'ce-id': i }) };
    }),
    fc.tuple(id, fc.oneof(fc.array(fc.jsonValue(), { maxLength: 3 }), fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null), fc.boolean())).map(([i, v]) => ({ kind: 'data not an object', data: Buffer.from(JSON.stringify(v)), attributes: attrs({ 'ce-id': i }) })),
    fc.tuple(id, fc.constantFrom(...required)).map(([i, field]) => {
      const copy = { ...data };
      delete copy[field];
      return { kind: 'missing required field', data: Buffer.from(JSON.stringify(copy)), attributes: attrs({ 'ce-id': i }) };
    }),
    fc.tuple(id, fc.constantFrom(...required)).chain(([i, field]) => differentType(data[field]).map((v) => ({ kind: 'wrong type', data: Buffer.from(JSON.stringify({ ...data, [field]: v })), attributes: attrs({ 'ce-id': i }) }))),
    fc.tuple(id, extraKey, fc.jsonValue({ maxDepth: 2 })).map(([i, k, v]) => ({ kind: 'extra field', data: Buffer.from(JSON.stringify({ ...data, [k]: v })), attributes: attrs({ 'ce-id': i }) })),
    fc.tuple(id, fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.jsonValue({ maxDepth: 2 })).map(([i, k, v]) => ({ kind: '__proto__/constructor key', data: withRawKeys(data, `${JSON.stringify(k)}:${JSON.stringify({ polluted: v, isAdmin: true })}`), attributes: attrs({ 'ce-id': i }) })),
    fc.tuple(id, fc.integer({ min: 100_000, max: options.maxHugeBytes ?? 900_000 })).map(([i, n]) => ({ kind: 'huge payload', data: Buffer.from(JSON.stringify({ ...data, x_blob: 'A'.repeat(n) })), attributes: attrs({ 'ce-id': i }) })),
    fc.tuple(id, fc.integer({ min: 1_000, max: 50_000 })).map(([i, depth]) => ({ kind: 'deeply nested', data: withRawKeys(data, `"x_deep":${'['.repeat(depth)}${']'.repeat(depth)}`), attributes: attrs({ 'ce-id': i }) })),
    fc.tuple(id, fc.constantFrom<Record<string, string | undefined>>(
      { 'ce-specversion': undefined },
      { 'ce-specversion': '0.3' },
      { 'ce-specversion': '' },
      { 'ce-source': undefined },
      { 'ce-type': undefined },
      { 'ce-time': 'yesterday at noon' },
      { 'ce-type': 'com.example.not.ours.v1' },
      { 'ce-type': `${type}.tampered` },
      { 'content-type': 'application/xml' },
    )).map(([i, over]) => ({ kind: 'broken ce-* attributes', data: base.data, attributes: attrs({ 'ce-id': i, ...over }) })),
    fc.tuple(id, fc.integer({ min: 1_025, max: 8_000 }), extraKey).map(([i, n, k]) => ({ kind: 'oversized attribute', data: Buffer.from(JSON.stringify({ ...data, [k]: 1 })), attributes: attrs({ 'ce-id': i, [`ce-${k.toLowerCase().replace(/[^a-z0-9]/g, '')}`]: 'B'.repeat(n) }) })),
  );
}

