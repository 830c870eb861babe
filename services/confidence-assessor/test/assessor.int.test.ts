/**
 * The confidence assessor against the real emulators: the app is built with app.ts and runs in this
 * process (host on port 0); predictions are published as binary-mode CloudEvents on the real topic;
 * what it writes is read back from Firestore and what it emits is observed on arbiter-case-opened and on
 * the subscription's dead-letter topic.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createEvent, deadLetterInspectionOf, EventSources, EventTypes, SubscriptionNames, Topics, toHttpBinary, toPubSubMessage, toPushRequest, type ArbiterEvent } from '@arbiter/contract';
import type { PredictionSubmitted } from '@arbiter/core';
import { CaseStore, Collections, type CaseDoc } from '@arbiter/case-store';
import { createFirestore, createLogger, idFromEventIdentity, LOCAL_PUSH_AUDIENCE, LOCAL_PUSH_SERVICE_ACCOUNT, OutboxRelay, pushAuthenticatorOf, ServiceHost, systemClock } from '@arbiter/platform';
import { startPushSigner, type PushSigner } from '@arbiter/local-stack';
import { loadPolicies } from '@arbiter/policy';
import { buildAssessorApp } from '../src/app';
import { FirestoreCaseOpenings } from '../src/case-openings.firestore';
import { bySubjectAndType, Observer, provisionPubSub, publishEvent, publishRaw, testPubSub, type PubSubClient, waitUntil } from './support';

const SOURCE = '//test/vision-cleanliness';

function prediction(overrides: Partial<PredictionSubmitted> = {}): PredictionSubmitted {
  return {
    useCase: 'vehicle-cleanliness',
    subject: { type: 'booking', id: `bk-${randomUUID().slice(0, 8)}` },
    model: { name: 'cleanliness-vit', version: '2.3.0' },
    prediction: { label: 'dirty', confidence: 0.78, scores: { dirty: 0.78, clean: 0.22 } },
    evidence: [{ uri: 'gs://evidence/bk/after-1.jpg', role: 'return', mediaType: 'image/jpeg' }],
    context: { customerId: 'cus-881', amount: { value: 25, currency: 'EUR' } },
    ...overrides,
  };
}

function predictionEvent(data: PredictionSubmitted, id = `pred-${randomUUID()}`): ArbiterEvent {
  const event = createEvent({ type: EventTypes.predictionSubmitted, source: SOURCE, id, data });
  if (!event.ok) throw new Error(event.error.message);
  return event.value;
}

describe('confidence-assessor against the emulators', () => {
  // A project of its own on the shared emulators (topics, subscriptions, documents): nothing another
  // test file left on the suite's subscriptions reaches it, and what it leaves reaches no other file.
  const project = `assessor-test-${randomUUID().slice(0, 8)}`;
  const firestore = createFirestore(project);
  const logger = createLogger({ service: 'confidence-assessor', level: process.env.ARBITER_TEST_LOGS ? 'info' : 'silent' });
  let host: ServiceHost;
  let pubsub: PubSubClient;
  let cases: Observer;
  let deadLetters: Observer;
  let baseUrl: string;
  // Event routes verify a push OIDC token as on Cloud Run; the local push signer mints it (tools/local-stack/src/push-signer.ts).
  let signer: PushSigner;
  let otherKeys: PushSigner;

  const caseDoc = async (caseId: string): Promise<CaseDoc | undefined> => {
    const snapshot = await firestore.collection(Collections.cases).doc(caseId).get();
    return snapshot.exists ? (snapshot.data() as CaseDoc) : undefined;
  };

  beforeAll(async () => {
    const policies = loadPolicies(path.resolve(__dirname, '..', '..', '..', 'policies'));
    if (!policies.ok) throw new Error(policies.error.message);
    signer = await startPushSigner({ targetOf: (service) => (service === 'confidence-assessor' ? baseUrl : undefined) });
    otherKeys = await startPushSigner({ targetOf: () => undefined });
    const pushAuth = pushAuthenticatorOf({ mode: 'oidc', audience: LOCAL_PUSH_AUDIENCE, serviceAccount: LOCAL_PUSH_SERVICE_ACCOUNT, issuers: [signer.url], jwksUrl: `${signer.url}/jwks.json` });
    host = new ServiceHost({ service: 'confidence-assessor', projectId: project, logger, delivery: 'pull', backoffBeforeNack: true, pushAuth });
    const relay = new OutboxRelay(firestore, host.publisher, logger);
    buildAssessorApp({ host, cases: new FirestoreCaseOpenings(new CaseStore(firestore, relay)), policies: policies.value, clock: systemClock });
    host.onClose({ name: 'outbox relay', close: () => relay.close() });
    pubsub = testPubSub(project);
    await provisionPubSub(pubsub);
    cases = await Observer.onTopic(pubsub, Topics.caseOpened);
    deadLetters = Observer.existing(pubsub, deadLetterInspectionOf(SubscriptionNames.assessOnPredictionSubmitted));
    const port = await host.start(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await cases?.close();
    await deadLetters?.close();
    await host?.close();
    await pubsub?.close();
    await firestore.terminate();
    await signer?.close();
    await otherKeys?.close();
  });

  it('opens a case in Firestore and emits case.opened in binary mode', async () => {
    const event = predictionEvent(prediction());
    const caseId = idFromEventIdentity('case', SOURCE, event.id);
    await publishEvent(pubsub, Topics.predictions, event);

    const doc = await waitUntil(`the case ${caseId} in Firestore`, () => caseDoc(caseId));
    expect(doc).toMatchObject({
      caseId,
      status: 'opened',
      useCase: 'vehicle-cleanliness',
      policy: { id: 'vehicle-cleanliness', version: '3' },
      confidence: 0.78,
      confidenceSource: 'prediction',
      band: 'medium',
      thresholds: { high: 0.9, low: 0.6 },
      sourceEvent: { id: event.id, source: SOURCE },
    });
    const [opened] = await cases.waitFor(bySubjectAndType(caseId, EventTypes.caseOpened));
    expect(opened?.attributes).toMatchObject({
      'ce-specversion': '1.0',
      'ce-id': `opened_${caseId}`,
      'ce-source': EventSources['confidence-assessor'],
      'ce-type': EventTypes.caseOpened,
      'ce-subject': caseId,
      'content-type': 'application/json',
    });
    expect(JSON.parse(opened?.data ?? '{}')).toMatchObject({ caseId, band: 'medium', confidence: 0.78, openedAt: new Date(doc?.openedAt ?? 0).toISOString() });
  });

  it('a republished prediction (same ce-source and ce-id) opens nothing new and emits nothing new', async () => {
    const event = predictionEvent(prediction());
    const caseId = idFromEventIdentity('case', SOURCE, event.id);
    await publishEvent(pubsub, Topics.predictions, event);
    const first = await waitUntil(`the case ${caseId} in Firestore`, () => caseDoc(caseId));
    await cases.waitFor(bySubjectAndType(caseId, EventTypes.caseOpened));

    // Republished twice, once with other data: the identity, not the content, decides.
    const handled = (): number => host.counters.get(SubscriptionNames.assessOnPredictionSubmitted)?.byOutcome.handled ?? 0;
    const before = handled();
    await publishEvent(pubsub, Topics.predictions, event);
    const changed = createEvent({ type: EventTypes.predictionSubmitted, source: SOURCE, id: event.id, data: prediction({ prediction: { label: 'clean', confidence: 0.99 } }) });
    if (!changed.ok) throw new Error(changed.error.message);
    await publishEvent(pubsub, Topics.predictions, changed.value);
    await waitUntil(`both republishes handled (${before + 2} in all)`, () => handled() >= before + 2);
    // A prediction published after the republishes: once its case.opened is here, a (wrong) second
    // case.opened of the republished prediction, emitted before it, would be here too.
    const later = predictionEvent(prediction());
    await publishEvent(pubsub, Topics.predictions, later);
    await cases.waitFor(bySubjectAndType(idFromEventIdentity('case', SOURCE, later.id), EventTypes.caseOpened));

    expect(cases.where(bySubjectAndType(caseId, EventTypes.caseOpened))).toHaveLength(1);
    expect(await caseDoc(caseId)).toEqual(first);
  });

  it('weighs HITL-OPT factors into a confidence when the prediction gives none', async () => {
    const event = predictionEvent({
      useCase: 'api-endpoint-batch',
      subject: { type: 'endpoint', id: 'PUT /api/journey/sessions/{id}/stage' },
      model: { name: 'journey-engine-assessor', version: '4.1.0' },
      factors: { pattern_similarity: 0.95, risk_assessment: 0.9, business_impact: 0.9, technical_complexity: 0.85, precedent_match: 0.9 },
    });
    const caseId = idFromEventIdentity('case', SOURCE, event.id);
    await publishEvent(pubsub, Topics.predictions, event);
    const doc = await waitUntil(`the case ${caseId} in Firestore`, () => caseDoc(caseId));
    expect(doc?.confidenceSource).toBe('factors');
    expect(doc?.confidence).toBeCloseTo(0.9, 10);
    expect(doc?.band).toBe('high');
  });

  it('serves the same handler over HTTP (binary CloudEvent) and as a Pub/Sub push delivery, through the push signer', async () => {
    const viaHttp = predictionEvent(prediction());
    const http = toHttpBinary(viaHttp);
    const response = await fetch(`${signer.endpointBaseOf('confidence-assessor')}/events/${SubscriptionNames.assessOnPredictionSubmitted}`, { method: 'POST', headers: http.headers, body: http.body });
    expect(response.status).toBe(204);
    expect(await caseDoc(idFromEventIdentity('case', SOURCE, viaHttp.id))).toMatchObject({ status: 'opened', band: 'medium' });

    const viaPush = predictionEvent(prediction());
    const push = toPushRequest(toPubSubMessage(viaPush), { format: 'wrapped', messageId: '1', publishTime: new Date().toISOString(), subscription: `projects/${project}/subscriptions/${SubscriptionNames.assessOnPredictionSubmitted}` });
    const pushed = await fetch(`${signer.endpointBaseOf('confidence-assessor')}/pubsub/push/${SubscriptionNames.assessOnPredictionSubmitted}`, { method: 'POST', headers: push.headers, body: push.body });
    expect(pushed.status).toBe(204);
    expect(await caseDoc(idFromEventIdentity('case', SOURCE, viaPush.id))).toMatchObject({ status: 'opened' });
  });

  it('refuses event deliveries without a valid push token from the push service account, and opens nothing', async () => {
    const now = Math.floor(Date.now() / 1000);
    const attempts: Array<[string, () => Promise<string | undefined>, number]> = [
      ['no token', async () => undefined, 401],
      ['a token signed by other keys', () => otherKeys.mint({ iss: signer.url }), 401],
      ['a wrong audience', () => signer.mint({ aud: 'https://someone-else.example' }), 401],
      ['a wrong issuer', () => signer.mint({ iss: 'https://accounts.example.com' }), 401],
      ['an expired token', () => signer.mint({ iat: now - 7200, ttlSeconds: 3600 }), 401],
      ['alg none', async () => `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ iss: signer.url, aud: LOCAL_PUSH_AUDIENCE, email: LOCAL_PUSH_SERVICE_ACCOUNT, email_verified: true, iat: now, exp: now + 600 })).toString('base64url')}.`, 401],
      ['a tampered token', async () => { const [h, , sig] = (await signer.mint()).split('.'); return `${h}.${Buffer.from(JSON.stringify({ iss: signer.url, aud: LOCAL_PUSH_AUDIENCE, email: 'attacker@example.com', email_verified: true, iat: now, exp: now + 600 })).toString('base64url')}.${sig}`; }, 401],
      ['another service account', () => signer.mint({ email: 'someone@arbiter-local.iam.gserviceaccount.com' }), 403],
      ['an unverified email', () => signer.mint({ email_verified: false }), 403],
    ];
    for (const [what, token, status] of attempts) {
      const event = predictionEvent(prediction());
      const push = toPushRequest(toPubSubMessage(event), { format: 'wrapped', messageId: '2', publishTime: new Date().toISOString(), subscription: `projects/${project}/subscriptions/${SubscriptionNames.assessOnPredictionSubmitted}` });
      const bearer = await token();
      const headers = { ...push.headers, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) };
      const pushed = await fetch(`${baseUrl}/pubsub/push/${SubscriptionNames.assessOnPredictionSubmitted}`, { method: 'POST', headers, body: push.body });
      const http = toHttpBinary(event);
      const posted = await fetch(`${baseUrl}/events/${SubscriptionNames.assessOnPredictionSubmitted}`, { method: 'POST', headers: { ...http.headers, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) }, body: http.body });
      expect({ what, push: pushed.status, http: posted.status }).toEqual({ what, push: status, http: status });
      expect(((await pushed.json()) as { error: { code: string } }).error.code).toBe(status === 401 ? 'AUTH.UNAUTHENTICATED' : 'AUTH.FORBIDDEN');
      expect(await caseDoc(idFromEventIdentity('case', SOURCE, event.id))).toBeUndefined();
    }
    // The same events with the signer's token are accepted: the refusals above were the token's doing.
    const accepted = predictionEvent(prediction());
    const http = toHttpBinary(accepted);
    const ok = await fetch(`${baseUrl}/events/${SubscriptionNames.assessOnPredictionSubmitted}`, { method: 'POST', headers: { ...http.headers, authorization: `Bearer ${await signer.mint()}` }, body: http.body });
    expect(ok.status).toBe(204);
    expect(await caseDoc(idFromEventIdentity('case', SOURCE, accepted.id))).toMatchObject({ status: 'opened' });
  });

  describe('dead letters: never retried forever, never dropped silently, nothing created', () => {
    const expectDeadLettered = async (ceId: string, code: RegExp | string): Promise<void> => {
      const [message] = await deadLetters.waitFor((m) => m.attributes['ce-id'] === ceId);
      expect(message?.attributes['arbiter-error-code']).toEqual(typeof code === 'string' ? code : expect.stringMatching(code));
      expect(message?.attributes['arbiter-error-message']?.length).toBeGreaterThan(0);
      expect(message?.attributes['arbiter-subscription']).toBe(SubscriptionNames.assessOnPredictionSubmitted);
      const caseId = idFromEventIdentity('case', SOURCE, ceId);
      expect(await caseDoc(caseId)).toBeUndefined();
      expect(cases.where((m) => m.attributes['ce-subject'] === caseId)).toHaveLength(0);
    };

    it('an unknown use case', async () => {
      const event = predictionEvent(prediction({ useCase: 'teleport-approval' }));
      await publishEvent(pubsub, Topics.predictions, event);
      await expectDeadLettered(event.id, 'POLICY.UNKNOWN_USE_CASE');
      const [message] = deadLetters.where((m) => m.attributes['ce-id'] === event.id);
      expect(message?.attributes['arbiter-error-message']).toContain('teleport-approval');
    });

    it('a schema violation', async () => {
      const event = predictionEvent(prediction());
      const message = toPubSubMessage(event);
      const data = { ...prediction(), prediction: { label: 'dirty', confidence: 1.5 } };
      await publishRaw(pubsub, Topics.predictions, JSON.stringify(data), message.attributes);
      await expectDeadLettered(event.id, 'EVENT.SCHEMA_VIOLATION');
      const [dead] = deadLetters.where((m) => m.attributes['ce-id'] === event.id);
      expect(dead?.attributes['arbiter-error-message']).toContain('prediction.confidence');
      // The dead letter keeps the original body, so it can be inspected and replayed.
      expect(JSON.parse(dead?.data ?? '{}')).toEqual(data);
    });

    it('a body that is not JSON', async () => {
      const event = predictionEvent(prediction());
      await publishRaw(pubsub, Topics.predictions, '{"useCase": "vehicle-cleanliness", oops', toPubSubMessage(event).attributes);
      await expectDeadLettered(event.id, 'EVENT.NOT_JSON');
    });

    it('a confidence that cannot be assessed (a weighted factor missing)', async () => {
      const event = predictionEvent({
        useCase: 'api-endpoint-batch',
        subject: { type: 'endpoint', id: 'POST /api/journey/optimize' },
        model: { name: 'journey-engine-assessor', version: '4.1.0' },
        factors: { pattern_similarity: 0.9 },
      });
      await publishEvent(pubsub, Topics.predictions, event);
      await expectDeadLettered(event.id, /^CONFIDENCE\./);
    });

    it('are counted per code on /metrics', async () => {
      const metrics = (await (await fetch(`${baseUrl}/metrics`)).json()) as { deliveries: Record<string, { deadLettersByCode: Record<string, number> }> };
      expect(metrics.deliveries[SubscriptionNames.assessOnPredictionSubmitted]?.deadLettersByCode).toMatchObject({
        'POLICY.UNKNOWN_USE_CASE': expect.any(Number),
        'EVENT.SCHEMA_VIOLATION': expect.any(Number),
        'EVENT.NOT_JSON': expect.any(Number),
      });
    });
  });
});
