/**
 * CloudEvents ⇄ Pub/Sub messages. The `cloudevents` package has no Pub/Sub binding, so this maps
 * message attributes (`ce-*`, `content-type`) to HTTP headers and the message data to the body, and
 * uses its HTTP binding both ways (CONTRACT.md: binary content mode, structured accepted).
 */
import type { ContractResult } from './contract-error';
import { decodeMessage, toHttpBinary, toHttpStructured } from './cloudevents.binding';
import type { ArbiterEvent } from './event-map';

/** A Pub/Sub message as the client library publishes and delivers it. */
export interface PubSubMessage {
  data: Buffer;
  /** Pub/Sub attribute values are strings. */
  attributes: Record<string, string>;
}

/** What `fromPubSubMessage` accepts: a delivered message (attributes may be absent). */
export interface ReceivedPubSubMessage {
  data: Buffer | Uint8Array | string;
  attributes?: Readonly<Record<string, string>> | null;
}

/**
 * Binary content mode (the contract's mode): body = data as UTF-8 JSON; attributes `ce-specversion`,
 * `ce-id`, `ce-source`, `ce-type`, `ce-subject`, `ce-time`, `ce-dataschema` (and `ce-<extension>`),
 * `content-type: application/json`.
 */
export function toPubSubMessage(event: ArbiterEvent): PubSubMessage {
  const message = toHttpBinary(event);
  return { data: Buffer.from(message.body, 'utf8'), attributes: message.headers };
}

/** Structured content mode: body = the whole event, `content-type: application/cloudevents+json`. */
export function toPubSubStructuredMessage(event: ArbiterEvent): PubSubMessage {
  const message = toHttpStructured(event);
  return { data: Buffer.from(message.body, 'utf8'), attributes: message.headers };
}

/** Decodes a binary- or structured-mode message into a validated event. Never throws. */
export function fromPubSubMessage(message: ReceivedPubSubMessage): ContractResult<ArbiterEvent> {
  return decodeMessage(message.attributes ?? {}, message.data, 'attribute');
}
