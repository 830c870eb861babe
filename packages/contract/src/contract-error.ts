import type { Failure, Result } from '@arbiter/core';

/**
 * Why an event (or a push delivery, or a policy document) breaks the contract. Every contract error
 * is permanent: retrying the same bytes cannot help, so transports dead-letter it with its reason.
 */
export type ContractErrorCode =
  /** The body (event data, structured event, push envelope) is not JSON, or not UTF-8. */
  | 'EVENT.NOT_JSON'
  /** The message is not a CloudEvent 1.0: no `ce-*` attributes, a required attribute missing or malformed. */
  | 'EVENT.NOT_CLOUDEVENT'
  /** `ce-type` names no event type Arbiter knows. */
  | 'EVENT.UNKNOWN_TYPE'
  /** The event data breaks its type's JSON Schema. */
  | 'EVENT.SCHEMA_VIOLATION'
  /** Content type (or content mode) other than `application/json` data or `application/cloudevents+json`. */
  | 'EVENT.UNSUPPORTED_CONTENT_TYPE'
  /** A Pub/Sub push request whose wrapped envelope is malformed. */
  | 'EVENT.NOT_PUSH_DELIVERY'
  /** A policy document breaks `schemas/policy.schema.json`. */
  | 'POLICY.SCHEMA_VIOLATION'
  /** `schemas/policy.schema.json` was absent when the validators were generated. */
  | 'POLICY.SCHEMA_UNAVAILABLE';

/** One thing wrong with a document, at a path (`prediction.confidence`, `evidence[0].uri`; `` for the root). */
export interface SchemaIssue {
  path: string;
  /** The JSON Schema keyword that failed (`required`, `maximum`, `additionalProperties`, …). */
  keyword: string;
  message: string;
}

export interface ContractError extends Failure {
  code: ContractErrorCode;
  /** Says what to fix, e.g. `prediction.confidence must be <= 1 (got 1.5)`. */
  message: string;
  permanent: true;
  /** Schema violations: every issue found (the message joins them). */
  issues?: SchemaIssue[];
}

export type ContractResult<T> = Result<T, ContractError>;

export const contractError = (code: ContractErrorCode, message: string, issues?: SchemaIssue[]): ContractError =>
  issues ? { code, message, permanent: true, issues } : { code, message, permanent: true };

export const contractFailure = (code: ContractErrorCode, message: string, issues?: SchemaIssue[]): { ok: false; error: ContractError } => ({
  ok: false,
  error: contractError(code, message, issues),
});
