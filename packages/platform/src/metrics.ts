import type { IncomingMessage, ServerResponse } from 'node:http';
import { metrics, type Counter, type Meter } from '@opentelemetry/api';
import { OTLPMetricExporter as OTLPJsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OTLPProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider, PeriodicExportingMetricReader, type MetricReader } from '@opentelemetry/sdk-metrics';
import { TELEMETRY_OFF, type TelemetryConfig } from './telemetry-config';
import { serviceResource } from './tracing';

/**
 * Delivery and decision counters as OpenTelemetry metrics. Always on (counting is cheap): read on
 * `/metrics` in the Prometheus text format, and pushed by OTLP when an endpoint is configured.
 * One meter provider per process; the first service host to ask starts it.
 */
export interface ArbiterInstruments {
  /** Deliveries by subscription and outcome (handled, ignored, retried, deadLettered). */
  deliveries: Counter;
  /** Dead letters by subscription and error code. */
  deadLetters: Counter;
  /** Events published, by type. */
  eventsPublished: Counter;
  /** `decision.made.v1` published, by use case, who decided (auto, human, policy) and band. */
  decisions: Counter;
}

interface MetricsState {
  provider: MeterProvider;
  prometheus: PrometheusExporter;
  instruments: ArbiterInstruments;
}

let state: MetricsState | undefined;

export const METER_NAME = '@arbiter/platform';

export function startMetrics(options: { service: string; config?: TelemetryConfig }): ArbiterInstruments {
  if (state) return state.instruments;
  const config = options.config ?? TELEMETRY_OFF;
  const prometheus = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  const readers: MetricReader[] = [prometheus];
  if (config.metrics) {
    // The exporters read the endpoint and headers from OTEL_EXPORTER_OTLP_* themselves.
    const exporter = config.metricsProtocol === 'http/json' ? new OTLPJsonMetricExporter() : new OTLPProtoMetricExporter();
    readers.push(new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: config.metricExportIntervalMs }));
  }
  const provider = new MeterProvider({ resource: serviceResource(options.service), readers });
  metrics.setGlobalMeterProvider(provider);
  const meter: Meter = provider.getMeter(METER_NAME);
  const instruments: ArbiterInstruments = {
    deliveries: meter.createCounter('arbiter.deliveries', { description: 'Pub/Sub deliveries by subscription and outcome (handled, ignored, retried, deadLettered)' }),
    deadLetters: meter.createCounter('arbiter.dead_letters', { description: 'Deliveries dead-lettered, by subscription and error code' }),
    eventsPublished: meter.createCounter('arbiter.events.published', { description: 'CloudEvents published, by type' }),
    decisions: meter.createCounter('arbiter.decisions', { description: 'Decisions published (decision.made.v1), by use case, decided_by and band' }),
  };
  state = { provider, prometheus, instruments };
  return instruments;
}

/** The counters, started with telemetry off if no service host started them (unit tests). */
export function instruments(): ArbiterInstruments {
  return state?.instruments ?? startMetrics({ service: 'arbiter' });
}

/** Answers a scrape in the Prometheus text exposition format (0.0.4). */
export function servePrometheus(request: IncomingMessage, response: ServerResponse): void {
  const current = state ?? (startMetrics({ service: 'arbiter' }), state);
  current?.prometheus.getMetricsRequestHandler(request, response);
}

export async function shutdownMetrics(): Promise<void> {
  const current = state;
  if (!current) return;
  state = undefined;
  await current.provider.shutdown();
  metrics.disable();
}
