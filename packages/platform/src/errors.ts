import type { Failure } from '@arbiter/core';

/**
 * The one place that maps error codes to what a transport does with them.
 *
 * A failure is permanent when retrying cannot help (the event is malformed, names an unknown use
 * case, breaks a policy rule): it is dead-lettered with its reason. Everything else is transient
 * (the emulator timed out, a transaction aborted) and is retried with backoff until the delivery
 * attempts run out, and then dead-lettered with `DELIVERY.RETRIES_EXHAUSTED`.
 */
export interface HandlerFailure extends Failure {
  permanent: boolean;
}

const permanentPrefixes = ['EVENT.', 'POLICY.', 'CONFIDENCE.', 'CASE.INVALID', 'VALIDATION.'];

export function isPermanent(failure: Failure & { permanent?: boolean }): boolean {
  if (typeof failure.permanent === 'boolean') return failure.permanent;
  return permanentPrefixes.some((prefix) => failure.code.startsWith(prefix));
}

export const permanentFailure = (code: string, message: string): HandlerFailure => ({ code, message, permanent: true });
export const transientFailure = (code: string, message: string): HandlerFailure => ({ code, message, permanent: false });

export type Disposition = 'ack' | 'retry' | 'dead-letter';

/** What to do with a message whose handler returned `failure` (or threw, as `failure` undefined). */
export function dispositionOf(failure: (Failure & { permanent?: boolean }) | undefined, attempt: number, maxAttempts: number): Disposition {
  if (failure && isPermanent(failure)) return 'dead-letter';
  return attempt >= maxAttempts ? 'dead-letter' : 'retry';
}

/** HTTP status for an error code; the only place codes become statuses. */
export function httpStatusOf(code: string): number {
  if (code.startsWith('AUTH.UNAUTHENTICATED')) return 401;
  if (code.startsWith('AUTH.')) return 403;
  if (code.endsWith('.NOT_FOUND')) return 404;
  if (code.endsWith('.CONFLICT') || code.endsWith('.ALREADY_DECIDED') || code.endsWith('.CLAIMED_BY_OTHER')) return 409;
  if (code === 'EVENT.UNSUPPORTED_CONTENT_TYPE') return 415;
  if (permanentPrefixes.some((prefix) => code.startsWith(prefix))) return 400;
  if (code.startsWith('TRANSIENT.') || code.startsWith('UNAVAILABLE')) return 503;
  return 500;
}

/** Pub/Sub push counts only these statuses as an ack; anything else is redelivered. */
export const PUSH_ACK_STATUS = 204;
