import { Writable } from 'node:stream';
import { createEvent, toPubSubMessage, EventTypes, deadLetterTopicOf, SubscriptionNames } from '@arbiter/contract';
import type { PredictionSubmitted } from '@arbiter/core';
import { DeliveryCounters, processDelivery, type DeliveryDeps, type EventHandler } from './delivery';
import { createLogger } from './logger';
import { permanentFailure, transientFailure } from './errors';

const subscription = SubscriptionNames.assessOnPredictionSubmitted;

const prediction: PredictionSubmitted = {
  useCase: 'vehicle-cleanliness',
  subject: { type: 'booking', id: 'bk-1' },
  model: { name: 'cleanliness-vit', version: '2.3.0' },
  prediction: { label: 'dirty', confidence: 0.78 },
  context: { customerId: 'cus-881' },
};

function validMessage(): { data: Buffer; attributes: Record<string, string> } {
  const event = createEvent({ type: EventTypes.predictionSubmitted, source: 'test/vision', data: prediction });
  if (!event.ok) throw new Error(event.error.message);
  return toPubSubMessage(event.value);
}

function setup(handler: EventHandler, overrides: Partial<DeliveryDeps> = {}) {
  const deadLettered: Array<{ topic: string; data: Buffer; attributes: Record<string, string> }> = [];
  const lines: string[] = [];
  const logger = createLogger({
    service: 'test',
    level: 'info',
    destination: new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }),
  });
  const deps: DeliveryDeps = {
    subscription,
    handler,
    logger,
    deadLetters: { publishTo: async (topic, message) => deadLettered.push({ topic, ...message }) },
    maxDeliveryAttempts: 3,
    counters: new DeliveryCounters(),
    ...overrides,
  };
  return { deps, deadLettered, lines };
}

const delivery = (message: { data: Buffer; attributes: Record<string, string> }, deliveryAttempt = 1) => ({ ...message, messageId: 'm-1', deliveryAttempt });

describe('processDelivery', () => {
  it('acks a valid event its handler accepts, passing the decoded event', async () => {
    const seen: unknown[] = [];
    const { deps, deadLettered } = setup(async (event) => {
      seen.push(event.data);
    });
    const outcome = await processDelivery(delivery(validMessage()), deps);
    expect(outcome.disposition).toBe('ack');
    expect(seen).toEqual([prediction]);
    expect(deadLettered).toHaveLength(0);
    expect(deps.counters.byOutcome.handled).toBe(1);
  });

  it('dead-letters a body that is not JSON with its reason, without calling the handler', async () => {
    const handler = jest.fn();
    const { deps, deadLettered } = setup(handler);
    const message = validMessage();
    const outcome = await processDelivery(delivery({ data: Buffer.from('{not json'), attributes: message.attributes }), deps);
    expect(outcome.disposition).toBe('dead-letter');
    expect(handler).not.toHaveBeenCalled();
    expect(deadLettered).toHaveLength(1);
    expect(deadLettered[0]?.topic).toBe(deadLetterTopicOf(subscription));
    expect(deadLettered[0]?.attributes['arbiter-error-code']).toBe('EVENT.NOT_JSON');
    expect(deadLettered[0]?.attributes['arbiter-error-message']).toBeTruthy();
    expect(deadLettered[0]?.data.toString()).toBe('{not json');
    expect(deps.counters.deadLettersByCode['EVENT.NOT_JSON']).toBe(1);
  });

  it('dead-letters a schema violation with a message that names the field', async () => {
    const { deps, deadLettered } = setup(async () => undefined);
    const message = validMessage();
    const broken = { ...prediction, prediction: { confidence: 1.5 } };
    const outcome = await processDelivery(delivery({ data: Buffer.from(JSON.stringify(broken)), attributes: message.attributes }), deps);
    expect(outcome.disposition).toBe('dead-letter');
    expect(deadLettered[0]?.attributes['arbiter-error-code']).toBe('EVENT.SCHEMA_VIOLATION');
    expect(deadLettered[0]?.attributes['arbiter-error-message']).toContain('confidence');
  });

  it('dead-letters a permanent handler failure at once, keeping the original attributes', async () => {
    const { deps, deadLettered } = setup(async () => ({ ok: false, error: permanentFailure('POLICY.UNKNOWN_USE_CASE', 'no policy for use case "x"') }));
    const message = validMessage();
    const outcome = await processDelivery(delivery(message), deps);
    expect(outcome).toEqual({ disposition: 'dead-letter', failure: expect.objectContaining({ code: 'POLICY.UNKNOWN_USE_CASE' }) });
    expect(deadLettered[0]?.attributes['ce-id']).toBe(message.attributes['ce-id']);
    expect(deadLettered[0]?.attributes['arbiter-error-message']).toBe('no policy for use case "x"');
  });

  it('retries a transient failure until the attempts run out, then dead-letters it', async () => {
    const { deps, deadLettered } = setup(async () => ({ ok: false, error: transientFailure('TRANSIENT.FIRESTORE', 'deadline exceeded') }));
    const message = validMessage();
    expect((await processDelivery(delivery(message, 1), deps)).disposition).toBe('retry');
    expect((await processDelivery(delivery(message, 2), deps)).disposition).toBe('retry');
    expect((await processDelivery(delivery(message, 3), deps)).disposition).toBe('dead-letter');
    expect(deadLettered).toHaveLength(1);
    expect(deps.counters.byOutcome.retried).toBe(2);
  });

  it('treats a throwing handler as transient and reports the exhausted retries', async () => {
    const { deps, deadLettered } = setup(async () => {
      throw new Error('socket hang up');
    });
    const message = validMessage();
    expect((await processDelivery(delivery(message, 1), deps)).disposition).toBe('retry');
    expect((await processDelivery(delivery(message, 3), deps)).disposition).toBe('dead-letter');
    expect(deadLettered[0]?.attributes['arbiter-error-code']).toBe('DELIVERY.RETRIES_EXHAUSTED');
    expect(deadLettered[0]?.attributes['arbiter-error-message']).toContain('socket hang up');
  });

  it('acks and ignores event types the subscriber does not handle', async () => {
    const handler = jest.fn();
    const { deps } = setup(handler, { eventTypes: [EventTypes.caseOpened] });
    const outcome = await processDelivery(delivery(validMessage()), deps);
    expect(outcome.disposition).toBe('ack');
    expect(handler).not.toHaveBeenCalled();
    expect(deps.counters.byOutcome.ignored).toBe(1);
  });

  it('never logs PII from the event it dead-letters', async () => {
    const { deps, lines } = setup(async () => ({ ok: false, error: permanentFailure('POLICY.UNKNOWN_USE_CASE', 'unknown') }));
    await processDelivery(delivery(validMessage()), deps);
    expect(lines.join('')).toContain('dead-lettered');
    expect(lines.join('')).not.toContain('cus-881');
  });
});
