/**
 * The signed-in reviewer: locally, the ID token the persona sign-in issued and what its claims say;
 * behind Identity-Aware Proxy, no token at all (the proxy vouches for every request) and what
 * `GET /api/me` says. The console reads this only to decide what to show; the API verifies the
 * identity and enforces every rule.
 */
export interface Session {
  /** Sent as `Authorization: Bearer`; absent behind the proxy. */
  token?: string;
  sub: string;
  roles: string[];
  queues?: string[];
  /** Expiry, epoch seconds (local tokens). */
  exp?: number;
}

/** What `GET /api/me` answers. */
export interface Me {
  id: string;
  roles: string[];
  queueRoles: string[];
  queues?: string[];
}

/** The session of a person the proxy signed in. */
export const sessionFromMe = (me: Me): Session => ({ sub: me.id, roles: [...me.roles, ...me.queueRoles], ...(me.queues ? { queues: me.queues } : {}) });

export const PLATFORM_ROLES = ['reviewer', 'lead', 'on-call', 'auditor', 'support', 'admin'] as const;

function base64UrlDecode(part: string): string {
  const padded = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The session a token stands for, or why it cannot be one (not a JWT, no roles, expired). */
export function sessionFromToken(raw: string, nowMs: number): { ok: true; session: Session } | { ok: false; reason: string } {
  const token = raw.trim().replace(/^Bearer\s+/i, '');
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p))) return { ok: false, reason: 'That is not a token (three parts separated by dots).' };
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(base64UrlDecode(parts[1] as string)) as Record<string, unknown>;
  } catch {
    return { ok: false, reason: 'The token’s claims are not readable JSON.' };
  }
  const { sub, roles, queues, exp } = claims;
  if (typeof sub !== 'string' || sub === '') return { ok: false, reason: 'The token has no subject (sub).' };
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) return { ok: false, reason: 'The token has no roles.' };
  if (typeof exp !== 'number') return { ok: false, reason: 'The token has no expiry (exp).' };
  if (exp * 1000 <= nowMs) return { ok: false, reason: 'The sign-in has expired; sign in again.' };
  return {
    ok: true,
    session: { token, sub, roles: roles as string[], ...(Array.isArray(queues) ? { queues: queues.filter((q): q is string => typeof q === 'string') } : {}), exp },
  };
}

const has = (s: Session, ...roles: string[]): boolean => roles.some((r) => s.roles.includes(r));

/** What the console offers a role. Mirrors services/review-queue/src/access.ts; the API stays the judge. */
export const abilities = (s: Session) => ({
  /** Works queues: next case, claims, decisions. */
  work: has(s, 'reviewer', 'lead', 'on-call', 'admin'),
  /** Decides without holding the claim, sees the lead view, releases and reassigns claims. */
  lead: has(s, 'lead', 'admin'),
  /** Opens any case by id (auditors read, never decide). */
  readAny: has(s, 'lead', 'admin', 'auditor', 'on-call'),
  decide: has(s, 'reviewer', 'lead', 'on-call', 'admin'),
});

export type Abilities = ReturnType<typeof abilities>;
