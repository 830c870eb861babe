/**
 * Only the right callers, and no PII out: the five services as processes on the emulators, in a
 * project of the run's own.
 *
 * - Event delivery is authenticated: a forged push or CloudEvent posted to the console's origin
 *   (review-queue) or to any other service is refused 401/403 and changes nothing; the same delivery
 *   through the local push signer (which adds an OIDC token as Google does) is taken.
 * - One redaction list: predictions of every shipped use case carry PII in every field their policy
 *   marks (`privacy.redact`), plus a malformed one that is dead-lettered; none of it appears in any
 *   service's log (at debug) or in any BigQuery audit row, where the fields read `[REDACTED]`.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PubSub } from '@google-cloud/pubsub';
import { deadLetterTopicOf, EventTypes, toPubSubMessage, toPushRequest, createEvent, toHttpBinary } from '@arbiter/contract';
import type { PredictionSubmitted } from '@arbiter/core';
import { demoPredictions, policiesForRun, startArbiterForTest, type Services } from '@arbiter/infra';
import { loadPolicies } from '@arbiter/policy';
import { endpoints, Observer, provisionRunProject, publishPrediction, pubsub, root, testIdentityKey, waitUntil as eventually } from './support';

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
      await publishPrediction(client, broken as unknown as PredictionSubmitted, brokenId);
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
      const rows = await eventually(
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
