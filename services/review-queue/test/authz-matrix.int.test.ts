/**
 * Runs the authorization matrix (authz-matrix.ts) against the running service: every route of
 * openapi.yaml × every role and every way of not being anyone, each cell from a fresh fixture.
 * A route of openapi.yaml without a row fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importJWK, SignJWT, type KeyLike } from 'jose';
import { parse } from 'yaml';
import { queueItemId, Collections, type QueueItemDoc } from '@arbiter/case-store';
import { LocalIdentityProvider, LOCAL_IDENTITY_AUDIENCE, LOCAL_IDENTITY_ISSUER } from '../src/identity';
import { CALLERS, MATRIX, ROLES, type Caller, type Fixture, type MatrixRow } from './authz-matrix';
import { call, waitUntil, localIdentityKey, publish, routedEvent, startApp, token, withoutQualitySampling, writeCase, type Running } from './support';

jest.setTimeout(300_000);

const openapi = parse(readFileSync(join(__dirname, '..', 'openapi.yaml'), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const documented = Object.entries(openapi.paths).flatMap(([path, ops]) => Object.keys(ops).filter((m) => METHODS.includes(m)).map((m) => `${m.toUpperCase()} ${path}`));

let app: Running;
let queue: string;
const tokens = new Map<Caller, string | undefined>();

beforeAll(async () => {
  app = await startApp({ editPolicies: withoutQualitySampling });
  queue = app.queue('cleanliness-review');
  const jwk = await localIdentityKey();
  const key = (await importJWK(jwk, 'ES256')) as KeyLike;
  const now = Math.floor(Date.now() / 1000);
  const signed = (claims: { iss?: string; aud?: string; exp?: number }) =>
    new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'ES256', kid: jwk.kid as string })
      .setSubject('mx-intruder')
      .setIssuer(claims.iss ?? LOCAL_IDENTITY_ISSUER)
      .setAudience(claims.aud ?? LOCAL_IDENTITY_AUDIENCE)
      .setIssuedAt(now - 60)
      .setExpirationTime(claims.exp ?? now + 600)
      .sign(key);
  for (const role of ROLES) tokens.set(role, await token(`mx-${role}`, role === 'reviewer' ? ['reviewer', 'cleanliness-reviewer'] : [role]));
  const genuine = await token('mx-intruder', ['admin']);
  const at = genuine.lastIndexOf('.') + 1;
  const payload = genuine.split('.')[1] as string;
  tokens.set('no token', undefined);
  tokens.set('expired', await token('mx-intruder', ['admin'], { ttlSeconds: -60 }));
  // Every bit of the signature counts: change its first character.
  tokens.set('forged signature', `${genuine.slice(0, at)}${genuine[at] === 'A' ? 'B' : 'A'}${genuine.slice(at + 1)}`);
  tokens.set('alg none', `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`);
  tokens.set('wrong audience', await signed({ aud: 'another-service' }));
  tokens.set('wrong issuer', await signed({ iss: 'https://accounts.example.com' }));
  const other = await LocalIdentityProvider.create();
  tokens.set('another key', (await other.issue({ sub: 'mx-intruder', roles: ['admin'] })).token);
});

afterAll(async () => {
  await app?.close();
});

interface FixtureIds {
  queue: string;
  itemId: string;
  caseId: string;
  index: string;
  subjectType: string;
  subjectId: string;
  batchId: string;
}

async function fixture(kind: Fixture): Promise<FixtureIds> {
  if (kind === 'none') return { queue, itemId: 'none~decision', caseId: 'none', index: '0', subjectType: 'booking', subjectId: 'none', batchId: 'batch-none' };
  const doc = await writeCase(app.firestore, { label: 'heavily_soiled' });
  await publish(app, routedEvent(doc, queue));
  const itemId = queueItemId(doc.caseId, 'decision');
  await waitUntil(`item of ${doc.caseId}`, async () => ((await app.firestore.collection(Collections.queueItems).doc(itemId).get()).data() as QueueItemDoc | undefined), 20_000);
  if (kind === 'claimed') {
    const claimed = await call(app, 'POST', `/api/items/${itemId}/claim`, await token('holder', ['reviewer', 'cleanliness-reviewer']));
    if (claimed.status !== 200) throw new Error(`fixture: holder could not claim ${itemId}: ${claimed.status}`);
  }
  return { queue, itemId, caseId: doc.caseId, index: '0', subjectType: doc.subject.type, subjectId: doc.subject.id, batchId: 'batch-none' };
}

const fill = (text: string, ids: FixtureIds): string => text.replace(/\{(\w+)\}/g, (_, name: keyof FixtureIds) => encodeURIComponent(ids[name]));
const fillBody = (body: unknown, ids: FixtureIds): unknown => (body === undefined ? undefined : JSON.parse(JSON.stringify(body), (_k, v: unknown) => (typeof v === 'string' ? v.replace(/\{(\w+)\}/g, (_m, name: keyof FixtureIds) => ids[name]) : v)));

it('has a row for every route of openapi.yaml, and no row for a route it does not document', () => {
  const rows = MATRIX.map((row) => `${row.method} ${row.path}`);
  expect(documented.length).toBeGreaterThan(10);
  expect(documented.filter((route) => !rows.includes(route))).toEqual([]);
  expect(rows.filter((route) => !documented.includes(route))).toEqual([]);
  expect(new Set(rows).size).toBe(rows.length);
  for (const row of MATRIX) expect(Object.keys(row.expect).sort()).toEqual([...CALLERS].sort());
});

describe.each(MATRIX.map((row): [string, MatrixRow] => [`${row.method} ${row.path}`, row]))('%s', (_name, row) => {
  it('answers every caller as the matrix says', async () => {
    const got: Partial<Record<Caller, number>> = {};
    const messages: string[] = [];
    let shared: FixtureIds | undefined;
    for (const caller of CALLERS) {
      // A role's cell may change the state (a claim, a decision): a fresh fixture each. Nobodies change
      // nothing (refused before anything is read), so they share one.
      const ids = (ROLES as readonly string[]).includes(caller) ? await fixture(row.fixture) : (shared ??= await fixture(row.fixture));
      const response = await call(app, row.method, fill(row.path, ids), tokens.get(caller), fillBody(row.body, ids));
      got[caller] = response.status;
      if (response.status >= 400) {
        const message = response.body?.error?.message;
        if (typeof message !== 'string' || message.length < 8) messages.push(`${caller}: ${response.status} without a message saying why`);
      }
    }
    expect(got).toEqual(row.expect);
    expect(messages).toEqual([]);
  });
});
