/**
 * The reviewer API under hostile input, generated with fast-check: every route of the authorization
 * matrix (so every route of openapi.yaml) gets malformed and hostile bodies (any JSON, wrong types,
 * `__proto__` / `constructor` keys, deep nesting, bodies over the limit, invalid JSON, invalid UTF-8,
 * binary garbage, other content types), query strings and path segments (repeated keys, bracket
 * keys, broken percent-encoding, huge values). Every answer must be below 500, and every 4xx must be
 * `{ error: { code, message } }` with a message that says what to fix. Counts per status are printed
 * (HOSTILE_REPORT=1) for the closing note.
 */
import fc from 'fast-check';
import { Collections, queueItemId } from '@arbiter/case-store';
import { MATRIX } from './authz-matrix';
import { publish, routedEvent, startApp, token, withoutQualitySampling, writeCase, waitUntil, type Running } from './support';

jest.setTimeout(300_000);

let app: Running;
let ids: Record<string, string>;
let admin: string;
let reviewer: string;
const counts: Record<string, Record<string, number>> = {};
let generated = 0;

beforeAll(async () => {
  app = await startApp({ editPolicies: withoutQualitySampling });
  const queue = app.queue('cleanliness-review');
  const doc = await writeCase(app.firestore, {});
  await publish(app, routedEvent(doc, queue));
  await waitUntil('item', async () => ((await app.firestore.collection(Collections.queueItems).doc(queueItemId(doc.caseId, 'decision')).get()).exists ? true : undefined), 20_000);
  ids = { queue, caseId: doc.caseId, itemId: queueItemId(doc.caseId, 'decision'), index: '0', subjectType: doc.subject.type, subjectId: doc.subject.id };
  admin = await token('hx-admin', ['admin']);
  reviewer = await token('hx-reviewer', ['reviewer', 'cleanliness-reviewer']);
});

afterAll(async () => {
  if (process.env.HOSTILE_REPORT) process.stdout.write(`hostile API requests: ${generated} generated\n${JSON.stringify(counts, null, 2)}\n`);
  await app?.close();
});

type Body = { kind: string; contentType?: string; payload: string | Buffer };

const json = (kind: string, value: unknown): Body => ({ kind, contentType: 'application/json', payload: JSON.stringify(value) ?? 'null' });
const bodies: fc.Arbitrary<Body> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => json('any JSON', v)),
  fc.dictionary(fc.constantFrom('optionId', 'reasonCode', 'notes', 'itemIds', 'flagged', 'what', 'reassignTo', 'approval', 'checklist'), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 3000 })), { maxKeys: 5 }).map((v) => json('known fields, any values', v)),
  fc.tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.jsonValue({ maxDepth: 2 })).map(([k, v]) => ({ kind: '__proto__/constructor key', contentType: 'application/json', payload: `{${JSON.stringify(k)}:{"isAdmin":true,"x":${JSON.stringify(v)}},"optionId":"approve"}` })),
  fc.integer({ min: 500, max: 20_000 }).map((d) => ({ kind: 'deeply nested', contentType: 'application/json', payload: `{"optionId":${'['.repeat(d)}${']'.repeat(d)}}` })),
  fc.integer({ min: 300_000, max: 600_000 }).map((n) => ({ kind: 'over the size limit', contentType: 'application/json', payload: `{"notes":"${'A'.repeat(n)}"}` })),
  fc.string({ minLength: 1, maxLength: 200 }).filter((t) => { try { JSON.parse(t); return false; } catch { return true; } }).map((t) => ({ kind: 'invalid JSON', contentType: 'application/json', payload: t })),
  fc.uint8Array({ minLength: 1, maxLength: 2000 }).map((b) => ({ kind: 'binary garbage', contentType: 'application/octet-stream', payload: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(b)]) })),
  fc.constant<Body>({ kind: 'invalid UTF-8', contentType: 'application/json', payload: Buffer.concat([Buffer.from('{"optionId":"'), Buffer.from([0xc3, 0x28, 0xa0, 0xa1]), Buffer.from('"}')]) }),
  fc.jsonValue({ maxDepth: 2 }).map((v) => ({ kind: 'other content type', contentType: fc.sample(fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml'), 1)[0] as string, payload: JSON.stringify(v) ?? 'null' })),
);

const queryPart = fc.oneof(
  fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 })).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`),
  fc.constantFrom('limit=-1', 'limit=1e309', 'limit=abc', 'limit=999999999', 'cursor=%E0%A4%A', 'cursor=%', 'limit[]=1&limit[]=2', '__proto__[isAdmin]=1', 'constructor[prototype][x]=1', 'a[b][c][d][e][f][g]=1', 'status=open&status=done'),
  fc.integer({ min: 1_000, max: 6_000 }).map((n) => `cursor=${'x'.repeat(n)}`),
);
const query = fc.array(queryPart, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('&'));
const segment = fc.oneof(fc.string({ minLength: 1, maxLength: 30 }).map(encodeURIComponent), fc.constantFrom('%', '%E0%A4%A', '..', '%2e%2e', '%00', 'a%2Fb', '__proto__', 'constructor', '9'.repeat(30)));

function count(route: string, status: number): void {
  generated += 1;
  counts[route] ??= {};
  const bucket = status >= 500 ? `${status} (SERVER ERROR)` : String(status);
  (counts[route] as Record<string, number>)[bucket] = ((counts[route] as Record<string, number>)[bucket] ?? 0) + 1;
}

async function send(method: string, path: string, auth: string, body?: Body): Promise<{ status: number; text: string }> {
  const response = await fetch(`${app.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${auth}`, ...(body?.contentType ? { 'content-type': body.contentType } : {}) },
    ...(body ? { body: typeof body.payload === 'string' ? body.payload : new Uint8Array(body.payload) } : {}),
  });
  return { status: response.status, text: await response.text() };
}

function expectUsefulAnswer(what: string, answer: { status: number; text: string }): void {
  expect({ what, serverError: answer.status >= 500 }).toEqual({ what, serverError: false });
  if (answer.status >= 400) {
    const parsed = JSON.parse(answer.text) as { error?: { code?: unknown; message?: unknown } };
    expect({ what, code: typeof parsed.error?.code, message: typeof parsed.error?.message === 'string' && parsed.error.message.length >= 10 }).toEqual({ what, code: 'string', message: true });
  }
}

const fill = (path: string, values: Record<string, string>): string => path.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? name);

describe.each(MATRIX.filter((row) => row.method === 'POST').map((row): [string, string] => [`POST ${row.path}`, row.path]))('%s: hostile bodies', (route, path) => {
  it('answers below 500, a 4xx with a message saying what to fix', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, fc.constantFrom('admin', 'reviewer'), async (body, who) => {
        const answer = await send('POST', fill(path, ids), who === 'admin' ? admin : reviewer, body);
        count(route, answer.status);
        expectUsefulAnswer(`${route} with ${body.kind}`, answer);
      }),
      { numRuns: 60, seed: 1207 },
    );
  });
});

describe.each(MATRIX.map((row): [string, string, string] => [`${row.method} ${row.path}`, row.method, row.path]))('%s: hostile query strings and path segments', (route, method, path) => {
  it('answers below 500, a 4xx with a message saying what to fix', async () => {
    await fc.assert(
      fc.asyncProperty(query, fc.dictionary(fc.constantFrom('queue', 'caseId', 'itemId', 'index', 'subjectType', 'subjectId'), segment), async (q, segments) => {
        const url = `${fill(path, { ...ids, ...segments })}?${q}`;
        const answer = await send(method, url, admin, method === 'POST' ? json('empty object', {}) : undefined);
        count(`${route} (query/path)`, answer.status);
        expectUsefulAnswer(`${method} ${url.slice(0, 200)}`, answer);
      }),
      { numRuns: 40, seed: 1207 },
    );
  });
});
