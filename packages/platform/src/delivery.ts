import { fromPubSubMessage, deadLetterTopicOf, isEventType, type ArbiterEvent } from '@arbiter/contract';
import type { Failure, Result } from '@arbiter/core';
import { deadLetterAttributes } from './dead-letter-attributes';
import { dispositionOf, type Disposition, type HandlerFailure } from './errors';
import type { Logger } from './logger';
import { instruments } from './metrics';
import { withConsumerSpan } from './tracing';

/** One message as Pub/Sub delivers it, by streaming pull or by push. */
export interface Delivery {
  data: Buffer;
  attributes: Record<string, string>;
  messageId: string;
  /** 1 for the first delivery. */
  deliveryAttempt: number;
}

export interface HandlerContext {
  logger: Logger;
  delivery: Delivery;
}

/**
 * A handler returns nothing (done), an ok Result, or a failure value. It throws only for bugs or
 * transient trouble; a throw is treated as transient.
 */
export type EventHandler = (event: ArbiterEvent, context: HandlerContext) => Promise<Result<unknown, HandlerFailure> | void>;

export interface DeadLetterSink {
  publishTo(topic: string, message: { data: Buffer; attributes: Record<string, string> }): Promise<unknown>;
}

export interface DeliveryDeps {
  subscription: string;
  handler: EventHandler;
  logger: Logger;
  deadLetters: DeadLetterSink;
  maxDeliveryAttempts: number;
  /** Event types this subscriber handles; any other type is acknowledged and ignored. */
  eventTypes?: readonly string[];
  counters: DeliveryCounters;
}

export type DeliveryOutcomeName = 'handled' | 'ignored' | 'retried' | 'deadLettered';

/**
 * Counts what happened to deliveries, by outcome and by error code: here for `/metrics` as JSON, and as
 * the OpenTelemetry counters `arbiter.deliveries` / `arbiter.dead_letters` (Prometheus text, OTLP).
 */
export class DeliveryCounters {
  readonly byOutcome: Record<DeliveryOutcomeName, number> = { handled: 0, ignored: 0, retried: 0, deadLettered: 0 };
  readonly deadLettersByCode: Record<string, number> = {};
  constructor(readonly subscription = 'unknown') {}
  count(outcome: DeliveryOutcomeName): void {
    this.byOutcome[outcome] += 1;
    instruments().deliveries.add(1, { subscription: this.subscription, outcome });
  }
  countDeadLetter(code: string): void {
    this.count('deadLettered');
    this.deadLettersByCode[code] = (this.deadLettersByCode[code] ?? 0) + 1;
    instruments().deadLetters.add(1, { subscription: this.subscription, code });
  }
}


/**
 * Decodes, validates and handles one delivery, and returns what the transport must do with it.
 * Dead-lettering happens here (published before the disposition is returned), so both transports
 * only ack, nack or answer HTTP.
 */
export interface DeliveryOutcome {
  disposition: Disposition;
  /** Why, when the delivery was dead-lettered or will be retried. */
  failure?: Failure;
}

export async function processDelivery(delivery: Delivery, deps: DeliveryDeps): Promise<DeliveryOutcome> {
  // Another contract type this subscriber does not handle, named by its binary-mode attribute: ignored
  // before it is decoded and validated (the emulator does not apply subscription filters, so these do
  // arrive). A type the contract does not know is not ignored: decoding dead-letters it (EVENT.UNKNOWN_TYPE).
  const announcedType = delivery.attributes['ce-type'];
  if (deps.eventTypes && announcedType !== undefined && isEventType(announcedType) && !deps.eventTypes.includes(announcedType)) {
    deps.counters.count('ignored');
    return { disposition: 'ack' };
  }
  const decoded = fromPubSubMessage({ data: delivery.data, attributes: delivery.attributes });
  if (!decoded.ok) {
    await deadLetter(delivery, decoded.error, deps);
    return { disposition: 'dead-letter', failure: decoded.error };
  }
  const event = decoded.value;
  const logger = deps.logger.child({ ceId: event.id, ceType: event.type, ceSource: event.source, caseId: event.subject, messageId: delivery.messageId });
  if (deps.eventTypes && !deps.eventTypes.includes(event.type)) {
    deps.counters.count('ignored');
    return { disposition: 'ack' };
  }
  // The handler runs in a span that continues the event's trace (docs/architecture.md, "Traces and metrics").
  return withConsumerSpan(
    `${deps.subscription} process`,
    { traceparent: event.extensions?.['traceparent'], tracestate: event.extensions?.['tracestate'], pubsubTraceparent: delivery.attributes['googclient_traceparent'] },
    {
      'messaging.destination.subscription.name': deps.subscription,
      'messaging.message.id': delivery.messageId,
      'messaging.gcp_pubsub.message.delivery_attempt': delivery.deliveryAttempt,
      'cloudevents.event_id': event.id,
      'cloudevents.event_source': event.source,
      'cloudevents.event_type': event.type,
      ...(event.subject ? { 'cloudevents.event_subject': event.subject } : {}),
    },
    async (span) => {
      const outcome = await handleDecoded(event, delivery, deps, logger);
      span?.setAttribute('arbiter.disposition', outcome.disposition);
      if (outcome.failure) span?.setAttribute('arbiter.error_code', outcome.failure.code);
      return outcome;
    },
  );
}

async function handleDecoded(event: ArbiterEvent, delivery: Delivery, deps: DeliveryDeps, logger: Logger): Promise<DeliveryOutcome> {
  let failure: HandlerFailure;
  try {
    const result = await deps.handler(event, { logger, delivery });
    if (!result || result.ok) {
      deps.counters.count('handled');
      return { disposition: 'ack' };
    }
    failure = result.error;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.warn({ err: error, attempt: delivery.deliveryAttempt }, `handler failed: ${message}`);
    const disposition = dispositionOf(undefined, delivery.deliveryAttempt, deps.maxDeliveryAttempts);
    if (disposition === 'dead-letter') {
      const exhausted = { code: 'DELIVERY.RETRIES_EXHAUSTED', message: `gave up after ${delivery.deliveryAttempt} attempts: ${message}` };
      await deadLetter(delivery, exhausted, deps);
      return { disposition, failure: exhausted };
    }
    deps.counters.count('retried');
    return { disposition, failure: { code: 'TRANSIENT.HANDLER_THREW', message } };
  }
  const disposition = dispositionOf(failure, delivery.deliveryAttempt, deps.maxDeliveryAttempts);
  if (disposition === 'dead-letter') {
    await deadLetter(delivery, failure, deps);
  } else {
    logger.warn({ code: failure.code, attempt: delivery.deliveryAttempt }, `transient failure, will retry: ${failure.message}`);
    deps.counters.count('retried');
  }
  return { disposition, failure };
}

async function deadLetter(delivery: Delivery, reason: Failure, deps: DeliveryDeps): Promise<void> {
  const topic = deadLetterTopicOf(deps.subscription);
  await deps.deadLetters.publishTo(topic, {
    data: delivery.data,
    // Within Pub/Sub's limits whatever the message carried, or the publish fails and the message is retried instead.
    attributes: deadLetterAttributes(withoutPubSubClientAttributes(delivery.attributes), {
      'arbiter-error-code': reason.code,
      'arbiter-error-message': reason.message,
      'arbiter-subscription': deps.subscription,
      'arbiter-message-id': delivery.messageId,
      'arbiter-delivery-attempt': String(delivery.deliveryAttempt),
    }),
  });
  deps.counters.countDeadLetter(reason.code);
  deps.logger.error(
    { code: reason.code, subscription: deps.subscription, messageId: delivery.messageId, ceId: delivery.attributes['ce-id'], ceType: delivery.attributes['ce-type'], deadLetters: deps.counters.deadLettersByCode[reason.code] },
    `dead-lettered to ${topic}: ${reason.message}`,
  );
}

/** The Pub/Sub client's own `googclient_*` attributes, which it sets itself when it publishes. */
function withoutPubSubClientAttributes(attributes: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => !name.startsWith('googclient_')));
}
