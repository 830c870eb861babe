import { randomUUID } from 'node:crypto';
import { ok } from '@arbiter/core';
import { contractFailure, type ContractResult } from './contract-error';
import { schemaIdOf, type ArbiterEvent, type EventDataMap } from './event-map';
import { unknownTypeMessage, validateEventData } from './schema-validation';
import { isEventType, type EventType } from './topology';

export interface CreateEventInput<T extends EventType> {
  type: T;
  /** URI-reference naming the producer, e.g. `//arbiter/confidence-assessor`. */
  source: string;
  data: EventDataMap[T];
  /** By convention the case id. */
  subject?: string;
  /** Defaults to a random UUID. Pass a deterministic id to make a republish idempotent. */
  id?: string;
  /** Defaults to now. */
  time?: string | Date;
  /** CloudEvents extension attributes: names `[a-z0-9]{1,20}`. */
  extensions?: Record<string, string>;
}

/** Attribute names the CloudEvents spec reserves; extensions may not reuse them. */
export const CONTEXT_ATTRIBUTES = new Set(['specversion', 'id', 'source', 'type', 'subject', 'time', 'dataschema', 'datacontenttype', 'data', 'data_base64']);

const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;

/** RFC 3339 date-time with a zone (what `ce-time` must be). */
export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

export const isRfc3339 = (value: string): boolean => RFC3339.test(value) && !Number.isNaN(Date.parse(value));

/**
 * Builds an event and validates it before anyone can emit it: producers validate what they emit.
 * The data is copied through JSON, so what is validated is exactly what goes on the wire.
 */
export function createEvent<T extends EventType>(input: CreateEventInput<T>): ContractResult<ArbiterEvent<T>> {
  const { type, source, subject, extensions } = input;
  if (!isEventType(type)) return contractFailure('EVENT.UNKNOWN_TYPE', unknownTypeMessage(String(type)));
  if (typeof source !== 'string' || source.trim() === '') {
    return contractFailure('EVENT.NOT_CLOUDEVENT', 'source is required: a URI-reference naming the producer, e.g. //arbiter/router');
  }
  const id = input.id ?? randomUUID();
  if (id === '') return contractFailure('EVENT.NOT_CLOUDEVENT', 'id must not be empty');
  if (subject !== undefined && subject === '') return contractFailure('EVENT.NOT_CLOUDEVENT', 'subject must not be empty when given');
  const rawTime = input.time === undefined ? new Date() : input.time;
  if (typeof rawTime === 'string' ? !isRfc3339(rawTime) : Number.isNaN(rawTime.getTime())) {
    return contractFailure('EVENT.NOT_CLOUDEVENT', `time must be an RFC 3339 date-time with a time zone (got ${JSON.stringify(rawTime)})`);
  }
  // Normalised to what the wire carries (UTC, milliseconds), so a decoded event equals the created one.
  const time = new Date(rawTime).toISOString();
  for (const name of Object.keys(extensions ?? {})) {
    if (!EXTENSION_NAME.test(name) || CONTEXT_ATTRIBUTES.has(name)) {
      return contractFailure('EVENT.NOT_CLOUDEVENT', `extension "${name}" is not allowed: names are 1-20 lower-case letters or digits and not a context attribute`);
    }
  }

  let wire: unknown;
  try {
    wire = JSON.parse(JSON.stringify(input.data)) as unknown;
  } catch (error) {
    return contractFailure('EVENT.NOT_JSON', `data cannot be serialised as JSON: ${(error as Error).message}`);
  }
  const data = validateEventData(type, wire);
  if (!data.ok) return data;

  const event = {
    specversion: '1.0' as const,
    id,
    source,
    type,
    ...(subject !== undefined ? { subject } : {}),
    time,
    dataschema: schemaIdOf(type),
    datacontenttype: 'application/json' as const,
    ...(extensions && Object.keys(extensions).length > 0 ? { extensions: { ...extensions } } : {}),
    data: data.value,
  };
  return ok(event as unknown as ArbiterEvent<T>);
}
