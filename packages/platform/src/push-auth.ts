/**
 * Who may deliver events over HTTP. Pub/Sub push (and any CloudEvents-over-HTTP caller) must present
 * `Authorization: Bearer <OIDC ID token>` signed by Google for the push service account the
 * subscription is configured with: the signature is checked against Google's published keys (JWKS),
 * then the issuer, the audience this service expects and the service account's email. Verification
 * is jose's (`jwtVerify` over a remote JWKS); this module only says which claims must hold.
 *
 * Locally the same check runs against the local push signer's keys (`tools/local-stack/src/push-signer.ts`): the
 * Pub/Sub emulator attaches no token, so the emulator pushes to the signer, which adds one and
 * forwards. Turning the check off is a configuration error except with `ARBITER_ENV=local` and
 * `ARBITER_PUSH_AUTH=off`, and never allowed on review-queue (it serves the console's origin).
 */
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from './logger';

/** Google's keys for the OIDC tokens Pub/Sub push attaches, and the issuers it writes. */
export const GOOGLE_OIDC_JWKS_URL = 'https://www.googleapis.com/oauth2/v3/certs';
export const GOOGLE_OIDC_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'] as const;

/** Local defaults (the local push signer, `tools/local-stack/src/push-signer.ts`, uses the same). */
export const LOCAL_PUSH_AUDIENCE = 'arbiter-local-push';
export const LOCAL_PUSH_SERVICE_ACCOUNT = 'arbiter-push@arbiter-local.iam.gserviceaccount.com';

/** The part of config's `EnvReader` these settings need (config.ts reads them through it). */
interface SettingsReader {
  readonly errors: string[];
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T;
  optional(name: string): string | undefined;
  string(name: string, fallback?: string): string;
}

export interface PushAuthSettings {
  /** `oidc`: every event route checks the token; `off`: local only, never on review-queue. */
  mode: 'oidc' | 'off';
  audience: string;
  serviceAccount: string;
  issuers: readonly string[];
  jwksUrl: string;
}

export type PushAuthOutcome = { ok: true; email: string } | { ok: false; status: 401 | 403; code: string; message: string };

/** Checks one `Authorization` header. */
export interface PushAuthenticator {
  readonly mode: 'oidc' | 'off';
  check(authorization: string | undefined): Promise<PushAuthOutcome>;
}

/**
 * Reads the push authentication settings. `env` is ARBITER_ENV; `publicOrigin` is true for the
 * service that serves the console (review-queue), which may never turn the check off.
 */
export function readPushAuthSettings(read: SettingsReader, env: string, options: { publicOrigin?: boolean } = {}): PushAuthSettings {
  const mode = read.oneOf('ARBITER_PUSH_AUTH', ['oidc', 'off'] as const, 'oidc');
  if (mode === 'off' && env !== 'local') read.errors.push(`ARBITER_PUSH_AUTH=off is allowed only with ARBITER_ENV=local (got ARBITER_ENV=${env})`);
  if (mode === 'off' && options.publicOrigin) read.errors.push('ARBITER_PUSH_AUTH=off is never allowed on review-queue: it serves the console to the internet, so its event routes always verify the push token');
  const local = env === 'local';
  const audience = read.optional('ARBITER_PUSH_AUDIENCE') ?? (local ? LOCAL_PUSH_AUDIENCE : undefined);
  const serviceAccount = read.optional('ARBITER_PUSH_SERVICE_ACCOUNT') ?? (local ? LOCAL_PUSH_SERVICE_ACCOUNT : undefined);
  if (mode === 'oidc' && audience === undefined) read.errors.push(`ARBITER_PUSH_AUDIENCE is required when ARBITER_ENV=${env} (the audience of the push subscriptions' OIDC tokens, e.g. this service's URL)`);
  if (mode === 'oidc' && serviceAccount === undefined) read.errors.push(`ARBITER_PUSH_SERVICE_ACCOUNT is required when ARBITER_ENV=${env} (the email of the push subscriptions' service account)`);
  const jwksUrl = read.string('ARBITER_PUSH_JWKS_URL', GOOGLE_OIDC_JWKS_URL);
  if (!/^https?:\/\//.test(jwksUrl)) read.errors.push(`ARBITER_PUSH_JWKS_URL must be an http(s) URL (got "${jwksUrl}")`);
  else if (!local && !jwksUrl.startsWith('https://')) read.errors.push('ARBITER_PUSH_JWKS_URL must be https outside ARBITER_ENV=local');
  const issuer = read.optional('ARBITER_PUSH_ISSUER');
  if (!local && issuer !== undefined && !(GOOGLE_OIDC_ISSUERS as readonly string[]).includes(issuer)) read.errors.push('ARBITER_PUSH_ISSUER may differ from Google\'s issuer only with ARBITER_ENV=local');
  if (!local && jwksUrl !== GOOGLE_OIDC_JWKS_URL) read.errors.push('ARBITER_PUSH_JWKS_URL may differ from Google\'s keys only with ARBITER_ENV=local');
  return { mode, audience: audience ?? '', serviceAccount: serviceAccount ?? '', issuers: issuer ? [issuer] : [...GOOGLE_OIDC_ISSUERS], jwksUrl };
}

const refuse = (status: 401 | 403, code: string, message: string): PushAuthOutcome => ({ ok: false, status, code, message });

/** The bearer token of an `Authorization` header, or undefined. */
export function bearerOf(header: string | undefined): string | undefined {
  return /^Bearer\s+([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]*)\s*$/i.exec(header ?? '')?.[1];
}

/** Verifies Pub/Sub push OIDC tokens against a key set (remote JWKS in services, a local set in unit tests). */
export class OidcPushAuthenticator implements PushAuthenticator {
  readonly mode = 'oidc' as const;

  constructor(
    private readonly settings: Pick<PushAuthSettings, 'audience' | 'serviceAccount' | 'issuers'>,
    private readonly keys: JWTVerifyGetKey,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async check(authorization: string | undefined): Promise<PushAuthOutcome> {
    const token = bearerOf(authorization);
    if (!token) return refuse(401, 'AUTH.UNAUTHENTICATED', 'event routes need Authorization: Bearer <OIDC token> from the push subscription\'s service account');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        algorithms: ['RS256', 'ES256'],
        issuer: [...this.settings.issuers],
        audience: this.settings.audience,
        requiredClaims: ['exp', 'iat', 'email'],
        currentDate: this.now(),
        clockTolerance: 5,
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) return refuse(401, 'AUTH.UNAUTHENTICATED', 'push token expired');
      if (error instanceof joseErrors.JWTClaimValidationFailed) return refuse(401, 'AUTH.UNAUTHENTICATED', `push token claim ${error.claim} is not acceptable`);
      return refuse(401, 'AUTH.UNAUTHENTICATED', 'push token is not a valid OIDC token signed by the expected keys');
    }
    if (payload.email !== this.settings.serviceAccount || payload.email_verified !== true) {
      return refuse(403, 'AUTH.FORBIDDEN', 'push token is not from the configured push service account');
    }
    return { ok: true, email: payload.email };
  }
}

/** No check: only with ARBITER_ENV=local and ARBITER_PUSH_AUTH=off (config enforces it). */
export const localPushAuthOff: PushAuthenticator = { mode: 'off', check: async () => ({ ok: true, email: 'local' }) };

/** The authenticator for validated settings: Google's (or the local signer's) JWKS over HTTP. */
export function pushAuthenticatorOf(settings: PushAuthSettings): PushAuthenticator {
  if (settings.mode === 'off') return localPushAuthOff;
  return new OidcPushAuthenticator(settings, createRemoteJWKSet(new URL(settings.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 3_600_000 }));
}

/** Express middleware in front of the event routes: 401 without a valid token, 403 for another account. */
export function pushAuthMiddleware(auth: PushAuthenticator, logger: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (auth.mode === 'off') return next();
    auth.check(req.get('authorization')).then(
      (outcome) => {
        if (outcome.ok) return next();
        logger.warn({ code: outcome.code, path: req.path, status: outcome.status }, `event delivery refused: ${outcome.message}`);
        res.status(outcome.status).set('www-authenticate', 'Bearer').json({ error: { code: outcome.code, message: outcome.message } });
      },
      (error: unknown) => next(error),
    );
  };
}

/** Refuses every caller: for a host that takes its events by streaming pull only (in-process tests). */
export const noPushCallers: PushAuthenticator = {
  mode: 'oidc',
  check: async () => refuse(401, 'AUTH.UNAUTHENTICATED', 'this host takes no events over HTTP'),
};
