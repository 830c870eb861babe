/**
 * review-queue as it runs behind Identity-Aware Proxy (`ARBITER_IDENTITY=iap`), as a process: IAP's
 * signed header is verified against a JWKS (here a local key pair's, served on loopback, in place of
 * Google's IAP keys), roles come from its `gcip` claims, and the local persona sign-in does not
 * exist. Wrong audience, wrong issuer, expired, unsigned, tampered, other-key assertions and a bearer
 * token instead of the header are refused.
 */
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload, type KeyLike } from 'jose';
import { provisionPubSub, pubSubClient, startServices, type Services } from '@arbiter/local-stack';
import { testEndpoints } from '@arbiter/testing';

jest.setTimeout(120_000);

const AUD = '/projects/123456789012/global/backendServices/4242424242';
const ISS = 'https://cloud.google.com/iap';
let services: Services;
let jwksServer: Server;
let key: KeyLike;
let otherKey: KeyLike;
let url: string;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  key = pair.privateKey;
  otherKey = (await generateKeyPair('ES256')).privateKey;
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'iap-test', alg: 'ES256' }] });
  jwksServer = createServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const address = jwksServer.address();
  const jwksUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/jwk`;
  const projectId = `iap-${randomUUID().slice(0, 8)}`;
  const admin = pubSubClient(projectId, testEndpoints().pubsubEmulatorHost);
  await provisionPubSub(admin);
  await admin.close();
  services = await startServices({
    endpoints: { ...testEndpoints(), projectId },
    ports: 'free',
    only: ['review-queue'],
    env: { ARBITER_IDENTITY: 'iap', ARBITER_IAP_AUDIENCE: AUD, ARBITER_IDENTITY_JWKS_URL: jwksUrl },
  });
  url = services.urlOf('review-queue');
});

afterAll(async () => {
  await services?.stop();
  await new Promise<void>((resolve) => (jwksServer ? jwksServer.close(() => resolve()) : resolve()));
});

const now = (): number => Math.floor(Date.now() / 1000);
const assertion = (payload: JWTPayload = {}, signWith: KeyLike = key): Promise<string> =>
  new SignJWT({ iss: ISS, aud: AUD, sub: 'accounts.google.com:1001', email: 'rosa@example.com', iat: now() - 5, exp: now() + 600, gcip: { sub: 'rosa-1', roles: ['reviewer', 'cleanliness-reviewer'] }, ...payload }).setProtectedHeader({ alg: 'ES256', kid: 'iap-test' }).sign(signWith);
const me = async (headers: Record<string, string>) => {
  const response = await fetch(`${url}/api/me`, { headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

it('takes who the proxy vouches for, with the roles of its Identity Platform claims', async () => {
  expect(await me({ 'x-goog-iap-jwt-assertion': await assertion() })).toEqual({ status: 200, body: { id: 'rosa-1', roles: ['reviewer'], queueRoles: ['cleanliness-reviewer'] } });
  expect(await (await fetch(`${url}/auth/config`)).json()).toEqual({ mode: 'iap' });
  const signIn = await fetch(`${url}/auth/local/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"persona":"admin"}' });
  expect(signIn.status).toBe(404);
});

it('refuses every assertion that is not the proxy\'s, for this backend, now', async () => {
  const good = await assertion();
  const [h, , s] = good.split('.');
  const elevated = Buffer.from(JSON.stringify({ iss: ISS, aud: AUD, sub: 'x', iat: now(), exp: now() + 600, gcip: { sub: 'rosa-1', roles: ['admin'] } })).toString('base64url');
  const refused: Array<[string, Record<string, string>]> = [
    ['nothing', {}],
    ['a bearer token instead of the header', { authorization: `Bearer ${good}` }],
    ['a wrong audience', { 'x-goog-iap-jwt-assertion': await assertion({ aud: '/projects/1/global/backendServices/2' }) }],
    ['a wrong issuer', { 'x-goog-iap-jwt-assertion': await assertion({ iss: 'https://accounts.google.com' }) }],
    ['an expired assertion', { 'x-goog-iap-jwt-assertion': await assertion({ iat: now() - 7200, exp: now() - 3600 }) }],
    ['an unsigned one', { 'x-goog-iap-jwt-assertion': `${Buffer.from('{"alg":"none"}').toString('base64url')}.${elevated}.` }],
    ['a tampered one', { 'x-goog-iap-jwt-assertion': `${h}.${elevated}.${s}` }],
    ['one signed with another key', { 'x-goog-iap-jwt-assertion': await assertion({}, otherKey) }],
    ['one without Identity Platform roles', { 'x-goog-iap-jwt-assertion': await assertion({ gcip: undefined, roles: ['admin'] }) }],
  ];
  for (const [what, headers] of refused) {
    const answer = await me(headers);
    expect({ what, status: answer.status, code: (answer.body.error as { code?: string } | undefined)?.code }).toEqual({ what, status: 401, code: 'AUTH.UNAUTHENTICATED' });
  }
});
