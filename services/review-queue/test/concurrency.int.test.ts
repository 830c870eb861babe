import { Collections, queueItemId, type CaseDoc } from '@arbiter/case-store';
import { EventTypes, Topics } from '@arbiter/contract';
import { call, waitUntil, ofType, publish, routedEvent, startApp, tap, token, withoutQualitySampling, writeCase, type Running } from './support';

jest.setTimeout(300_000);

let app: Running;
beforeAll(async () => {
  // Only decision items here: a sampled double review or a golden case is a second item of the same
  // case (or a case of its own) that a second reviewer may rightly take, which this test would count
  // as a double claim. Quality sampling has its own test (quality.int.test.ts).
  app = await startApp({ editPolicies: withoutQualitySampling });
});
afterAll(async () => {
  await app.close();
});

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
};

it('20 reviewers working one queue at once: zero double claims, zero double decisions', async () => {
  const queue = app.queue('cleanliness-review');
  const CASES = 40;
  const REVIEWERS = 20;
  const docs: CaseDoc[] = [];
  for (let i = 0; i < CASES; i += 1) docs.push(await writeCase(app.firestore));
  await Promise.all(docs.map((d, i) => publish(app, routedEvent(d, queue, { priority: { score: i % 5, reasons: [] } }))));
  await waitUntil('all items enqueued', async () => {
    const snap = await app.firestore.collection(Collections.queueItems).where('queue', '==', queue).get();
    return snap.size === CASES ? true : undefined;
  }, 60_000);

  const decisions = await tap(app, Topics.decisions);
  const claimsOf = new Map<string, string[]>();
  const decidedBy = new Map<string, string[]>();
  const nextLatencies: number[] = [];
  const decideLatencies: number[] = [];
  const failures: string[] = [];
  try {
    const started = Date.now();
    await Promise.all(
      Array.from({ length: REVIEWERS }, async (_, r) => {
        const id = `load-reviewer-${r}`;
        const auth = await token(id, ['reviewer', 'cleanliness-reviewer']);
        for (;;) {
          const t0 = Date.now();
          const next = await call(app, 'POST', `/api/queues/${queue}/next`, auth);
          nextLatencies.push(Date.now() - t0);
          if (next.status !== 200) {
            // Recorded (the test fails on it) and this reviewer stops: retrying a persistent 503 would spin to the test timeout.
            failures.push(`next ${next.status} ${JSON.stringify(next.body)}`);
            return;
          }
          if (!next.body.item) return;
          const caseId: string = next.body.item.caseId;
          claimsOf.set(caseId, [...(claimsOf.get(caseId) ?? []), id]);
          const t1 = Date.now();
          const decided = await call(app, 'POST', `/api/cases/${caseId}/decision`, auth, { optionId: 'approve', reasonCode: 'CONFIRMED_SOILING' });
          decideLatencies.push(Date.now() - t1);
          if (decided.status === 200) decidedBy.set(caseId, [...(decidedBy.get(caseId) ?? []), id]);
          else failures.push(`decide ${decided.status} ${JSON.stringify(decided.body)}`);
        }
      }),
    );
    const elapsed = Date.now() - started;

    expect(failures).toEqual([]);
    // Every case claimed by exactly one reviewer and decided exactly once.
    expect(claimsOf.size).toBe(CASES);
    expect([...claimsOf.values()].filter((who) => who.length > 1)).toEqual([]);
    expect(decidedBy.size).toBe(CASES);
    expect([...decidedBy.values()].filter((who) => who.length > 1)).toEqual([]);
    const cases = await Promise.all(docs.map(async (d) => (await app.firestore.collection(Collections.cases).doc(d.caseId).get()).data() as CaseDoc));
    for (const c of cases) expect(c.decision?.decidedBy.id).toBe(decidedBy.get(c.caseId)?.[0]);
    const items = await app.firestore.getAll(...docs.map((d) => app.firestore.collection(Collections.queueItems).doc(queueItemId(d.caseId, 'decision'))));
    expect(items.every((s) => s.data()?.status === 'done')).toBe(true);
    // One decision.made per case on the wire (same ce-id if ever republished).
    await waitUntil('all decision.made', async () => (new Set(ofType(decisions.messages, EventTypes.decisionMade).filter((m) => docs.some((d) => d.caseId === m.data.caseId)).map((m) => m.attributes['ce-id'])).size === CASES ? true : undefined), 30_000);
    const made = ofType(decisions.messages, EventTypes.decisionMade).filter((m) => docs.some((d) => d.caseId === m.data.caseId));
    expect(new Set(made.map((m) => m.data.caseId)).size).toBe(CASES);

    process.stdout.write(
      `[review-queue load] ${REVIEWERS} reviewers, ${CASES} cases in ${elapsed} ms; ` +
        `next p50 ${percentile(nextLatencies, 50)} ms p95 ${percentile(nextLatencies, 95)} ms max ${Math.max(...nextLatencies)} ms; ` +
        `decide p50 ${percentile(decideLatencies, 50)} ms p95 ${percentile(decideLatencies, 95)} ms\n`,
    );
  } finally {
    await decisions.close();
  }
});
