import { fromPubSubMessage, deadLetterTopicOf, isEventType, type ArbiterEvent } from '@arbiter/contract';
import type { Failure, Result } from '@arbiter/core';
import { deadLetterAttributes } from './dead-letter-attributes';
import { dispositionOf, type Disposition, type HandlerFailure } from './errors';
import type { Logger } from './logger';

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

/** Counts what happened to deliveries, by outcome and by error code. Exposed on each service's /metrics. */
export class DeliveryCounters {
  readonly byOutcome: Record<'handled' | 'ignored' | 'retried' | 'deadLettered', number> = { handled: 0, ignored: 0, retried: 0, deadLettered: 0 };
  readonly deadLettersByCode: Record<string, number> = {};
  countDeadLetter(code: string): void {
    this.byOutcome.deadLettered += 1;
    this.deadLettersByCode[code] = (this.deadLettersByCode[code] ?? 0) + 1;
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
    deps.counters.byOutcome.ignored += 1;
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
    deps.counters.byOutcome.ignored += 1;
    return { disposition: 'ack' };
  }
  let failure: HandlerFailure;
  try {
    const result = await deps.handler(event, { logger, delivery });
    if (!result || result.ok) {
      deps.counters.byOutcome.handled += 1;
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
    deps.counters.byOutcome.retried += 1;
    return { disposition, failure: { code: 'TRANSIENT.HANDLER_THREW', message } };
  }
  const disposition = dispositionOf(failure, delivery.deliveryAttempt, deps.maxDeliveryAttempts);
  if (disposition === 'dead-letter') {
    await deadLetter(delivery, failure, deps);
  } else {
    logger.warn({ code: failure.code, attempt: delivery.deliveryAttempt }, `transient failure, will retry: ${failure.message}`);
    deps.counters.byOutcome.retried += 1;
  }
  return { disposition, failure };
}

async function deadLetter(delivery: Delivery, reason: Failure, deps: DeliveryDeps): Promise<void> {
  const topic = deadLetterTopicOf(deps.subscription);
  await deps.deadLetters.publishTo(topic, {
    data: delivery.data,
    // Within Pub/Sub's limits whatever the message carried, or the publish fails and the message is retried instead.
    attributes: deadLetterAttributes(delivery.attributes, {
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
