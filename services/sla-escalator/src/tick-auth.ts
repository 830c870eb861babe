import { timingSafeEqual } from 'node:crypto';
import { fail, ok, type Failure, type Result } from '@arbiter/core';
import type { TickAuth } from './config';

export const TICK_SECRET_HEADER = 'x-arbiter-tick-secret';

/** Whether a `POST /tick` may run, from its headers (lower-case names). See `TickAuth` in config.ts. */
export function authorizeTick(auth: { mode: TickAuth; secret?: string }, headers: Readonly<Record<string, string | string[] | undefined>>): Result<true, Failure> {
  if (auth.mode === 'cloud-run-iam') {
    const authorization = headers.authorization;
    if (typeof authorization === 'string' && /^Bearer\s+\S+/.test(authorization)) return ok(true);
    return fail({ code: 'AUTH.UNAUTHENTICATED', message: 'POST /tick needs the OIDC token Cloud Scheduler sends (Authorization: Bearer …)' });
  }
  if (auth.secret === undefined) return fail({ code: 'AUTH.TICK_DISABLED', message: 'POST /tick is off: set ARBITER_TICK_SECRET (or ARBITER_TICK_AUTH=cloud-run-iam)' });
  const given = headers[TICK_SECRET_HEADER];
  if (typeof given !== 'string') return fail({ code: 'AUTH.UNAUTHENTICATED', message: `POST /tick needs the ${TICK_SECRET_HEADER} header` });
  const a = Buffer.from(given);
  const b = Buffer.from(auth.secret);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return fail({ code: 'AUTH.FORBIDDEN', message: `wrong ${TICK_SECRET_HEADER}` });
  return ok(true);
}
