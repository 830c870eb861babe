/**
 * Only the right callers, and no PII out: the five services as processes on the emulators, in a
 * project of the run's own.
 *
 * - Event delivery is authenticated: a forged push or CloudEvent posted to the console's origin
 *   (review-queue) or to any other service is refused 401/403 and changes nothing; the same delivery
 *   through the local push signer (which adds an OIDC token as Google does) is taken.
 * - Hostile events (generated with fast-check, packages/platform/src/hostile.test-support.ts) pushed
 *   through the push signer to every subscription of every service: each is dead-lettered with an
 *   `arbiter-error-code`, no service restarts or grows without bound, and no case results.
 * - One redaction list: predictions of every shipped use case carry PII in every field their policy
 *   marks (`privacy.redact`), plus a malformed one that is dead-lettered; none of it appears in any
 *   service's log (at debug) or in any BigQuery audit row, where the fields read `[REDACTED]`.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PubSub } from '@google-cloud/pubsub';
import { readFileSync as readText } from 'node:fs';
import fc from 'fast-check';
import { Firestore } from '@google-cloud/firestore';
import { deadLetterTopicOf, EventTypes, Topics, toPubSubMessage, toPushRequest, createEvent, toHttpBinary } from '@arbiter/contract';
import { idFromEventIdentity } from '@arbiter/platform';
import { hostileFor, Subscriptions, typesOf } from '../../packages/platform/src/hostile.test-support';
import type { PredictionSubmitted } from '@arbiter/core';
import { demoPredictions, type Services } from '@arbiter/local-stack';
import { policiesForRun, startArbiterForTest } from '@arbiter/testing';
import { loadPolicies } from '@arbiter/policy';
import { endpoints, Observer, provisionRunProject, publishPrediction, pubsub, root, testIdentityKey, waitUntil } from './support';

jest.setTimeout(240_000);

const run = randomUUID().slice(0, 6);
const policies = policiesForRun(`sec${run}`);
const logDir = join(root, '.arbiter', 'logs', `e2e-security-${run}`);
let arbiter: Services;
let client: PubSub;
let projectId: string;

beforeAll(async () => {
  mkdirSync(logDir, { recursive: true });
  projectId = await provisionRunProject(`sec${run}`);
  arbiter = await startArbiterForTest({ projectId, policiesDir: policies.dir, identityKey: await testIdentityKey(), logDir });
  client = pubsub(projectId);
});

afterAll(async () => {
  await arbiter?.stop();
  await client?.close();
  policies.cleanup();
  rmSync(logDir, { recursive: true, force: true });
});

describe('event delivery is authenticated', () => {
  const REQUEUE = 'review-queue.requeue-on-evidence-submitted';
  const evidenceSubmitted = () => {
    const event = createEvent({ type: EventTypes.evidenceSubmitted, source: '//forger', id: randomUUID(), data: { caseId: `case_forged_${run}`, evidence: [{ uri: 'gs://x/y.jpg', role: 'return', mediaType: 'image/jpeg' }], submittedBy: 'crew-1' } as never });
    if (!event.ok) throw new Error(event.error.message);
    return event.value;
  };

  it('a forged event posted to the console\'s origin is refused; through the push signer it is taken', async () => {
    const reviewQueue = arbiter.urlOf('review-queue');
    const event = evidenceSubmitted();
    const push = toPushRequest(toPubSubMessage(event), { format: 'wrapped', messageId: '7', publishTime: new Date().toISOString(), subscription: `projects/${projectId}/subscriptions/${REQUEUE}` });
    const http = toHttpBinary(event);
    const forgedJwt = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ email: 'arbiter-push@arbiter-local.iam.gserviceaccount.com', email_verified: true, aud: 'arbiter-local-push', exp: 4102444800 })).toString('base64url')}.c2lnbmF0dXJl`;
    for (const authorization of [undefined, `Bearer ${forgedJwt}`, `Bearer ${await arbiter.pushSigner.mint({ aud: 'https://elsewhere.example' })}`]) {
      const headers: Record<string, string> = authorization ? { authorization } : {};
      const pushed = await fetch(`${reviewQueue}/pubsub/push/${REQUEUE}`, { method: 'POST', headers: { ...push.headers, ...headers }, body: push.body });
      const posted = await fetch(`${reviewQueue}/events/${REQUEUE}`, { method: 'POST', headers: { ...http.headers, ...headers }, body: http.body });
      expect([pushed.status, posted.status]).toEqual([401, 401]);
    }
    // Every other service the same way.
    for (const service of arbiter.services) {
      const response = await fetch(`${service.url}/pubsub/push/anything`, { method: 'POST', headers: push.headers, body: push.body });
      expect({ service: service.name, status: response.status }).toEqual({ service: service.name, status: expect.any(Number) });
      expect([401, 403, 404]).toContain(response.status);
    }
    const metrics = async () => ((await (await fetch(`${reviewQueue}/metrics`)).json()) as { deliveries: Record<string, { handled: number; deadLettered: number; ignored: number }> }).deliveries[REQUEUE];
    expect(await metrics()).toEqual({ handled: 0, retried: 0, ignored: 0, deadLettered: 0, deadLettersByCode: {} });

    // The same delivery through the local push signer reaches the handler (an unknown case: acknowledged, 204).
    const signed = await fetch(`${arbiter.pushSigner.endpointBaseOf('review-queue')}/pubsub/push/${REQUEUE}`, { method: 'POST', headers: push.headers, body: push.body });
    expect(signed.status).toBe(204);
    const after = await metrics();
    expect((after?.handled ?? 0) + (after?.deadLettered ?? 0)).toBe(1);
  });

  it('the emulator pushes through the local push signer, as Pub/Sub pushes with its OIDC token', async () => {
    // A push subscription of the test's own on arbiter-evidence, pointing where `pnpm start --push`
    // points review-queue's: the signer, which adds the token the service verifies.
    const name = `sec-push-${run}`;
    const endpoint = `${arbiter.pushSigner.endpointBaseOf('review-queue')}/pubsub/push/${REQUEUE}`;
    const [subscription] = await client.topic(Topics.evidence).createSubscription(name, { pushConfig: { pushEndpoint: endpoint }, ackDeadlineSeconds: 10 });
    const letters = await Observer.onTopic(client, deadLetterTopicOf(REQUEUE));
    try {
      const forwardedBefore = arbiter.pushSigner.forwarded.get(204) ?? 0;
      const event = evidenceSubmitted();
      await client.topic(Topics.evidence).publishMessage(toPubSubMessage(event));
      // Pushed by the emulator through the signer, and answered 204 by review-queue once it verified the
      // token (the signer counts the answer after the service has dead-lettered, so wait for the count).
      await waitUntil('the emulator push forwarded by the signer and taken', async () => ((arbiter.pushSigner.forwarded.get(204) ?? 0) - forwardedBefore >= 1 ? true : undefined), 60_000);
      // Delivered twice: by review-queue's own streaming pull and by the push; both reach the handler
      // (an unknown case: dead-lettered).
      const dead = await letters.waitFor((m) => m.attributes['ce-id'] === event.id, 2, 60_000);
      expect(dead.map((m) => m.attributes['arbiter-error-code'])).toEqual(['CASE.NOT_FOUND', 'CASE.NOT_FOUND']);
    } finally {
      await letters.close();
      await subscription.delete();
    }
  });
});

describe('hostile events at every subscription of the running services', () => {
  const PER_SUBSCRIPTION = 60;
  const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readText(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

  it('dead-letters every one with a code, keeps every service up, and opens no case', async () => {
    const observer = await Observer.onTopics(client, Subscriptions.map((spec) => deadLetterTopicOf(spec.name)));
    const firestore = new Firestore({ projectId, ignoreUndefinedProperties: true });
    const pidsBefore = new Map(arbiter.services.map((s) => [s.name, s.pid]));
    const rssBefore = new Map(arbiter.services.map((s) => [s.name, rssMb(s.pid)]));
    const sent: Array<{ messageId: string; subscription: string; kind: string; caseId?: string }> = [];
    const statuses: Record<string, number> = {};
    try {
      for (const [index, spec] of Subscriptions.entries()) {
        const stream = fc.sample(fc.constantFrom(...typesOf(spec)).chain((type) => hostileFor(type, { maxHugeBytes: 300_000 })), { numRuns: PER_SUBSCRIPTION, seed: 1207 + index });
        for (const [i, hostile] of stream.entries()) {
          const messageId = `hx-${run}-${index}-${i}`;
          const push = toPushRequest({ data: hostile.data, attributes: hostile.attributes }, { format: 'wrapped', messageId, publishTime: new Date().toISOString(), subscription: `projects/${projectId}/subscriptions/${spec.name}` });
          const response = await fetch(`${arbiter.pushSigner.endpointBaseOf(spec.service)}/pubsub/push/${spec.name}`, { method: 'POST', headers: push.headers, body: push.body });
          statuses[response.status] = (statuses[response.status] ?? 0) + 1;
          const ceId = hostile.attributes['ce-id'];
          const caseId = ceId && hostile.attributes['ce-source'] ? idFromEventIdentity('case', hostile.attributes['ce-source'], ceId) : undefined;
          sent.push({ messageId, subscription: spec.name, kind: hostile.kind, ...(caseId ? { caseId } : {}) });
        }
      }
      // Bigger than the HTTP route's 1 MB but within Pub/Sub's 10 MB: read whole and dead-lettered too.
      {
        const spec = Subscriptions[0] as (typeof Subscriptions)[number];
        const messageId = `hx-${run}-big`;
        const attributes = { 'ce-specversion': '1.0', 'ce-id': `big-${run}`, 'ce-source': '//hostile/test', 'ce-type': EventTypes.predictionSubmitted, 'content-type': 'application/json' };
        const push = toPushRequest({ data: Buffer.from(JSON.stringify({ useCase: 'vehicle-cleanliness', x_blob: 'A'.repeat(3_000_000) })), attributes }, { format: 'wrapped', messageId, publishTime: new Date().toISOString(), subscription: `projects/${projectId}/subscriptions/${spec.name}` });
        const response = await fetch(`${arbiter.pushSigner.endpointBaseOf(spec.service)}/pubsub/push/${spec.name}`, { method: 'POST', headers: push.headers, body: push.body });
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        sent.push({ messageId, subscription: spec.name, kind: 'over 1 MB (3 MB)', caseId: idFromEventIdentity('case', '//hostile/test', `big-${run}`) });
      }
      // Every push acknowledged (204): dead-lettered, not left to be redelivered.
      expect(statuses).toEqual({ 204: sent.length });
      const letters = await observer.waitFor((m) => m.attributes['arbiter-message-id']?.startsWith(`hx-${run}-`) ?? false, sent.length, 120_000);
      const byId = new Map(letters.map((m) => [m.attributes['arbiter-message-id'], m.attributes]));
      const outcomes: Record<string, number> = {};
      for (const s of sent) {
        const attributes = byId.get(s.messageId);
        expect({ message: s.messageId, kind: s.kind, subscription: attributes?.['arbiter-subscription'], coded: (attributes?.['arbiter-error-code'] ?? '').length > 0, said: (attributes?.['arbiter-error-message'] ?? '').length > 0 }).toEqual({ message: s.messageId, kind: s.kind, subscription: s.subscription, coded: true, said: true });
        const key = `${s.kind} → ${attributes?.['arbiter-error-code']}`;
        outcomes[key] = (outcomes[key] ?? 0) + 1;
      }
      process.stdout.write(`hostile events at the running services: ${sent.length} pushed, ${letters.length} dead-lettered\n${JSON.stringify(outcomes, null, 2)}\n`);
      // No case came of them, and every service is the same process, healthy.
      const caseIds = [...new Set(sent.flatMap((s) => (s.caseId ? [s.caseId] : [])))];
      for (let i = 0; i < caseIds.length; i += 100) {
        const refs = caseIds.slice(i, i + 100).map((id) => firestore.collection('cases').doc(id));
        expect((await firestore.getAll(...refs)).filter((snap) => snap.exists).map((snap) => snap.id)).toEqual([]);
      }
      for (const service of arbiter.services) {
        expect({ service: service.name, pid: service.pid, health: (await fetch(`${service.url}/healthz`)).status }).toEqual({ service: service.name, pid: pidsBefore.get(service.name), health: 200 });
        const growth = rssMb(service.pid) - (rssBefore.get(service.name) ?? 0);
        process.stdout.write(`${service.name}: RSS ${rssBefore.get(service.name)?.toFixed(0)} → ${rssMb(service.pid).toFixed(0)} MB\n`);
        expect({ service: service.name, growthUnder150Mb: growth < 150 }).toEqual({ service: service.name, growthUnder150Mb: true });
      }
    } finally {
      await observer.close();
      await firestore.terminate();
    }
  });
});

describe('one redaction list: no PII in any log or audit row', () => {
  it('PII in every field a policy marks reaches neither the logs nor BigQuery', async () => {
    const loaded = loadPolicies(policies.dir);
    if (!loaded.ok) throw new Error(loaded.error.message);
    const marker = `PII${run}`;
    const seeded: Array<{ caseId: string; useCase: string; fields: string[] }> = [];
    const deadLetters = await Observer.onTopic(client, deadLetterTopicOf('confidence-assessor.assess-on-prediction-submitted'));
    try {
      for (const base of demoPredictions({ perUseCase: 1, seed: 7, now: new Date() })) {
        const found = loaded.value.get(base.useCase);
        if (!found.ok) throw new Error(found.error.message);
        const policy = found.value;
        const context: Record<string, unknown> = { ...(base.context ?? {}) };
        const fields: string[] = [];
        for (const path of policy.privacy.redact) {
          const [head, field] = path.split('.');
          if (head !== 'context' || !field) throw new Error(`the test seeds context fields only; ${policy.id} marks ${path}`);
          context[field] = `${marker}-${policy.id}-${field}@example.com`;
          fields.push(field);
        }
        const data: PredictionSubmitted = { ...base, context };
        const { caseId } = await publishPrediction(client, data);
        seeded.push({ caseId, useCase: policy.id, fields });
      }
      expect(seeded.map((s) => s.useCase).sort()).toEqual(loaded.value.list().map((p) => p.id).sort());
      // A malformed prediction carrying the same PII: dead-lettered, and its error logged.
      const broken = { ...demoPredictions({ perUseCase: 1, seed: 8, now: new Date() })[0], model: { name: 42 }, context: { customerEmail: `${marker}-broken@example.com`, customerName: `${marker} Broken` } };
      const brokenId = randomUUID();
      // Published as upstream would send it, unchecked (createEvent would refuse it).
      await client.topic(Topics.predictions).publishMessage({ data: Buffer.from(JSON.stringify(broken)), attributes: { 'ce-specversion': '1.0', 'ce-id': brokenId, 'ce-source': '//e2e/upstream', 'ce-type': EventTypes.predictionSubmitted, 'content-type': 'application/json' } });
      await deadLetters.waitFor((m) => m.attributes['ce-id'] === brokenId);

      const { bigqueryEmulatorHost, projectId: bigQueryProject } = endpoints();
      const rowsOf = async (): Promise<Array<Record<string, unknown>>> => {
        const ids = seeded.map((s) => `'${s.caseId}'`).join(',');
        const response = await fetch(`${bigqueryEmulatorHost}/bigquery/v2/projects/${bigQueryProject}/queries`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: `SELECT * FROM arbiter_audit.audit_events WHERE case_id IN (${ids})`, useLegacySql: false }),
        });
        const body = (await response.json()) as { schema?: { fields: Array<{ name: string }> }; rows?: Array<{ f: Array<{ v: unknown }> }> };
        const names = body.schema?.fields.map((field) => field.name) ?? [];
        return (body.rows ?? []).map((row) => Object.fromEntries(row.f.map((cell, index) => [names[index] as string, cell.v])));
      };
      const rows = await waitUntil(
        'a case.opened and a case.routed audit row for every seeded case',
        async () => {
          const found = await rowsOf();
          const has = (caseId: string, type: string) => found.some((row) => row.case_id === caseId && row.event_type === type);
          return seeded.every((s) => has(s.caseId, EventTypes.caseOpened) && has(s.caseId, EventTypes.caseRouted)) ? found : undefined;
        },
        90_000,
      );
      expect(JSON.stringify(rows)).not.toContain(marker);
      // Not vacuous: each seeded field is in the opened case's payload, redacted.
      for (const s of seeded) {
        const opened = rows.find((row) => row.case_id === s.caseId && row.event_type === EventTypes.caseOpened);
        const payload = JSON.parse(String(opened?.payload)) as { prediction: { context: Record<string, unknown> } };
        for (const field of s.fields) expect({ useCase: s.useCase, field, value: payload.prediction.context[field] }).toEqual({ useCase: s.useCase, field, value: '[REDACTED]' });
      }
    } finally {
      await deadLetters.close();
    }

    // Every service's log, at debug, after all of the above: the cases are there, their PII is not.
    const logs = readdirSync(logDir).filter((f) => f.endsWith('.log'));
    expect(logs.sort()).toEqual(arbiter.services.map((s) => `${s.name}.log`).sort());
    const all = logs.map((file) => readFileSync(join(logDir, file), 'utf8')).join('\n');
    for (const s of seeded) expect(all).toContain(s.caseId);
    const leaks = all.split('\n').filter((line) => line.includes(marker));
    expect(leaks).toEqual([]);
  });
});
