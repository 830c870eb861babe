/**
 * Arbiter end to end: the five services as separate processes (the way `pnpm start` runs them) on the
 * real Pub/Sub, Firestore and BigQuery emulators, in a Pub/Sub and Firestore project of the run's own
 * (the audit trail goes to the suite's BigQuery project). Predictions go in on `arbiter-predictions`; the test
 * watches `arbiter-decisions`, `arbiter-escalations` and `arbiter-evidence-requests` through
 * subscriptions of its own, works the queues through the reviewer API with reviewer tokens
 * signed with the run's local identity key, and reads the audit trail back from BigQuery.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PubSub } from '@google-cloud/pubsub';
import { deadLetterTopicOf, EventTypes, SubscriptionNames, Topics } from '@arbiter/contract';
import type { DecisionMade, DecisionMadeV2, EvidenceRequested, SlaEscalated } from '@arbiter/core';
import { loadGoldenSet, type Services } from '@arbiter/local-stack';
import { api, cleanliness, endpoints, hitl, mintToken, Observer, policiesWithShortSla, provisionRunProject, publishEvent, publishPrediction, pubsub, startArbiter, waitUntil } from './support';

jest.setTimeout(180_000);

const run = randomUUID().slice(0, 6);
const policies = policiesWithShortSla(`e2e${run}`);
const { queue } = policies;
// `e2e-quality`: the cleanliness policy with a queue of its own where every case is sampled for quality:
// each automatic decision also goes to blind review, each enqueued case mixes in a golden case, each
// decided case goes to a second reviewer.
const qualityQueue = `quality-review-e2e${run}`;
policies.write(
  'e2e-quality.yaml',
  policies
    .text('vehicle-cleanliness.yaml')
    .replace(/^id: vehicle-cleanliness$/m, 'id: e2e-quality')
    .replace(/^title: .*$/m, 'title: Cleanliness, every case sampled for quality (end-to-end test)')
    .replaceAll(queue('cleanliness-review'), qualityQueue)
    .replace(/blindReviewRate: [0-9.]+/, 'blindReviewRate: 1')
    .replace(/goldenRate: [0-9.]+/, 'goldenRate: 1')
    .replace(/doubleReviewRate: [0-9.]+/, 'doubleReviewRate: 1'),
);
let project: string;
let arbiter: Services;
let client: PubSub;
let decisions: Observer;
let escalations: Observer;
let evidenceRequests: Observer;
let deadLetters: Observer;
let apiUrl: string;
let lead: string;
let reviewer: string;

beforeAll(async () => {
  project = await provisionRunProject(`e2e${run}`);
  arbiter = await startArbiter(project, policies.dir);
  client = pubsub(project);
  decisions = await Observer.onTopic(client, Topics.decisions);
  escalations = await Observer.onTopic(client, Topics.escalations);
  evidenceRequests = await Observer.onTopic(client, Topics.evidenceRequests);
  deadLetters = await Observer.onTopic(client, deadLetterTopicOf(SubscriptionNames.assessOnPredictionSubmitted));
  apiUrl = arbiter.urlOf('review-queue');
  lead = await mintToken('lead-e2e', ['lead']);
  reviewer = await mintToken('reviewer-e2e', ['reviewer', 'cleanliness-reviewer']);
});

afterAll(async () => {
  await Promise.all([decisions, escalations, evidenceRequests, deadLetters].map((observer) => observer?.close()));
  await arbiter?.stop();
  await client?.close();
  policies.cleanup();
});

const decisionsOf = (caseId: string): DecisionMade[] => decisions.json<DecisionMade>((data, attributes) => data.caseId === caseId && attributes['ce-type'] === EventTypes.decisionMade);
const decisionsV2Of = (caseId: string): DecisionMadeV2[] => decisions.json<DecisionMadeV2>((data, attributes) => data.caseId === caseId && attributes['ce-type'] === EventTypes.decisionMadeV2);
/** Deliveries of predictions the assessor has handled (its use case ran and they were acked), from its /metrics. */
const assessorHandled = async (): Promise<number> => {
  const metrics = (await (await fetch(`${arbiter.urlOf('confidence-assessor')}/metrics`)).json()) as { deliveries: Record<string, { handled: number }> };
  return metrics.deliveries[SubscriptionNames.assessOnPredictionSubmitted]?.handled ?? 0;
};
const decisionOf = (caseId: string, timeoutMs?: number): Promise<DecisionMade> => waitUntil(`the decision of ${caseId}`, () => decisionsOf(caseId)[0], timeoutMs);

interface ItemList {
  items: Array<{ itemId: string; caseId: string; purpose: string; lane: number; priority: number; priorityReasons: string[]; batchKey?: string; enqueuedAt: string; dueAt: string }>;
}
const queueItems = async (queueId: string): Promise<ItemList['items']> => (await api<ItemList>(apiUrl, lead, 'GET', `/queues/${queueId}/items?limit=100`)).body.items ?? [];
const waitInQueue = (queueId: string, caseId: string) => waitUntil(`${caseId} in ${queueId}`, async () => (await queueItems(queueId)).find((item) => item.caseId === caseId));

async function bigQueryRows(sql: string): Promise<Array<Record<string, unknown>>> {
  const { bigqueryEmulatorHost, projectId } = endpoints();
  const response = await fetch(`${bigqueryEmulatorHost}/bigquery/v2/projects/${projectId}/queries`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: sql, useLegacySql: false }),
  });
  const body = (await response.json()) as { schema?: { fields: Array<{ name: string }> }; rows?: Array<{ f: Array<{ v: unknown }> }> };
  const names = body.schema?.fields.map((field) => field.name) ?? [];
  return (body.rows ?? []).map((row) => Object.fromEntries(row.f.map((cell, index) => [names[index] as string, cell.v])));
}

async function claimAndDecide(token: string, queueId: string, caseId: string, body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const item = await waitInQueue(queueId, caseId);
  const claim = await api(apiUrl, token, 'POST', `/items/${encodeURIComponent(item.itemId)}/claim`, {});
  expect(claim.status).toBe(200);
  return api(apiUrl, token, 'POST', `/cases/${caseId}/decision`, body);
}

describe('each band takes its path', () => {
  it('vehicle cleanliness: high is decided automatically, medium by a person, low by the customer-favorable default', async () => {
    const high = await publishPrediction(client, cleanliness({ confidence: 0.97 }));
    const medium = await publishPrediction(client, cleanliness({ confidence: 0.78 }));
    const low = await publishPrediction(client, cleanliness({ confidence: 0.3 }));

    const auto = await decisionOf(high.caseId);
    expect(auto).toMatchObject({ decidedBy: { kind: 'auto' }, band: 'high', outcome: 'fee_applied', customerFavorable: false, sourceEventId: high.id, policy: { id: 'vehicle-cleanliness' } });
    expect(auto.evidence).toHaveLength(2);

    const byDefault = await decisionOf(low.caseId);
    expect(byDefault).toMatchObject({ decidedBy: { kind: 'policy' }, band: 'low', outcome: 'fee_waived', customerFavorable: true });

    const decided = await claimAndDecide(reviewer, queue('cleanliness-review'), medium.caseId, { optionId: 'reject', reasonCode: 'STAIN_NOT_VISIBLE_IN_RETURN', notes: 'seat looks clean in return photo 1' });
    expect(decided.status).toBe(200);
    const human = await decisionOf(medium.caseId);
    expect(human).toMatchObject({ decidedBy: { kind: 'human', id: 'reviewer-e2e' }, band: 'medium', outcome: 'fee_waived', reasonCode: 'STAIN_NOT_VISIBLE_IN_RETURN', customerFavorable: true });
    expect(JSON.stringify(human)).not.toContain('seat looks clean');
  });

  it('vehicle damage: high auto, medium to the damage queue, low deferred', async () => {
    const damage = (confidence: number) => ({ ...cleanliness({ confidence, label: 'dent', useCase: 'vehicle-damage' }), model: { name: 'damage-detr', version: '1.4.2' }, prediction: { label: 'dent', confidence } });
    const high = await publishPrediction(client, damage(0.99));
    const medium = await publishPrediction(client, damage(0.8));
    const low = await publishPrediction(client, damage(0.4));
    expect(await decisionOf(high.caseId)).toMatchObject({ decidedBy: { kind: 'auto' }, band: 'high', outcome: 'damage_confirmed', customerFavorable: false });
    expect(await decisionOf(low.caseId)).toMatchObject({ decidedBy: { kind: 'policy' }, outcome: 'decision_deferred', customerFavorable: true });
    await waitInQueue(queue('damage-review'), medium.caseId);
    expect(decisionsOf(medium.caseId)).toHaveLength(0);
  });

  it('HITL-OPT: >85% approved automatically, 70–85% to batch approval, <70% to immediate review (never a default)', async () => {
    const high = await publishPrediction(client, hitl('code-implementation', { confidence: 0.93, features: { component: 'journey-service', pattern: 'established' } }));
    const medium = await publishPrediction(client, hitl('api-endpoint-batch', { confidence: 0.78, features: { component: 'api-endpoint', patternType: 'CRUD' } }));
    const low = await publishPrediction(client, hitl('api-endpoint-batch', { confidence: 0.5, features: { component: 'api-endpoint', patternType: 'CRUD' } }));
    expect(await decisionOf(high.caseId)).toMatchObject({ decidedBy: { kind: 'auto' }, outcome: 'approved', band: 'high' });
    await waitInQueue(queue('api-batch'), medium.caseId);
    await waitInQueue(queue('api-immediate'), low.caseId);
    expect(decisionsOf(low.caseId)).toHaveLength(0);
  });
});

it('an always-human category goes to a person even at 0.99', async () => {
  const strategic = await publishPrediction(client, hitl('journey-logic-architecture', { confidence: 0.99, category: 'strategic', features: { component: `Segment ${run}`, stageCount: 4 } }));
  await waitInQueue(queue('journey-logic-review'), strategic.caseId);
  // The routing is committed (its item exists): the case, which a decision is written onto in the same
  // commit that stages its events, is in review and undecided, so no decision event was ever staged.
  const view = await api<{ status: string; decision?: unknown }>(apiUrl, lead, 'GET', `/cases/${strategic.caseId}`);
  expect(view.body).toMatchObject({ status: 'in-review' });
  expect(view.body.decision).toBeUndefined();
  expect(decisionsOf(strategic.caseId)).toHaveLength(0);
});

it('HITL-OPT as the document states it: personalization at 0.95 goes to a person; below 70 % takes the immediate path', async () => {
  // 1.2 and 1.3 sit under "Category 1: Strategic decisions (HITL required)", whatever upstream's category says.
  const personalization = await publishPrediction(client, hitl('personalization-algorithm', { confidence: 0.95, context: { userSegment: `Returning ${run}` } }));
  const scarcity = await publishPrediction(client, hitl('scarcity-trigger', { confidence: 0.97 }));
  await waitInQueue(queue('personalization-review'), personalization.caseId);
  await waitInQueue(queue('scarcity-review'), scarcity.caseId);
  expect(decisionsOf(personalization.caseId)).toHaveLength(0);
  expect(decisionsOf(scarcity.caseId)).toHaveLength(0);

  // "Low Confidence (<70%): Immediate HITL escalation": a queue with a 1 h SLA, ahead of everything else.
  const low = await publishPrediction(client, hitl('api-endpoint-batch', { confidence: 0.55, features: { component: 'api-endpoint', patternType: 'CRUD' } }));
  const urgent = await waitInQueue(queue('api-immediate'), low.caseId);
  expect(urgent.priority).toBe(200);
  expect(Date.parse(urgent.dueAt) - Date.parse(urgent.enqueuedAt)).toBeLessThanOrEqual(3_600_000);
  // A strategic proposal with low confidence takes the immediate path too.
  const strategicLow = await publishPrediction(client, hitl('journey-logic-architecture', { confidence: 0.5, category: 'strategic', features: { component: `Low ${run}`, stageCount: 3 } }));
  await waitInQueue(queue('journey-logic-immediate'), strategicLow.caseId);
});

it('fast-track: a proposal similar to an approved pattern is approved without a person', async () => {
  const component = `Returning Visitors ${run}`;
  const factors = { pattern_similarity: 0.9, risk_assessment: 0.9, business_impact: 0.85, technical_complexity: 0.8, precedent_match: 0.9 };
  const first = await publishPrediction(client, hitl('journey-logic-architecture', { confidence: 0.9, category: 'strategic', factors, features: { component, stageCount: 4, algorithm: 'bandit' } }));
  const approved = await claimAndDecide(lead, queue('journey-logic-review'), first.caseId, { optionId: 'approve', approval: { checklist: everyJourneyItem } });
  expect(approved.status).toBe(200);
  expect(await decisionOf(first.caseId)).toMatchObject({ decidedBy: { kind: 'human' }, outcome: 'approved' });

  const similar = await publishPrediction(client, hitl('journey-logic-architecture', { confidence: 0.88, category: 'strategic', factors, features: { component, stageCount: 4, algorithm: 'bandit' } }));
  expect(await decisionOf(similar.caseId)).toMatchObject({ decidedBy: { kind: 'auto', id: 'fast-track' }, outcome: 'approved' });

  const different = await publishPrediction(client, hitl('journey-logic-architecture', { confidence: 0.88, category: 'strategic', factors, features: { component: `Desktop Researchers ${run}`, stageCount: 7, algorithm: 'ranker' } }));
  await waitInQueue(queue('journey-logic-review'), different.caseId);
});

const everyJourneyItem = { 'journey-stage-definitions': true, 'personalization-parameters': true, 'scarcity-trigger-strategy': true, 'upsell-optimization-rules': true, 'ux-intelligence-integration': true };

it('an approval with modifications arrives downstream in decision.made.v2, beside v1, and a missing required input is a 400 naming it', async () => {
  const proposal = await publishPrediction(client, hitl('journey-logic-architecture', { confidence: 0.8, category: 'strategic', features: { component: `Mobile TikTok Users ${run}`, stageCount: 5 } }));
  const item = await waitInQueue(queue('journey-logic-review'), proposal.caseId);
  expect((await api(apiUrl, lead, 'POST', `/items/${encodeURIComponent(item.itemId)}/claim`, {})).status).toBe(200);
  const decide = (body: Record<string, unknown>) => api<{ error?: { code: string; message: string } }>(apiUrl, lead, 'POST', `/cases/${proposal.caseId}/decision`, body);

  const partial = Object.fromEntries(Object.entries(everyJourneyItem).filter(([item]) => item !== 'upsell-optimization-rules'));
  const missing = await decide({ optionId: 'approve-with-modifications', reasonCode: 'MODIFICATIONS_SPECIFIED', approval: { checklist: partial } });
  expect(missing.status).toBe(400);
  expect(missing.body.error).toMatchObject({ code: 'VALIDATION.APPROVAL_INPUT_REQUIRED' });
  expect(missing.body.error?.message).toContain('approval.checklist.upsell-optimization-rules');
  expect(missing.body.error?.message).toContain('approval.modifications');

  const approval = {
    checklist: { ...everyJourneyItem, 'scarcity-trigger-strategy': false },
    modifications: 'Limit the scarcity banner to returning visitors for the first two weeks.',
    conditions: ['STAGED_ROLLOUT_5_PERCENT'],
  };
  const decided = await decide({ optionId: 'approve-with-modifications', reasonCode: 'MODIFICATIONS_SPECIFIED', notes: 'internal: discussed with the brand team', approval });
  expect(decided.status).toBe(200);

  const v2 = await waitUntil(`decision.made.v2 of ${proposal.caseId}`, () => decisionsV2Of(proposal.caseId)[0]);
  const v1 = await decisionOf(proposal.caseId);
  expect(v2).toEqual({ ...v1, approval });
  expect(v1).not.toHaveProperty('approval');
  expect(JSON.stringify(v2)).not.toContain('brand team');
  const [v1Message, v2Message] = [EventTypes.decisionMade, EventTypes.decisionMadeV2].map((type) => decisions.where((m) => m.attributes['ce-type'] === type && m.attributes['ce-subject'] === proposal.caseId));
  expect(v1Message?.[0]?.attributes['ce-id']).toBe(`dec_${proposal.caseId}`);
  expect(v2Message?.[0]?.attributes['ce-id']).toBe(`dec2_${proposal.caseId}`);

  // Every decision has its v2, automatic ones too (no approval block: nobody recorded one).
  const auto = await publishPrediction(client, cleanliness({ confidence: 0.97 }));
  const autoV1 = await decisionOf(auto.caseId);
  expect(await waitUntil(`decision.made.v2 of ${auto.caseId}`, () => decisionsV2Of(auto.caseId)[0])).toEqual(autoV1);
});

it('a fast-track never chains from an automatic approval: only a person’s approval is a pattern', async () => {
  const component = `Chain ${run}`;
  const factors = { pattern_similarity: 0.9, risk_assessment: 0.9, business_impact: 0.85, technical_complexity: 0.8, precedent_match: 0.9 };
  const proposal = (features: Record<string, string>) => hitl('journey-logic-architecture', { confidence: 0.88, category: 'strategic', factors, features: { component, ...features } });
  // A: approved by a person. B: 5/6 similar to A → fast-tracked. C: 6/7 similar to B but only 5/7 to A.
  const a = await publishPrediction(client, proposal({ stages: 'four', algorithm: 'bandit', channel: 'app', tone: 'calm' }));
  expect((await claimAndDecide(lead, queue('journey-logic-review'), a.caseId, { optionId: 'approve', approval: { checklist: everyJourneyItem } })).status).toBe(200);
  await decisionOf(a.caseId);
  const b = await publishPrediction(client, proposal({ stages: 'four', algorithm: 'bandit', channel: 'app', tone: 'calm', banner: 'on' }));
  expect(await decisionOf(b.caseId)).toMatchObject({ decidedBy: { kind: 'auto', id: 'fast-track' }, outcome: 'approved' });
  const c = await publishPrediction(client, proposal({ stages: 'four', algorithm: 'bandit', channel: 'app', tone: 'calm', banner: 'on', countdown: 'on' }));
  // Had B become a pattern, C would be fast-tracked from it; it waits for a person instead.
  await waitInQueue(queue('journey-logic-review'), c.caseId);
  expect(decisionsOf(c.caseId)).toHaveLength(0);
});

it('a case’s priority rises as its booking nears, without anyone touching the queue', async () => {
  // The booking is 3 h and 8 s away: "within 24 h" holds now (10 + 20), "within 3 h" (+50) in 8 s.
  const nextBookingAt = new Date(Date.now() + 3 * 3_600_000 + 8_000).toISOString();
  const soon = await publishPrediction(client, cleanliness({ confidence: 0.8, context: { nextBookingAt, amount: { value: 25, currency: 'EUR' } } }));
  const queued = await waitInQueue(queue('cleanliness-review'), soon.caseId);
  expect(queued.priority).toBe(30);
  const risen = await waitUntil(`${soon.caseId} re-ranked`, async () => {
    const item = (await queueItems(queue('cleanliness-review'))).find((i) => i.caseId === soon.caseId);
    return item && item.priority > 30 ? item : undefined;
  }, 30_000);
  expect(risen.priority).toBe(80);
  expect(risen.priorityReasons).toEqual(['Next booking within 3 h', 'Next booking within 24 h']);
});

it('a batch of similar cases is decided in one action, each case exactly once', async () => {
  const apiCategory = `Batch ${run}`;
  const cases = await Promise.all(
    Array.from({ length: 5 }, (_, index) =>
      publishPrediction(client, hitl('api-endpoint-batch', { confidence: 0.75 + index * 0.01, context: { apiCategory }, features: { component: 'api-endpoint', patternType: 'CRUD' } })),
    ),
  );
  // Same API category, another kind of endpoint: in the same group, but not similar (the same label,
  // weight 1; no feature alike, weight 2 → 1 / 3 < 0.8), so never in the batch.
  const unlike = await Promise.all(
    Array.from({ length: 2 }, (_, index) =>
      publishPrediction(client, hitl('api-endpoint-batch', { confidence: 0.76 + index * 0.01, context: { apiCategory }, features: { component: 'auth-service', patternType: 'GraphQL' } })),
    ),
  );
  const all = await waitUntil('seven items in one batch group', async () => {
    const inQueue = (await queueItems(queue('api-batch'))).filter((item) => [...cases, ...unlike].some((prediction) => prediction.caseId === item.caseId));
    return inQueue.length === 7 ? inQueue : undefined;
  });
  expect(new Set(all.map((item) => item.batchKey)).size).toBe(1);
  // The batch the queue offers: the five alike, each with why it is there; the two unlike wait alone.
  const summaries = (await api<{ queues: Array<{ queue: string; batchable: Array<{ batchKey: string; itemIds: string[]; why?: Array<{ itemId: string; similarity: number; parts: string[] }> }> }> }>(apiUrl, lead, 'GET', '/queues')).body.queues;
  const offered = summaries.find((q) => q.queue === queue('api-batch'))?.batchable.filter((b) => b.itemIds.some((id) => all.some((item) => item.itemId === id))) ?? [];
  expect(offered).toHaveLength(1);
  const ids = (predictions: Array<{ caseId: string }>) => predictions.map((p) => all.find((item) => item.caseId === p.caseId)?.itemId).sort();
  expect([...(offered[0]?.itemIds ?? [])].sort()).toEqual(ids(cases));
  expect(offered[0]?.batchKey).toContain('~');
  for (const why of (offered[0]?.why ?? []).slice(1)) expect(why).toMatchObject({ similarity: 1, parts: ['2 pattern features: 100%', 'same label approve: 100%'] });
  const items = all.filter((item) => offered[0]?.itemIds.includes(item.itemId));
  for (const item of items) expect((await api(apiUrl, lead, 'POST', `/items/${encodeURIComponent(item.itemId)}/claim`, {})).status).toBe(200);
  const flagged = items[0]?.itemId as string;
  const batch = await api<{ results: Array<{ caseId: string; result: string }> }>(apiUrl, lead, 'POST', '/batches/decision', {
    itemIds: items.map((item) => item.itemId),
    optionId: 'review-flagged',
    flagged: [flagged],
    reasonCode: 'FLAGGED_ITEMS',
  });
  expect(batch.status).toBe(200);
  expect(batch.body.results.filter((result) => result.result === 'decided')).toHaveLength(4);
  const flaggedCase = items[0]?.caseId as string;
  for (const prediction of cases.filter((entry) => entry.caseId !== flaggedCase)) expect(await decisionOf(prediction.caseId)).toMatchObject({ decidedBy: { kind: 'human' }, outcome: 'approved' });
  await waitInQueue(queue('api-batch'), flaggedCase);
  expect(decisionsOf(flaggedCase)).toHaveLength(0);
});

it('evidence loop: a reviewer asks the crew for photos; the submission puts the case back ahead of new work', async () => {
  const asked = await publishPrediction(client, cleanliness({ confidence: 0.8 }));
  const item = await waitInQueue(queue('cleanliness-review'), asked.caseId);
  expect((await api(apiUrl, reviewer, 'POST', `/items/${encodeURIComponent(item.itemId)}/claim`, {})).status).toBe(200);
  const request = await api(apiUrl, reviewer, 'POST', `/cases/${asked.caseId}/evidence-request`, { what: 'Close-up of the rear seat, please', reasonCode: 'ANGLE_MISSING' });
  expect(request.status).toBe(200);
  const requested = await waitUntil('evidence.requested', () => evidenceRequests.json<EvidenceRequested>((data) => data.caseId === asked.caseId)[0]);
  expect(requested).toMatchObject({ useCase: 'vehicle-cleanliness', reasonCode: 'ANGLE_MISSING', what: 'Close-up of the rear seat, please' });

  const newer = await publishPrediction(client, cleanliness({ confidence: 0.84, context: { nextBookingAt: new Date(Date.now() + 600_000).toISOString(), amount: { value: 80, currency: 'EUR' } } }));
  await waitInQueue(queue('cleanliness-review'), newer.caseId);
  await publishEvent(client, EventTypes.evidenceSubmitted, { caseId: asked.caseId, submittedBy: 'crew-7', evidence: [{ uri: `gs://arbiter-demo-evidence/extra/${asked.caseId}/rear-seat.jpg`, role: 'return', mediaType: 'image/jpeg' }] });
  const back = await waitUntil('the case back in lane 0', async () => (await queueItems(queue('cleanliness-review'))).find((entry) => entry.caseId === asked.caseId && entry.lane === 0));
  const order = (await queueItems(queue('cleanliness-review'))).map((entry) => entry.caseId);
  expect(order.indexOf(back.caseId)).toBeLessThan(order.indexOf(newer.caseId));
});

it('reminder, escalation and expiry fire on a short SLA, each once', async () => {
  const late = await publishPrediction(client, cleanliness({ confidence: 0.8, useCase: 'e2e-short-sla' }));
  const levels = await waitUntil(
    'a reminder and an escalation',
    () => {
      const sent = escalations.json<SlaEscalated>((data) => data.caseId === late.caseId);
      return sent.some((entry) => entry.level === 'reminder') && sent.some((entry) => entry.level === 'escalated') ? sent : undefined;
    },
    60_000,
  );
  expect(levels.find((entry) => entry.level === 'reminder')).toMatchObject({ reason: 'nearing-sla', useCase: 'e2e-short-sla', queue: queue('cleanliness-review') });
  expect(levels.find((entry) => entry.level === 'escalated')).toMatchObject({ reason: 'sla-breached' });
  const expired = await decisionOf(late.caseId, 60_000);
  expect(expired).toMatchObject({ decidedBy: { kind: 'policy' }, outcome: 'fee_waived', reasonCode: 'SLA_EXPIRED', customerFavorable: true });
  // Each escalation is staged in the commit that adds its level to the item's `sla.sent`, with an id
  // derived from that level, and the expiry finished the item: so `sla.sent` of the decided case lists
  // every escalation ever staged. Wait until each is on the topic; a redelivery repeats its ce-id.
  const view = await api<{ status: string; sla: { sent: string[] } | null }>(apiUrl, lead, 'GET', `/cases/${late.caseId}`);
  expect(view.body.status).toBe('decided');
  const staged = view.body.sla?.sent ?? [];
  expect(new Set(staged).size).toBe(staged.length);
  const escalationIds = (level?: string): Set<string> =>
    new Set(escalations.where((message) => { const data = JSON.parse(message.data) as SlaEscalated; return data.caseId === late.caseId && (level === undefined || data.level === level); }).map((message) => message.attributes['ce-id'] ?? ''));
  await waitUntil(`the ${staged.length} escalations staged for ${late.caseId}`, () => escalationIds().size >= staged.length);
  expect(escalationIds().size).toBe(staged.length);
  expect(escalationIds('reminder').size).toBe(1);
  expect(escalationIds('escalated').size).toBe(1);
  expect(new Set(decisions.where((message) => message.attributes['ce-type'] === EventTypes.decisionMade && (JSON.parse(message.data) as DecisionMade).caseId === late.caseId).map((message) => message.attributes['ce-id'])).size).toBe(1);
});

it('a republished prediction yields one case and one decision', async () => {
  const data = cleanliness({ confidence: 0.96 });
  const id = randomUUID();
  const before = await assessorHandled();
  const first = await publishPrediction(client, data, id);
  await publishPrediction(client, data, id);
  await publishPrediction(client, data, id);
  await decisionOf(first.caseId);
  // Once the assessor has handled all three copies (the later two find the case and open nothing), no
  // second case.opened, and so no second routing or decision, can follow.
  await waitUntil('the assessor to handle the three copies', async () => (await assessorHandled()) - before >= 3);
  expect(decisionsOf(first.caseId)).toHaveLength(1);
});

it('invalid events land on the dead-letter topic with their reasons and decide nothing', async () => {
  const topic = client.topic(Topics.predictions);
  const badId = (suffix: string) => `bad-${run}-${suffix}`;
  const attributes = (id: string) => ({ 'ce-specversion': '1.0', 'ce-id': id, 'ce-source': '//e2e/upstream', 'ce-type': EventTypes.predictionSubmitted, 'content-type': 'application/json' });
  await topic.publishMessage({ data: Buffer.from('{"useCase": "vehicle-cleanliness", oops'), attributes: attributes(badId('json')) });
  await topic.publishMessage({ data: Buffer.from(JSON.stringify({ ...cleanliness({ confidence: 0.8 }), prediction: { confidence: 1.7 } })), attributes: attributes(badId('schema')) });
  await topic.publishMessage({ data: Buffer.from(JSON.stringify(cleanliness({ confidence: 0.8, useCase: 'teleportation-check' }))), attributes: attributes(badId('usecase')) });
  const letters = await waitUntil('three dead letters', () => {
    const ours = deadLetters.where((message) => message.attributes['ce-id']?.startsWith(`bad-${run}-`) ?? false).map((message) => message.attributes);
    return ours.length >= 3 ? ours : undefined;
  });
  const codeOf = (suffix: string) => letters.find((entry) => entry['ce-id'] === badId(suffix))?.['arbiter-error-code'];
  expect(codeOf('json')).toBe('EVENT.NOT_JSON');
  expect(codeOf('schema')).toBe('EVENT.SCHEMA_VIOLATION');
  expect(codeOf('usecase')).toBe('POLICY.UNKNOWN_USE_CASE');
  expect(letters.every((entry) => (entry['arbiter-error-message'] ?? '').length > 0)).toBe(true);
  expect(decisions.json<DecisionMade>((data) => 'sourceEventId' in data && data.sourceEventId.startsWith(`bad-${run}-`))).toHaveLength(0);
});

it('the audit trail of a case is in BigQuery, one row per state change, redacted', async () => {
  const audited = await publishPrediction(client, cleanliness({ confidence: 0.78 }));
  await claimAndDecide(reviewer, queue('cleanliness-review'), audited.caseId, { optionId: 'approve', reasonCode: 'CONFIRMED_SOILING', notes: 'customer was rude at the counter' });
  await decisionOf(audited.caseId);
  const query = (): Promise<Array<Record<string, unknown>>> => bigQueryRows(`SELECT event_type, event_id, actor_kind, reason_code, payload, sla_elapsed_seconds, sla_target_seconds, model_outcome, critical_path FROM arbiter_audit.audit_events WHERE case_id = '${audited.caseId}'`);
  const rows = await waitUntil(
    'audit rows up to the decision',
    async () => {
      const found = await query();
      return found.some((row) => row.event_type === EventTypes.decisionMade) && found.some((row) => row.event_type === 'arbiter.case.reviewed.v1') ? found : undefined;
    },
    60_000,
  );
  const types = rows.map((row) => row.event_type);
  for (const type of [EventTypes.caseOpened, EventTypes.caseRouted, 'arbiter.case.claimed.v1', 'arbiter.case.reviewed.v1', EventTypes.decisionMade]) expect(types).toContain(type);
  expect(new Set(rows.map((row) => row.event_id)).size).toBe(rows.length);
  const everything = JSON.stringify(rows);
  expect(everything).not.toContain('cus-e2e-secret-881');
  expect(everything).not.toContain('rude at the counter');
  const decided = rows.find((row) => row.event_type === EventTypes.decisionMade);
  expect(decided).toMatchObject({ actor_kind: 'human', reason_code: 'CONFIRMED_SOILING' });
  // Columns the exporter derives for the metric views, from the real events: the queue's SLA clock
  // (P95 2 h, wall) and elapsed time, what the model alone would have decided (label dirty), no critical path.
  expect(Number(decided?.sla_target_seconds)).toBe(7200);
  expect(Number(decided?.sla_elapsed_seconds)).toBeGreaterThan(0);
  expect(Number(decided?.sla_elapsed_seconds)).toBeLessThan(600);
  expect(decided?.model_outcome).toBe('fee_applied');
  expect(String(decided?.critical_path)).toBe('false');
});

it('a post-action report exists for an automatic approval: on the case and in BigQuery', async () => {
  const auto = await publishPrediction(client, hitl('code-implementation', { confidence: 0.93, features: { component: 'journey-service', pattern: 'established' }, context: { component: 'Journey service', filesChanged: 7, testCoveragePercent: 91 } }));
  expect(await decisionOf(auto.caseId)).toMatchObject({ decidedBy: { kind: 'auto' }, outcome: 'approved' });
  const view = await api<{ postActionReport?: { title: string; markdown: string } }>(apiUrl, lead, 'GET', `/cases/${auto.caseId}`);
  expect(view.status).toBe(200);
  expect(view.body.postActionReport?.title).toBe('AUTO-APPROVAL IMPLEMENTATION REPORT');
  expect(view.body.postActionReport?.markdown).toContain('**Code Changes**: 7 files changed');
  expect(view.body.postActionReport?.markdown).toContain('**Test Coverage**: 91% coverage');
  const rows = await waitUntil('the post-action report in BigQuery', async () => {
    const found = await bigQueryRows(`SELECT title, markdown FROM arbiter_audit.post_action_reports WHERE case_id = '${auto.caseId}'`);
    return found.length > 0 ? found : undefined;
  }, 60_000);
  expect(rows).toHaveLength(1);
  expect(rows[0]?.title).toBe('AUTO-APPROVAL IMPLEMENTATION REPORT');
  expect(String(rows[0]?.markdown)).toContain('7 files changed');
});

it('the quality loop from real events: a golden verdict carries its known answer to BigQuery; a blind review overriding an automatic decision is labelled and counts against alignment; a critical-path case is audited as one', async () => {
  const feedback = await Observer.onTopic(client, Topics.feedback);
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-e2e-golden-'));
  try {
    // A golden case whose known answer is "no fee", loaded as `pnpm learning-loop golden load` does, into the run's project.
    const goldenId = `e2e-golden-${run}`;
    const file = join(dir, 'golden.ndjson');
    writeFileSync(file, JSON.stringify({ goldenId, useCase: 'e2e-quality', queue: qualityQueue, prediction: cleanliness({ confidence: 0.8, useCase: 'e2e-quality' }), expectedOutcome: 'fee_waived' }));
    expect(await loadGoldenSet({ ...endpoints(), projectId: project }, file, { policiesDir: policies.dir })).toContain(`${goldenId} → ${qualityQueue} (expects fee_waived)`);

    // A real case comes in; the golden case is mixed in beside it, and the reviewer gets it wrong.
    const real = await publishPrediction(client, cleanliness({ confidence: 0.8, useCase: 'e2e-quality' }));
    await waitInQueue(qualityQueue, real.caseId);
    const golden = await waitUntil('the golden item', async () => (await queueItems(qualityQueue)).find((item) => item.purpose === 'golden'));
    expect((await api(apiUrl, reviewer, 'POST', `/items/${encodeURIComponent(golden.itemId)}/claim`, {})).status).toBe(200);
    expect((await api(apiUrl, reviewer, 'POST', `/cases/${golden.caseId}/decision`, { optionId: 'approve', reasonCode: 'CONFIRMED_SOILING' })).status).toBe(200);
    const goldenRow = await waitUntil('the golden verdict in BigQuery', async () => (await bigQueryRows(`SELECT review_purpose, outcome, expected_outcome, actor_id FROM arbiter_audit.audit_events WHERE case_id = '${golden.caseId}' AND state = 'reviewed'`))[0], 60_000);
    expect(goldenRow).toEqual({ review_purpose: 'golden', outcome: 'fee_applied', expected_outcome: 'fee_waived', actor_id: 'reviewer-e2e' });

    // An automatic decision sampled for blind review; the person disagrees.
    const auto = await publishPrediction(client, cleanliness({ confidence: 0.97, useCase: 'e2e-quality' }));
    expect(await decisionOf(auto.caseId)).toMatchObject({ decidedBy: { kind: 'auto' }, outcome: 'fee_applied' });
    const blind = await waitUntil('the blind review', async () => (await queueItems(qualityQueue)).find((item) => item.caseId === auto.caseId && item.purpose === 'blind-review'));
    expect((await api(apiUrl, reviewer, 'POST', `/items/${encodeURIComponent(blind.itemId)}/claim`, {})).status).toBe(200);
    const verdict = await api<{ purpose: string; decided: boolean }>(apiUrl, reviewer, 'POST', `/cases/${auto.caseId}/decision`, { optionId: 'reject', reasonCode: 'STAIN_NOT_VISIBLE_IN_RETURN' });
    expect(verdict.body).toMatchObject({ purpose: 'blind-review', decided: false });
    const labelled = await waitUntil('the labelled example', () => feedback.json<{ caseId: string; source: string; outcome: string }>((data) => data.caseId === auto.caseId)[0]);
    expect(labelled).toMatchObject({ source: 'override', outcome: 'fee_waived' });
    expect(decisionsOf(auto.caseId)).toHaveLength(1); // the decision stands; the label feeds the model
    const example = await waitUntil('the labelled example in BigQuery', async () => (await bigQueryRows(`SELECT source, human_outcome, model_outcome FROM arbiter_audit.labelled_examples WHERE case_id = '${auto.caseId}'`))[0], 60_000);
    expect(example).toEqual({ source: 'override', human_outcome: 'fee_waived', model_outcome: 'fee_applied' });
    // HITL-OPT's "> 95 % human-approval alignment": this use case's one blind review of an automatic decision disagreed.
    const alignment = await waitUntil('the alignment of e2e-quality', async () => (await bigQueryRows("SELECT blind_reviews, aligned FROM arbiter_audit.metrics_human_alignment WHERE use_case = 'e2e-quality'"))[0], 120_000);
    expect({ blind: Number(alignment.blind_reviews), aligned: Number(alignment.aligned) }).toEqual({ blind: 1, aligned: 0 });

    // A critical-path proposal decided by a person: the decided row says so, with its queue's SLA clock.
    const critical = await publishPrediction(client, hitl('api-endpoint-batch', { confidence: 0.78, context: { apiCategory: `Critical ${run}`, criticalPath: true }, features: { component: 'api-endpoint', patternType: 'CRUD' } }));
    expect((await claimAndDecide(lead, queue('api-batch'), critical.caseId, { optionId: 'approve' })).status).toBe(200);
    await decisionOf(critical.caseId);
    const decided = await waitUntil('the critical-path decision in BigQuery', async () => (await bigQueryRows(`SELECT critical_path, sla_target_seconds, sla_elapsed_seconds, model_outcome FROM arbiter_audit.audit_events WHERE case_id = '${critical.caseId}' AND state = 'decided'`))[0], 60_000);
    expect(String(decided.critical_path)).toBe('true');
    expect(Number(decided.sla_target_seconds)).toBe(86_400);
    expect(Number(decided.sla_elapsed_seconds)).toBeGreaterThan(0);
    expect(decided.model_outcome).toBe('approved');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await feedback.close();
  }
});

it('a disagreeing double review reaches a lead, whose outcome revises the published decision once and becomes a labelled example', async () => {
  const feedback = await Observer.onTopic(client, Topics.feedback);
  try {
    const [annId, bobId] = [`ann-${run}`, `bob-${run}`];
    const [ann, bob] = await Promise.all([mintToken(annId, ['reviewer', 'cleanliness-reviewer']), mintToken(bobId, ['reviewer', 'cleanliness-reviewer'])]);
    const doubled = await publishPrediction(client, cleanliness({ confidence: 0.8, useCase: 'e2e-quality' }));
    expect((await claimAndDecide(ann, qualityQueue, doubled.caseId, { optionId: 'approve', reasonCode: 'CONFIRMED_SOILING' })).status).toBe(200);
    const published = await decisionOf(doubled.caseId);
    expect(published).toMatchObject({ decidedBy: { kind: 'human', id: annId }, outcome: 'fee_applied' });

    // The second reviewer, blind to the first verdict, disagrees: a lead's item opens.
    const second = await waitUntil('the double review', async () => (await queueItems(qualityQueue)).find((item) => item.caseId === doubled.caseId && item.purpose === 'double-review'));
    expect((await api(apiUrl, ann, 'POST', `/items/${encodeURIComponent(second.itemId)}/claim`, {})).status).toBe(403);
    expect((await api(apiUrl, bob, 'POST', `/items/${encodeURIComponent(second.itemId)}/claim`, {})).status).toBe(200);
    expect((await api<{ decision?: unknown }>(apiUrl, bob, 'GET', `/cases/${doubled.caseId}`)).body.decision).toBeUndefined();
    expect((await api(apiUrl, bob, 'POST', `/cases/${doubled.caseId}/decision`, { optionId: 'reject', reasonCode: 'STAIN_NOT_VISIBLE_IN_RETURN' })).status).toBe(200);
    const adjudication = await waitUntil('the adjudication item', async () => (await queueItems(qualityQueue)).find((item) => item.caseId === doubled.caseId && item.purpose === 'adjudication'));
    expect((await api(apiUrl, bob, 'POST', `/items/${encodeURIComponent(adjudication.itemId)}/claim`, {})).status).toBe(403);

    // The lead sides with the second reviewer.
    expect((await api(apiUrl, lead, 'POST', `/items/${encodeURIComponent(adjudication.itemId)}/claim`, {})).status).toBe(200);
    const settled = await api<{ purpose: string; revisionId?: string }>(apiUrl, lead, 'POST', `/cases/${doubled.caseId}/decision`, { optionId: 'reject', reasonCode: 'STAIN_NOT_VISIBLE_IN_RETURN' });
    expect(settled.body).toMatchObject({ purpose: 'adjudication', revisionId: `rvs_adj_${doubled.caseId}` });
    const revised = await waitUntil('decision.revised', () => decisions.json<{ caseId: string; decisionId: string; outcome: string; previousOutcome: string; customerFavorable: boolean; revisedBy: { kind: string; id: string } }>((data, attributes) => data.caseId === doubled.caseId && attributes['ce-type'] === EventTypes.decisionRevised)[0]);
    expect(revised).toMatchObject({ decisionId: published.decisionId, outcome: 'fee_waived', previousOutcome: 'fee_applied', customerFavorable: true, revisedBy: { kind: 'human', id: 'lead-e2e' } });
    const labelled = await waitUntil('the adjudication label', () => feedback.json<{ caseId: string; source: string; outcome: string }>((data) => data.caseId === doubled.caseId && data.source === 'adjudication')[0]);
    expect(labelled).toMatchObject({ outcome: 'fee_waived' });
    const example = await waitUntil('the adjudicated example in BigQuery', async () => (await bigQueryRows(`SELECT source, human_outcome FROM arbiter_audit.labelled_examples WHERE case_id = '${doubled.caseId}' AND source = 'adjudication'`))[0], 60_000);
    expect(example).toEqual({ source: 'adjudication', human_outcome: 'fee_waived' });
    // One decision.made per type; the correction is the revision, once.
    expect(decisionsOf(doubled.caseId)).toHaveLength(1);
    expect(decisions.where((m) => m.attributes['ce-type'] === EventTypes.decisionRevised && m.attributes['ce-subject'] === doubled.caseId)).toHaveLength(1);
    // The adjudication judged both: Ann wrong, Bob right, in the lead's view of reviewer quality.
    const overview = await api<{ quality: { reviewers: Array<{ reviewerId: string; useCase: string; known: number; correct: number }> } }>(apiUrl, lead, 'GET', '/lead/overview');
    expect(overview.body.quality.reviewers).toContainEqual(expect.objectContaining({ reviewerId: annId, useCase: 'e2e-quality', known: 1, correct: 0 }));
    expect(overview.body.quality.reviewers).toContainEqual(expect.objectContaining({ reviewerId: bobId, useCase: 'e2e-quality', known: 1, correct: 1 }));
  } finally {
    await feedback.close();
  }
});
