import type { Server } from 'node:http';
import express, { type Express } from 'express';
import { PubSub } from '@google-cloud/pubsub';
import { Subscriptions, type SubscriptionSpec } from '@arbiter/contract';
import { cloudEventRoutes } from './http.cloudevents';
import { DeliveryCounters, type DeliveryDeps, type EventHandler } from './delivery';
import type { Logger } from './logger';
import { PubSubConsumer } from './pubsub.consumer';
import { PubSubEventPublisher } from './pubsub.publisher';
import { pushAuthMiddleware, type PushAuthenticator } from './push-auth';
import type { Closable } from './shutdown';
import { servePrometheus, shutdownMetrics, startMetrics } from './metrics';
import type { TelemetryConfig } from './telemetry-config';
import { pubsubClientSpansEnabled, shutdownTracing, startTracing } from './tracing';

export interface ServiceHostOptions {
  service: SubscriptionSpec['service'];
  projectId: string;
  logger: Logger;
  /** Streaming pull (local, or a long-running instance) or push only (Cloud Run behind push subscriptions). */
  delivery: 'pull' | 'push';
  /** Hold a nack for a backoff (the emulator ignores subscription retry policies). */
  backoffBeforeNack: boolean;
  maxInFlight?: number;
  /** Who may post to the event routes (`push-auth.ts`): the push OIDC check, or off (local only). */
  pushAuth: PushAuthenticator;
  /**
   * OpenTelemetry for this process (`CommonServiceConfig.telemetry`); the host starts it before its
   * Pub/Sub client and shuts it down (exporting what is buffered) when it closes. Absent: traces off,
   * counters kept for `/metrics` only (tests running several hosts in one process).
   */
  telemetry?: TelemetryConfig;
}

/**
 * Whether a `/metrics` caller asks for the Prometheus text format: its Accept names `text/plain` or
 * `application/openmetrics-text` (scrapers send them with a `version` parameter, which plain media-type
 * negotiation does not match) and not JSON.
 */
export function wantsPrometheusText(accept: string | undefined): boolean {
  const types = (accept ?? '').toLowerCase().split(',').map((part) => part.split(';')[0]?.trim());
  return types.some((type) => type === 'text/plain' || type === 'application/openmetrics-text') && !types.includes('application/json');
}

/** How long an idle HTTP connection is kept (longer than a client's or proxy's own idle timeout). */
export const KEEP_ALIVE_MS = 65_000;

/**
 * What every service has in common: a Pub/Sub client and publisher, one consumer per subscription it
 * owns (streaming pull, and the same handler at `POST /pubsub/push/<subscription>` and
 * `POST /events/<subscription>`, both only for a verified push token, `push-auth.ts`), `/healthz`, `/metrics`, and an orderly close that drains in-flight
 * work. A service's `app.ts` registers its handlers and routes on a host; its `main.ts` listens.
 */
export class ServiceHost {
  readonly pubsub: PubSub;
  readonly publisher: PubSubEventPublisher;
  readonly app: Express;
  readonly counters = new Map<string, DeliveryCounters>();
  private readonly consumers: PubSubConsumer[] = [];
  private readonly closables: Closable[] = [];
  private server?: Server;
  private ready = false;

  constructor(readonly options: ServiceHostOptions) {
    if (options.telemetry) startTracing({ service: options.service, projectId: options.projectId, config: options.telemetry });
    startMetrics({ service: options.service, ...(options.telemetry ? { config: options.telemetry } : {}) });
    this.pubsub = new PubSub({ projectId: options.projectId, ...(pubsubClientSpansEnabled() ? { enableOpenTelemetryTracing: true } : {}) });
    this.publisher = new PubSubEventPublisher(this.pubsub);
    this.app = express();
    this.app.disable('x-powered-by');
    this.app.get('/healthz', (_req, res) => {
      res.status(this.ready ? 200 : 503).json({ service: options.service, ready: this.ready });
    });
    // The Prometheus text format for scrapers (Accept: text/plain or application/openmetrics-text, or
    // ?format=prometheus); the JSON document for everyone else (bench, tests).
    this.app.get('/metrics', (req, res) => {
      if (req.query['format'] === 'prometheus' || wantsPrometheusText(req.headers.accept)) {
        servePrometheus(req, res);
        return;
      }
      res.json({ service: options.service, deliveries: Object.fromEntries([...this.counters].map(([name, counters]) => [name, { ...counters.byOutcome, deadLettersByCode: counters.deadLettersByCode }])) });
    });
  }

  /** Registers the handler of one of this service's subscriptions (by name, from the topology). */
  consume(subscription: string, handler: EventHandler): void {
    const spec = Subscriptions.find((candidate) => candidate.name === subscription);
    if (!spec || spec.service !== this.options.service) throw new Error(`bug: ${subscription} is not a subscription of ${this.options.service}`);
    const counters = new DeliveryCounters(subscription);
    this.counters.set(subscription, counters);
    const deps: DeliveryDeps = {
      subscription,
      handler,
      logger: this.options.logger,
      deadLetters: this.publisher,
      maxDeliveryAttempts: spec.maxDeliveryAttempts,
      counters,
      ...(spec.eventTypes ? { eventTypes: spec.eventTypes } : {}),
    };
    const routes = cloudEventRoutes(deps);
    const authenticated = pushAuthMiddleware(this.options.pushAuth, this.options.logger);
    this.app.use(`/pubsub/push/${subscription}`, authenticated, (req, res, next) => { req.url = '/pubsub/push'; routes(req, res, next); });
    this.app.use(`/events/${subscription}`, authenticated, (req, res, next) => { req.url = '/events'; routes(req, res, next); });
    if (this.options.delivery === 'pull') {
      this.consumers.push(
        new PubSubConsumer({
          pubsub: this.pubsub,
          subscription,
          handler,
          logger: this.options.logger,
          deadLetters: this.publisher,
          counters,
          maxDeliveryAttempts: spec.maxDeliveryAttempts,
          backoffBeforeNack: this.options.backoffBeforeNack,
          ...(this.options.maxInFlight ? { maxInFlight: this.options.maxInFlight } : {}),
          ...(spec.eventTypes ? { eventTypes: spec.eventTypes } : {}),
        }),
      );
    }
  }

  /** Something to close on shutdown, after the consumers have drained (relays, timers, clients). */
  onClose(closable: Closable): void {
    this.closables.push(closable);
  }

  async start(port: number, host: string): Promise<number> {
    for (const consumer of this.consumers) consumer.start();
    this.server = await new Promise<Server>((resolve, reject) => {
      const server = this.app.listen(port, host, () => resolve(server));
      server.once('error', reject);
      // Keep idle connections longer than the clients and proxies in front (Node's 5 s default lost the
      // race with a client reusing a connection just as it closed: UND_ERR_SOCKET in pnpm bench).
      server.keepAliveTimeout = KEEP_ALIVE_MS;
      server.headersTimeout = KEEP_ALIVE_MS + 1_000;
    });
    this.ready = true;
    const address = this.server.address();
    const bound = typeof address === 'object' && address ? address.port : port;
    this.options.logger.info({ port: bound, host, subscriptions: [...this.counters.keys()] }, `${this.options.service} listening`);
    return bound;
  }

  /** Stop taking work, drain in-flight messages, close what was registered, flush the publisher. */
  async close(): Promise<void> {
    this.ready = false;
    await Promise.all(this.consumers.map((consumer) => consumer.close()));
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    for (const closable of this.closables) await closable.close();
    await this.publisher.close();
    await this.pubsub.close();
    if (this.options.telemetry) await Promise.all([shutdownTracing(), shutdownMetrics()]);
  }
}
