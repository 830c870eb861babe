/**
 * Claiming ahead (`POST /api/queues/{queue}/next` with `ahead`): the console's next case, held under a
 * short lease while the reviewer works on the current one — one at a time, renewed when asked again,
 * out of everyone else's reach, a working lease once opened.
 */
import { Collections, queueItemId, type QueueItemDoc } from '@arbiter/case-store';
import { call, waitUntil, publish, routedEvent, startApp, token, withoutQualitySampling, writeCase, type Running } from './support';

jest.setTimeout(120_000);

const AHEAD_LEASE_MS = 60_000;
let app: Running;
let queue: string;
const reviewer = (id: string): Promise<string> => token(id, ['reviewer', 'cleanliness-reviewer']);

beforeAll(async () => {
  app = await startApp({ editPolicies: withoutQualitySampling, aheadLeaseMs: AHEAD_LEASE_MS });
  queue = app.queue('cleanliness-review');
});
afterAll(async () => {
  await app?.close();
});

const itemOf = async (itemId: string): Promise<QueueItemDoc> => (await app.firestore.collection(Collections.queueItems).doc(itemId).get()).data() as QueueItemDoc;

it('holds one case ahead under the short lease, renews it when asked again, keeps others off it, and opening it gives the working lease', async () => {
  const docs = [];
  for (let i = 0; i < 3; i += 1) {
    const doc = await writeCase(app.firestore);
    await publish(app, routedEvent(doc, queue, { priority: { score: 10 + i, reasons: [] } }));
    docs.push(doc);
  }
  for (const d of docs) await waitUntil('item', async () => ((await itemOf(queueItemId(d.caseId, 'decision')))?.status === 'open' ? true : undefined), 20_000);
  const nia = await reviewer('nia');
  const current = await call(app, 'POST', `/api/queues/${queue}/next`, nia);
  expect(current.status).toBe(200);
  const currentId = current.body.item.itemId as string;

  const ahead = await call(app, 'POST', `/api/queues/${queue}/next`, nia, { ahead: [currentId] });
  expect(ahead.status).toBe(200);
  const aheadId = ahead.body.item.itemId as string;
  expect(aheadId).not.toBe(currentId);
  const aheadLease = Date.parse(ahead.body.item.claim.leaseUntil) - Date.now();
  expect(aheadLease).toBeGreaterThan(AHEAD_LEASE_MS - 10_000);
  expect(aheadLease).toBeLessThanOrEqual(AHEAD_LEASE_MS);
  // The current case keeps its working lease.
  expect((await itemOf(currentId)).claim?.leaseUntil ?? 0).toBeGreaterThan(Date.now() + 9 * 60_000);

  // Asked again: the same case, renewed, not a third one.
  const again = await call(app, 'POST', `/api/queues/${queue}/next`, nia, { ahead: [currentId] });
  expect(again.body.item.itemId).toBe(aheadId);
  expect(Date.parse(again.body.item.claim.leaseUntil)).toBeGreaterThanOrEqual(Date.parse(ahead.body.item.claim.leaseUntil));

  // Someone else gets the third case, never the two held.
  const omar = await call(app, 'POST', `/api/queues/${queue}/next`, await reviewer('omar'));
  expect([currentId, aheadId]).not.toContain(omar.body.item.itemId);
  expect((await call(app, 'POST', `/api/items/${aheadId}/claim`, await reviewer('omar'))).status).toBe(409);

  // Opening the case held ahead makes its lease a working one.
  const opened = await call(app, 'POST', `/api/items/${aheadId}/claim`, nia);
  expect(opened.status).toBe(200);
  expect(Date.parse(opened.body.item.claim.leaseUntil) - Date.now()).toBeGreaterThan(9 * 60_000);
  // A renewal never shortens it again.
  const renewed = await call(app, 'POST', `/api/queues/${queue}/next`, nia, { ahead: [currentId] });
  expect(renewed.body.item.itemId).toBe(aheadId);
  expect(Date.parse(renewed.body.item.claim.leaseUntil) - Date.now()).toBeGreaterThan(9 * 60_000);

  // A bad body says what to send.
  const bad = await call(app, 'POST', `/api/queues/${queue}/next`, nia, { ahead: currentId });
  expect(bad.status).toBe(400);
  expect(bad.body.error.message).toBe('ahead must be a list of item ids');
});
