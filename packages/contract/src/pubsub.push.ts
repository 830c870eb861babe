/**
 * Pub/Sub push deliveries, so a service can run behind a push subscription on Cloud Run.
 *
 * - Wrapped (the default): the body is `{ message: { data: base64, attributes, messageId,
 *   publishTime }, subscription, deliveryAttempt? }`.
 * - `noWrapper` (payload unwrapping): the body is the message data itself. With `writeMetadata`,
 *   the attributes arrive as HTTP headers `<key>: <value>` (so `ce-*` and `content-type` are the
 *   CloudEvents HTTP binding as is) and the metadata as `x-goog-pubsub-message-id`,
 *   `x-goog-pubsub-publish-time`, `x-goog-pubsub-subscription-name`. Without `writeMetadata` no
 *   attribute arrives at all, so only a structured-mode event can be read.
 *
 * `fromPushRequest` unwraps a delivery into the Pub/Sub message it carries (so the caller can
 * dead-letter the original bytes); `eventFromPushRequest` also decodes the event.
 */
import { ok } from '@arbiter/core';
import { contractFailure, type ContractResult } from './contract-error';
import { decodeMessage, normaliseHeaders, type HeaderBag, type HttpMessage } from './cloudevents.binding';
import type { ArbiterEvent } from './event-map';
import type { PubSubMessage } from './pubsub.binding';

export interface PushDelivery {
  message: PubSubMessage & {
    /** `''` when Pub/Sub wrote no metadata (noWrapper without writeMetadata). */
    messageId: string;
    publishTime?: string;
    orderingKey?: string;
  };
  /** `projects/<project>/subscriptions/<name>`, when Pub/Sub said. */
  subscription?: string;
  /** 1 for the first delivery; Pub/Sub sends it only when the subscription has a dead-letter policy. */
  deliveryAttempt: number;
  format: 'wrapped' | 'no-wrapper';
}

const METADATA_PREFIX = 'x-goog-pubsub-';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Unwraps a push request (wrapped or noWrapper) into its Pub/Sub message. Never throws. */
export function fromPushRequest(rawHeaders: HeaderBag, rawBody: Buffer | Uint8Array | string): ContractResult<PushDelivery> {
  const headers = normaliseHeaders(rawHeaders);
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : Buffer.from(rawBody);
  const envelope = wrappedEnvelope(headers, body);
  return envelope === undefined ? ok(unwrapped(headers, body)) : fromEnvelope(envelope);
}

/** Unwraps a push request and decodes the event it carries. Never throws. */
export function eventFromPushRequest(headers: HeaderBag, rawBody: Buffer | Uint8Array | string): ContractResult<ArbiterEvent> {
  const delivery = fromPushRequest(headers, rawBody);
  if (!delivery.ok) return delivery;
  return decodeMessage(delivery.value.message.attributes, delivery.value.message.data, 'attribute');
}

/** A wrapped envelope: no CloudEvents headers, and a JSON body with a `message` object. */
function wrappedEnvelope(headers: Record<string, string>, body: Buffer): Record<string, unknown> | undefined {
  if (Object.keys(headers).some((name) => name.startsWith('ce-') || name.startsWith(METADATA_PREFIX))) return undefined;
  if ((headers['content-type'] ?? '').toLowerCase().startsWith('application/cloudevents')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
  return isObject(parsed) && isObject(parsed['message']) ? parsed : undefined;
}

function fromEnvelope(envelope: Record<string, unknown>): ContractResult<PushDelivery> {
  const message = envelope['message'] as Record<string, unknown>;
  const data = message['data'] ?? '';
  if (typeof data !== 'string' || !BASE64.test(data)) {
    return contractFailure('EVENT.NOT_PUSH_DELIVERY', 'message.data must be the message data in base64');
  }
  const rawAttributes = message['attributes'] ?? {};
  if (!isObject(rawAttributes) || Object.values(rawAttributes).some((value) => typeof value !== 'string')) {
    return contractFailure('EVENT.NOT_PUSH_DELIVERY', 'message.attributes must map attribute names to strings');
  }
  const messageId = message['messageId'] ?? message['message_id'];
  if (typeof messageId !== 'string' || messageId === '') {
    return contractFailure('EVENT.NOT_PUSH_DELIVERY', 'message.messageId is required');
  }
  const publishTime = message['publishTime'] ?? message['publish_time'];
  const orderingKey = message['orderingKey'] ?? message['ordering_key'];
  const subscription = envelope['subscription'];
  const attempt = envelope['deliveryAttempt'] ?? envelope['delivery_attempt'] ?? 1;
  if (typeof attempt !== 'number' || !Number.isInteger(attempt) || attempt < 1) {
    return contractFailure('EVENT.NOT_PUSH_DELIVERY', 'deliveryAttempt must be a positive integer');
  }
  return ok({
    message: {
      data: Buffer.from(data, 'base64'),
      attributes: { ...(rawAttributes as Record<string, string>) },
      messageId,
      ...(typeof publishTime === 'string' ? { publishTime } : {}),
      ...(typeof orderingKey === 'string' && orderingKey !== '' ? { orderingKey } : {}),
    },
    ...(typeof subscription === 'string' ? { subscription } : {}),
    deliveryAttempt: attempt,
    format: 'wrapped',
  });
}

/** noWrapper: attributes are the CloudEvents headers (and content-type); metadata in x-goog-pubsub-*. */
function unwrapped(headers: Record<string, string>, body: Buffer): PushDelivery {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('ce-') || name === 'content-type' || name.startsWith('arbiter-')) attributes[name] = value;
  }
  const publishTime = headers[`${METADATA_PREFIX}publish-time`];
  const orderingKey = headers[`${METADATA_PREFIX}ordering-key`];
  const subscription = headers[`${METADATA_PREFIX}subscription-name`];
  return {
    message: {
      data: body,
      attributes,
      messageId: headers[`${METADATA_PREFIX}message-id`] ?? '',
      ...(publishTime !== undefined ? { publishTime } : {}),
      ...(orderingKey !== undefined && orderingKey !== '' ? { orderingKey } : {}),
    },
    ...(subscription !== undefined ? { subscription } : {}),
    deliveryAttempt: 1,
    format: 'no-wrapper',
  };
}

export interface PushRequestOptions {
  /** `wrapped` (default push), `no-wrapper` (payload unwrapping), `no-wrapper-metadata` (with writeMetadata). */
  format: 'wrapped' | 'no-wrapper' | 'no-wrapper-metadata';
  subscription: string;
  messageId: string;
  publishTime: string;
  deliveryAttempt?: number;
}

/**
 * The HTTP request Pub/Sub push would send for a message: for tests, local stacks and replaying
 * dead letters into a push endpoint.
 */
export function toPushRequest(message: PubSubMessage, options: PushRequestOptions): HttpMessage {
  if (options.format === 'wrapped') {
    const body = {
      message: {
        data: message.data.toString('base64'),
        attributes: message.attributes,
        messageId: options.messageId,
        message_id: options.messageId,
        publishTime: options.publishTime,
        publish_time: options.publishTime,
      },
      subscription: options.subscription,
      ...(options.deliveryAttempt !== undefined ? { deliveryAttempt: options.deliveryAttempt } : {}),
    };
    return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  }
  const headers: Record<string, string> =
    options.format === 'no-wrapper-metadata'
      ? {
          ...message.attributes,
          [`${METADATA_PREFIX}message-id`]: options.messageId,
          [`${METADATA_PREFIX}publish-time`]: options.publishTime,
          [`${METADATA_PREFIX}subscription-name`]: options.subscription,
        }
      : {};
  return { headers, body: message.data.toString('utf8') };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
