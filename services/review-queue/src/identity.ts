/**
 * Who a reviewer is, as the identity layer in front of the service says, verified here with jose
 * against the issuer's published keys (JWKS). Three modes, one per deployment (`ARBITER_IDENTITY`):
 *
 * - `iap`: Cloud Run behind Identity-Aware Proxy. IAP signs every request's
 *   `x-goog-iap-jwt-assertion` (ES256, keys at https://www.gstatic.com/iap/verify/public_key-jwk,
 *   issuer https://cloud.google.com/iap, audience the backend: `ARBITER_IAP_AUDIENCE`). IAP is set up
 *   with Identity Platform (external identities), so the assertion carries the user's Identity
 *   Platform claims under `gcip`, where the roles are.
 * - `identity-platform`: API clients send `Authorization: Bearer <Identity Platform ID token>` (RS256,
 *   issuer https://securetoken.google.com/<project>, audience <project>).
 * - `local` (ARBITER_ENV=local only): a local identity provider in the service (ES256 key pair,
 *   `LocalIdentityProvider`) issues ID tokens for the demo personas on a one-click sign-in
 *   (`POST /auth/local/sign-in`); the API verifies them like any other ID token.
 *
 * Roles come from one documented mapping: the Identity Platform user's custom claims `roles` (platform
 * roles `reviewer`, `lead`, `on-call`, `auditor`, `support`, `admin`, plus the policies' queue roles)
 * and optionally `queues`, set by an administrator with the Admin SDK
 * (`auth.setCustomUserClaims(uid, { roles: [...] })`). A token the caller could write themselves
 * never gets this far: its signature is checked first. Locally, the persona table is the mapping.
 */
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload, type JWTVerifyGetKey, type KeyLike } from 'jose';
import { fail, type Failure, type Result } from '@arbiter/core';
import { bearerTokenOf, principalFromClaims, type Principal } from './auth';

export const IAP_ASSERTION_HEADER = 'x-goog-iap-jwt-assertion';
export const IAP_ISSUER = 'https://cloud.google.com/iap';
export const IAP_JWKS_URL = 'https://www.gstatic.com/iap/verify/public_key-jwk';
export const IDENTITY_PLATFORM_JWKS_URL = 'https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com';
export const identityPlatformIssuer = (project: string): string => `https://securetoken.google.com/${project}`;
export const LOCAL_IDENTITY_ISSUER = 'arbiter-local-identity';
export const LOCAL_IDENTITY_AUDIENCE = 'arbiter-review-queue';

export type IdentityMode = 'iap' | 'identity-platform' | 'local';

/** The request headers a verifier reads (lower-case names). */
export type HeaderOf = (name: string) => string | undefined;

/** Port: the caller of a request, or why not. */
export interface IdentityVerifier {
  readonly mode: IdentityMode;
  principalOf(header: HeaderOf): Promise<Result<Principal>>;
}

const unauthenticated = (message: string): { ok: false; error: Failure } => fail({ code: 'AUTH.UNAUTHENTICATED', message });

interface TokenRules {
  issuer: string;
  audience: string;
  algorithms: string[];
  keys: JWTVerifyGetKey;
  /** Where in the verified payload the roles are (the payload itself, or IAP's `gcip`). */
  claimsOf: (payload: JWTPayload) => Record<string, unknown>;
  now: () => Date;
}

async function verifyWith(token: string, rules: TokenRules, what: string): Promise<Result<Principal>> {
  try {
    const { payload } = await jwtVerify(token, rules.keys, {
      algorithms: rules.algorithms,
      issuer: rules.issuer,
      audience: rules.audience,
      requiredClaims: ['sub', 'exp', 'iat'],
      currentDate: rules.now(),
      clockTolerance: 5,
    });
    const claims = rules.claimsOf(payload);
    return principalFromClaims({ ...claims, sub: claims.sub ?? payload.sub });
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) return unauthenticated(`${what} expired; sign in again`);
    if (error instanceof joseErrors.JWTClaimValidationFailed) return unauthenticated(`${what} claim ${error.claim} is not acceptable (${error.reason})`);
    return unauthenticated(`${what} is not a valid token signed by the identity provider`);
  }
}

/** Identity-Aware Proxy's signed header. */
export class IapIdentityVerifier implements IdentityVerifier {
  readonly mode = 'iap' as const;
  constructor(
    private readonly audience: string,
    private readonly keys: JWTVerifyGetKey = createRemoteJWKSet(new URL(IAP_JWKS_URL)),
    private readonly now: () => Date = () => new Date(),
  ) {}

  async principalOf(header: HeaderOf): Promise<Result<Principal>> {
    const assertion = header(IAP_ASSERTION_HEADER);
    if (!assertion) return unauthenticated(`no ${IAP_ASSERTION_HEADER} header: this service is reached through Identity-Aware Proxy only`);
    return verifyWith(assertion.trim(), {
      issuer: IAP_ISSUER,
      audience: this.audience,
      algorithms: ['ES256'],
      keys: this.keys,
      // IAP with Identity Platform: the user's ID token claims (custom claims included) under gcip.
      claimsOf: (payload) => {
        const gcip = payload.gcip;
        return typeof gcip === 'object' && gcip !== null ? { ...(gcip as Record<string, unknown>), sub: (gcip as Record<string, unknown>).sub ?? payload.sub } : {};
      },
      now: this.now,
    }, 'the IAP assertion');
  }
}

/** Bearer ID tokens (Identity Platform in production, the local identity provider locally). */
export class IdTokenIdentityVerifier implements IdentityVerifier {
  constructor(
    readonly mode: 'identity-platform' | 'local',
    private readonly rules: Pick<TokenRules, 'issuer' | 'audience' | 'algorithms' | 'keys'>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async principalOf(header: HeaderOf): Promise<Result<Principal>> {
    const token = bearerTokenOf(header('authorization'));
    if (!token) return unauthenticated(this.mode === 'local' ? 'send Authorization: Bearer <token>; locally, sign in as a persona on the console (POST /auth/local/sign-in)' : 'send Authorization: Bearer <Identity Platform ID token>');
    return verifyWith(token, { ...this.rules, claimsOf: (payload) => payload as Record<string, unknown>, now: this.now }, 'the token');
  }
}

// ── The local identity provider ────────────────────────────────────────────────────────────────

/** The demo personas of the local sign-in: the local role mapping. */
export interface Persona {
  id: string;
  /** The reviewer id (`sub`) the persona signs in as. */
  sub: string;
  name: string;
  roles: string[];
  describes: string;
}

export const LOCAL_PERSONAS: readonly Persona[] = [
  { id: 'reviewer', sub: 'reviewer-17', name: 'Rosa Reviewer', roles: ['reviewer', 'cleanliness-reviewer', 'damage-reviewer'], describes: 'reviews the vehicle cleanliness and damage queues' },
  { id: 'tech-lead', sub: 'tech-lead-3', name: 'Tomás Tech Lead', roles: ['reviewer', 'tech-lead', 'journey-architect', 'data-architect'], describes: 'reviews the engineering queues (API, code, performance, schema, journey logic)' },
  { id: 'product-owner', sub: 'product-owner-5', name: 'Priya Product Owner', roles: ['reviewer', 'product-owner', 'brand-owner', 'personalization-owner', 'data-protection'], describes: 'reviews scarcity and personalization' },
  { id: 'lead', sub: 'lead-1', name: 'Lena Lead', roles: ['lead'], describes: 'works every queue, sees the lead view, releases and reassigns claims' },
  { id: 'on-call', sub: 'on-call-2', name: 'Omar On-call', roles: ['on-call'], describes: 'works escalated items in any queue' },
  { id: 'auditor', sub: 'auditor-1', name: 'Ada Auditor', roles: ['auditor'], describes: 'reads every case, decides nothing' },
  { id: 'support', sub: 'support-4', name: 'Sam Support', roles: ['support'], describes: 'reads dispute views' },
  { id: 'admin', sub: 'admin-1', name: 'Alex Admin', roles: ['admin'], describes: 'everything, and sees PII fields' },
];

export interface LocalIdentityToken {
  token: string;
  expiresAt: Date;
}

/**
 * Issues local ID tokens (ES256) with a key pair of its own: a private JWK from
 * `ARBITER_LOCAL_IDENTITY_KEY` (tests hold the same key to sign tokens for reviewers of their own),
 * or one made at start. Only ever built with ARBITER_ENV=local.
 */
export class LocalIdentityProvider {
  private constructor(
    private readonly privateKey: KeyLike,
    readonly publicJwk: JWK,
    private readonly now: () => Date,
  ) {}

  static async create(privateJwk?: JWK, now: () => Date = () => new Date()): Promise<LocalIdentityProvider> {
    if (privateJwk) {
      const privateKey = (await importJWK({ ...privateJwk, alg: 'ES256' }, 'ES256')) as KeyLike;
      const { d: _d, ...publicJwk } = privateJwk;
      return new LocalIdentityProvider(privateKey, { ...publicJwk, alg: 'ES256', use: 'sig', kid: privateJwk.kid ?? 'arbiter-local-identity' }, now);
    }
    const pair = await generateKeyPair('ES256', { extractable: true });
    return new LocalIdentityProvider(pair.privateKey, { ...(await exportJWK(pair.publicKey)), alg: 'ES256', use: 'sig', kid: 'arbiter-local-identity' }, now);
  }

  /** A fresh private JWK for ARBITER_LOCAL_IDENTITY_KEY (tests, `pnpm start`). */
  static async newPrivateJwk(): Promise<JWK> {
    const pair = await generateKeyPair('ES256', { extractable: true });
    return { ...(await exportJWK(pair.privateKey)), alg: 'ES256', kid: 'arbiter-local-identity' };
  }

  get jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  async issue(claims: { sub: string; roles: string[]; queues?: string[]; name?: string }, ttlSeconds = 8 * 3600): Promise<LocalIdentityToken> {
    const iat = Math.floor(this.now().getTime() / 1000);
    const token = await new SignJWT({ roles: claims.roles, ...(claims.queues ? { queues: claims.queues } : {}), ...(claims.name ? { name: claims.name } : {}) })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: this.publicJwk.kid as string })
      .setSubject(claims.sub)
      .setIssuer(LOCAL_IDENTITY_ISSUER)
      .setAudience(LOCAL_IDENTITY_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttlSeconds)
      .sign(this.privateKey);
    return { token, expiresAt: new Date((iat + ttlSeconds) * 1000) };
  }

  verifier(now: () => Date = this.now): IdTokenIdentityVerifier {
    return new IdTokenIdentityVerifier('local', { issuer: LOCAL_IDENTITY_ISSUER, audience: LOCAL_IDENTITY_AUDIENCE, algorithms: ['ES256'], keys: createLocalJWKSet(this.jwks) }, now);
  }
}

/** Settings of the identity layer (review-queue config). */
export interface IdentitySettings {
  mode: IdentityMode;
  /** iap: the backend's audience (`/projects/<number>/global/backendServices/<id>` or `/projects/<number>/apps/<project>`). */
  iapAudience?: string;
  /** identity-platform: the project whose users sign in. */
  identityPlatformProject?: string;
  /** Local only: trust another JWKS than Google's (tests with IAP-shaped tokens of their own). */
  jwksUrl?: string;
  /** local: the provider's private JWK; omitted, one is made at start. */
  localKey?: JWK;
}

/** The verifier for validated settings (and, locally, the provider behind the persona sign-in). */
export async function identityOf(settings: IdentitySettings): Promise<{ verifier: IdentityVerifier; local?: LocalIdentityProvider }> {
  const keys = (fallback: string): JWTVerifyGetKey => createRemoteJWKSet(new URL(settings.jwksUrl ?? fallback));
  if (settings.mode === 'iap') return { verifier: new IapIdentityVerifier(settings.iapAudience as string, keys(IAP_JWKS_URL)) };
  if (settings.mode === 'identity-platform') {
    const project = settings.identityPlatformProject as string;
    return { verifier: new IdTokenIdentityVerifier('identity-platform', { issuer: identityPlatformIssuer(project), audience: project, algorithms: ['RS256'], keys: keys(IDENTITY_PLATFORM_JWKS_URL) }) };
  }
  const local = await LocalIdentityProvider.create(settings.localKey);
  return { verifier: local.verifier(), local };
}
