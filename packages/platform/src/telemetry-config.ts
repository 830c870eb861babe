/**
 * What a service reads of OpenTelemetry's standard variables (OTEL_*), validated with its other
 * configuration. Off unless an OTLP endpoint is set (tracing.ts, metrics.ts).
 */
export interface TelemetryConfig {
  /** Spans are exported (an OTLP endpoint is set and OTEL_SDK_DISABLED / OTEL_TRACES_EXPORTER do not turn them off). */
  traces: boolean;
  /** OTLP metrics are pushed as well (`/metrics` always serves them). */
  metrics: boolean;
  tracesProtocol: OtlpProtocol;
  metricsProtocol: OtlpProtocol;
  sampler: { name: SamplerName; ratio: number };
  /** Milliseconds between batch exports of spans (OTEL_BSP_SCHEDULE_DELAY) and metrics (OTEL_METRIC_EXPORT_INTERVAL). */
  spanExportDelayMs: number;
  metricExportIntervalMs: number;
  /** The Pub/Sub client's own spans (publish batching, flow control, ack / modack RPCs). */
  pubsubClientSpans: boolean;
}

/** The part of config.ts's `EnvReader` this needs (structural, so config.ts can import this module). */
export interface TelemetryEnvReader {
  readonly errors: string[];
  optional(name: string): string | undefined;
  bool(name: string, fallback: boolean): boolean;
  int(name: string, fallback: number, range?: { min?: number; max?: number }): number;
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T;
}

export type OtlpProtocol = 'http/protobuf' | 'http/json';
const SAMPLERS = ['parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio', 'always_on', 'always_off', 'traceidratio'] as const;
export type SamplerName = (typeof SAMPLERS)[number];

/** Reads OTEL_* (and ARBITER_OTEL_PUBSUB_CLIENT_SPANS); a bad value is reported with the service's other config errors. */
export function readTelemetryConfig(read: TelemetryEnvReader): TelemetryConfig {
  const disabled = read.bool('OTEL_SDK_DISABLED', false);
  const endpoint = (name: string): string | undefined => {
    const value = read.optional(name);
    if (value !== undefined && !/^https?:\/\/[^\s/]+/.test(value)) read.errors.push(`${name} must be an http(s) URL, e.g. http://127.0.0.1:4318 (got "${value}")`);
    return value;
  };
  const base = endpoint('OTEL_EXPORTER_OTLP_ENDPOINT');
  const tracesEndpoint = endpoint('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? base;
  const metricsEndpoint = endpoint('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT') ?? base;
  const protocol = (name: string, fallback: OtlpProtocol): OtlpProtocol => {
    const raw = read.optional(name);
    if (raw === 'grpc') {
      read.errors.push(`${name}=grpc is not supported: use http/protobuf (Cloud Trace's OTLP endpoint and the OpenTelemetry Collector take it) or http/json`);
      return fallback;
    }
    return read.oneOf(name, ['http/protobuf', 'http/json'] as const, fallback);
  };
  const general = protocol('OTEL_EXPORTER_OTLP_PROTOCOL', 'http/protobuf');
  const tracesExporter = read.oneOf('OTEL_TRACES_EXPORTER', ['otlp', 'none'] as const, 'otlp');
  const metricsExporter = read.oneOf('OTEL_METRICS_EXPORTER', ['otlp', 'prometheus', 'none'] as const, 'otlp');
  const samplerName = read.oneOf('OTEL_TRACES_SAMPLER', SAMPLERS, 'parentbased_always_on');
  const ratioRaw = read.optional('OTEL_TRACES_SAMPLER_ARG');
  const ratio = ratioRaw === undefined ? 1 : Number(ratioRaw);
  if (!(ratio >= 0 && ratio <= 1)) read.errors.push(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 (got "${ratioRaw}")`);
  return {
    traces: !disabled && tracesExporter === 'otlp' && tracesEndpoint !== undefined,
    metrics: !disabled && metricsExporter === 'otlp' && metricsEndpoint !== undefined,
    tracesProtocol: protocol('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', general),
    metricsProtocol: protocol('OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', general),
    sampler: { name: samplerName, ratio: Number.isFinite(ratio) ? ratio : 1 },
    spanExportDelayMs: read.int('OTEL_BSP_SCHEDULE_DELAY', 5_000, { min: 1 }),
    metricExportIntervalMs: read.int('OTEL_METRIC_EXPORT_INTERVAL', 60_000, { min: 1_000 }),
    pubsubClientSpans: read.bool('ARBITER_OTEL_PUBSUB_CLIENT_SPANS', false),
  };
}

/** Telemetry off: what a service gets when it is given no config (unit and in-process integration tests). */
export const TELEMETRY_OFF: TelemetryConfig = {
  traces: false,
  metrics: false,
  tracesProtocol: 'http/protobuf',
  metricsProtocol: 'http/protobuf',
  sampler: { name: 'parentbased_always_on', ratio: 1 },
  spanExportDelayMs: 5_000,
  metricExportIntervalMs: 60_000,
  pubsubClientSpans: false,
};

