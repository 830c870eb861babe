/**
 * The router against the real emulators. The router is built with app.ts and runs in this process
 * (host on port 0); upstream of it the confidence assessor runs as its own process
 * (`node services/confidence-assessor/dist/main.js`, as `pnpm start` runs it — run `pnpm build`
 * first). Predictions are published as binary-mode CloudEvents on arbiter-predictions; case state is
 * read back from Firestore, and what the router emits is observed on arbiter-cases and
 * arbiter-decisions through temporary subscriptions.
 */
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { CaseTopics, createEvent, EventSources, EventTypes, SubscriptionNames, Topics, type ArbiterEvent } from '@arbiter/contract';
import { inSample, type Policy, type PredictionSubmitted } from '@arbiter/core';
import { caseExpiry, CaseStore, caseDocFromOpened, Collections, decisionIdOf, caseDecidedEventIdOf, decisionV2EventIdOf, type CaseDoc, type PatternDoc } from '@arbiter/case-store';
import { createFirestore, createLogger, idFromEventIdentity, OUTBOX_COLLECTION, outboxIdOf, OutboxRelay, ServiceHost, systemClock, noPushCallers } from '@arbiter/platform';
import { loadPolicies } from '@arbiter/policy';
import { buildRouterApp } from '../src/app';
import { FirestoreApprovedPatterns, FirestoreRoutingCases } from '../src/routing-cases.firestore';
import type { RouteStep } from '../src/ports';
import { planRoute } from '../src/route-case';
import { openedOf, policyOf } from '../src/route-case.test-support';
import { bySubjectAndType, Observer, publishEvent, provisionPubSub, testPubSub, type PubSubClient, type Received, waitUntil } from './support';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const SOURCE = '//test/upstream-models';
const HOUR = 3_600_000;

/** What the router plans for `caseDoc`, which must be a case it routes. */
function routeStepOf(caseDoc: CaseDoc, policy: Policy, now: Date): RouteStep {
  const step = planRoute({ caseDoc, policy, approvedPatterns: [], now, source: EventSources.router });
  if (step.kind !== 'route') throw new Error(`case ${caseDoc.caseId} is not routed: ${step.kind}`);
  return step;
}

/** A fresh prediction id whose case is (or is not) sampled for blind review at `rate`. */
function predictionId(blindReview: boolean, rate: number): { id: string; caseId: string } {
  for (;;) {
    const id = `pred-${randomUUID()}`;
    const caseId = idFromEventIdentity('case', SOURCE, id);
    if (inSample(`blind-review:${caseId}`, rate) === blindReview) return { id, caseId };
  }
}

function cleanliness(confidence: number, overrides: Partial<PredictionSubmitted> = {}): PredictionSubmitted {
  const booking = `bk-${randomUUID().slice(0, 8)}`;
  return {
    useCase: 'vehicle-cleanliness',
    subject: { type: 'booking', id: booking },
    model: { name: 'cleanliness-vit', version: '2.3.0' },
    prediction: { label: 'dirty', confidence, regions: [{ x: 0.1, y: 0.2, width: 0.3, height: 0.2, label: 'stain', score: 0.81 }] },
    evidence: [
      { uri: `gs://evidence/${booking}/before-1.jpg`, role: 'baseline', mediaType: 'image/jpeg' },
      { uri: `gs://evidence/${booking}/after-1.jpg`, role: 'return', mediaType: 'image/jpeg' },
    ],
    context: { customerId: 'cus-881', amount: { value: 25, currency: 'EUR' } },
    ...overrides,
  };
}

function hitlOpt(useCase: string, confidence: number, overrides: Partial<PredictionSubmitted> = {}): PredictionSubmitted {
  return {
    useCase,
    subject: { type: 'endpoint', id: `GET /api/journey/${randomUUID().slice(0, 8)}` },
    model: { name: 'journey-engine-assessor', version: '4.1.0' },
    prediction: { label: 'approve', confidence },
    ...overrides,
  };
}

describe('router against the emulators (assessor upstream as its own process)', () => {
  // A project of its own on the shared emulators: its own topics, subscriptions and documents. Other
  // test files run services on the suite project's subscriptions. With them, a prediction published
  // here sometimes reached this file's assessor only on its second delivery attempt, 10 s or more
  // later (the first delivery most likely went to a stream an earlier subscriber had closed; see
  // infra/EMULATOR-NOTES.md), and the test timed out.
  const project = `router-test-${randomUUID().slice(0, 8)}`;
  const firestore = createFirestore(project);
  // The in-process router logs to a file beside the assessor's, so a failed run shows what it received and did.
  const testLogDir = path.join(repoRoot, '.arbiter', 'logs', 'jest');
  mkdirSync(testLogDir, { recursive: true });
  const logger = createLogger({ service: 'router', level: 'debug', destination: createWriteStream(path.join(testLogDir, 'router-test.router.log'), { flags: 'a' }) });
  let host: ServiceHost;
  let pubsub: PubSubClient;
  let cases: Observer;
  let decisions: Observer;
  let assessor: ChildProcess;

  const caseDoc = async (caseId: string): Promise<CaseDoc | undefined> => {
    const snapshot = await firestore.collection(Collections.cases).doc(caseId).get();
    return snapshot.exists ? (snapshot.data() as CaseDoc) : undefined;
  };
  const routedCase = (caseId: string): Promise<CaseDoc | undefined> => 
    waitUntil(
      `the route of ${caseId}`,
      async () => {
        const doc = await caseDoc(caseId);
        return doc?.route !== undefined && doc;
      },
      30_000,
    );

  async function submit(data: PredictionSubmitted, identity: { id: string; caseId: string }): Promise<ArbiterEvent> {
    const event = createEvent({ type: EventTypes.predictionSubmitted, source: SOURCE, id: identity.id, data });
    if (!event.ok) throw new Error(event.error.message);
    await publishEvent(pubsub, Topics.predictions, event.value);
    logger.info({ ceId: identity.id, caseId: identity.caseId }, 'test: prediction published');
    return event.value;
  }

  const routedEvent = async (caseId: string): Promise<{ attributes: Record<string, string>; data: Record<string, unknown> }> => {
    const [message] = await cases.waitFor(bySubjectAndType(caseId, EventTypes.caseRouted));
    return { attributes: message?.attributes ?? {}, data: JSON.parse(message?.data ?? '{}') as Record<string, unknown> };
  };
  const decisionEvents = (caseId: string): Received[] => decisions.where(bySubjectAndType(caseId, EventTypes.decisionMade));
  /**
   * A case routed after everything before it, decided automatically: once its decision is here, a
   * decision (or a second one) of an earlier case, published before it, would be here too.
   */
  async function laterDecision(): Promise<void> {
    const marker = predictionId(false, 0.02);
    await submit(cleanliness(0.95), marker);
    await decisions.waitFor(bySubjectAndType(marker.caseId, EventTypes.decisionMade));
  }

  beforeAll(async () => {
    const policies = loadPolicies(path.join(repoRoot, 'policies'));
    if (!policies.ok) throw new Error(policies.error.message);
    pubsub = testPubSub(project);
    await provisionPubSub(pubsub);
    cases = await Observer.onTopics(pubsub, CaseTopics);
    decisions = await Observer.onTopic(pubsub, Topics.decisions);

    host = new ServiceHost({ service: 'router', projectId: project, logger, delivery: 'pull', backoffBeforeNack: true, pushAuth: noPushCallers });
    const relay = new OutboxRelay(firestore, host.publisher, logger);
    const store = new CaseStore(firestore, relay);
    buildRouterApp({ host, cases: new FirestoreRoutingCases(store, relay, EventSources.router), patterns: new FirestoreApprovedPatterns(store, 300), policies: policies.value, clock: systemClock });
    host.onClose({ name: 'outbox relay', close: () => relay.close() });
    await host.start(0, '127.0.0.1');

    const logDir = path.join(repoRoot, '.arbiter', 'logs', 'jest');
    mkdirSync(logDir, { recursive: true });
    const log = createWriteStream(path.join(logDir, 'router-test.confidence-assessor.log'), { flags: 'a' });
    assessor = spawn(process.execPath, [path.join(repoRoot, 'services', 'confidence-assessor', 'dist', 'main.js')], {
      cwd: repoRoot,
      env: { ...process.env, ARBITER_PROJECT_ID: project, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'debug' }, // debug: each delivery's lag and handler time
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    assessor.stderr?.pipe(log);
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`the confidence assessor did not start within 30 s: ${seen.slice(-2000)}`)), 30_000);
      assessor.once('exit', (code) => reject(new Error(`the confidence assessor exited with ${String(code)}: ${seen.slice(-2000)}`)));
      assessor.stdout?.on('data', (chunk: Buffer) => {
        log.write(chunk);
        seen += chunk.toString('utf8');
        if (seen.includes('confidence-assessor listening')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  });

  afterAll(async () => {
    if (assessor && assessor.exitCode === null) {
      const exited = new Promise((resolve) => assessor.once('exit', resolve));
      assessor.kill('SIGTERM');
      await exited;
    }
    await cases?.close();
    await decisions?.close();
    await host?.close();
    await pubsub?.close();
    await firestore.terminate();
  });

  describe('vehicle-cleanliness (ADR-0016)', () => {
    it('high band: decided automatically by the model, rationale and evidence snapshot on the case', async () => {
      const identity = predictionId(false, 0.02);
      const data = cleanliness(0.95);
      await submit(data, identity);
      const doc = await routedCase(identity.caseId);

      expect(doc?.status).toBe('decided');
      expect(doc?.route).toMatchObject({
        kind: 'auto',
        reason: 'band-high',
        blindReview: false,
        snapshot: {
          outcome: 'fee_applied',
          confidence: 0.95,
          band: 'high',
          thresholds: { high: 0.9, low: 0.6 },
          model: { name: 'cleanliness-vit', version: '2.3.0' },
          policy: { id: 'vehicle-cleanliness', version: '3' },
          evidence: data.evidence?.map((e) => e.uri),
        },
      });
      expect(doc?.route?.rationale).toMatch(/high band.*fee_applied/);
      expect(doc?.decision).toMatchObject({ outcome: 'fee_applied', decidedBy: { kind: 'auto', id: 'cleanliness-vit@2.3.0' }, sourceEventId: identity.id });

      const routed = await routedEvent(identity.caseId);
      expect(routed.attributes).toMatchObject({ 'ce-source': EventSources.router, 'ce-id': `routed_${identity.caseId}`, 'content-type': 'application/json' });
      expect(routed.data).toMatchObject({ route: 'auto', reason: 'band-high', blindReview: false });
      const [decision] = await decisions.waitFor(bySubjectAndType(identity.caseId, EventTypes.decisionMade));
      expect(decision?.attributes).toMatchObject({ 'ce-id': `dec_${identity.caseId}`, 'ce-source': EventSources.router });
      expect(JSON.parse(decision?.data ?? '{}')).toMatchObject({ caseId: identity.caseId, outcome: 'fee_applied', band: 'high', customerFavorable: false });
    });

    it('high band sampled for blind review: case.routed sends a blind copy to the review queue', async () => {
      const identity = predictionId(true, 0.02);
      await submit(cleanliness(0.97), identity);
      const doc = await routedCase(identity.caseId);
      expect(doc?.route).toMatchObject({ kind: 'auto', blindReview: true, blindReviewQueue: 'cleanliness-review' });
      const routed = await routedEvent(identity.caseId);
      expect(routed.data).toMatchObject({ route: 'auto', blindReview: true, queue: 'cleanliness-review' });
      // Its work order: the blind-review item, as published.
      expect(routed.data).toMatchObject({ workOrder: { items: [{ purpose: 'blind-review', queue: 'cleanliness-review' }] } });
      expect((routed.data as { workOrder: { items: unknown[] } }).workOrder.items).toHaveLength(1);
      await decisions.waitFor(bySubjectAndType(identity.caseId, EventTypes.decisionMade));
    });

    it('medium band: in review with priority, due time, reminders and batch key', async () => {
      const identity = predictionId(false, 0.02);
      const nextBookingAt = new Date(Date.now() + 2 * HOUR).toISOString();
      await submit(cleanliness(0.78, { context: { nextBookingAt, amount: { value: 25, currency: 'EUR' } } }), identity);
      const doc = await routedCase(identity.caseId);

      expect(doc?.status).toBe('in-review');
      expect(doc?.decision).toBeUndefined();
      const dueAt = (doc?.openedAt ?? 0) + 2 * HOUR;
      const batchKey = '["vehicle-cleanliness","cleanliness-review","cleanliness-vit","2.3.0","dirty"]';
      expect(doc?.route).toMatchObject({
        kind: 'review',
        reason: 'band-medium',
        queue: 'cleanliness-review',
        priority: { score: 80, reasons: ['Next booking within 3 h', 'Next booking within 24 h'] },
        dueAt,
        reminderAt: [dueAt - 30 * 60_000, dueAt - 10 * 60_000],
        batchKey,
      });
      const routed = await routedEvent(identity.caseId);
      expect(routed.data).toMatchObject({
        route: 'review',
        queue: 'cleanliness-review',
        priority: { score: 80 },
        dueAt: new Date(dueAt).toISOString(),
        reminderAt: [new Date(dueAt - 30 * 60_000).toISOString(), new Date(dueAt - 10 * 60_000).toISOString()],
        batchKey,
      });
      // The work order, as published: the decision item with everything review-queue writes.
      expect(routed.data).toMatchObject({
        workOrder: {
          items: [
            {
              purpose: 'decision',
              queue: 'cleanliness-review',
              priority: { score: 80, reasons: ['Next booking within 3 h', 'Next booking within 24 h'] },
              dueAt: new Date(dueAt).toISOString(),
              sla: { nextCheckAt: new Date(dueAt - 30 * 60_000).toISOString() },
              batchKey,
            },
          ],
        },
      });
      await laterDecision();
      expect(decisionEvents(identity.caseId)).toHaveLength(0);
    });

    it('low band: customer-favorable default decided by the policy, flagged for enrichment', async () => {
      const identity = predictionId(false, 0.02);
      await submit(cleanliness(0.41), identity);
      const doc = await routedCase(identity.caseId);

      expect(doc?.route).toMatchObject({ kind: 'default', reason: 'band-low', snapshot: { outcome: 'fee_waived', confidence: 0.41, band: 'low' } });
      expect(doc?.decision).toMatchObject({ outcome: 'fee_waived', decidedBy: { kind: 'policy', id: 'policy:vehicle-cleanliness@3' }, reasonCode: 'LOW_CONFIDENCE_DEFAULT', customerFavorable: true });
      expect((await routedEvent(identity.caseId)).data).toMatchObject({ route: 'default', reason: 'band-low' });
      const [decision] = await decisions.waitFor(bySubjectAndType(identity.caseId, EventTypes.decisionMade));
      expect(JSON.parse(decision?.data ?? '{}')).toMatchObject({ outcome: 'fee_waived', decidedBy: { kind: 'policy' }, reasonCode: 'LOW_CONFIDENCE_DEFAULT' });
      const [flagged] = await cases.waitFor(bySubjectAndType(identity.caseId, EventTypes.enrichmentFlagged));
      expect(JSON.parse(flagged?.data ?? '{}')).toMatchObject({ reason: 'low-confidence', prediction: { label: 'dirty', confidence: 0.41 }, model: { name: 'cleanliness-vit', version: '2.3.0' } });
    });
  });

  describe('HITL-OPT v4.1', () => {
    it('api-endpoint-batch high: automatic approval by the model', async () => {
      const identity = predictionId(false, 0.05);
      await submit(hitlOpt('api-endpoint-batch', 0.9), identity);
      const doc = await routedCase(identity.caseId);
      expect(doc?.route).toMatchObject({ kind: 'auto', reason: 'band-high' });
      expect(doc?.decision).toMatchObject({ outcome: 'approved', decidedBy: { kind: 'auto', id: 'journey-engine-assessor@4.1.0' } });
      await decisions.waitFor(bySubjectAndType(identity.caseId, EventTypes.decisionMade));
    });

    it('api-endpoint-batch medium: batch review, grouped by API category', async () => {
      const identity = predictionId(false, 0.05);
      await submit(hitlOpt('api-endpoint-batch', 0.78, { context: { apiCategory: 'journey-tracking' } }), identity);
      const doc = await routedCase(identity.caseId);
      expect(doc?.status).toBe('in-review');
      expect((await routedEvent(identity.caseId)).data).toMatchObject({
        route: 'review',
        reason: 'band-medium',
        queue: 'api-batch',
        batchKey: '["api-endpoint-batch","api-batch","journey-tracking"]',
        dueAt: new Date((doc?.openedAt ?? 0) + 24 * HOUR).toISOString(),
      });
    });

    it('api-endpoint-batch low: the immediate path (1 h, top priority), never a default', async () => {
      const identity = predictionId(false, 0.05);
      await submit(hitlOpt('api-endpoint-batch', 0.5, { context: { criticalPath: true } }), identity);
      const doc = await routedCase(identity.caseId);
      expect(doc?.status).toBe('in-review');
      expect(doc?.decision).toBeUndefined();
      expect((await routedEvent(identity.caseId)).data).toMatchObject({
        route: 'review',
        reason: 'band-low',
        queue: 'api-immediate',
        priority: { score: 300, reasons: ['On the critical path (within 2 h)'] },
        dueAt: new Date((doc?.openedAt ?? 0) + HOUR).toISOString(),
      });
    });

    it('journey-logic-architecture, category strategic, at 0.99: always a person', async () => {
      const identity = predictionId(false, 0.05);
      await submit(hitlOpt('journey-logic-architecture', 0.99, { category: 'strategic', factors: { risk_assessment: 0.95 }, pattern: { features: { component: `novel-${randomUUID()}` } } }), identity);
      const doc = await routedCase(identity.caseId);
      expect(doc?.status).toBe('in-review');
      expect(doc?.route).toMatchObject({ kind: 'review', reason: 'always-human-category', queue: 'journey-logic-review' });
      expect(doc?.route?.rationale).toContain('no approved pattern');
      expect((await routedEvent(identity.caseId)).data).toMatchObject({ route: 'review', reason: 'always-human-category', queue: 'journey-logic-review' });
      await laterDecision();
      expect(decisionEvents(identity.caseId)).toHaveLength(0);
    });

    it('fast-track: a strategic journey pattern like an approved one is decided automatically, naming the match', async () => {
      const component = `checkout-${randomUUID().slice(0, 8)}`;
      const approved: PatternDoc = {
        caseId: `case_seeded_${randomUUID().slice(0, 8)}`,
        useCase: 'journey-logic-architecture',
        outcome: 'approved',
        features: { component, userType: 'mobile-tiktok', stages: 4, personalization: 'medium', channel: 'app' },
        decidedAt: Date.now() - HOUR,
      };
      await firestore.collection(Collections.patterns).doc(approved.caseId).set(approved);

      const identity = predictionId(false, 0.05);
      await submit(
        hitlOpt('journey-logic-architecture', 0.86, {
          category: 'strategic',
          factors: { risk_assessment: 0.9 },
          // Similar, not equal: one more journey stage (4 of 5 features equal, stages 0.8 close → 0.96).
          pattern: { features: { component, userType: 'mobile-tiktok', stages: 5, personalization: 'medium', channel: 'app' } },
        }),
        identity,
      );
      const doc = await routedCase(identity.caseId);
      expect(doc?.route).toMatchObject({ kind: 'auto', reason: 'fast-track', matchedPattern: { caseId: approved.caseId } });
      expect(doc?.route?.matchedPattern?.similarity).toBeCloseTo(0.96, 10);
      expect(doc?.decision).toMatchObject({ outcome: 'approved', decidedBy: { kind: 'auto', id: 'fast-track' } });
      expect((await routedEvent(identity.caseId)).data).toMatchObject({ route: 'auto', reason: 'fast-track', matchedPattern: { caseId: approved.caseId } });
      await decisions.waitFor(bySubjectAndType(identity.caseId, EventTypes.decisionMade));
      // Only a person's approval is a pattern: the fast-tracked case never seeds another fast-track.
      expect((await firestore.collection(Collections.patterns).doc(identity.caseId).get()).exists).toBe(false);
    });
  });

  describe('concurrent deliveries of one case.opened (one commit with a routing marker, no read)', () => {
    it('eight routings of one case at once: one routes and decides, the others are refused by the marker and skip; one decision staged', async () => {
      const { caseId } = predictionId(false, 0.02);
      const opened = openedOf(caseId, cleanliness(0.95), new Date());
      const store = new CaseStore(firestore, new OutboxRelay(firestore, host.publisher, logger));
      await store.caseRef(caseId).create(caseDocFromOpened(opened));
      const policy = policyOf('vehicle-cleanliness');
      const published: ArbiterEvent[] = [];
      const routing = new FirestoreRoutingCases(store, { publishCommitted: async (events) => void published.push(...events) }, EventSources.router);

      const now = new Date();
      const results = await Promise.all(
        Array.from({ length: 8 }, () => routing.route(caseDocFromOpened(opened), routeStepOf(caseDocFromOpened(opened), policy, now), now)),
      );

      expect(results.filter((r) => r.kind === 'route')).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'route' && r.decided)).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'skip')).toHaveLength(7);
      expect(published.map((e) => e.id)).toEqual([`routed_${caseId}`, decisionIdOf(caseId), decisionV2EventIdOf(caseId), caseDecidedEventIdOf(caseId)]);
      const doc = await caseDoc(caseId);
      expect(doc).toMatchObject({ status: 'decided', route: { kind: 'auto' }, decision: { decisionId: decisionIdOf(caseId), decidedBy: { kind: 'auto' } } });
      const marker = (await firestore.collection(Collections.routings).doc(caseId).get()).data();
      expect(marker).toEqual({ caseId, route: 'auto', routedAt: now.getTime(), expireAt: expect.anything() });
      // Retention: the marker goes with its case, caseDays of the policy after the case opened (a Timestamp, as TTL needs).
      expect(marker?.expireAt.toMillis()).toBe(caseExpiry(policy, Date.parse(opened.openedAt)).getTime());
      const decisionEntry = published.find((e) => e.id === decisionIdOf(caseId));
      expect(decisionEntry).toBeDefined();
      const staged = await firestore.collection(OUTBOX_COLLECTION).doc(outboxIdOf(decisionEntry as ArbiterEvent)).get();
      expect(staged.exists).toBe(true);
    });

    it('a routing of a case that is not there writes nothing at all (no marker, no outbox entry) and says missing, so the delivery is retried', async () => {
      const { caseId } = predictionId(false, 0.02);
      const opened = openedOf(caseId, cleanliness(0.95), new Date());
      const published: ArbiterEvent[] = [];
      const routing = new FirestoreRoutingCases(new CaseStore(firestore, new OutboxRelay(firestore, host.publisher, logger)), { publishCommitted: async (events) => void published.push(...events) }, EventSources.router);
      const policy = policyOf('vehicle-cleanliness');
      const now = new Date();

      const result = await routing.route(caseDocFromOpened(opened), routeStepOf(caseDocFromOpened(opened), policy, now), now);

      expect(result).toEqual({ kind: 'missing' });
      expect(published).toEqual([]);
      expect((await firestore.collection(Collections.routings).doc(caseId).get()).exists).toBe(false);
      expect(await caseDoc(caseId)).toBeUndefined();
      const staged = await firestore.collection(OUTBOX_COLLECTION).where('stagedAt', '==', now.getTime()).get();
      expect(staged.docs.filter((d) => String(d.get('event')).includes(caseId))).toEqual([]);

      // Once the case is there, the same routing goes through.
      await firestore.collection(Collections.cases).doc(caseId).create(caseDocFromOpened(opened));
      const again = await routing.route(caseDocFromOpened(opened), routeStepOf(caseDocFromOpened(opened), policy, now), now);
      expect(again).toMatchObject({ kind: 'route', decided: true });
    });
  });

  describe('at-least-once delivery', () => {
    it('a republished prediction (same ce-source + ce-id) yields one case and one decision', async () => {
      const identity = predictionId(false, 0.02);
      const data = cleanliness(0.41);
      await submit(data, identity);
      await routedCase(identity.caseId);
      await decisions.waitFor(bySubjectAndType(identity.caseId, EventTypes.decisionMade));

      await submit(data, identity);
      await submit(cleanliness(0.95), identity); // same identity, other content
      // And the router's own input redelivered: case.opened published again.
      const [opened] = cases.where(bySubjectAndType(identity.caseId, EventTypes.caseOpened));
      expect(opened).toBeDefined();
      const handled = (): number => host.counters.get(SubscriptionNames.routeOnCaseOpened)?.byOutcome.handled ?? 0;
      const before = handled();
      await pubsub.topic(Topics.caseOpened).publishMessage({ data: Buffer.from(opened?.data ?? ''), attributes: opened?.attributes ?? {} });
      await waitUntil(`the redelivery handled (${before + 1} in all)`, () => handled() > before);
      await laterDecision(); // a (wrong) second case, route or decision would be here by now

      const snapshot = await firestore.collection(Collections.cases).where('sourceEvent.id', '==', identity.id).get();
      expect(snapshot.size).toBe(1);
      expect(cases.where(bySubjectAndType(identity.caseId, EventTypes.caseOpened))).toHaveLength(2); // the original and our redelivery
      expect(cases.where(bySubjectAndType(identity.caseId, EventTypes.caseRouted))).toHaveLength(1);
      expect(cases.where(bySubjectAndType(identity.caseId, EventTypes.enrichmentFlagged))).toHaveLength(1);
      expect(decisionEvents(identity.caseId)).toHaveLength(1);
      expect((await caseDoc(identity.caseId))?.decision?.outcome).toBe('fee_waived');
    });
  });
});
