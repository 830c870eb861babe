import { Writable } from 'node:stream';
import type { PubSub } from '@google-cloud/pubsub';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { createEvent, EventTypes, toPubSubMessage, type ArbiterEvent } from '@arbiter/contract';
import { DeliveryCounters, processDelivery } from './delivery';
import { EnvReader } from './config';
import { createLogger } from './logger';
import { PubSubEventPublisher } from './pubsub.publisher';
import { readTelemetryConfig, TELEMETRY_OFF } from './telemetry-config';
import { currentTraceExtensions, currentTraceparent, inTrace, shutdownTracing, startTracing, traceIdOf, tracingEnabled } from './tracing';

const UPSTREAM = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };
const upstreamTraceparent = `00-${UPSTREAM.traceId}-${UPSTREAM.spanId}-01`;

function event(extensions?: Record<string, string>): ArbiterEvent {
  const created = createEvent({
    type: EventTypes.caseClaimed,
    source: '//arbiter/test',
    subject: 'case-1',
    data: { caseId: 'case-1', useCase: 'vehicle-cleanliness', queue: 'q', claimedBy: { id: 'r-1', role: 'reviewer' }, leaseUntil: '2026-11-21T12:10:00.000Z', claimedAt: '2026-11-21T12:00:00.000Z' },
    ...(extensions ? { extensions } : {}),
  });
  if (!created.ok) throw new Error(created.error.message);
  return created.value;
}

/** A Pub/Sub client that records what would be published. */
function recordingPubSub(): { pubsub: PubSub; sent: Array<{ topic: string; attributes: Record<string, string> }> } {
  const sent: Array<{ topic: string; attributes: Record<string, string> }> = [];
  const pubsub = {
    topic: (topic: string) => ({
      publishMessage: async (message: { attributes: Record<string, string> }) => {
        sent.push({ topic, attributes: message.attributes });
        return 'id';
      },
      flush: async () => undefined,
    }),
  } as unknown as PubSub;
  return { pubsub, sent };
}

describe('readTelemetryConfig', () => {
  const read = (env: Record<string, string>) => {
    const reader = new EnvReader(env);
    return { config: readTelemetryConfig(reader), errors: reader.errors };
  };

  it('is off without an OTLP endpoint, and on with one', () => {
    expect(read({}).config.traces).toBe(false);
    expect(read({}).config.metrics).toBe(false);
    expect(read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).config).toMatchObject({ traces: true, metrics: true, tracesProtocol: 'http/protobuf' });
    expect(read({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }).config).toMatchObject({ traces: true, metrics: false });
    expect(read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' }).config.traces).toBe(false);
    expect(read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' }).config.traces).toBe(false);
  });

  it('names every bad variable', () => {
    const { errors } = read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_TRACES_SAMPLER: 'sometimes', OTEL_TRACES_SAMPLER_ARG: '2' });
    expect(errors).toEqual([
      expect.stringMatching(/^OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL/),
      expect.stringMatching(/^OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported/),
      expect.stringMatching(/^OTEL_TRACES_SAMPLER must be one of/),
      expect.stringMatching(/^OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1/),
    ]);
  });
});

describe('traceIdOf', () => {
  it('reads the trace id of a W3C traceparent and refuses anything else', () => {
    expect(traceIdOf(upstreamTraceparent)).toBe(UPSTREAM.traceId);
    expect(traceIdOf(`00-${'0'.repeat(32)}-${UPSTREAM.spanId}-01`)).toBeUndefined();
    expect(traceIdOf('garbage')).toBeUndefined();
    expect(traceIdOf(undefined)).toBeUndefined();
  });
});

describe('with tracing off', () => {
  it('records nothing and stamps nothing', async () => {
    expect(tracingEnabled()).toBe(false);
    expect(currentTraceExtensions()).toEqual({});
    expect(inTrace(upstreamTraceparent, 'work', {}, () => currentTraceparent())).toBeUndefined();
    const { pubsub, sent } = recordingPubSub();
    await new PubSubEventPublisher(pubsub).publish(event());
    expect(sent[0]?.attributes['ce-traceparent']).toBeUndefined();
    expect(sent[0]?.attributes['googclient_traceparent']).toBeUndefined();
  });
});

describe('with tracing on', () => {
  const exporter = new InMemorySpanExporter();
  beforeAll(() => startTracing({ service: 'test', projectId: 'proj-1', config: { ...TELEMETRY_OFF, traces: true }, spanProcessor: new SimpleSpanProcessor({ exporter }) }));
  afterAll(() => shutdownTracing());
  beforeEach(() => exporter.reset());

  it('a consumer continues the trace of the event it handles; its log lines carry Cloud Logging trace keys', async () => {
    const lines: string[] = [];
    const logger = createLogger({ service: 'test', level: 'info', destination: new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }) });
    let inside: string | undefined;
    const outcome = await processDelivery(
      { ...toPubSubMessage(event({ traceparent: upstreamTraceparent })), messageId: 'm-1', deliveryAttempt: 1 },
      {
        subscription: 'audit-exporter.record-case-events',
        handler: async (_event, context) => {
          inside = currentTraceparent();
          context.logger.info('handling');
        },
        logger,
        deadLetters: { publishTo: async () => undefined },
        maxDeliveryAttempts: 5,
        counters: new DeliveryCounters('audit-exporter.record-case-events'),
      },
    );
    expect(outcome.disposition).toBe('ack');
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('audit-exporter.record-case-events process');
    expect(span?.spanContext().traceId).toBe(UPSTREAM.traceId);
    expect(span?.parentSpanContext?.spanId).toBe(UPSTREAM.spanId);
    expect(span?.attributes).toMatchObject({ 'cloudevents.event_type': EventTypes.caseClaimed, 'arbiter.disposition': 'ack' });
    expect(traceIdOf(inside)).toBe(UPSTREAM.traceId);
    const line = JSON.parse(lines.find((l) => l.includes('handling')) ?? '{}') as Record<string, unknown>;
    expect(line['logging.googleapis.com/trace']).toBe(`projects/proj-1/traces/${UPSTREAM.traceId}`);
    expect(line['logging.googleapis.com/spanId']).toBe(span?.spanContext().spanId);
  });

  it('a consumer falls back to the Pub/Sub client attribute when the event has no traceparent', async () => {
    const message = toPubSubMessage(event());
    await processDelivery(
      { data: message.data, attributes: { ...message.attributes, googclient_traceparent: upstreamTraceparent }, messageId: 'm-2', deliveryAttempt: 1 },
      { subscription: 's', handler: async () => undefined, logger: createLogger({ service: 'test', level: 'error' }), deadLetters: { publishTo: async () => undefined }, maxDeliveryAttempts: 5, counters: new DeliveryCounters('s') },
    );
    expect(exporter.getFinishedSpans()[0]?.spanContext().traceId).toBe(UPSTREAM.traceId);
  });

  it('an event published later (an outbox sweep, with no span active) continues the trace it was stamped with, on ce-traceparent and googclient_traceparent', async () => {
    const stamped = inTrace(upstreamTraceparent, 'stage', {}, () => event(currentTraceExtensions()));
    const stagingSpan = exporter.getFinishedSpans()[0];
    expect(stagingSpan?.parentSpanContext?.spanId).toBe(UPSTREAM.spanId);
    expect(traceIdOf(stamped.extensions?.['traceparent'])).toBe(UPSTREAM.traceId);
    exporter.reset();
    const { pubsub, sent } = recordingPubSub();
    await new PubSubEventPublisher(pubsub).publish(stamped);
    const [producer] = exporter.getFinishedSpans();
    expect(producer?.name).toBe('arbiter-cases publish');
    expect(producer?.parentSpanContext?.spanId).toBe(stagingSpan?.spanContext().spanId);
    const attributes = sent[0]?.attributes ?? {};
    expect(attributes['ce-traceparent']).toBe(`00-${UPSTREAM.traceId}-${producer?.spanContext().spanId}-01`);
    expect(attributes['googclient_traceparent']).toBe(attributes['ce-traceparent']);
  });

  it('work no event starts continues a stored trace, and starts a new one without', () => {
    const stored = inTrace(upstreamTraceparent, 'decide', {}, () => currentTraceparent());
    expect(traceIdOf(stored)).toBe(UPSTREAM.traceId);
    const fresh = inTrace(undefined, 'tick', {}, () => currentTraceparent());
    expect(traceIdOf(fresh)).toBeDefined();
    expect(traceIdOf(fresh)).not.toBe(UPSTREAM.traceId);
  });
});
