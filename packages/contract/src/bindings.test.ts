import { createEvent } from './event-factory';
import { fromHttpRequest, toHttpBinary, toHttpStructured } from './cloudevents.binding';
import { fromPubSubMessage, toPubSubMessage, toPubSubStructuredMessage, type PubSubMessage } from './pubsub.binding';
import { eventFromPushRequest, fromPushRequest, toPushRequest } from './pubsub.push';
import type { ArbiterEvent } from './event-map';
import type { ContractErrorCode, ContractResult } from './contract-error';
import { minimalSamples } from './event-samples.test-support';
import type { PredictionSubmitted } from '@arbiter/core';

const prediction: PredictionSubmitted = {
  useCase: 'vehicle-cleanliness',
  subject: { type: 'booking', id: 'bk-20261121-0042' },
  model: { name: 'cleanliness-vit', version: '2.3.0' },
  prediction: { label: 'dirty', confidence: 0.78, scores: { dirty: 0.78, clean: 0.22 } },
  evidence: [{ uri: 'gs://evidence/bk-20261121-0042/after-1.jpg', role: 'return', mediaType: 'image/jpeg' }],
  context: { nextBookingAt: '2026-11-21T14:00:00Z', customerId: 'cus-881', station: 'BER-03' },
};

function created(): ArbiterEvent<'arbiter.prediction.submitted.v1'> {
  const result = createEvent({
    type: 'arbiter.prediction.submitted.v1',
    source: '//vision/cleanliness-service',
    subject: 'bk-20261121-0042',
    id: '6f1c2a9e-4d0b-4c57-9d3e-2b8f7a1e5c40',
    time: '2026-11-21T12:00:00Z',
    data: prediction,
  });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function expectFailure<T>(result: ContractResult<T>, code: ContractErrorCode, message?: string): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.code).toBe(code);
  expect(result.error.permanent).toBe(true);
  if (message !== undefined) expect(result.error.message).toContain(message);
}

function decoded<T>(result: ContractResult<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

const binaryAttributes = (overrides: Record<string, string | undefined> = {}): Record<string, string> => {
  const attributes: Record<string, string | undefined> = {
    'ce-specversion': '1.0',
    'ce-id': 'evt-1',
    'ce-source': '//vision/cleanliness-service',
    'ce-type': 'arbiter.prediction.submitted.v1',
    'content-type': 'application/json',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(attributes).filter((entry): entry is [string, string] => entry[1] !== undefined));
};
const body = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');

describe('createEvent', () => {
  it('builds a CloudEvent 1.0 with the schema as dataschema and the time in UTC', () => {
    const event = created();
    expect(event).toEqual({
      specversion: '1.0',
      id: '6f1c2a9e-4d0b-4c57-9d3e-2b8f7a1e5c40',
      source: '//vision/cleanliness-service',
      type: 'arbiter.prediction.submitted.v1',
      subject: 'bk-20261121-0042',
      time: '2026-11-21T12:00:00.000Z',
      dataschema: 'https://arbiter.dev/schemas/events/arbiter.prediction.submitted.v1.schema.json',
      datacontenttype: 'application/json',
      data: prediction,
    });
  });

  it('defaults id to a UUID and time to now', () => {
    const before = Date.now();
    const event = decoded(createEvent({ type: 'arbiter.case.claimed.v1', source: '//arbiter/review-queue', data: minimalSamples['arbiter.case.claimed.v1'] }));
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(event.time ?? '')).toBeGreaterThanOrEqual(before - 1000);
  });

  it('refuses to create an event whose data breaks its schema (producers validate what they emit)', () => {
    const bad = { ...prediction, prediction: { confidence: 1.5 } };
    expectFailure(createEvent({ type: 'arbiter.prediction.submitted.v1', source: '//vision', data: bad }), 'EVENT.SCHEMA_VIOLATION', 'prediction.confidence must be <= 1 (got 1.5)');
  });

  it('validates what goes on the wire: undefined fields vanish, Dates become strings', () => {
    const data = { ...minimalSamples['arbiter.case.claimed.v1'], claimedAt: new Date('2026-11-21T12:00:00Z') as unknown as string, reassignedTo: undefined };
    const event = decoded(createEvent({ type: 'arbiter.case.claimed.v1', source: '//arbiter/review-queue', data }));
    expect(event.data.claimedAt).toBe('2026-11-21T12:00:00.000Z');
    expect('reassignedTo' in event.data).toBe(false);
  });

  it.each([
    ['an unknown type', { type: 'arbiter.case.exploded.v1' }, 'EVENT.UNKNOWN_TYPE', 'unknown event type "arbiter.case.exploded.v1"'],
    ['an empty source', { source: '' }, 'EVENT.NOT_CLOUDEVENT', 'source is required'],
    ['a time without zone', { time: '2026-11-21 12:00' }, 'EVENT.NOT_CLOUDEVENT', 'time must be an RFC 3339'],
    ['an extension with a bad name', { extensions: { 'Trace-Parent': 'x' } }, 'EVENT.NOT_CLOUDEVENT', 'extension "Trace-Parent"'],
  ] as const)('rejects %s', (_what, overrides, code, message) => {
    const input = { type: 'arbiter.prediction.submitted.v1', source: '//vision', data: prediction, ...overrides };
    expectFailure(createEvent(input as Parameters<typeof createEvent>[0]), code, message);
  });
});

describe('Pub/Sub binding', () => {
  it('binary mode: data is the body, context attributes are ce-* attributes, content-type application/json', () => {
    const message = toPubSubMessage(created());
    expect(JSON.parse(message.data.toString('utf8'))).toEqual(prediction);
    expect(message.attributes).toEqual({
      'ce-specversion': '1.0',
      'ce-id': '6f1c2a9e-4d0b-4c57-9d3e-2b8f7a1e5c40',
      'ce-source': '//vision/cleanliness-service',
      'ce-type': 'arbiter.prediction.submitted.v1',
      'ce-subject': 'bk-20261121-0042',
      'ce-time': '2026-11-21T12:00:00.000Z',
      'ce-dataschema': 'https://arbiter.dev/schemas/events/arbiter.prediction.submitted.v1.schema.json',
      'content-type': 'application/json',
    });
  });

  it('binary round trip', () => {
    const event = created();
    expect(decoded(fromPubSubMessage(toPubSubMessage(event)))).toEqual(event);
  });

  it('structured round trip', () => {
    const event = created();
    const message = toPubSubStructuredMessage(event);
    expect(message.attributes['content-type']).toMatch(/^application\/cloudevents\+json/);
    expect(JSON.parse(message.data.toString('utf8'))).toMatchObject({ specversion: '1.0', id: event.id, type: event.type, data: prediction });
    expect(decoded(fromPubSubMessage(message))).toEqual(event);
  });

  it('round trips every event type, and returns a union narrowed by type', () => {
    for (const [type, data] of Object.entries(minimalSamples)) {
      const event = decoded(createEvent({ type: type as keyof typeof minimalSamples, source: '//arbiter/test', data, id: `id-${type}`, subject: 'case-1' }));
      const back = decoded(fromPubSubMessage(toPubSubMessage(event)));
      expect(back).toEqual(event);
      if (back.type === 'arbiter.case.claimed.v1') expect(back.data.claimedBy.role).toBe('reviewer');
    }
  });

  it('keeps unknown context fields (only there)', () => {
    const back = decoded(fromPubSubMessage(toPubSubMessage(created())));
    expect(back.type === 'arbiter.prediction.submitted.v1' && back.data.context?.['station']).toBe('BER-03');
  });

  it('carries extension attributes (traceparent) both ways', () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const event = decoded(createEvent({ type: 'arbiter.case.claimed.v1', source: '//arbiter/review-queue', data: minimalSamples['arbiter.case.claimed.v1'], extensions: { traceparent } }));
    const message = toPubSubMessage(event);
    expect(message.attributes['ce-traceparent']).toBe(traceparent);
    expect(decoded(fromPubSubMessage(message)).extensions).toEqual({ traceparent });
    expect(decoded(fromPubSubMessage(toPubSubStructuredMessage(event))).extensions).toEqual({ traceparent });
  });

  it('accepts attribute names in any case and content-type with a charset', () => {
    const attributes = Object.fromEntries(Object.entries(binaryAttributes({ 'content-type': 'application/json; charset=utf-8' })).map(([k, v]) => [k.toUpperCase(), v]));
    expect(decoded(fromPubSubMessage({ data: body(prediction), attributes })).id).toBe('evt-1');
  });

  it('accepts a message without content-type (JSON by default) and without ce-time (time stays absent)', () => {
    const event = decoded(fromPubSubMessage({ data: body(prediction), attributes: binaryAttributes({ 'content-type': undefined }) }));
    expect(event.time).toBeUndefined();
  });

  describe('rejects, with a code and a reason', () => {
    it.each<[string, PubSubMessage | { data: Buffer; attributes?: null }, ContractErrorCode, string]>([
      ['data that is not JSON', { data: Buffer.from('dirty, 0.78'), attributes: binaryAttributes() }, 'EVENT.NOT_JSON', 'the event data is not valid JSON'],
      ['an empty body', { data: Buffer.alloc(0), attributes: binaryAttributes() }, 'EVENT.NOT_JSON', 'the body is empty'],
      ['a body that is not UTF-8', { data: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), attributes: binaryAttributes() }, 'EVENT.NOT_JSON', 'not valid UTF-8'],
      ['a structured event that is not JSON', { data: Buffer.from('{"specversion":'), attributes: { 'content-type': 'application/cloudevents+json' } }, 'EVENT.NOT_JSON', 'the structured event is not valid JSON'],
      ['a missing ce-type', { data: body(prediction), attributes: binaryAttributes({ 'ce-type': undefined }) }, 'EVENT.NOT_CLOUDEVENT', 'ce-type attribute is missing'],
      ['missing ce-id and ce-source', { data: body(prediction), attributes: binaryAttributes({ 'ce-id': undefined, 'ce-source': undefined }) }, 'EVENT.NOT_CLOUDEVENT', 'ce-id attribute, ce-source attribute are missing'],
      ['no attributes at all', { data: body(prediction), attributes: null }, 'EVENT.NOT_CLOUDEVENT', 'no CloudEvent found'],
      ['CloudEvents 0.3', { data: body(prediction), attributes: binaryAttributes({ 'ce-specversion': '0.3' }) }, 'EVENT.NOT_CLOUDEVENT', 'ce-specversion attribute must be 1.0 (got "0.3")'],
      ['an unparseable ce-time', { data: body(prediction), attributes: binaryAttributes({ 'ce-time': 'yesterday' }) }, 'EVENT.NOT_CLOUDEVENT', 'ce-time attribute must be an RFC 3339'],
      ['a ce-source that is not a URI-reference', { data: body(prediction), attributes: binaryAttributes({ 'ce-source': 'not a uri' }) }, 'EVENT.NOT_CLOUDEVENT', 'source'],
      ['an unknown type', { data: body(prediction), attributes: binaryAttributes({ 'ce-type': 'arbiter.prediction.submitted.v9' }) }, 'EVENT.UNKNOWN_TYPE', 'unknown event type "arbiter.prediction.submitted.v9"'],
      ['a wrong content-type', { data: body(prediction), attributes: binaryAttributes({ 'content-type': 'text/plain' }) }, 'EVENT.UNSUPPORTED_CONTENT_TYPE', 'content-type text/plain is not supported'],
      ['an XML body', { data: Buffer.from('<prediction/>'), attributes: binaryAttributes({ 'content-type': 'application/xml' }) }, 'EVENT.UNSUPPORTED_CONTENT_TYPE', 'application/xml'],
      ['a batch', { data: Buffer.from('[]'), attributes: { 'content-type': 'application/cloudevents-batch+json' } }, 'EVENT.UNSUPPORTED_CONTENT_TYPE', 'batched CloudEvents'],
      ['data that is an array', { data: body([prediction]), attributes: binaryAttributes() }, 'EVENT.SCHEMA_VIOLATION', 'data must be a JSON object (got an array)'],
      ['data that breaks the schema', { data: body({ ...prediction, subject: { type: 'booking' } }), attributes: binaryAttributes() }, 'EVENT.SCHEMA_VIOLATION', 'subject.id is required'],
      ['a structured event without type', { data: body({ specversion: '1.0', id: 'e', source: '//s', data: prediction }), attributes: { 'content-type': 'application/cloudevents+json' } }, 'EVENT.NOT_CLOUDEVENT', 'type is missing'],
      ['a structured event with binary data', { data: body({ specversion: '1.0', id: 'e', source: '//s', type: 'arbiter.prediction.submitted.v1', data_base64: 'e30=' }), attributes: { 'content-type': 'application/cloudevents+json' } }, 'EVENT.UNSUPPORTED_CONTENT_TYPE', 'data_base64'],
      ['a structured event with XML data', { data: body({ specversion: '1.0', id: 'e', source: '//s', type: 'arbiter.prediction.submitted.v1', datacontenttype: 'application/xml', data: prediction }), attributes: { 'content-type': 'application/cloudevents+json' } }, 'EVENT.UNSUPPORTED_CONTENT_TYPE', 'datacontenttype "application/xml"'],
      ['a structured event with an unknown type', { data: body({ specversion: '1.0', id: 'e', source: '//s', type: 'com.example.other', data: {} }), attributes: { 'content-type': 'application/cloudevents+json' } }, 'EVENT.UNKNOWN_TYPE', 'com.example.other'],
      ['a structured event without data', { data: body({ specversion: '1.0', id: 'e', source: '//s', type: 'arbiter.prediction.submitted.v1' }), attributes: { 'content-type': 'application/cloudevents+json' } }, 'EVENT.SCHEMA_VIOLATION', 'data must be a JSON object (got nothing)'],
    ])('%s', (_what, message, code, reason) => {
      expectFailure(fromPubSubMessage(message), code, reason);
    });
  });

  it('never throws, whatever arrives', () => {
    const bodies = ['', 'null', '0', '"x"', '[]', '{}', '{"a":', '\u0000', '{"specversion":"1.0"}', '{"message":{}}'];
    const attributeSets: Array<Record<string, string>> = [{}, binaryAttributes(), { 'content-type': 'application/cloudevents+json' }, binaryAttributes({ 'ce-type': '' })];
    for (const text of bodies) {
      for (const attributes of attributeSets) {
        const result = fromPubSubMessage({ data: Buffer.from(text), attributes });
        expect(result.ok).toBe(false);
      }
    }
  });
});

describe('HTTP binding', () => {
  it('binary round trip (headers are the Pub/Sub attributes)', () => {
    const event = created();
    const message = toHttpBinary(event);
    expect(message.headers).toEqual(toPubSubMessage(event).attributes);
    expect(decoded(fromHttpRequest(message.headers, Buffer.from(message.body)))).toEqual(event);
  });

  it('structured round trip, body as a string', () => {
    const event = created();
    const message = toHttpStructured(event);
    expect(decoded(fromHttpRequest(message.headers, message.body))).toEqual(event);
  });

  it('accepts repeated headers (first value) and mixed-case names', () => {
    const headers = { 'Ce-Id': ['evt-1', 'evt-2'], 'CE-SOURCE': '//s', 'ce-specversion': '1.0', 'ce-type': 'arbiter.prediction.submitted.v1', 'Content-Type': 'application/json' };
    expect(decoded(fromHttpRequest(headers, body(prediction))).id).toBe('evt-1');
  });

  it('names headers (not attributes) in its messages', () => {
    expectFailure(fromHttpRequest(binaryAttributes({ 'ce-type': undefined }), body(prediction)), 'EVENT.NOT_CLOUDEVENT', 'ce-type header is missing');
    expectFailure(fromHttpRequest({ 'content-type': 'application/json' }, body(prediction)), 'EVENT.NOT_CLOUDEVENT', 'ce-type headers (binary mode)');
  });
});

describe('Pub/Sub push', () => {
  const event = created();
  const message = toPubSubMessage(event);
  const push = { subscription: 'projects/arbiter-local/subscriptions/router.route-on-case-opened', messageId: '1234567890', publishTime: '2026-11-21T12:00:00.123Z' };

  it('wrapped: unwraps the envelope into the message, its id, subscription and delivery attempt', () => {
    const request = toPushRequest(message, { ...push, format: 'wrapped', deliveryAttempt: 3 });
    const delivery = decoded(fromPushRequest(request.headers, Buffer.from(request.body)));
    expect(delivery).toEqual({
      message: { data: message.data, attributes: message.attributes, messageId: push.messageId, publishTime: push.publishTime },
      subscription: push.subscription,
      deliveryAttempt: 3,
      format: 'wrapped',
    });
    expect(decoded(eventFromPushRequest(request.headers, request.body))).toEqual(event);
  });

  it('wrapped: reads the snake_case fields Pub/Sub also sends, and defaults deliveryAttempt to 1', () => {
    const envelope = { message: { data: message.data.toString('base64'), attributes: message.attributes, message_id: '77', publish_time: push.publishTime }, subscription: push.subscription };
    const delivery = decoded(fromPushRequest({ 'content-type': 'application/json' }, JSON.stringify(envelope)));
    expect([delivery.message.messageId, delivery.deliveryAttempt]).toEqual(['77', 1]);
  });

  it('wrapped: a structured-mode message inside', () => {
    const request = toPushRequest(toPubSubStructuredMessage(event), { ...push, format: 'wrapped' });
    expect(decoded(eventFromPushRequest(request.headers, request.body))).toEqual(event);
  });

  it('noWrapper with write metadata: attributes arrive as headers, metadata as x-goog-pubsub-*', () => {
    const request = toPushRequest(message, { ...push, format: 'no-wrapper-metadata' });
    const headers = { ...request.headers, 'user-agent': 'APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)', host: 'router-abc.a.run.app' };
    const delivery = decoded(fromPushRequest(headers, Buffer.from(request.body)));
    expect(delivery).toEqual({
      message: { data: message.data, attributes: message.attributes, messageId: push.messageId, publishTime: push.publishTime },
      subscription: push.subscription,
      deliveryAttempt: 1,
      format: 'no-wrapper',
    });
    expect(decoded(eventFromPushRequest(headers, request.body))).toEqual(event);
  });

  it('noWrapper without metadata: a structured event still decodes; a binary one cannot', () => {
    const structured = toPushRequest(toPubSubStructuredMessage(event), { ...push, format: 'no-wrapper' });
    expect(structured.headers).toEqual({});
    expect(decoded(eventFromPushRequest({ 'content-type': 'application/json' }, structured.body))).toEqual(event);
    const delivery = decoded(fromPushRequest({}, structured.body));
    expect(delivery.message.messageId).toBe('');

    const binary = toPushRequest(message, { ...push, format: 'no-wrapper' });
    expectFailure(eventFromPushRequest({ 'content-type': 'application/json' }, binary.body), 'EVENT.NOT_CLOUDEVENT', 'no CloudEvent found');
  });

  it('noWrapper: a body that is not JSON is still a delivery (so it can be dead-lettered), and decoding says why', () => {
    const headers = { 'ce-specversion': '1.0', 'ce-id': 'e', 'ce-source': '//s', 'ce-type': 'arbiter.prediction.submitted.v1', 'content-type': 'application/json', 'x-goog-pubsub-message-id': '9' };
    expect(decoded(fromPushRequest(headers, 'garbage')).message.data.toString()).toBe('garbage');
    expectFailure(eventFromPushRequest(headers, 'garbage'), 'EVENT.NOT_JSON');
  });

  it.each([
    ['data that is not base64', { message: { data: 'not base64!', messageId: '1' } }, 'message.data must be the message data in base64'],
    ['attributes that are not strings', { message: { data: '', attributes: { n: 1 }, messageId: '1' } }, 'message.attributes'],
    ['no message id', { message: { data: 'e30=' } }, 'message.messageId is required'],
    ['a bad delivery attempt', { message: { data: 'e30=', messageId: '1' }, deliveryAttempt: 0 }, 'deliveryAttempt'],
  ])('wrapped envelope with %s: EVENT.NOT_PUSH_DELIVERY', (_what, envelope, reason) => {
    expectFailure(fromPushRequest({ 'content-type': 'application/json' }, JSON.stringify(envelope)), 'EVENT.NOT_PUSH_DELIVERY', reason);
  });
});
