import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { detectResources, envDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { SamplerName, TelemetryConfig } from './telemetry-config';

/**
 * Traces, with the standard OpenTelemetry variables (OTEL_*; docs/architecture.md, `.env.example`).
 *
 * Off unless an OTLP endpoint is configured: no provider, no context manager, nothing recorded, and
 * every function below costs a branch. On: spans go by OTLP/HTTP (protobuf or JSON) to a collector or
 * Cloud Trace's OTLP endpoint.
 *
 * How a case keeps one trace across the five services (which talk only through Pub/Sub):
 * - a consumer continues the trace of the event it handles (`ce-traceparent`, the CloudEvents
 *   distributed-tracing extension; `googclient_traceparent`, the Pub/Sub client's attribute, when the
 *   producer was not an Arbiter service);
 * - every event produced while a span is active carries that span's context in its `traceparent`
 *   extension — inside the event, so an event staged in the transactional outbox keeps the trace of the
 *   state change that staged it and the relay that publishes it later, from any process, continues it;
 * - the publisher wraps each publish in a producer span whose context goes out as `ce-traceparent` and
 *   `googclient_traceparent`;
 * - work a case needs that no event starts (a reviewer's decision through the API, the escalator's
 *   reminders) continues the trace stored on the case's queue item (`inTrace`).
 */
interface TracingState {
  tracer: Tracer;
  provider: TracerProvider;
  projectId: string;
  pubsubClientSpans: boolean;
}

/** One per process: the first service host to start it wins (tests run several hosts in one process). */
let tracing: TracingState | undefined;
const propagator = new W3CTraceContextPropagator();

export const TRACER_NAME = '@arbiter/platform';

export function serviceResource(service: string): Resource {
  return resourceFromAttributes({ 'service.name': service, 'service.namespace': 'arbiter' }).merge(detectResources({ detectors: [envDetector] }));
}

function samplerOf(config: { name: SamplerName; ratio: number }): Sampler {
  const ratio = new TraceIdRatioBasedSampler(config.ratio);
  switch (config.name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/**
 * Starts tracing for this process when the config turns it on. Idempotent. `spanProcessor` replaces
 * the OTLP export (unit tests: an in-memory exporter).
 */
export function startTracing(options: { service: string; projectId: string; config: TelemetryConfig; spanProcessor?: SpanProcessor }): void {
  if (tracing || !options.config.traces) return;
  // The exporters read the endpoint, headers, timeout and compression from OTEL_EXPORTER_OTLP_* themselves.
  const processor =
    options.spanProcessor ??
    new BatchSpanProcessor({ exporter: options.config.tracesProtocol === 'http/json' ? new OTLPJsonTraceExporter() : new OTLPProtoTraceExporter(), scheduledDelayMillis: options.config.spanExportDelayMs });
  const provider = new TracerProvider({
    resource: serviceResource(options.service),
    sampler: samplerOf(options.config.sampler),
    spanProcessors: [processor],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(propagator);
  trace.setGlobalTracerProvider(provider);
  tracing = { tracer: provider.getTracer(TRACER_NAME), provider, projectId: options.projectId, pubsubClientSpans: options.config.pubsubClientSpans };
}

/** Exports what is still buffered and stops; the last thing a service does before it exits. */
export async function shutdownTracing(): Promise<void> {
  const state = tracing;
  if (!state) return;
  tracing = undefined;
  await state.provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
}

export function tracingEnabled(): boolean {
  return tracing !== undefined;
}

/** Whether the Pub/Sub client should make spans of its own (it then sets `googclient_traceparent` itself). */
export function pubsubClientSpansEnabled(): boolean {
  return tracing?.pubsubClientSpans === true;
}

/** The W3C trace context of the active span, as CloudEvents' distributed-tracing extension attributes. */
export function currentTraceExtensions(): { traceparent?: string; tracestate?: string } {
  if (!tracing) return {};
  return carrierOf(context.active());
}

function carrierOf(ctx: Context): { traceparent?: string; tracestate?: string } {
  const carrier: { traceparent?: string; tracestate?: string } = {};
  propagator.inject(ctx, carrier, { set: (c, key, value) => { (c as Record<string, string>)[key] = value; } });
  return carrier;
}

/** The context a `traceparent` (and `tracestate`) describe; the root context when there is none or it is malformed. */
function contextOf(traceparent: string | undefined, tracestate?: string): Context {
  if (!traceparent) return ROOT_CONTEXT;
  const carrier: Record<string, string> = { traceparent, ...(tracestate ? { tracestate } : {}) };
  return propagator.extract(ROOT_CONTEXT, carrier, { get: (c, key) => (c as Record<string, string>)[key], keys: (c) => Object.keys(c as object) });
}

/** The 32-hex trace id of a W3C `traceparent` (`00-<trace>-<span>-<flags>`), if it is one. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  const match = traceparent ? /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent) : null;
  return match && match[1] !== '0'.repeat(32) ? match[1] : undefined;
}

/**
 * Cloud Logging's keys for the active span, merged into every log line (the logger's mixin), so Cloud
 * Logging shows a request's log lines under its trace.
 */
export function traceLogFields(): Record<string, string | boolean> {
  if (!tracing) return {};
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  return {
    'logging.googleapis.com/trace': `projects/${tracing.projectId}/traces/${traceId}`,
    'logging.googleapis.com/spanId': spanId,
    'logging.googleapis.com/trace_sampled': (traceFlags & 1) === 1,
  };
}

async function inSpan<T>(span: Span, ctx: Context, fn: (span: Span) => Promise<T>): Promise<T> {
  try {
    return await context.with(trace.setSpan(ctx, span), () => fn(span));
  } catch (error) {
    span.recordException(error instanceof Error ? error : new Error(String(error)));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}

/** The context carried by a message: its CloudEvents `traceparent`, else the Pub/Sub client's attribute. */
export interface IncomingTrace {
  traceparent?: string | undefined;
  tracestate?: string | undefined;
  /** `googclient_traceparent`, set by a Node Pub/Sub client with tracing on. */
  pubsubTraceparent?: string | undefined;
}

/** Handles one delivered event in a consumer span that continues the event's trace. */
export function withConsumerSpan<T>(name: string, incoming: IncomingTrace, attributes: Attributes, fn: (span?: Span) => Promise<T>): Promise<T> {
  if (!tracing) return fn();
  const parent = incoming.traceparent ? contextOf(incoming.traceparent, incoming.tracestate) : contextOf(incoming.pubsubTraceparent);
  const span = tracing.tracer.startSpan(name, { kind: SpanKind.CONSUMER, attributes: { 'messaging.system': 'gcp_pubsub', 'messaging.operation.type': 'process', ...attributes } }, parent);
  return inSpan(span, parent, fn);
}

/**
 * Publishes in a producer span, child of the event's own `traceparent` (the span that produced it,
 * however long ago: an outbox sweep in another process) or else of the active span. `send` gets the
 * W3C context to put on the message.
 */
export function withProducerSpan<T>(name: string, eventTraceparent: string | undefined, eventTracestate: string | undefined, attributes: Attributes, send: (outgoing: { traceparent?: string; tracestate?: string }) => Promise<T>): Promise<T> {
  if (!tracing) return send({});
  const parent = eventTraceparent ? contextOf(eventTraceparent, eventTracestate) : context.active();
  const span = tracing.tracer.startSpan(name, { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'gcp_pubsub', 'messaging.operation.type': 'send', ...attributes } }, parent);
  return inSpan(span, parent, () => send(carrierOf(trace.setSpan(parent, span))));
}

/**
 * Runs work a case needs that no event started (a reviewer's decision, an SLA reminder) in a span that
 * continues the case's stored trace; events produced inside carry it on. Without a stored trace, a
 * child of whatever is active (or a new trace).
 */
export function inTrace<T>(traceparent: string | undefined, name: string, attributes: Attributes, fn: () => T): T {
  if (!tracing) return fn();
  const parent = traceparent ? contextOf(traceparent) : context.active();
  const span = tracing.tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent);
  let result: T;
  try {
    result = context.with(trace.setSpan(parent, span), fn);
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    span.end();
    throw error;
  }
  if (result instanceof Promise) {
    return result.then(
      (value: unknown) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        span.end();
        throw error;
      },
    ) as T;
  }
  span.end();
  return result;
}

/** The `traceparent` of the active span (for storing with state that later work continues), if tracing is on. */
export function currentTraceparent(): string | undefined {
  return currentTraceExtensions().traceparent;
}
