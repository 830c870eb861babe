import { Duration, type Message, type PubSub, type Subscription } from '@google-cloud/pubsub';
import { processDelivery, type DeliveryDeps, type DeliveryCounters, type EventHandler, type DeadLetterSink } from './delivery';
import type { Logger } from './logger';

export interface PubSubConsumerOptions {
  pubsub: PubSub;
  subscription: string;
  handler: EventHandler;
  logger: Logger;
  deadLetters: DeadLetterSink;
  counters: DeliveryCounters;
  maxDeliveryAttempts: number;
  eventTypes?: readonly string[];
  /** Messages handled at once by this process. */
  maxInFlight?: number;
  /**
   * Wait before nacking a message that will be retried (exponential, 0.5 s … 30 s). On GCP the
   * subscription's retry policy spaces redeliveries; the emulator redelivers a nack at once, so the
   * local stack turns this on.
   */
  backoffBeforeNack?: boolean;
  /** How the client library leases the messages it holds (default `SubscriberLease`). */
  lease?: { maxAckDeadlineSeconds: number; maxExtensionSeconds: number };
}

/**
 * The lease a streaming-pull subscriber keeps on a message while its handler runs. The library extends
 * the ack deadline as long as the process lives; each extension is at most `maxAckDeadlineSeconds`,
 * so a message held by a process that crashes comes back at most that long after the crash (plus the
 * subscription's retry backoff) — without the cap, the library's deadline follows the 99th percentile
 * of ack times and may reach 600 s. A handler still running after `maxExtensionSeconds` loses its
 * lease and the message is delivered again (every handler is idempotent).
 */
export const SubscriberLease = { maxAckDeadlineSeconds: 60, maxExtensionSeconds: 600 } as const;

/**
 * Streaming-pull consumer. A message is acked only after its handler's effect is committed (or it
 * was dead-lettered with its reason); a failed one is nacked for redelivery. `close()` stops taking
 * new messages and waits for the ones in flight (graceful SIGTERM).
 */
export class PubSubConsumer {
  private subscription?: Subscription;
  private readonly inFlight = new Set<Promise<void>>();
  private closing = false;
  /** Fallback attempt counter for when Pub/Sub does not report `deliveryAttempt` (no dead-letter policy). */
  private readonly localAttempts = new Map<string, number>();

  constructor(private readonly options: PubSubConsumerOptions) {}

  start(): void {
    const { pubsub, subscription, maxInFlight = 50, lease = SubscriberLease } = this.options;
    this.subscription = pubsub.subscription(subscription, {
      flowControl: { maxMessages: maxInFlight, allowExcessMessages: false },
      maxAckDeadline: Duration.from({ seconds: lease.maxAckDeadlineSeconds }),
      maxExtensionTime: Duration.from({ seconds: lease.maxExtensionSeconds }),
    });
    this.subscription.on('message', (message: Message) => this.track(this.onMessage(message)));
    this.subscription.on('error', (error: Error) => this.options.logger.error({ err: error, subscription }, `subscription error: ${error.message}`));
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.inFlight]);
    await this.subscription?.close();
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async onMessage(message: Message): Promise<void> {
    if (this.closing) {
      message.nack();
      return;
    }
    const attempt = this.attemptOf(message);
    const deps: DeliveryDeps = {
      subscription: this.options.subscription,
      handler: this.options.handler,
      logger: this.options.logger,
      deadLetters: this.options.deadLetters,
      maxDeliveryAttempts: this.options.maxDeliveryAttempts,
      counters: this.options.counters,
      ...(this.options.eventTypes ? { eventTypes: this.options.eventTypes } : {}),
    };
    const receivedAt = Date.now();
    try {
      const { disposition } = await processDelivery(
        { data: message.data, attributes: message.attributes ?? {}, messageId: message.id, deliveryAttempt: attempt },
        deps,
      );
      // At LOG_LEVEL=debug: when each delivery arrived (after its publish) and how long it took, to tell a
      // slow delivery from a slow handler.
      if (this.options.logger.isLevelEnabled('debug')) {
        this.options.logger.debug(
          { subscription: this.options.subscription, messageId: message.id, attempt, ceType: message.attributes?.['ce-type'], sincePublishMs: receivedAt - message.publishTime.getTime(), handlerMs: Date.now() - receivedAt, disposition },
          'delivery',
        );
      }
      if (disposition === 'retry') {
        if (this.options.backoffBeforeNack) await sleep(backoffMs(attempt));
        message.nack();
        return;
      }
      this.localAttempts.delete(message.id);
      message.ack();
    } catch (error) {
      // Dead-lettering itself failed (Pub/Sub unavailable): leave the message for redelivery.
      this.options.logger.error({ err: error, messageId: message.id }, 'could not process or dead-letter a message; it will be redelivered');
      message.nack();
    }
  }

  private attemptOf(message: Message): number {
    if (typeof message.deliveryAttempt === 'number' && message.deliveryAttempt > 0) return message.deliveryAttempt;
    const attempt = (this.localAttempts.get(message.id) ?? 0) + 1;
    this.localAttempts.set(message.id, attempt);
    if (this.localAttempts.size > 10_000) {
      const oldest = this.localAttempts.keys().next().value;
      if (oldest !== undefined) this.localAttempts.delete(oldest);
    }
    return attempt;
  }
}

export function backoffMs(attempt: number): number {
  return Math.min(30_000, 500 * 2 ** Math.max(0, attempt - 1));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
