/**
 * Reviewer identity: IAP-shaped assertions and ID tokens signed with local key pairs, verified
 * against a JWKS of the right key — and refused with a wrong audience, a wrong issuer, expired,
 * unsigned (alg none), tampered, or signed with another key.
 */
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTPayload, type KeyLike } from 'jose';
import { IapIdentityVerifier, IdTokenIdentityVerifier, IAP_ISSUER, identityPlatformIssuer, LocalIdentityProvider, LOCAL_PERSONAS, type IdentityVerifier } from './identity';
import { readIdentitySettings } from './config';
import { EnvReader } from '@arbiter/platform';

const NOW = new Date('2026-12-07T09:00:00Z');
const T = Math.floor(NOW.getTime() / 1000);
const IAP_AUD = '/projects/123456789/global/backendServices/987654321';

const unsigned = (payload: JWTPayload): string => `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
const tamper = (token: string, payload: JWTPayload): string => {
  const [h, , sig] = token.split('.');
  return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sig}`;
};

async function pair(alg: 'ES256' | 'RS256', kid: string) {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg } };
}

const sign = (key: KeyLike, alg: string, kid: string, payload: JWTPayload): Promise<string> => new SignJWT(payload).setProtectedHeader({ alg, kid, typ: 'JWT' }).sign(key);

function refusalCases(name: string, build: () => Promise<{ verifier: IdentityVerifier; good: JWTPayload; signGood: (p: JWTPayload) => Promise<string>; signOther: (p: JWTPayload) => Promise<string>; header: (token: string) => (n: string) => string | undefined }>) {
  describe(name, () => {
    let ctx: Awaited<ReturnType<typeof build>>;
    beforeAll(async () => {
      ctx = await build();
    });

    it('accepts a well-signed token and reads the roles from the mapped claims', async () => {
      const r = await ctx.verifier.principalOf(ctx.header(await ctx.signGood(ctx.good)));
      expect(r).toEqual({ ok: true, value: { id: 'reviewer-17', roles: ['reviewer'], queueRoles: ['cleanliness-reviewer'] } });
    });

    it.each([
      ['a wrong audience', (p: JWTPayload) => ({ ...p, aud: 'someone-else' })],
      ['a wrong issuer', (p: JWTPayload) => ({ ...p, iss: 'https://issuer.example' })],
      ['an expired token', (p: JWTPayload) => ({ ...p, iat: T - 7200, exp: T - 3600 })],
    ])('refuses %s', async (_what, change) => {
      const r = await ctx.verifier.principalOf(ctx.header(await ctx.signGood(change(ctx.good))));
      expect(r).toMatchObject({ ok: false, error: { code: 'AUTH.UNAUTHENTICATED' } });
    });

    it('refuses an unsigned token, a tampered one, one signed with another key, and none at all', async () => {
      const good = await ctx.signGood(ctx.good);
      const lead = JSON.parse(JSON.stringify(ctx.good)) as JWTPayload;
      const elevate = (p: Record<string, unknown>): void => {
        if (p.gcip) (p.gcip as Record<string, unknown>).roles = ['admin'];
        else p.roles = ['admin'];
      };
      elevate(lead as Record<string, unknown>);
      for (const token of [unsigned(ctx.good), unsigned(lead), tamper(good, lead), await ctx.signOther(ctx.good), '']) {
        expect(await ctx.verifier.principalOf(ctx.header(token))).toMatchObject({ ok: false, error: { code: 'AUTH.UNAUTHENTICATED' } });
      }
    });
  });
}

refusalCases('Identity-Aware Proxy assertion (x-goog-iap-jwt-assertion, ES256)', async () => {
  const right = await pair('ES256', 'iap-1');
  const other = await pair('ES256', 'iap-1');
  const verifier = new IapIdentityVerifier(IAP_AUD, createLocalJWKSet({ keys: [right.jwk] }), () => NOW);
  const good: JWTPayload = {
    iss: IAP_ISSUER,
    aud: IAP_AUD,
    sub: 'accounts.google.com:1234567890',
    email: 'rosa@example.com',
    iat: T - 60,
    exp: T + 540,
    gcip: { sub: 'reviewer-17', email: 'rosa@example.com', roles: ['reviewer', 'cleanliness-reviewer'] },
  };
  return {
    verifier,
    good,
    signGood: (p) => sign(right.privateKey, 'ES256', 'iap-1', p),
    signOther: (p) => sign(other.privateKey, 'ES256', 'iap-1', p),
    header: (token) => (name) => (name === 'x-goog-iap-jwt-assertion' && token ? token : undefined),
  };
});

refusalCases('Identity Platform ID token (Authorization: Bearer, RS256)', async () => {
  const right = await pair('RS256', 'gcip-1');
  const other = await pair('RS256', 'gcip-1');
  const verifier = new IdTokenIdentityVerifier('identity-platform', { issuer: identityPlatformIssuer('arbiter-prod'), audience: 'arbiter-prod', algorithms: ['RS256'], keys: createLocalJWKSet({ keys: [right.jwk] }) }, () => NOW);
  const good: JWTPayload = { iss: identityPlatformIssuer('arbiter-prod'), aud: 'arbiter-prod', sub: 'reviewer-17', iat: T - 60, exp: T + 3000, roles: ['reviewer', 'cleanliness-reviewer'] };
  return {
    verifier,
    good,
    signGood: (p) => sign(right.privateKey, 'RS256', 'gcip-1', p),
    signOther: (p) => sign(other.privateKey, 'RS256', 'gcip-1', p),
    header: (token) => (name) => (name === 'authorization' && token ? `Bearer ${token}` : undefined),
  };
});

describe('IAP without Identity Platform claims', () => {
  it('refuses an assertion that carries no roles (IAP must be set up with Identity Platform)', async () => {
    const right = await pair('ES256', 'iap-1');
    const verifier = new IapIdentityVerifier(IAP_AUD, createLocalJWKSet({ keys: [right.jwk] }), () => NOW);
    const token = await sign(right.privateKey, 'ES256', 'iap-1', { iss: IAP_ISSUER, aud: IAP_AUD, sub: 'accounts.google.com:1', email: 'x@example.com', iat: T - 1, exp: T + 60, roles: ['admin'] });
    expect(await verifier.principalOf((n) => (n === 'x-goog-iap-jwt-assertion' ? token : undefined))).toMatchObject({ ok: false, error: { code: 'AUTH.UNAUTHENTICATED' } });
  });
});

describe('local identity provider', () => {
  it('issues persona tokens its verifier accepts, and another provider\'s verifier refuses', async () => {
    const local = await LocalIdentityProvider.create(undefined, () => NOW);
    const other = await LocalIdentityProvider.create(undefined, () => NOW);
    const lead = LOCAL_PERSONAS.find((p) => p.id === 'lead');
    const { token, expiresAt } = await local.issue({ sub: lead?.sub as string, roles: lead?.roles as string[] });
    expect(expiresAt).toEqual(new Date(NOW.getTime() + 8 * 3_600_000));
    const header = (name: string) => (name === 'authorization' ? `Bearer ${token}` : undefined);
    expect(await local.verifier().principalOf(header)).toEqual({ ok: true, value: { id: 'lead-1', roles: ['lead'], queueRoles: [] } });
    expect(await other.verifier().principalOf(header)).toMatchObject({ ok: false });
    expect(await local.verifier(() => new Date(NOW.getTime() + 9 * 3_600_000)).principalOf(header)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/expired/) } });
  });

  it('loads the key it is given (tests and tools sign with the same key)', async () => {
    const key = await LocalIdentityProvider.newPrivateJwk();
    const a = await LocalIdentityProvider.create(key, () => NOW);
    const b = await LocalIdentityProvider.create(key, () => NOW);
    const { token } = await a.issue({ sub: 'ivy', roles: ['reviewer'] });
    expect(await b.verifier().principalOf((n) => (n === 'authorization' ? `Bearer ${token}` : undefined))).toMatchObject({ ok: true, value: { id: 'ivy' } });
    expect(b.publicJwk.d).toBeUndefined();
  });

  it('every persona has a platform role', () => {
    expect(LOCAL_PERSONAS.map((p) => p.id)).toEqual(expect.arrayContaining(['reviewer', 'tech-lead', 'lead', 'on-call', 'auditor', 'support', 'admin']));
    for (const p of LOCAL_PERSONAS) expect(p.roles.some((r) => ['reviewer', 'lead', 'on-call', 'auditor', 'support', 'admin'].includes(r))).toBe(true);
  });
});

describe('identity settings', () => {
  const read = (env: Record<string, string>) => {
    const reader = new EnvReader(env);
    const settings = readIdentitySettings(reader, env.ARBITER_ENV ?? 'local', 'arbiter-prod');
    return { settings, errors: reader.errors };
  };

  it('is local with ARBITER_ENV=local, IAP elsewhere, and never local outside local', () => {
    expect(read({ ARBITER_ENV: 'local' }).settings.mode).toBe('local');
    expect(read({ ARBITER_ENV: 'prod', ARBITER_IAP_AUDIENCE: IAP_AUD })).toEqual({ settings: { mode: 'iap', iapAudience: IAP_AUD }, errors: [] });
    expect(read({ ARBITER_ENV: 'prod' }).errors).toEqual([expect.stringContaining('ARBITER_IAP_AUDIENCE is required')]);
    expect(read({ ARBITER_ENV: 'prod', ARBITER_IDENTITY: 'local' }).errors).toEqual([expect.stringContaining('ARBITER_ENV=local only')]);
    expect(read({ ARBITER_ENV: 'prod', ARBITER_IDENTITY: 'identity-platform' })).toEqual({ settings: { mode: 'identity-platform', identityPlatformProject: 'arbiter-prod' }, errors: [] });
    expect(read({ ARBITER_ENV: 'prod', ARBITER_IAP_AUDIENCE: IAP_AUD, ARBITER_IDENTITY_JWKS_URL: 'https://evil.example/jwks' }).errors).toEqual([expect.stringContaining('only with ARBITER_ENV=local')]);
    expect(read({ ARBITER_ENV: 'local', ARBITER_LOCAL_IDENTITY_KEY: '{"kty":"oct","k":"abc"}' }).errors).toEqual([expect.stringContaining('P-256 private key')]);
  });
});
