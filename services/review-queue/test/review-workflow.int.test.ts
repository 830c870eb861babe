import { Collections, queueItemId, type CaseDoc, type QueueItemDoc } from '@arbiter/case-store';
import { createEvent, deadLetterInspectionOf, EventTypes, SubscriptionNames, Topics, type ArbiterEvent } from '@arbiter/contract';
import { call, waitUntil, ofType, publish, routedEvent, startApp, tap, token, withoutQualitySampling, writeCase, type Running } from './support';

jest.setTimeout(120_000);

let app: Running;
let cleanliness: string;
const reviewer = (id: string): Promise<string> => token(id, ['reviewer', 'cleanliness-reviewer']);

beforeAll(async () => {
  // These tests follow one item per case: a sampled double review (5 %) or golden case (2 %) would
  // add a second one now and then (a decided case's double review once made "decide again" flaky).
  app = await startApp({ editPolicies: withoutQualitySampling });
  cleanliness = app.queue('cleanliness-review');
});
afterAll(async () => {
  await app.close();
});

const item = async (caseId: string, purpose: 'decision' | 'blind-review' = 'decision'): Promise<QueueItemDoc | undefined> => {
  const snap = await app.firestore.collection(Collections.queueItems).doc(queueItemId(caseId, purpose)).get();
  return snap.exists ? (snap.data() as QueueItemDoc) : undefined;
};
const caseOf = async (caseId: string): Promise<CaseDoc> => (await app.firestore.collection(Collections.cases).doc(caseId).get()).data() as CaseDoc;

async function enqueue(spec: Parameters<typeof writeCase>[1] = {}, extra: Parameters<typeof routedEvent>[2] = {}, queue = cleanliness): Promise<CaseDoc> {
  const doc = await writeCase(app.firestore, spec);
  await publish(app, routedEvent(doc, queue, extra));
  await waitUntil(`item of ${doc.caseId}`, () => item(doc.caseId, extra.route === 'auto' ? 'blind-review' : 'decision'), 20_000);
  return doc;
}

describe('enqueue and list', () => {
  it('creates one item per routed case (idempotent on redelivery) and lists the queue in priority order', async () => {
    const low = await writeCase(app.firestore);
    const high = await writeCase(app.firestore);
    const soon = await writeCase(app.firestore);
    const lowEvent = routedEvent(low, cleanliness, { priority: { score: 10, reasons: [] } });
    await publish(app, lowEvent);
    await publish(app, lowEvent); // redelivery: same ce-id, no second effect
    await publish(app, routedEvent(high, cleanliness, { priority: { score: 60, reasons: ['Next booking within 3 h'] } }));
    await publish(app, routedEvent(soon, cleanliness, { priority: { score: 10, reasons: [] }, dueAt: new Date(Date.now() + 600_000).toISOString() }));
    for (const c of [low, high, soon]) await waitUntil('item', () => item(c.caseId), 20_000);

    const created = (await item(low.caseId)) as QueueItemDoc;
    expect(created).toMatchObject({ queue: cleanliness, status: 'open', lane: 1, purpose: 'decision', blind: false });
    expect(created.sla.nextCheckAt).toBeLessThan(created.dueAt); // the first reminder, before due
    expect((await caseOf(low.caseId)).status).toBe('in-review');

    const r = await call(app, 'GET', `/api/queues/${cleanliness}/items?limit=2`, await reviewer('lister'));
    expect(r.status).toBe(200);
    expect(r.body.items.map((i: { caseId: string }) => i.caseId)).toEqual([high.caseId, soon.caseId]);
    const next = await call(app, 'GET', `/api/queues/${cleanliness}/items?limit=2&pageToken=${r.body.nextPageToken}`, await reviewer('lister'));
    expect(next.body.items.map((i: { caseId: string }) => i.caseId)).toEqual([low.caseId]);
    expect(next.body.nextPageToken).toBeUndefined();

    const queues = await call(app, 'GET', '/api/queues', await reviewer('lister'));
    const summary = queues.body.queues.find((q: { queue: string }) => q.queue === cleanliness);
    expect(summary).toMatchObject({ depth: 3, atRisk: 1 });
    expect(summary.batchable[0].size).toBe(3);
    // The reviewer's queue role does not reach the API queues.
    expect(queues.body.queues.map((q: { queue: string }) => q.queue)).toEqual([cleanliness]);
  });

  it('creates a blind-review item for a sampled automatic decision, and hides the model outcome from the reviewer', async () => {
    const doc = await enqueue({}, { route: 'auto', reason: 'band-high', blindReview: true, queue: undefined, priority: undefined, dueAt: undefined, batchKey: undefined });
    const blind = (await item(doc.caseId, 'blind-review')) as QueueItemDoc;
    expect(blind).toMatchObject({ blind: true, queue: cleanliness, status: 'open' });
    expect(await item(doc.caseId, 'decision')).toBeUndefined();
    const view = await call(app, 'GET', `/api/cases/${doc.caseId}`, await reviewer('blinded'));
    expect(view.status).toBe(200);
    expect(view.body.blind).toBe(true);
    expect(view.body.prediction.label).toBeUndefined();
    expect(view.body.prediction.confidence).toBeUndefined();
  });

  it('a blind review that disagrees with the automatic decision is a labelled example (an override of the machine)', async () => {
    const feedback = await tap(app, Topics.feedback);
    const doc = await enqueue({}, { route: 'auto', reason: 'band-high', blindReview: true, queue: undefined, priority: undefined, dueAt: undefined, batchKey: undefined });
    // The router decided it automatically with the model's outcome (dirty → fee_applied).
    const decision = { decisionId: `dec_${doc.caseId}`, caseId: doc.caseId, useCase: doc.useCase, subject: doc.subject, outcome: 'fee_applied', decidedBy: { kind: 'auto', id: 'cleanliness-vit@2.3.0' }, band: 'high', confidence: doc.confidence, model: doc.model, policy: doc.policy, thresholds: doc.thresholds, customerFavorable: false, evidence: [], sourceEventId: doc.sourceEvent.id, decidedAt: new Date().toISOString() };
    await app.firestore.collection(Collections.cases).doc(doc.caseId).update({ status: 'decided', decision });
    const blinded = await reviewer('blind-labeller');
    expect((await call(app, 'POST', `/api/items/${queueItemId(doc.caseId, 'blind-review')}/claim`, blinded, {})).status).toBe(200);
    const verdict = await call(app, 'POST', `/api/cases/${doc.caseId}/decision`, blinded, { optionId: 'reject', reasonCode: 'STAIN_NOT_VISIBLE_IN_RETURN' });
    expect(verdict.status).toBe(200);
    expect(verdict.body).toMatchObject({ purpose: 'blind-review', decided: false, outcome: 'fee_waived' });
    const labelled = await waitUntil('feedback.labelled of the blind override', async () => ofType(feedback.messages, EventTypes.feedbackLabelled, doc.caseId)[0], 20_000);
    expect(labelled.attributes['ce-id']).toBe(`fbk_override_${doc.caseId}`);
    expect(labelled.data).toMatchObject({ source: 'override', outcome: 'fee_waived', prediction: { label: 'dirty' }, reasonCode: 'STAIN_NOT_VISIBLE_IN_RETURN' });
    await feedback.close();
  });
});

describe('claims, leases and decisions', () => {
  it('claims with a lease, refuses a second claimant, and decides once; decision.made arrives on arbiter-decisions', async () => {
    const decisions = await tap(app, Topics.decisions);
    const feedback = await tap(app, Topics.feedback);
    try {
      const doc = await enqueue({ label: 'dirty' }, { priority: { score: 1000, reasons: ['test'] } });
      const alice = await reviewer('alice');
      const next = await call(app, 'POST', `/api/items/${queueItemId(doc.caseId, 'decision')}/claim`, alice);
      expect(next.status).toBe(200);
      expect(next.body.item.caseId).toBe(doc.caseId);
      expect(next.body.item.claim.reviewerId).toBe('alice');
      const leaseMs = Date.parse(next.body.item.claim.leaseUntil) - Date.now();
      expect(leaseMs).toBeGreaterThan(9 * 60_000);
      expect(leaseMs).toBeLessThanOrEqual(10 * 60_000);

      const bob = await reviewer('bob');
      const steal = await call(app, 'POST', `/api/items/${next.body.item.itemId}/claim`, bob);
      expect(steal.status).toBe(409);
      expect(steal.body.error.code).toBe('ITEM.CLAIMED_BY_OTHER');
      const bobDecides = await call(app, 'POST', `/api/cases/${doc.caseId}/decision`, bob, { optionId: 'reject', reasonCode: 'LIGHTING_ARTIFACT' });
      expect(bobDecides.status).toBe(409);

      const missingReason = await call(app, 'POST', `/api/cases/${doc.caseId}/decision`, alice, { optionId: 'reject' });
      expect(missingReason.status).toBe(400);
      expect(missingReason.body.error.message).toMatch(/reasonCode is required/);
      const wrongReason = await call(app, 'POST', `/api/cases/${doc.caseId}/decision`, alice, { optionId: 'reject', reasonCode: 'CONFIRMED_SOILING' });
      expect(wrongReason.status).toBe(400);
      const evidenceOption = await call(app, 'POST', `/api/cases/${doc.caseId}/decision`, alice, { optionId: 'request-photos', reasonCode: 'ANGLE_MISSING' });
      expect(evidenceOption.status).toBe(400);
      expect(evidenceOption.body.error.message).toMatch(/evidence-request/);

      const decided = await call(app, 'POST', `/api/cases/${doc.caseId}/decision`, alice, { optionId: 'reject', reasonCode: 'STAIN_NOT_VISIBLE_IN_RETURN', notes: 'customer seat was wet, not stained' });
      expect(decided.status).toBe(200);
      expect(decided.body).toMatchObject({ decided: true, outcome: 'fee_waived', override: true });
      const again = await call(app, 'POST', `/api/cases/${doc.caseId}/decision`, alice, { optionId: 'approve', reasonCode: 'CONFIRMED_SOILING' });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('CASE.ALREADY_DECIDED');

      const made = await waitUntil('decision.made', async () => ofType(decisions.messages, EventTypes.decisionMade, doc.caseId)[0], 20_000);
      expect(made.data).toMatchObject({ caseId: doc.caseId, outcome: 'fee_waived', decidedBy: { kind: 'human', id: 'alice' }, reasonCode: 'STAIN_NOT_VISIBLE_IN_RETURN', customerFavorable: true });
      expect(JSON.stringify(made.data)).not.toContain('wet');
      expect(made.attributes['ce-id']).toBe(`dec_${doc.caseId}`);
      const labelled = await waitUntil('feedback.labelled', async () => ofType(feedback.messages, EventTypes.feedbackLabelled, doc.caseId)[0], 20_000);
      expect(labelled.data).toMatchObject({ source: 'override', outcome: 'fee_waived', prediction: { label: 'dirty' } });
      expect((await item(doc.caseId))?.status).toBe('done');
      expect((await caseOf(doc.caseId)).decision?.decidedBy).toEqual({ kind: 'human', id: 'alice' });
    } finally {
      await decisions.close();
      await feedback.close();
    }
  });

  it('lets another reviewer take an item whose lease expired', async () => {
    const short = await startApp({ leaseMs: 1_000, editPolicies: withoutQualitySampling });
    try {
      const queue = short.queue('cleanliness-review');
      const doc = await writeCase(short.firestore);
      // Through this app's own consumer, called directly: the main app pulls the shared subscription
      // and knows only its own queues.
      const handled = await short.useCases.enqueueOnCaseRouted(routedEvent(doc, queue), {} as never);
      expect(handled).toMatchObject({ ok: true });
      const first = await call(short, 'POST', `/api/queues/${queue}/next`, await token('carol', ['reviewer', 'cleanliness-reviewer']));
      expect(first.body.item.claim.reviewerId).toBe('carol');
      const tooEarly = await call(short, 'POST', `/api/queues/${queue}/next`, await token('dave', ['reviewer', 'cleanliness-reviewer']));
      expect(tooEarly.body.item).toBeNull();
      // Once carol's 1 s lease has run out, dave's "next case" gets the item.
      const dave = await token('dave', ['reviewer', 'cleanliness-reviewer']);
      const taken = await waitUntil('the item back after the lease', async () => {
        const next = await call(short, 'POST', `/api/queues/${queue}/next`, dave);
        return next.body.item ? next : undefined;
      }, 10_000);
      expect(taken.body.item).toMatchObject({ caseId: doc.caseId, claim: { reviewerId: 'dave' } });
      const lateCarol = await call(short, 'POST', `/api/cases/${doc.caseId}/decision`, await token('carol', ['reviewer', 'cleanliness-reviewer']), { optionId: 'approve', reasonCode: 'CONFIRMED_SOILING' });
      expect(lateCarol.status).toBe(409);
    } finally {
      await short.close();
    }
  });

  it('releases: the holder their own claim; a lead reassigns anyone’s', async () => {
    const doc = await enqueue({}, { priority: { score: 2000, reasons: [] } });
    const erin = await reviewer('erin');
    const claimed = await call(app, 'POST', `/api/items/${queueItemId(doc.caseId, 'decision')}/claim`, erin);
    expect(claimed.status).toBe(200);
    const other = await call(app, 'POST', `/api/items/${queueItemId(doc.caseId, 'decision')}/release`, await reviewer('frank'));
    expect(other.status).toBe(403);
    const reassigned = await call(app, 'POST', `/api/items/${queueItemId(doc.caseId, 'decision')}/release`, await token('lea', ['lead']), { reassignTo: 'frank' });
    expect(reassigned.status).toBe(200);
    expect((await item(doc.caseId))?.claim?.reviewerId).toBe('frank');
    const own = await call(app, 'POST', `/api/items/${queueItemId(doc.caseId, 'decision')}/release`, await reviewer('frank'));
    expect(own.status).toBe(200);
    expect((await item(doc.caseId))?.status).toBe('open');
  });
});

describe('batches', () => {
  it('approves a whole batch, and sends flagged items of a decide-unflagged batch back ahead of new work', async () => {
    const docs = [] as CaseDoc[];
    for (let i = 0; i < 5; i += 1) docs.push(await enqueue({ label: 'heavily_soiled' }, { priority: { score: 5, reasons: [] } }));
    const ids = docs.map((d) => queueItemId(d.caseId, 'decision'));
    const grace = await reviewer('grace');
    const mixed = await call(app, 'POST', '/api/batches/decision', grace, { itemIds: [ids[0], ids[1]], optionId: 'approve-all', flagged: [ids[0]], reasonCode: 'CONFIRMED_SOILING' });
    expect(mixed.status).toBe(400);
    const all = await call(app, 'POST', '/api/batches/decision', grace, { itemIds: [ids[0], ids[1]], optionId: 'approve-all', reasonCode: 'CONFIRMED_SOILING' });
    expect(all.status).toBe(200);
    expect(all.body.results.map((r: { result: string }) => r.result)).toEqual(['decided', 'decided']);
    const some = await call(app, 'POST', '/api/batches/decision', grace, { itemIds: [ids[0], ids[2], ids[3], ids[4]], optionId: 'approve-unflagged', flagged: [ids[4]], reasonCode: 'CONFIRMED_SOILING' });
    expect(some.status).toBe(200);
    expect(some.body.results.map((r: { result: string }) => r.result)).toEqual(['failed', 'decided', 'decided', 'returned-for-review']);
    expect(some.body.results[0].error.code).toBe('CASE.ALREADY_DECIDED');
    for (const d of docs.slice(0, 4)) expect((await caseOf(d.caseId)).decision?.outcome).toBe('fee_applied');
    expect((await caseOf(docs[4]!.caseId)).decision).toBeUndefined();
    expect(await item(docs[4]!.caseId)).toMatchObject({ status: 'open', lane: 0 });
  });
});

describe('evidence', () => {
  it('evidence request → evidence submitted puts the case back ahead of new work; unknown cases are dead-lettered', async () => {
    const requests = await tap(app, Topics.evidenceRequests);
    try {
      const doc = await enqueue({}, { priority: { score: 3000, reasons: [] } });
      const henry = await reviewer('henry');
      await call(app, 'POST', `/api/items/${queueItemId(doc.caseId, 'decision')}/claim`, henry);
      const bad = await call(app, 'POST', `/api/cases/${doc.caseId}/evidence-request`, henry, { what: 'photo of the rear seat' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/reasonCode is required/);
      const asked = await call(app, 'POST', `/api/cases/${doc.caseId}/evidence-request`, henry, { what: 'photo of the rear seat', reasonCode: 'ANGLE_MISSING' });
      expect(asked.status).toBe(200);
      expect(await item(doc.caseId)).toMatchObject({ status: 'awaiting-evidence' });
      const requested = await waitUntil('evidence.requested', async () => ofType(requests.messages, EventTypes.evidenceRequested, doc.caseId)[0], 20_000);
      expect(requested.data).toMatchObject({ caseId: doc.caseId, requestedBy: 'henry', reasonCode: 'ANGLE_MISSING', what: 'photo of the rear seat' });
      // The case must be back in the queue by the request's dueBy: pending from then, for the reconciler.
      expect((await caseOf(doc.caseId)).nextStep).toMatchObject({ kind: 'requeue', since: Date.parse(asked.body.dueBy), redrives: 0 });

      const newer = await enqueue({}, { priority: { score: 5000, reasons: [] } });
      const submitted = createEvent({ type: EventTypes.evidenceSubmitted, source: '//crew-app', data: { caseId: doc.caseId, submittedBy: 'crew-7', evidence: [{ uri: 'gs://evidence/bk-20261121-0042/after-1.jpg', role: 'return', mediaType: 'image/jpeg' }] } });
      if (!submitted.ok) throw new Error(submitted.error.message);
      const handled = (): number => app.host.counters.get('review-queue.requeue-on-evidence-submitted')?.byOutcome.handled ?? 0;
      const before = handled();
      await publish(app, submitted.value as ArbiterEvent, Topics.evidence);
      await publish(app, submitted.value as ArbiterEvent, Topics.evidence); // duplicate delivery
      await waitUntil('requeue', async () => ((await item(doc.caseId))?.status === 'open' ? true : undefined), 20_000);
      // Both deliveries handled (the second as a duplicate) before anything is counted.
      await waitUntil('both evidence deliveries handled', async () => (handled() >= before + 2 ? true : undefined), 20_000);
      expect(await item(doc.caseId)).toMatchObject({ status: 'open', lane: 0 });
      expect((await caseOf(doc.caseId)).extraEvidence).toHaveLength(1);
      expect((await caseOf(doc.caseId)).status).toBe('in-review');
      expect((await caseOf(doc.caseId)).nextStep).toBeUndefined();
      // The idempotency marker is retained as the case's policy says (vehicle-cleanliness: caseDays 90 after the write).
      const markers = await app.firestore.collection(Collections.processed).where('caseId', '==', doc.caseId).get();
      expect(markers.docs.map((m) => `${m.get('expireAt')?.constructor?.name} ${m.get('expireAt')?.toMillis() - m.get('processedAt')}`)).toEqual([`Timestamp ${90 * 86_400_000}`]);
      const listed = await call(app, 'GET', `/api/queues/${cleanliness}/items?limit=2`, henry);
      const order = (await call(app, 'GET', `/api/queues/${cleanliness}/items?limit=200`, henry)).body.items.map((i: { caseId: string }) => i.caseId);
      // Back in lane 0: ahead of newer work, even of work with a higher priority.
      expect(order.indexOf(doc.caseId)).toBeGreaterThanOrEqual(0);
      expect(order.indexOf(doc.caseId)).toBeLessThan(order.indexOf(newer.caseId));
      expect(listed.status).toBe(200);

      const dlq = app.host.pubsub.subscription(deadLetterInspectionOf(SubscriptionNames.requeueOnEvidenceSubmitted));
      const dead: Array<Record<string, string>> = [];
      // A stream error after the test closed it must not crash the run (an unhandled 'error' event).
      dlq.on('error', () => undefined);
      dlq.on('message', (m) => { dead.push(m.attributes); m.ack(); });
      const stray = createEvent({ type: EventTypes.evidenceSubmitted, source: '//crew-app', data: { caseId: 'case_does_not_exist', submittedBy: 'crew-7', evidence: [{ uri: 'gs://x/y.jpg' }] } });
      if (!stray.ok) throw new Error(stray.error.message);
      await publish(app, stray.value as ArbiterEvent, Topics.evidence);
      const letter = await waitUntil('dead letter', async () => dead.find((a) => a['ce-id'] === stray.value.id), 30_000);
      await dlq.close();
      expect(letter['arbiter-error-code']).toBe('CASE.NOT_FOUND');
    } finally {
      await requests.close();
    }
  });

  it('case.redriven (requeue) puts a case whose evidence is overdue back ahead of new work; a redelivered one never cuts short a later request', async () => {
    const doc = await enqueue({}, { priority: { score: 3000, reasons: [] } });
    const iris = await reviewer('iris');
    await call(app, 'POST', `/api/items/${queueItemId(doc.caseId, 'decision')}/claim`, iris);
    const asked = await call(app, 'POST', `/api/cases/${doc.caseId}/evidence-request`, iris, { what: 'photo of the boot', reasonCode: 'ANGLE_MISSING' });
    expect(asked.status).toBe(200);
    const pending = (await caseOf(doc.caseId)).nextStep;
    expect(pending).toMatchObject({ kind: 'requeue', redrives: 0 });
    const redriven = (attempt: number, at: Date) => {
      const created = createEvent({ type: EventTypes.caseRedriven, source: '/arbiter/sla-escalator', id: `redrive_${doc.caseId}_requeue_${attempt}`, subject: doc.caseId, data: { caseId: doc.caseId, useCase: doc.useCase, step: 'requeue', pendingSince: new Date(pending!.since).toISOString(), attempt, redrivenAt: at.toISOString() } });
      if (!created.ok) throw new Error(created.error.message);
      return created.value as ArbiterEvent;
    };
    const handled = (): number => app.host.counters.get('review-queue.requeue-on-case-redriven')?.byOutcome.handled ?? 0;
    const first = redriven(1, new Date());
    const before = handled();
    await publish(app, first, Topics.caseRedriven);
    await waitUntil('requeue on case.redriven', async () => ((await item(doc.caseId))?.status === 'open' ? true : undefined), 20_000);
    expect(await item(doc.caseId)).toMatchObject({ status: 'open', lane: 0 });
    expect(await caseOf(doc.caseId)).toMatchObject({ status: 'in-review' });
    expect((await caseOf(doc.caseId)).nextStep).toBeUndefined();
    expect((await caseOf(doc.caseId)).evidenceRequest).toBeUndefined();

    // Asked again; the first case.redriven delivered again must leave the new request waiting.
    await call(app, 'POST', `/api/items/${queueItemId(doc.caseId, 'decision')}/claim`, iris);
    const again = await call(app, 'POST', `/api/cases/${doc.caseId}/evidence-request`, iris, { what: 'photo of the boot, closer', reasonCode: 'ANGLE_MISSING' });
    expect(again.status).toBe(200);
    await publish(app, first, Topics.caseRedriven);
    await waitUntil('both case.redriven deliveries handled', async () => (handled() >= before + 2 ? true : undefined), 20_000);
    expect(await item(doc.caseId)).toMatchObject({ status: 'awaiting-evidence' });
    expect((await caseOf(doc.caseId)).nextStep).toMatchObject({ kind: 'requeue', redrives: 0 });
  });

  it('serves a signed, expiring evidence URL and emits evidence.accessed (who, when, which); unsigned or altered links are refused', async () => {
    const cases = await tap(app, Topics.cases);
    try {
      const doc = await enqueue();
      const ivy = await reviewer('ivy');
      const r = await call(app, 'GET', `/api/cases/${doc.caseId}/evidence/1`, ivy);
      expect(r.status).toBe(200);
      expect(r.body.uri).toBe('gs://evidence/bk-20261121-0042/after-1.jpg');
      expect(r.body.url).toMatch(new RegExp(`^${app.url}/evidence/evidence/bk-20261121-0042/after-1\\.jpg\\?expires=\\d+&signature=[0-9a-f]{64}$`));
      expect(Date.parse(r.body.expiresAt) - Date.now()).toBeGreaterThan(60_000);
      const file = await fetch(r.body.url);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toBe('image/jpeg');
      // The file without the signature, with the signature of another file, or with a later expiry: refused.
      const link = new URL(r.body.url);
      expect((await fetch(`${app.url}${link.pathname}`)).status).toBe(401);
      expect((await fetch(`${app.url}/evidence/evidence/bk-20261121-0042/before-1.jpg${link.search}`)).status).toBe(403);
      expect((await fetch(`${app.url}${link.pathname}?expires=${Number(link.searchParams.get('expires')) + 86_400}&signature=${link.searchParams.get('signature')}`)).status).toBe(403);
      expect((await fetch(`${app.url}/evidence/arbiter-demo-evidence/vehicle-cleanliness/bk-guess/return-1.jpg`)).status).toBe(401);
      const accessed = await waitUntil('evidence.accessed', async () => ofType(cases.messages, EventTypes.evidenceAccessed, doc.caseId)[0], 20_000);
      expect(accessed.data).toMatchObject({ caseId: doc.caseId, uri: 'gs://evidence/bk-20261121-0042/after-1.jpg', accessedBy: { id: 'ivy', role: 'reviewer' } });
      expect((await call(app, 'GET', `/api/cases/${doc.caseId}/evidence/7`, ivy)).status).toBe(404);
    } finally {
      await cases.close();
    }
  });
});

describe('case view, disputes, overview, auth', () => {
  it('shows the single pane with PII redacted, the rendered template and precedents', async () => {
    const earlier = await enqueue({ label: 'dirty', confidence: 0.8 });
    const jack = await reviewer('jack');
    await call(app, 'POST', `/api/items/${queueItemId(earlier.caseId, 'decision')}/claim`, jack);
    expect((await call(app, 'POST', `/api/cases/${earlier.caseId}/decision`, jack, { optionId: 'approve', reasonCode: 'CONFIRMED_PET_HAIR' })).status).toBe(200);
    const doc = await enqueue({ label: 'dirty', confidence: 0.78, customerId: 'cus-secret-42' });
    const view = await call(app, 'GET', `/api/cases/${doc.caseId}`, jack);
    expect(view.status).toBe(200);
    expect(view.body.prediction).toMatchObject({ label: 'dirty', confidence: 0.78, band: 'medium', thresholds: { high: 0.9, low: 0.6 }, model: { name: 'cleanliness-vit', version: '2.3.0' } });
    expect(view.body.context.customerId).toBe('[REDACTED]');
    expect(JSON.stringify(view.body)).not.toContain('cus-secret-42');
    expect(view.body.evidence).toHaveLength(2);
    expect(view.body.options.decisionOptions.map((o: { id: string }) => o.id)).toEqual(['approve', 'reject', 'request-photos']);
    expect(view.body.template.markdown).toContain('dirty at 78% confidence');
    const precedent = view.body.precedents.find((p: { caseId: string }) => p.caseId === earlier.caseId);
    // Same label, same scores, the stain in the same place: similar on every part, each explained.
    expect(precedent).toMatchObject({ outcome: 'fee_applied', reasonCode: 'CONFIRMED_PET_HAIR', decidedBy: 'reviewer', similarity: 1, basis: 'regions+label+scores' });
    expect(precedent.why).toEqual(['1 vs 1 regions, matched by overlap (IoU): 100%', 'same label dirty: 100%', 'score distributions: 100%']);
    const admin = await call(app, 'GET', `/api/cases/${doc.caseId}`, await token('root', ['admin']));
    expect(admin.body.context.customerId).toBe('cus-secret-42');
  });

  it('dispute view shows the deciding role, never the reviewer’s name', async () => {
    const subjectId = `bk-dispute-${Date.now()}`;
    const doc = await enqueue({ subjectId });
    const kate = await reviewer('kate-the-reviewer');
    await call(app, 'POST', `/api/items/${queueItemId(doc.caseId, 'decision')}/claim`, kate);
    await call(app, 'POST', `/api/cases/${doc.caseId}/decision`, kate, { optionId: 'reject', reasonCode: 'PRE_EXISTING_IN_BASELINE' });
    const support = await token('sam', ['support']);
    const view = await call(app, 'GET', `/api/disputes/booking/${subjectId}`, support);
    expect(view.status).toBe(200);
    expect(view.body.decisions[0]).toMatchObject({ outcome: 'fee_waived', reasonCode: 'PRE_EXISTING_IN_BASELINE', reasonLabel: 'Already present in baseline photos', decidedBy: 'reviewer' });
    expect(view.body.decisions[0].evidence.map((e: { uri: string }) => e.uri)).toContain('gs://evidence/bk-20261121-0042/after-1.jpg');
    expect(JSON.stringify(view.body)).not.toContain('kate-the-reviewer');
    expect((await call(app, 'GET', `/api/disputes/booking/${subjectId}`, kate)).status).toBe(403);
    expect((await call(app, 'GET', '/api/disputes/booking/nobody', support)).status).toBe(404);
  });

  it('answers 401 without a valid token and 403 for roles that may not', async () => {
    const none = await call(app, 'GET', '/api/queues', undefined);
    expect(none).toMatchObject({ status: 401, body: { error: { code: 'AUTH.UNAUTHENTICATED' } } });
    // Tamper with the first character of the signature: every bit of it counts (the last base64url
    // character of a 32-byte signature carries two padding bits, so changing it may change nothing).
    const genuine = await reviewer('x');
    const at = genuine.lastIndexOf('.') + 1;
    const forged = await call(app, 'GET', '/api/queues', `${genuine.slice(0, at)}${genuine[at] === 'A' ? 'B' : 'A'}${genuine.slice(at + 1)}`);
    expect(forged.status).toBe(401);
    const expired = await call(app, 'GET', '/api/queues', await token('x', ['reviewer'], { ttlSeconds: -10 }));
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toMatch(/expired/);

    const doc = await enqueue();
    const auditor = await token('audrey', ['auditor']);
    expect((await call(app, 'GET', `/api/cases/${doc.caseId}`, auditor)).status).toBe(200);
    const auditorDecides = await call(app, 'POST', `/api/cases/${doc.caseId}/decision`, auditor, { optionId: 'approve', reasonCode: 'CONFIRMED_SOILING' });
    expect(auditorDecides).toMatchObject({ status: 403, body: { error: { code: 'AUTH.FORBIDDEN' } } });
    const noQueueRole = await token('nq', ['reviewer']);
    expect((await call(app, 'POST', `/api/queues/${cleanliness}/next`, noQueueRole)).status).toBe(403);
    expect((await call(app, 'GET', `/api/cases/${doc.caseId}`, noQueueRole)).status).toBe(403);
    const allowListed = await token('al', ['reviewer'], { queues: [cleanliness] });
    expect((await call(app, 'GET', `/api/cases/${doc.caseId}`, allowListed)).status).toBe(200);
    expect((await call(app, 'GET', '/api/lead/overview', await reviewer('r'))).status).toBe(403);
    expect((await call(app, 'GET', '/api/lead/overview', await token('s', ['support']))).status).toBe(403);
    const badBody = await call(app, 'POST', `/api/cases/${doc.caseId}/decision`, await reviewer('r'), { optionId: 7, extra: true });
    expect(badBody.status).toBe(400);
    expect(badBody.body.error.message).toMatch(/extra/);
  });

  it('gives leads the overview: depth, at risk, claimed, escalated, throughput', async () => {
    const lead = await token('lead-1', ['lead']);
    const r = await call(app, 'GET', '/api/lead/overview', lead);
    expect(r.status).toBe(200);
    const q = r.body.queues.find((x: { queue: string }) => x.queue === cleanliness);
    expect(q).toEqual(expect.objectContaining({ depth: expect.any(Number), atRisk: expect.any(Number), claimed: expect.any(Number), escalated: expect.any(Number) }));
    expect(q.depth).toBeGreaterThan(0);
    const alice = r.body.throughput.reviewers.find((x: { reviewerId: string }) => x.reviewerId === 'alice');
    expect(alice?.itemsDone).toBeGreaterThanOrEqual(1);
  });
});
