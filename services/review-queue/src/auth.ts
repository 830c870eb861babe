/**
 * Reviewer tokens: HS256 JWTs (locally minted by `pnpm mint-token`; in production an identity-aware proxy
 * or Identity Platform would issue them). Signing and verification are jose's; this file only says
 * which claims Arbiter reads and what they mean.
 *
 * Claims: `sub` (reviewer id), `roles` (platform roles, plus optional queue roles named by the
 * policies' `queues[].roles`, e.g. `cleanliness-reviewer`), `queues` (optional allow-list of queue ids),
 * `exp` (required).
 */
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { fail, ok, type Failure, type Result } from '@arbiter/core';

export const PLATFORM_ROLES = ['reviewer', 'lead', 'on-call', 'auditor', 'support', 'admin'] as const;
export type PlatformRole = (typeof PLATFORM_ROLES)[number];

export const isPlatformRole = (role: string): role is PlatformRole => (PLATFORM_ROLES as readonly string[]).includes(role);

/** Who is calling, as the token says. */
export interface Principal {
  id: string;
  /** Platform roles (`reviewer`, `lead`, …). */
  roles: PlatformRole[];
  /** Other roles the token carries: queue roles from the policies (`cleanliness-reviewer`, `tech-lead`). */
  queueRoles: string[];
  /** When present, the only queues this caller may work. */
  queues?: string[];
}

const ISSUER = 'arbiter';
const AUDIENCE = 'arbiter-review-queue';
const ROLE_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

const keyOf = (secret: string): Uint8Array => new TextEncoder().encode(secret);

export interface MintInput {
  sub: string;
  roles: string[];
  queues?: string[];
  /** Lifetime in seconds. */
  ttlSeconds: number;
  now?: Date;
}

export async function mintToken(input: MintInput, secret: string): Promise<string> {
  const iat = Math.floor((input.now ?? new Date()).getTime() / 1000);
  return new SignJWT({ roles: input.roles, ...(input.queues ? { queues: input.queues } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(input.sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + input.ttlSeconds)
    .sign(keyOf(secret));
}

const unauthenticated = (message: string): { ok: false; error: Failure } => fail({ code: 'AUTH.UNAUTHENTICATED', message });

/** The principal of a token's claims, or why the claims are not acceptable. Pure. */
export function principalFromClaims(claims: Record<string, unknown>): Result<Principal> {
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub.trim() === '' || sub.length > 128) return unauthenticated('token claim sub must be the reviewer id (1-128 characters)');
  const roles = claims.roles;
  if (!Array.isArray(roles) || roles.length === 0 || !roles.every((r) => typeof r === 'string' && ROLE_PATTERN.test(r))) {
    return unauthenticated(`token claim roles must be a non-empty list of role names (${PLATFORM_ROLES.join(', ')}, or a policy queue role)`);
  }
  const platform = [...new Set((roles as string[]).filter(isPlatformRole))];
  if (platform.length === 0) return unauthenticated(`token claim roles must contain at least one of ${PLATFORM_ROLES.join(', ')}`);
  const queueRoles = [...new Set((roles as string[]).filter((r) => !isPlatformRole(r)))];
  const queues = claims.queues;
  if (queues !== undefined && (!Array.isArray(queues) || !queues.every((q) => typeof q === 'string' && q !== ''))) {
    return unauthenticated('token claim queues, when present, must be a list of queue ids');
  }
  return ok({ id: sub, roles: platform, queueRoles, ...(queues !== undefined ? { queues: [...(queues as string[])] } : {}) });
}

/** Verifies a bearer token (HS256 only, `exp` required) and returns its principal. */
export async function verifyToken(token: string, secret: string, now: Date = new Date()): Promise<Result<Principal>> {
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ['sub', 'exp'],
      currentDate: now,
    });
    return principalFromClaims(payload as Record<string, unknown>);
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) return unauthenticated('token expired; mint a new one (pnpm mint-token)');
    if (error instanceof joseErrors.JWTClaimValidationFailed) return unauthenticated(`token claim ${error.claim} is not acceptable: ${error.reason}`);
    return unauthenticated('token is not a valid HS256 JWT signed for this service');
  }
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  const match = /^Bearer\s+([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** `8h`, `30m`, `45s`, `2d`, or an ISO duration without months/years (`PT8H`) → seconds. */
export function parseTtl(text: string): number | undefined {
  const short = /^(\d+)([smhd])$/.exec(text.trim());
  if (short) return Number(short[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[short[2] as 's' | 'm' | 'h' | 'd'];
  const iso = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(text.trim());
  if (iso && text.trim() !== 'P' && text.trim() !== 'PT') {
    const [, d, h, m, s] = iso;
    return Number(d ?? 0) * 86_400 + Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0);
  }
  return undefined;
}
