import type { ServiceName } from '@arbiter/contract';
import { businessMillis, validateDuration } from '@arbiter/core';
import { readCommonServiceConfig, type CommonServiceConfig, type EnvReader } from '@arbiter/platform';

export const DEFAULT_PORT = 8104;
export const SERVICE = 'sla-escalator' satisfies ServiceName;

/**
 * How `POST /tick` is authorised:
 * - `secret`: the caller sends the shared secret `ARBITER_TICK_SECRET` in `x-arbiter-tick-secret`
 *   (Cloud Scheduler HTTP target with a header). Without a secret configured, the route is off (403).
 * - `cloud-run-iam`: the service runs on Cloud Run without unauthenticated access; Cloud Scheduler
 *   sends an OIDC token (`Authorization: Bearer …`) that Cloud Run verifies against the invoker role
 *   before the request gets here. The route then only checks that a bearer token was presented.
 */
export type TickAuth = 'secret' | 'cloud-run-iam';

export interface SlaEscalatorConfig extends CommonServiceConfig {
  /** Internal timer period in ms (`ARBITER_TICK_EVERY`, ISO duration; `off` or empty: no timer). */
  tickEveryMs: number | null;
  tickAuth: TickAuth;
  tickSecret?: string;
  /** Timers read per query page (of one minute bucket). */
  pageSize: number;
  /** At most this many due timers (SLA checks and lease ends) per tick; the rest wait for the next. */
  maxItemsPerTick: number;
  /** Items processed at once (one transaction each). */
  concurrency: number;
  /** The reconciler: a case's pending step is overdue after this long (`ARBITER_RECONCILE_AFTER`); null: off. */
  reconcileAfterMs: number | null;
  /** At most this many overdue cases re-driven per tick. */
  reconcileMaxPerTick: number;
}

export function readSlaEscalatorConfig(read: EnvReader): SlaEscalatorConfig {
  const common = readCommonServiceConfig(read, DEFAULT_PORT);
  const tickEvery = read.optional('ARBITER_TICK_EVERY') ?? 'PT15S';
  let tickEveryMs: number | null = null;
  if (tickEvery.toLowerCase() !== 'off') {
    const problem = validateDuration(tickEvery, 'business');
    if (problem) read.errors.push(`ARBITER_TICK_EVERY must be an ISO-8601 duration such as PT15S, or off (got "${tickEvery}")`);
    else if (businessMillis(tickEvery) < 1000) read.errors.push(`ARBITER_TICK_EVERY must be at least PT1S (got "${tickEvery}")`);
    else tickEveryMs = businessMillis(tickEvery);
  }
  const reconcileAfter = read.optional('ARBITER_RECONCILE_AFTER') ?? 'PT2M';
  let reconcileAfterMs: number | null = null;
  if (reconcileAfter.toLowerCase() !== 'off') {
    const problem = validateDuration(reconcileAfter, 'business');
    if (problem) read.errors.push(`ARBITER_RECONCILE_AFTER must be an ISO-8601 duration such as PT2M, or off (got "${reconcileAfter}")`);
    else if (businessMillis(reconcileAfter) < 1000) read.errors.push(`ARBITER_RECONCILE_AFTER must be at least PT1S (got "${reconcileAfter}")`);
    else reconcileAfterMs = businessMillis(reconcileAfter);
  }
  const tickAuth = read.oneOf('ARBITER_TICK_AUTH', ['secret', 'cloud-run-iam'] as const, 'secret');
  const tickSecret = read.optional('ARBITER_TICK_SECRET');
  if (tickSecret !== undefined && tickSecret.length < 16) read.errors.push('ARBITER_TICK_SECRET must be at least 16 characters');
  return {
    ...common,
    tickEveryMs,
    tickAuth,
    ...(tickSecret ? { tickSecret } : {}),
    pageSize: read.int('ARBITER_TICK_PAGE_SIZE', 100, { min: 1, max: 500 }),
    maxItemsPerTick: read.int('ARBITER_TICK_MAX_ITEMS', 2000, { min: 1 }),
    concurrency: read.int('ARBITER_TICK_CONCURRENCY', 8, { min: 1, max: 64 }),
    reconcileAfterMs,
    reconcileMaxPerTick: read.int('ARBITER_RECONCILE_MAX', 500, { min: 1, max: 5000 }),
  };
}
