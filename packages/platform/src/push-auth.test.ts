import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { EnvReader } from './config';
import { GOOGLE_OIDC_JWKS_URL, OidcPushAuthenticator, readPushAuthSettings } from './push-auth';

const AUD = 'https://router-abc.a.run.app';
const SA = 'arbiter-push@proj.iam.gserviceaccount.com';
const ISS = 'https://accounts.google.com';

describe('OidcPushAuthenticator', () => {
  let key: KeyLike;
  let other: KeyLike;
  let auth: OidcPushAuthenticator;
  const now = new Date('2026-12-07T10:00:00Z');
  const t = Math.floor(now.getTime() / 1000);

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    key = pair.privateKey;
    other = (await generateKeyPair('RS256')).privateKey;
    const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' }] });
    auth = new OidcPushAuthenticator({ audience: AUD, serviceAccount: SA, issuers: [ISS, 'accounts.google.com'] }, jwks, () => now);
  });

  const token = (claims: Record<string, unknown> = {}, signWith: KeyLike = key, kid = 'k1'): Promise<string> =>
    new SignJWT({ email: SA, email_verified: true, iss: ISS, aud: AUD, iat: t - 10, exp: t + 3590, ...claims }).setProtectedHeader({ alg: 'RS256', kid }).sign(signWith);

  it('accepts a token from the push service account for this audience', async () => {
    expect(await auth.check(`Bearer ${await token()}`)).toEqual({ ok: true, email: SA });
    expect(await auth.check(`Bearer ${await token({ iss: 'accounts.google.com' })}`)).toEqual({ ok: true, email: SA });
  });

  it.each([
    ['no header', async () => undefined],
    ['not a bearer', async () => 'Basic dXNlcjpwYXNz'],
    ['wrong audience', async () => `Bearer ${await token({ aud: 'https://other.a.run.app' })}`],
    ['wrong issuer', async () => `Bearer ${await token({ iss: 'https://evil.example' })}`],
    ['expired', async () => `Bearer ${await token({ iat: t - 7200, exp: t - 3600 })}`],
    ['signed with another key', async () => `Bearer ${await token({}, other)}`],
    ['alg none', async () => `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ email: SA, email_verified: true, iss: ISS, aud: AUD, iat: t, exp: t + 60 })).toString('base64url')}.`],
    ['tampered payload', async () => { const [h, , s] = (await token()).split('.'); return `Bearer ${h}.${Buffer.from(JSON.stringify({ email: SA, email_verified: true, iss: ISS, aud: AUD, iat: t, exp: t + 9999 })).toString('base64url')}.${s}`; }],
  ])('refuses %s with 401', async (_what, header) => {
    const outcome = await auth.check(await header());
    expect(outcome).toMatchObject({ ok: false, status: 401, code: 'AUTH.UNAUTHENTICATED' });
  });

  it('refuses another service account, or an unverified email, with 403', async () => {
    expect(await auth.check(`Bearer ${await token({ email: 'intruder@proj.iam.gserviceaccount.com' })}`)).toMatchObject({ ok: false, status: 403 });
    expect(await auth.check(`Bearer ${await token({ email_verified: false })}`)).toMatchObject({ ok: false, status: 403 });
  });
});

describe('readPushAuthSettings', () => {
  const read = (env: Record<string, string>, publicOrigin = false) => {
    const reader = new EnvReader(env);
    const settings = readPushAuthSettings(reader, env.ARBITER_ENV ?? 'local', { publicOrigin });
    return { settings, errors: reader.errors };
  };

  it('verifies by default, with Google\'s keys and issuers', () => {
    const { settings, errors } = read({ ARBITER_ENV: 'prod', ARBITER_PUSH_AUDIENCE: AUD, ARBITER_PUSH_SERVICE_ACCOUNT: SA });
    expect(errors).toEqual([]);
    expect(settings).toEqual({ mode: 'oidc', audience: AUD, serviceAccount: SA, issuers: ['https://accounts.google.com', 'accounts.google.com'], jwksUrl: GOOGLE_OIDC_JWKS_URL });
  });

  it('needs the audience and the service account outside local', () => {
    expect(read({ ARBITER_ENV: 'prod' }).errors).toEqual([expect.stringContaining('ARBITER_PUSH_AUDIENCE is required'), expect.stringContaining('ARBITER_PUSH_SERVICE_ACCOUNT is required')]);
  });

  it('turns off only with ARBITER_ENV=local and never on the public origin', () => {
    expect(read({ ARBITER_ENV: 'local', ARBITER_PUSH_AUTH: 'off' }).errors).toEqual([]);
    expect(read({ ARBITER_ENV: 'dev', ARBITER_PUSH_AUTH: 'off', ARBITER_PUSH_AUDIENCE: AUD, ARBITER_PUSH_SERVICE_ACCOUNT: SA }).errors).toEqual([expect.stringContaining('only with ARBITER_ENV=local')]);
    expect(read({ ARBITER_ENV: 'local', ARBITER_PUSH_AUTH: 'off' }, true).errors).toEqual([expect.stringContaining('never allowed on review-queue')]);
  });

  it('trusts other keys or issuers only locally', () => {
    const errors = read({ ARBITER_ENV: 'prod', ARBITER_PUSH_AUDIENCE: AUD, ARBITER_PUSH_SERVICE_ACCOUNT: SA, ARBITER_PUSH_JWKS_URL: 'https://evil.example/jwks', ARBITER_PUSH_ISSUER: 'https://evil.example' }).errors;
    expect(errors).toEqual([expect.stringContaining('ARBITER_PUSH_ISSUER'), expect.stringContaining('ARBITER_PUSH_JWKS_URL')]);
    expect(read({ ARBITER_ENV: 'local', ARBITER_PUSH_JWKS_URL: 'http://127.0.0.1:9/jwks.json', ARBITER_PUSH_ISSUER: 'http://127.0.0.1:9' }).errors).toEqual([]);
  });
});
