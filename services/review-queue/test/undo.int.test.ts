/**
 * The undo window (use-cases/undo.ts) on the Firestore and Pub/Sub emulators: a decision is held on the
 * server, undone within the window without a trace, or committed after it exactly once — by the process
 * that took it, or, when that process is gone, by another instance's sweep. Batches too.
 */
import { Collections, queueItemId, type CaseDoc, type QueueItemDoc } from '@arbiter/case-store';
import { EventTypes, Topics } from '@arbiter/contract';
import { call, waitUntil, ofType, publish, routedEvent, startApp, tap, token, withoutQualitySampling, writeCase, type Running } from './support';

jest.setTimeout(120_000);

const WINDOW_MS = 2_500;
let app: Running & { projectId: string };
let queue: string;
const reviewer = (id: string): Promise<string> => token(id, ['reviewer', 'cleanliness-reviewer']);

beforeAll(async () => {
  app = await startApp({ editPolicies: withoutQualitySampling, undoWindowMs: WINDOW_MS, pendingSweepMs: 0 });
  queue = app.queue('cleanliness-review');
});
afterAll(async () => {
  await app?.close();
});

const itemOf = async (caseId: string): Promise<QueueItemDoc & { pendingDecision?: unknown }> =>
  (await app.firestore.collection(Collections.queueItems).doc(queueItemId(caseId, 'decision')).get()).data() as QueueItemDoc & { pendingDecision?: unknown };
const caseOf = async (caseId: string): Promise<CaseDoc> => (await app.firestore.collection(Collections.cases).doc(caseId).get()).data() as CaseDoc;
const pendingExists = async (caseId: string): Promise<boolean> => (await app.firestore.collection(Collections.pendingDecisions).doc(queueItemId(caseId, 'decision')).get()).exists;

async function enqueue(target: Running = app): Promise<CaseDoc> {
  const doc = await writeCase(target.firestore, { label: 'dirty' });
  await publish(target, routedEvent(doc, queue, { priority: { score: 10, reasons: [] } }));
  await waitUntil(`item of ${doc.caseId}`, async () => ((await itemOf(doc.caseId))?.status === 'open' ? true : undefined), 20_000);
  return doc;
}

async function claim(caseId: string, who: string): Promise<void> {
  const r = await call(app, 'POST', `/api/items/${queueItemId(caseId, 'decision')}/claim`, who);
  expect(r.status).toBe(200);
}

it('undone within the window: no decision and no event, the case is the reviewer’s again; a later decision proves the system moved on', async () => {
  const decisions = await tap(app, Topics.decisions);
  const cases = await tap(app, Topics.cases);
  try {
    const undone = await enqueue();
    const later = await enqueue();
    const ida = await reviewer('ida');
    await claim(undone.caseId, ida);
    const held = await call(app, 'POST', `/api/cases/${undone.caseId}/decision`, ida, { optionId: 'approve', reasonCode: 'CONFIRMED_SOILING' });
    expect(held.status).toBe(200);
    expect(held.body).toMatchObject({ caseId: undone.caseId, decided: false, outcome: 'fee_applied', pending: { undoUntil: expect.any(String) } });
    expect(Date.parse(held.body.pending.undoUntil) - Date.now()).toBeLessThanOrEqual(WINDOW_MS);
    // Held: the item stays the reviewer's, marked pending; the case is not decided.
    expect(await itemOf(undone.caseId)).toMatchObject({ status: 'claimed', claim: { reviewerId: 'ida' }, pendingDecision: { by: 'ida' } });
    expect((await caseOf(undone.caseId)).decision).toBeUndefined();
    // Nobody else can act on it meanwhile, nor can the reviewer decide twice.
    expect((await call(app, 'POST', `/api/cases/${undone.caseId}/decision`, ida, { optionId: 'reject', reasonCode: 'STAIN_NOT_VISIBLE_IN_RETURN' })).status).toBe(409);
    const steal = await call(app, 'POST', `/api/items/${queueItemId(undone.caseId, 'decision')}/claim`, await reviewer('jon'));
    expect(steal.status).toBe(409);
    expect(steal.body.error.message).toMatch(/undo window/);
    // Someone else cannot undo it.
    expect((await call(app, 'POST', `/api/cases/${undone.caseId}/decision/undo`, await reviewer('jon'))).status).toBe(404);

    const undo = await call(app, 'POST', `/api/cases/${undone.caseId}/decision/undo`, ida);
    expect(undo.status).toBe(200);
    expect(undo.body).toEqual({ caseId: undone.caseId, itemId: queueItemId(undone.caseId, 'decision'), undone: true, status: 'claimed' });
    const after = await itemOf(undone.caseId);
    expect(after).toMatchObject({ status: 'claimed', claim: { reviewerId: 'ida' } });
    expect(after.pendingDecision).toBeUndefined();
    expect(await pendingExists(undone.caseId)).toBe(false);
    // Undo twice: nothing left to undo.
    expect((await call(app, 'POST', `/api/cases/${undone.caseId}/decision/undo`, ida)).status).toBe(404);

    // The proof the system moved on: another decision by the same reviewer, taken after the undo,
    // commits after its window and arrives. By then the undone one would have arrived too.
    await claim(later.caseId, ida);
    expect((await call(app, 'POST', `/api/cases/${later.caseId}/decision`, ida, { optionId: 'approve', reasonCode: 'CONFIRMED_SOILING' })).status).toBe(200);
    const made = await waitUntil('the later decision.made', async () => ofType(decisions.messages, EventTypes.decisionMade, later.caseId)[0], 30_000);
    expect(made.data).toMatchObject({ caseId: later.caseId, outcome: 'fee_applied', decidedBy: { kind: 'human', id: 'ida' } });
    await waitUntil('the later case.reviewed', async () => ofType(cases.messages, EventTypes.caseReviewed, later.caseId)[0], 30_000);
    expect(ofType(decisions.messages, EventTypes.decisionMade, undone.caseId)).toEqual([]);
    expect(ofType(cases.messages, EventTypes.caseReviewed, undone.caseId)).toEqual([]);
    expect((await caseOf(undone.caseId)).decision).toBeUndefined();
    // The undone case can be decided again, as usual.
    expect((await call(app, 'POST', `/api/cases/${undone.caseId}/decision`, ida, { optionId: 'reject', reasonCode: 'STAIN_NOT_VISIBLE_IN_RETURN' })).status).toBe(200);
    const second = await waitUntil('the re-made decision', async () => ofType(decisions.messages, EventTypes.decisionMade, undone.caseId)[0], 30_000);
    expect(second.data).toMatchObject({ outcome: 'fee_waived' });
  } finally {
    await decisions.close();
    await cases.close();
  }
});

it('after the window it commits once, with the time the reviewer decided; too late to undo then', async () => {
  const decisions = await tap(app, Topics.decisions);
  try {
    const doc = await enqueue();
    const kai = await reviewer('kai');
    await claim(doc.caseId, kai);
    const held = await call(app, 'POST', `/api/cases/${doc.caseId}/decision`, kai, { optionId: 'reject', reasonCode: 'STAIN_NOT_VISIBLE_IN_RETURN', notes: 'seat was only wet' });
    expect(held.status).toBe(200);
    const made = await waitUntil('decision.made', async () => ofType(decisions.messages, EventTypes.decisionMade, doc.caseId)[0], 30_000);
    expect(made.data).toMatchObject({ outcome: 'fee_waived', reasonCode: 'STAIN_NOT_VISIBLE_IN_RETURN', decidedBy: { kind: 'human', id: 'kai' } });
    expect(made.data.decidedAt).toBe(held.body.decidedAt);
    const item = await itemOf(doc.caseId);
    expect(item.status).toBe('done');
    expect(item.pendingDecision).toBeUndefined();
    expect(await pendingExists(doc.caseId)).toBe(false);
    expect((await call(app, 'POST', `/api/cases/${doc.caseId}/decision/undo`, kai)).status).toBe(404);
    // One decision: a second delivery of the commit (the sweep after the timer) finds nothing to do.
    expect(await app.useCases.pendingCommits.sweep()).toBe(0);
    expect(ofType(decisions.messages, EventTypes.decisionMade, doc.caseId)).toHaveLength(1);
  } finally {
    await decisions.close();
  }
});

it('a decision held by a process that dies inside its window is committed by another instance’s sweep', async () => {
  const decisions = await tap(app, Topics.decisions);
  // The instance that takes the decision, on the same project (as Cloud Run runs several), then gone.
  const doomed = await startApp({ sameProjectAs: app, undoWindowMs: WINDOW_MS, pendingSweepMs: 0 });
  try {
    const doc = await enqueue();
    const lia = await reviewer('lia');
    expect((await call(doomed, 'POST', `/api/items/${queueItemId(doc.caseId, 'decision')}/claim`, lia)).status).toBe(200);
    expect((await call(doomed, 'POST', `/api/cases/${doc.caseId}/decision`, lia, { optionId: 'approve', reasonCode: 'CONFIRMED_SOILING' })).status).toBe(200);
    await doomed.close(); // its commit timer dies with it
    expect(await pendingExists(doc.caseId)).toBe(true);
    // Another instance sweeps once the window (and the grace the timer had) is over.
    const committed = await waitUntil('the sweep committing it', async () => ((await app.useCases.pendingCommits.sweep()) > 0 ? true : undefined), 30_000);
    expect(committed).toBe(true);
    const made = await waitUntil('decision.made from the sweep', async () => ofType(decisions.messages, EventTypes.decisionMade, doc.caseId)[0], 30_000);
    expect(made.data).toMatchObject({ outcome: 'fee_applied', decidedBy: { kind: 'human', id: 'lia' } });
    expect((await itemOf(doc.caseId)).status).toBe('done');
  } finally {
    await decisions.close();
  }
});

it('a batch decision waits in the window too, and is undone as a whole; its items are open again', async () => {
  const decisions = await tap(app, Topics.decisions);
  try {
    const docs = [await enqueue(), await enqueue()];
    const ids = docs.map((d) => queueItemId(d.caseId, 'decision'));
    const max = await reviewer('max');
    const batch = await call(app, 'POST', '/api/batches/decision', max, { itemIds: ids, optionId: 'approve-all', reasonCode: 'CONFIRMED_SOILING' });
    expect(batch.status).toBe(200);
    expect(batch.body.results.map((r: { result: string }) => r.result)).toEqual(['pending', 'pending']);
    for (const d of docs) expect(await itemOf(d.caseId)).toMatchObject({ status: 'claimed', claim: { reviewerId: 'max' }, pendingDecision: { batchId: batch.body.batchId } });
    const undo = await call(app, 'POST', `/api/batches/${batch.body.batchId}/undo`, max);
    expect(undo.status).toBe(200);
    expect(undo.body.results.map((r: { undone: boolean; status: string }) => [r.undone, r.status])).toEqual([[true, 'open'], [true, 'open']]);
    for (const d of docs) {
      const item = await itemOf(d.caseId);
      expect(item.status).toBe('open');
      expect(item.claim).toBeUndefined();
    }
    // Moved on: one of them decided again, singly, arrives; the undone batch never does.
    await claim(docs[0]?.caseId as string, max);
    await call(app, 'POST', `/api/cases/${docs[0]?.caseId}/decision`, max, { optionId: 'approve', reasonCode: 'CONFIRMED_SOILING' });
    const made = await waitUntil('the single decision', async () => ofType(decisions.messages, EventTypes.decisionMade, docs[0]?.caseId)[0], 30_000);
    expect(made.data).toMatchObject({ caseId: docs[0]?.caseId, outcome: 'fee_applied' });
    expect(ofType(decisions.messages, EventTypes.decisionMade, docs[1]?.caseId)).toEqual([]);
  } finally {
    await decisions.close();
  }
});
