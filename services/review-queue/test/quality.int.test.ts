import { Collections, queueItemId, type GoldenCaseDoc, type QueueItemDoc } from '@arbiter/case-store';
import { EventTypes, Topics } from '@arbiter/contract';
import { call, waitUntil, ofType, publish, routedEvent, startApp, tap, token, uid, withQualitySampling, writeCase, type Running } from './support';

/**
 * Double review, golden cases and the quality gates that act, against the emulators, with a policy whose quality block samples
 * every case (doubleReviewRate 1, goldenRate 1), so the flow is deterministic:
 * - a golden case is mixed into the queue next to a real one, looking like any decision item;
 * - the decided case goes to a second reviewer — never the first, blind to the first verdict;
 * - verdicts come out as case.reviewed with purpose double-review / golden; a reviewer below the
 *   policy's golden accuracy bar is flagged in the lead overview.
 */
jest.setTimeout(120_000);

let app: Running;
let queue: string;
const reviewer = (id: string): Promise<string> => token(id, ['reviewer', 'cleanliness-reviewer']);

beforeAll(async () => {
  // A reviewer's standing over their last 2 known answers; a flagged reviewer's every "next" serves a golden case.
  app = await startApp({ editPolicies: (text) => withQualitySampling(1)(text).replace(/minKappa: ([0-9.]+)/, 'minKappa: $1\n  window: 2\n  flaggedGoldenRate: 1') });
  queue = app.queue('cleanliness-review');
});
afterAll(async () => {
  await app.close();
});

const itemDoc = async (itemId: string): Promise<(QueueItemDoc & { goldenResult?: { correct: boolean } }) | undefined> => {
  const snap = await app.firestore.collection(Collections.queueItems).doc(itemId).get();
  return snap.exists ? (snap.data() as QueueItemDoc) : undefined;
};

it('mixes in a golden case, sends the decided case to an independent second reviewer, and flags a reviewer below the golden bar', async () => {
  const reviewed = await tap(app, Topics.cases);
  const goldenId = `golden-${uid()}`;
  const golden: GoldenCaseDoc = {
    goldenId,
    useCase: 'vehicle-cleanliness',
    queue,
    policy: { id: 'vehicle-cleanliness', version: '1' },
    prediction: { useCase: 'vehicle-cleanliness', subject: { type: 'booking', id: `bk-${uid()}` }, model: { name: 'cleanliness-vit', version: '2.3.0' }, prediction: { label: 'dirty', confidence: 0.8 }, evidence: [{ uri: 'gs://evidence/g/after-1.jpg', role: 'return' }] },
    confidence: 0.8,
    confidenceSource: 'prediction',
    band: 'medium',
    thresholds: { high: 0.9, low: 0.6 },
    expectedOutcome: 'fee_waived',
    loadedAt: Date.now(),
  };
  await app.firestore.collection(Collections.goldenCases).doc(goldenId).set(golden);

  const real = await writeCase(app.firestore);
  await publish(app, routedEvent(real, queue));
  await waitUntil('decision item', () => itemDoc(queueItemId(real.caseId, 'decision')), 20_000);
  const goldenItems = await waitUntil('golden item', async () => {
    const snap = await app.firestore.collection(Collections.queueItems).where('queue', '==', queue).where('purpose', '==', 'golden').get();
    return snap.empty ? undefined : snap.docs.map((d) => d.data() as QueueItemDoc);
  }, 20_000);
  expect(goldenItems).toHaveLength(1);
  const goldenItem = goldenItems[0] as QueueItemDoc;
  expect(goldenItem.itemId).toBe(`${goldenItem.caseId}~decision`); // nothing in its id marks it
  expect(goldenItem.caseId).toMatch(/^case_[0-9a-f]{64}$/);

  // What a reviewer sees: two decision items.
  const a = await reviewer(`ann-${uid()}`);
  const listed = await call(app, 'GET', `/api/queues/${queue}/items?limit=10`, a);
  expect(listed.body.items.map((i: { purpose: string }) => i.purpose)).toEqual(['decision', 'decision']);
  const goldenView = await call(app, 'GET', `/api/cases/${goldenItem.caseId}`, a);
  expect(goldenView.status).toBe(200);
  expect(JSON.stringify(goldenView.body)).not.toMatch(/golden|expectedOutcome/i);

  // Ann decides the real case: it goes to double review, which Ann may not take.
  const annId = (JSON.parse(Buffer.from(a.split('.')[1] as string, 'base64url').toString()) as { sub: string }).sub;
  expect((await call(app, 'POST', `/api/items/${queueItemId(real.caseId, 'decision')}/claim`, a, {})).status).toBe(200);
  const first = await call(app, 'POST', `/api/cases/${real.caseId}/decision`, a, { optionId: 'approve', reasonCode: 'CONFIRMED_SOILING' });
  expect(first.status).toBe(200);
  const second = await waitUntil('double-review item', () => itemDoc(queueItemId(real.caseId, 'double-review')), 20_000);
  expect(second).toMatchObject({ purpose: 'double-review', status: 'open', queue, excludeReviewers: [annId] });
  const annTries = await call(app, 'POST', `/api/items/${second.itemId}/claim`, a, {});
  expect(annTries.status).toBe(403);
  // Ann posting her decision again is told the case is decided (not refused the double review).
  const annAgain = await call(app, 'POST', `/api/cases/${real.caseId}/decision`, a, { optionId: 'approve', reasonCode: 'CONFIRMED_SOILING' });
  expect(annAgain.status).toBe(409);
  expect(annAgain.body.error.code).toBe('CASE.ALREADY_DECIDED');

  // Bob does the double review without seeing Ann's verdict, and disagrees.
  const b = await reviewer(`bob-${uid()}`);
  expect((await call(app, 'POST', `/api/items/${second.itemId}/claim`, b, {})).status).toBe(200);
  const bobView = await call(app, 'GET', `/api/cases/${real.caseId}`, b);
  expect(bobView.body.decision).toBeUndefined();
  const secondVerdict = await call(app, 'POST', `/api/cases/${real.caseId}/decision`, b, { optionId: 'reject', reasonCode: 'STAIN_NOT_VISIBLE_IN_RETURN' });
  expect(secondVerdict.status).toBe(200);
  expect(secondVerdict.body).toMatchObject({ purpose: 'double-review', decided: false });

  // Ann gets the golden case wrong (the known answer is fee_waived).
  expect((await call(app, 'POST', `/api/items/${goldenItem.itemId}/claim`, a, {})).status).toBe(200);
  const goldenVerdict = await call(app, 'POST', `/api/cases/${goldenItem.caseId}/decision`, a, { optionId: 'approve', reasonCode: 'CONFIRMED_SOILING' });
  expect(goldenVerdict.status).toBe(200);
  expect(goldenVerdict.body).toMatchObject({ purpose: 'golden', decided: false });
  expect((await itemDoc(goldenItem.itemId))?.goldenResult).toEqual({ expectedOutcome: 'fee_waived', correct: false });

  const events = await waitUntil('case.reviewed events', async () => {
    const found = [...ofType(reviewed.messages, EventTypes.caseReviewed, real.caseId), ...ofType(reviewed.messages, EventTypes.caseReviewed, goldenItem.caseId)];
    return found.length >= 3 ? found : undefined;
  }, 20_000);
  expect(events.map((e) => e.data.purpose).sort()).toEqual(['decision', 'double-review', 'golden']);
  await reviewed.close();

  // The lead sees Ann below the golden bar (0 of 1 < 0.9).
  const lead = await token(`lead-${uid()}`, ['lead']);
  const overview = await call(app, 'GET', '/api/lead/overview', lead);
  expect(overview.status).toBe(200);
  expect(overview.body.quality.flagged).toContain(annId);
  expect(overview.body.quality.reviewers).toContainEqual(expect.objectContaining({ reviewerId: annId, useCase: 'vehicle-cleanliness', golden: 1, correct: 0, accuracy: 0, belowBar: true, minAccuracy: 0.9 }));
});

it('a double review that disagrees goes to a lead, whose outcome revises the published decision, is labelled, and judges both reviewers', async () => {
  const decisions = await tap(app, Topics.decisions);
  const feedback = await tap(app, Topics.feedback);
  const real = await writeCase(app.firestore);
  await publish(app, routedEvent(real, queue));
  const decisionItemId = queueItemId(real.caseId, 'decision');
  await waitUntil('decision item', () => itemDoc(decisionItemId), 20_000);
  const [annId, bobId, carolId, leadId] = ['ann', 'bob', 'carol', 'lead'].map((name) => `${name}-${uid()}`) as [string, string, string, string];
  const [a, b, c, lead] = await Promise.all([reviewer(annId), reviewer(bobId), reviewer(carolId), token(leadId, ['lead'])]);

  expect((await call(app, 'POST', `/api/items/${decisionItemId}/claim`, a, {})).status).toBe(200);
  const decided = await call(app, 'POST', `/api/cases/${real.caseId}/decision`, a, { optionId: 'approve', reasonCode: 'CONFIRMED_SOILING' });
  expect(decided.status).toBe(200);
  const published = await waitUntil('decision.made', async () => ofType(decisions.messages, EventTypes.decisionMade, real.caseId)[0], 20_000);
  expect(published.data.outcome).toBe('fee_applied');

  const doubleItemId = queueItemId(real.caseId, 'double-review');
  await waitUntil('double-review item', () => itemDoc(doubleItemId), 20_000);
  expect((await call(app, 'POST', `/api/items/${doubleItemId}/claim`, b, {})).status).toBe(200);
  expect((await call(app, 'POST', `/api/cases/${real.caseId}/decision`, b, { optionId: 'reject', reasonCode: 'STAIN_NOT_VISIBLE_IN_RETURN' })).status).toBe(200);

  // The disagreement opens an adjudication item: ahead of new work, for leads only.
  const adjudicationItemId = queueItemId(real.caseId, 'adjudication');
  const opened = await waitUntil('adjudication item', () => itemDoc(adjudicationItemId), 20_000);
  expect(opened).toMatchObject({ purpose: 'adjudication', status: 'open', lane: 0, queue, excludeReviewers: [annId, bobId], disagreement: { first: { reviewerId: annId, outcome: 'fee_applied' }, second: { reviewerId: bobId, outcome: 'fee_waived' } } });
  expect((await call(app, 'POST', `/api/items/${adjudicationItemId}/claim`, c, {})).status).toBe(403);
  const leadView = await call(app, 'GET', `/api/cases/${real.caseId}`, lead);
  expect(leadView.body.items).toContainEqual(expect.objectContaining({ purpose: 'adjudication', disagreement: opened.disagreement }));

  // The lead sides with the second reviewer: the published fee is revised, once.
  expect((await call(app, 'POST', `/api/items/${adjudicationItemId}/claim`, lead, {})).status).toBe(200);
  const settled = await call(app, 'POST', `/api/cases/${real.caseId}/decision`, lead, { optionId: 'reject', reasonCode: 'STAIN_NOT_VISIBLE_IN_RETURN' });
  expect(settled.status).toBe(200);
  expect(settled.body).toMatchObject({ purpose: 'adjudication', decided: false, outcome: 'fee_waived', revisionId: `rvs_adj_${real.caseId}` });
  const again = await call(app, 'POST', `/api/cases/${real.caseId}/decision`, lead, { optionId: 'approve', reasonCode: 'CONFIRMED_SOILING' });
  expect(again.status).toBe(409);

  const revised = await waitUntil('decision.revised', async () => ofType(decisions.messages, EventTypes.decisionRevised, real.caseId)[0], 20_000);
  expect(revised.attributes['ce-id']).toBe(`rvs_adj_${real.caseId}`);
  expect(revised.data).toEqual({
    caseId: real.caseId,
    decisionId: published.data.decisionId,
    revisionId: `rvs_adj_${real.caseId}`,
    outcome: 'fee_waived',
    reasonCode: 'STAIN_NOT_VISIBLE_IN_RETURN',
    customerFavorable: true,
    revisedBy: { kind: 'human', id: leadId },
    revisedAt: expect.any(String),
    previousOutcome: 'fee_applied',
  });
  const labelled = await waitUntil('adjudication label', async () => ofType(feedback.messages, EventTypes.feedbackLabelled, real.caseId).find((m) => m.data.source === 'adjudication'), 20_000);
  expect(labelled.data).toMatchObject({ outcome: 'fee_waived', source: 'adjudication', reasonCode: 'STAIN_NOT_VISIBLE_IN_RETURN', prediction: { label: 'dirty' } });
  // One decision.made per type on the wire; the correction is the revision, not a second decision.
  expect(ofType(decisions.messages, EventTypes.decisionMade, real.caseId)).toHaveLength(1);
  expect(ofType(decisions.messages, EventTypes.decisionRevised, real.caseId)).toHaveLength(1);
  await Promise.all([decisions.close(), feedback.close()]);

  const caseDoc = (await app.firestore.collection(Collections.cases).doc(real.caseId).get()).data();
  expect(caseDoc?.decision?.outcome).toBe('fee_applied'); // the decision is history; the revision says what holds now
  expect(caseDoc?.revision).toEqual(revised.data);
  expect((await itemDoc(adjudicationItemId))?.adjudication).toEqual({ outcome: 'fee_waived', judged: [{ reviewerId: annId, outcome: 'fee_applied', correct: false }, { reviewerId: bobId, outcome: 'fee_waived', correct: true }] });

  // Reviewer accuracy counts adjudicated verdicts: Ann 0 of 1, Bob 1 of 1.
  const overview = await call(app, 'GET', '/api/lead/overview', lead);
  expect(overview.body.quality.reviewers).toContainEqual(expect.objectContaining({ reviewerId: annId, correct: 0, belowBar: true }));
  expect(overview.body.quality.reviewers).toContainEqual(expect.objectContaining({ reviewerId: bobId, correct: 1, belowBar: false }));
  // The queue's double reviews so far (this test's and the first's) both disagreed: κ 0, and AC1 −⅓
  // (chance agreement ¼: two outcomes used half each, on the policy's scale of three), each with its 95 % interval.
  const agreement = (overview.body.quality.agreement as Array<{ queue: string; pairs: number; observed: number; kappa: { value: number; interval: { low: number; high: number; level: number } }; ac1: { value: number; interval: { low: number; high: number } }; minKappa: number; belowBar: boolean }>).find((a) => a.queue === queue);
  expect(agreement).toMatchObject({ pairs: 2, observed: 0, kappa: { value: 0, interval: { level: 0.95 } }, ac1: { value: -0.333 }, minKappa: 0.8, belowBar: true });
  for (const measure of [agreement?.kappa, agreement?.ac1]) {
    expect(measure?.interval.low).toBeLessThanOrEqual(measure?.value as number);
    expect(measure?.interval.high).toBeGreaterThanOrEqual(measure?.value as number);
  }
});

it('a reviewer flagged below the bar is served golden cases on "next" until they recover, and the flag clears', async () => {
  const goldenId = `golden-gate-${uid()}`;
  const golden: GoldenCaseDoc = {
    goldenId,
    useCase: 'vehicle-cleanliness',
    queue,
    policy: { id: 'vehicle-cleanliness', version: '1' },
    prediction: { useCase: 'vehicle-cleanliness', subject: { type: 'booking', id: `bk-${uid()}` }, model: { name: 'cleanliness-vit', version: '2.3.0' }, prediction: { label: 'dirty', confidence: 0.81 }, evidence: [{ uri: 'gs://evidence/g/after-2.jpg', role: 'return' }] },
    confidence: 0.81,
    confidenceSource: 'prediction',
    band: 'medium',
    thresholds: { high: 0.9, low: 0.6 },
    expectedOutcome: 'fee_waived',
    loadedAt: Date.now(),
  };
  await app.firestore.collection(Collections.goldenCases).doc(goldenId).set(golden);
  const openGolden = async (): Promise<QueueItemDoc[]> => (await app.firestore.collection(Collections.queueItems).where('queue', '==', queue).where('purpose', '==', 'golden').where('status', '==', 'open').get()).docs.map((d) => d.data() as QueueItemDoc);
  const answerOf = async (caseId: string): Promise<string> => ((await app.firestore.collection(Collections.cases).doc(caseId).get()).data() as { golden: { expectedOutcome: string } }).golden.expectedOutcome;

  // A real case waits in the queue (with the golden case goldenRate 1 mixes in next to it).
  const real = await writeCase(app.firestore);
  await publish(app, routedEvent(real, queue));
  await waitUntil('decision item', () => itemDoc(queueItemId(real.caseId, 'decision')), 20_000);
  const mixed = await waitUntil('mixed-in golden item', async () => (await openGolden())[0], 20_000);

  // Dan gets the mixed-in golden case wrong: 0 of 1 < 0.9, flagged.
  const danId = `dan-${uid()}`;
  const dan = await reviewer(danId);
  expect((await call(app, 'POST', `/api/items/${mixed.itemId}/claim`, dan, {})).status).toBe(200);
  const wrongOption = (await answerOf(mixed.caseId)) === 'fee_waived' ? 'approve' : 'reject';
  expect((await call(app, 'POST', `/api/cases/${mixed.caseId}/decision`, dan, { optionId: wrongOption, reasonCode: wrongOption === 'approve' ? 'CONFIRMED_SOILING' : 'STAIN_NOT_VISIBLE_IN_RETURN' })).status).toBe(200);
  const lead = await token(`lead-${uid()}`, ['lead']);
  const flagged = await call(app, 'GET', '/api/lead/overview', lead);
  expect(flagged.body.quality.flagged).toContain(danId);
  expect(flagged.body.quality.reviewers).toContainEqual(expect.objectContaining({ reviewerId: danId, known: 1, correct: 0, flagged: true, reasons: ['accuracy 0% on the last 1 known answers, below 90%'] }));

  // Flagged, Dan's "next" is a golden case, although the real case is waiting; it looks like any decision.
  const served: string[] = [];
  for (let round = 0; round < 2; round += 1) {
    const next = await call(app, 'POST', `/api/queues/${queue}/next`, dan, {});
    expect(next.status).toBe(200);
    expect(next.body.item).toMatchObject({ purpose: 'decision', claim: { reviewerId: danId } });
    expect(next.body.item.caseId).not.toBe(real.caseId);
    const doc = await itemDoc(next.body.item.itemId);
    expect(doc?.purpose).toBe('golden');
    served.push(next.body.item.caseId as string);
    const right = (await answerOf(next.body.item.caseId)) === 'fee_waived' ? 'reject' : 'approve';
    const answered = await call(app, 'POST', `/api/cases/${next.body.item.caseId}/decision`, dan, { optionId: right, reasonCode: right === 'approve' ? 'CONFIRMED_SOILING' : 'STAIN_NOT_VISIBLE_IN_RETURN' });
    expect(answered.body).toMatchObject({ purpose: 'golden', decided: false });
    // After the first right answer the window (2) is 1 of 2: still flagged; after the second, recovered.
    const overview = await call(app, 'GET', '/api/lead/overview', lead);
    expect(overview.body.quality.reviewers).toContainEqual(expect.objectContaining({ reviewerId: danId, known: 2, correct: round + 1, flagged: round === 0 }));
  }
  expect(new Set(served).size).toBe(2); // a fresh golden instance each time

  // Recovered: the flag is gone and "next" is real work again.
  const cleared = await call(app, 'GET', '/api/lead/overview', lead);
  expect(cleared.body.quality.flagged).not.toContain(danId);
  // Golden cases mixed in beside the earlier tests' cases still wait; a lead holds them, so the real
  // case is the only one "next" may give.
  for (const leftover of await openGolden()) expect((await call(app, 'POST', `/api/items/${leftover.itemId}/claim`, lead, {})).status).toBe(200);
  const next = await call(app, 'POST', `/api/queues/${queue}/next`, dan, {});
  expect(next.body.item.caseId).toBe(real.caseId);
  expect((await itemDoc(next.body.item.itemId))?.purpose).toBe('decision');
});
