/**
 * What Arbiter reads of a verified identity (identity.ts verifies it): `sub` (reviewer id), `roles`
 * (platform roles, plus optional queue roles named by the policies' `queues[].roles`, e.g.
 * `cleanliness-reviewer`), `queues` (optional allow-list of queue ids).
 */
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

const ROLE_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

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

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  const match = /^Bearer\s+([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
