/**
 * Reviewer identities for tests and tools that run review-queue with `ARBITER_IDENTITY=local`: a
 * P-256 key pair the test holds (given to the service as ARBITER_LOCAL_IDENTITY_KEY, so it verifies
 * tokens signed with it), tokens for reviewers of the test's own, and the persona sign-in a person
 * uses on the console (`POST /auth/local/sign-in`). Same issuer and audience as review-queue's local
 * identity provider (services/review-queue/src/identity.ts).
 */
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type KeyLike } from 'jose';

const ISSUER = 'arbiter-local-identity';
const AUDIENCE = 'arbiter-review-queue';

/** A fresh private key for ARBITER_LOCAL_IDENTITY_KEY. */
export async function newLocalIdentityKey(): Promise<JWK> {
  const pair = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(pair.privateKey)), alg: 'ES256', kid: 'arbiter-local-identity' };
}

/** The environment that makes review-queue trust `key` for reviewer tokens. */
export const localIdentityEnv = (key: JWK): Record<string, string> => ({ ARBITER_IDENTITY: 'local', ARBITER_LOCAL_IDENTITY_KEY: JSON.stringify(key) });

/** A local ID token for any reviewer id and roles, signed with the test's key. */
export async function signReviewerToken(key: JWK, sub: string, roles: readonly string[], options: { queues?: string[]; ttlSeconds?: number; now?: Date } = {}): Promise<string> {
  const privateKey = (await importJWK(key, 'ES256')) as KeyLike;
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return new SignJWT({ roles: [...roles], ...(options.queues ? { queues: options.queues } : {}) })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: key.kid ?? 'arbiter-local-identity' })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.ttlSeconds ?? 3600))
    .sign(privateKey);
}

/** The persona sign-in of the console (`POST /auth/local/sign-in`): the token and who it is. */
export async function signInAsPersona(baseUrl: string, persona: string): Promise<{ token: string; sub: string; roles: string[] }> {
  const response = await fetch(`${baseUrl}/auth/local/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ persona }) });
  const body = (await response.json()) as { token?: string; persona?: { sub: string; roles: string[] }; error?: { message: string } };
  if (response.status !== 200 || !body.token || !body.persona) throw new Error(`sign-in as ${persona} answered ${response.status}: ${body.error?.message ?? ''}`);
  return { token: body.token, sub: body.persona.sub, roles: body.persona.roles };
}
