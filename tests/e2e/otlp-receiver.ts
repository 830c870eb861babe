import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local OTLP/HTTP receiver for tests: takes what OpenTelemetry exporters send with
 * `OTEL_EXPORTER_OTLP_PROTOCOL=http/json` to `/v1/traces` and `/v1/metrics`, and keeps the spans and
 * metric names. Binds to 127.0.0.1 on a port the OS picks.
 */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Record<string, string | number | boolean>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpTraces {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: Array<{ spans?: Array<{ traceId: string; spanId: string; parentSpanId?: string; name: string; attributes?: OtlpAttribute[] }> }>;
  }>;
}
interface OtlpMetrics {
  resourceMetrics?: Array<{ resource?: { attributes?: OtlpAttribute[] }; scopeMetrics?: Array<{ metrics?: Array<{ name: string }> }> }>;
}

const valueOf = (value: OtlpValue): string | number | boolean => value.stringValue ?? value.boolValue ?? value.doubleValue ?? Number(value.intValue ?? NaN);
const attributesOf = (attributes: OtlpAttribute[] | undefined): Record<string, string | number | boolean> => Object.fromEntries((attributes ?? []).map((a) => [a.key, valueOf(a.value)]));

export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Metric names by service. */
  readonly metrics = new Map<string, Set<string>>();
  /** Requests the receiver could not read (a test asserts there were none). */
  readonly rejected: string[] = [];

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(): Promise<OtlpReceiver> {
    let receiver: OtlpReceiver | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        try {
          if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new Error(`content-type ${req.headers['content-type']}: start the services with OTEL_EXPORTER_OTLP_PROTOCOL=http/json`);
          if (req.url === '/v1/traces') receiver?.takeTraces(JSON.parse(body) as OtlpTraces);
          else if (req.url === '/v1/metrics') receiver?.takeMetrics(JSON.parse(body) as OtlpMetrics);
          else throw new Error(`unexpected path ${req.url}`);
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        } catch (error) {
          receiver?.rejected.push(error instanceof Error ? error.message : String(error));
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    receiver = new OtlpReceiver(server, `http://127.0.0.1:${port}`);
    return receiver;
  }

  /** Spans of one trace. */
  inTrace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private takeTraces(request: OtlpTraces): void {
    for (const resourceSpans of request.resourceSpans ?? []) {
      const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name'] ?? 'unknown');
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          this.spans.push({ service, traceId: span.traceId, spanId: span.spanId, ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}), name: span.name, attributes: attributesOf(span.attributes) });
        }
      }
    }
  }

  private takeMetrics(request: OtlpMetrics): void {
    for (const resourceMetrics of request.resourceMetrics ?? []) {
      const service = String(attributesOf(resourceMetrics.resource?.attributes)['service.name'] ?? 'unknown');
      const names = this.metrics.get(service) ?? new Set<string>();
      for (const scope of resourceMetrics.scopeMetrics ?? []) for (const metric of scope.metrics ?? []) names.add(metric.name);
      this.metrics.set(service, names);
    }
  }
}
