import { buildDecision, queueItemId, type CaseDoc, type QueueItemDoc } from '@arbiter/case-store';
import { EventTypes, validateEventData } from '@arbiter/contract';
import type { Result } from '@arbiter/core';
import { ManualClock } from '@arbiter/platform/testing';
import type { Principal } from '../auth';
import type { EvidenceUrlSigner } from '../evidence';
import { InMemoryQueueItems, InMemoryReviewerQuality } from '../queue-items.test-support';
import { InMemoryEvidenceAccessLog, InMemoryReviewReads } from '../review-reads.test-support';
import type { ReviewerVerdictDoc } from '../reviewer-verdicts';
import { damageCase, damageItem, shippedPolicies } from './builders.test-support';
import { QueueCatalog } from './common';
import { createGetCaseView, createGetDisputeView, createLeadOverview, createListClaims, createListItems, createListQueues, createOpenEvidence, type ViewDeps } from './views';

const policies = shippedPolicies();

const NOW = Date.parse('2026-11-18T10:00:00Z');
const MIN = 60_000;
const QUEUE = 'damage-review';

const reviewer = (id = 'rev-1'): Principal => ({ id, roles: ['reviewer'], queueRoles: ['damage-reviewer'] });
const outsider: Principal = { id: 'rev-x', roles: ['reviewer'], queueRoles: ['cleanliness-reviewer'] };
const lead: Principal = { id: 'lead-1', roles: ['lead'], queueRoles: [] };
const admin: Principal = { id: 'admin-1', roles: ['admin'], queueRoles: [] };
const auditor: Principal = { id: 'aud-1', roles: ['auditor'], queueRoles: [] };
const support: Principal = { id: 'sup-1', roles: ['support'], queueRoles: [] };
const techLead: Principal = { id: 'tl-1', roles: ['reviewer'], queueRoles: ['tech-lead'] };

const item = (caseId: string, overrides: Partial<QueueItemDoc> = {}): QueueItemDoc => damageItem(caseId, NOW, overrides);

const claim = (reviewerId: string, leaseUntil: number) => ({ reviewerId, role: 'reviewer', leaseUntil, claimedAt: NOW - 5 * MIN });

/** A damage case with a customer's name (PII under the policy's `privacy.redact`), an amount and two photos. */
function damageCaseWithContext(caseId: string, status: CaseDoc['status'] = 'in-review'): CaseDoc {
  const base = damageCase(caseId, NOW - 20 * MIN, status);
  return {
    ...base,
    prediction: {
      ...base.prediction,
      prediction: { label: 'scratch', confidence: 0.8, regions: [{ x: 0.1, y: 0.1, width: 0.2, height: 0.2, label: 'scratch', score: 0.8 }] },
      context: { customerName: 'Erika Mustermann', amount: { value: 320, currency: 'EUR' } },
      evidence: [
        { uri: 'gs://evidence/a/baseline.jpg', role: 'baseline', mediaType: 'image/jpeg' },
        { uri: 'https://elsewhere.example/return.jpg', role: 'return' },
      ],
    },
  };
}

/** The case decided by `reviewerId` with `outcome`, at `decidedAt`. */
function decided(caseDoc: CaseDoc, outcome: string, decidedAt: number, reviewerId = 'rev-9', reasonCode?: string): CaseDoc {
  const policy = policies.get(caseDoc.useCase);
  if (!policy.ok) throw new Error(policy.error.message);
  const decision = buildDecision(caseDoc, policy.value, { outcome, decidedBy: { kind: 'human', id: reviewerId }, ...(reasonCode ? { reasonCode } : {}), decidedAt: new Date(decidedAt) });
  return { ...caseDoc, status: 'decided', decision, decidedAt };
}

/** Signs Cloud Storage URIs only, as the production signer does. */
const signer: EvidenceUrlSigner = {
  sign: async (uri) => (uri.startsWith('gs://') ? { url: `https://signed.example/${uri.slice(5)}`, expiresAt: new Date(NOW + 5 * MIN) } : undefined),
};

function setup() {
  const store = new InMemoryQueueItems();
  const quality = new InMemoryReviewerQuality(store);
  const clock = new ManualClock(new Date(NOW));
  const deps: ViewDeps = { reads: new InMemoryReviewReads(store), quality, accessLog: new InMemoryEvidenceAccessLog(store), policies, clock, catalog: new QueueCatalog(policies), signer };
  const put = (caseDoc: CaseDoc, ...items: QueueItemDoc[]): void => {
    store.cases.set(caseDoc.caseId, caseDoc);
    for (const i of items) store.put(i);
  };
  return {
    store,
    quality,
    put,
    listQueues: createListQueues(deps),
    listItems: createListItems(deps),
    listClaims: createListClaims(deps),
    caseView: createGetCaseView(deps),
    openEvidence: createOpenEvidence(deps),
    disputes: createGetDisputeView(deps),
    overview: createLeadOverview(deps),
  };
}

/** The value of a result the test expects to succeed. */
function valueOf<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected a value, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

describe('queue summaries', () => {
  it('counts each queue the caller works: depth, oldest, at risk, claimed, awaiting evidence, overdue quality work', async () => {
    const { store, listQueues } = setup();
    store.put(item('old', { enqueuedAt: NOW - 40 * MIN, dueAt: NOW + 10 * MIN }));
    store.put(item('fresh', { enqueuedAt: NOW - 2 * MIN }));
    store.put(item('held', { status: 'claimed', claim: claim('rev-2', NOW + 5 * MIN) }));
    store.put(item('lapsed', { status: 'claimed', claim: claim('rev-3', NOW - MIN), enqueuedAt: NOW - 30 * MIN }));
    store.put(item('waiting', { status: 'awaiting-evidence', dueAt: NOW - MIN }));
    store.put(item('checked', { purpose: 'double-review', dueAt: NOW - MIN }));
    store.put(item('finished', { status: 'done', doneAt: NOW - MIN }));
    store.put(item('elsewhere', { queue: 'cleanliness-review', useCase: 'vehicle-cleanliness' }));

    const { queues } = valueOf(await listQueues(reviewer()));
    expect(queues).toEqual([
      {
        queue: QUEUE,
        title: 'Damage review',
        useCase: 'vehicle-damage',
        // open, open, the lapsed claim (claimable again) and the double review.
        depth: 4,
        oldestAgeSeconds: 40 * 60,
        // due within 15 min or past due, not waiting for evidence: `old` and the double review.
        atRisk: 2,
        claimed: 1,
        awaitingEvidence: 1,
        qualityOverdue: 1,
        batchable: [],
      },
    ]);
  });

  it('shows a lead every queue of every policy, an outsider only their own', async () => {
    const { listQueues } = setup();
    const all = valueOf(await listQueues(lead)).queues.map((q) => q.queue);
    expect(all).toEqual(expect.arrayContaining([QUEUE, 'cleanliness-review', 'api-batch']));
    expect(all.length).toBe(new QueueCatalog(policies).all().length);
    expect(valueOf(await listQueues(outsider)).queues.map((q) => q.queue)).toEqual(['cleanliness-review']);
  });

  it('offers batches of similar cases where the queue batches by similarity, each member with why', async () => {
    const { store, listQueues } = setup();
    const basis = { prediction: { label: 'approve', confidence: 0.8 }, pattern: { features: { patternType: 'crud', component: 'orders' } } };
    for (let i = 1; i <= 5; i += 1) store.put(item(`api-${i}`, { queue: 'api-batch', useCase: 'api-endpoint-batch', batchKey: 'api-batch|payments', similarityBasis: basis, priority: 10 + i }));
    const apiBatch = valueOf(await listQueues(techLead)).queues.find((q) => q.queue === 'api-batch');
    expect(apiBatch?.batchable).toHaveLength(1);
    expect(apiBatch?.batchable[0]).toMatchObject({ batchKey: `api-batch|payments~${queueItemId('api-5', 'decision')}`, size: 5 });
    // Highest priority first, the batch built around it.
    expect(apiBatch?.batchable[0]?.itemIds[0]).toBe(queueItemId('api-5', 'decision'));
    expect(apiBatch?.batchable[0]?.why).toHaveLength(5);
  });
});

describe('a queue’s items', () => {
  it('refuses an unknown queue, and a queue the caller may not see', async () => {
    const { listItems } = setup();
    expect(await listItems(reviewer(), 'no-such-queue', { limit: 10 })).toMatchObject({ ok: false, error: { code: 'QUEUE.NOT_FOUND' } });
    expect(await listItems(outsider, QUEUE, { limit: 10 })).toMatchObject({ ok: false, error: { code: 'AUTH.FORBIDDEN' } });
    // Auditors work no queue but see every one.
    expect(await listItems(auditor, QUEUE, { limit: 10 })).toMatchObject({ ok: true, value: { queue: QUEUE, items: [] } });
  });

  it('lists open items in priority order, a page at a time', async () => {
    const { store, listItems } = setup();
    store.put(item('low', { priority: 5 }));
    store.put(item('high', { priority: 50 }));
    store.put(item('back', { lane: 0, priority: 1 }));
    store.put(item('soon', { priority: 5, dueAt: NOW + 5 * MIN }));
    store.put(item('held', { status: 'claimed', claim: claim('rev-2', NOW + 5 * MIN), priority: 99 }));

    const first = valueOf(await listItems(reviewer(), QUEUE, { limit: 3 }));
    expect(first.items.map((i) => i.caseId)).toEqual(['back', 'high', 'soon']);
    expect(first.nextPageToken).toEqual(expect.any(String));
    const second = valueOf(await listItems(reviewer(), QUEUE, { limit: 3, pageToken: first.nextPageToken as string }));
    expect(second.items.map((i) => i.caseId)).toEqual(['low']);
    expect(second).not.toHaveProperty('nextPageToken');
    expect(await listItems(reviewer(), QUEUE, { limit: 3, pageToken: 'not-a-token' })).toMatchObject({ ok: false, error: { code: 'VALIDATION.INVALID_QUERY' } });
  });

  it('hides what a blind review and a golden case are from reviewers; leads and auditors see it', async () => {
    const { store, listItems } = setup();
    store.put(item('blind', { purpose: 'blind-review', blind: true }));
    store.put(item('gold', { purpose: 'golden' }));

    const seen = valueOf(await listItems(reviewer(), QUEUE, { limit: 10 })).items;
    const blind = seen.find((i) => i.caseId === 'blind');
    expect(blind?.summary).toEqual({ subject: { type: 'booking', id: 'bk-blind' }, model: { name: 'damage-detr', version: '1.4.2' } });
    expect(seen.find((i) => i.caseId === 'gold')?.purpose).toBe('decision');

    for (const who of [lead, auditor]) {
      const revealed = valueOf(await listItems(who, QUEUE, { limit: 10 })).items;
      expect(revealed.find((i) => i.caseId === 'blind')?.summary).toMatchObject({ label: 'scratch', confidence: 0.8, band: 'medium' });
      expect(revealed.find((i) => i.caseId === 'gold')?.purpose).toBe('golden');
    }
  });
});

describe('a queue’s claims', () => {
  it('is for leads and admins, and names the queue', async () => {
    const { listClaims } = setup();
    expect(await listClaims(reviewer(), QUEUE)).toMatchObject({ ok: false, error: { code: 'AUTH.FORBIDDEN' } });
    expect(await listClaims(lead, 'no-such-queue')).toMatchObject({ ok: false, error: { code: 'QUEUE.NOT_FOUND' } });
  });

  it('lists the live claims, not the lapsed ones, with who holds them', async () => {
    const { store, listClaims } = setup();
    store.put(item('held', { status: 'claimed', claim: claim('rev-2', NOW + 5 * MIN) }));
    store.put(item('lapsed', { status: 'claimed', claim: claim('rev-3', NOW - MIN) }));
    store.put(item('open'));
    const { items } = valueOf(await listClaims(admin, QUEUE));
    expect(items).toEqual([expect.objectContaining({ caseId: 'held', status: 'claimed', claim: { reviewerId: 'rev-2', leaseUntil: new Date(NOW + 5 * MIN).toISOString(), claimedAt: new Date(NOW - 5 * MIN).toISOString() } })]);
  });
});

describe('the case view', () => {
  it('refuses a case that does not exist, and a reader who may not read it', async () => {
    const { put, caseView } = setup();
    put(damageCaseWithContext('c-1'), item('c-1'));
    expect(await caseView(reviewer(), 'no-such-case')).toMatchObject({ ok: false, error: { code: 'CASE.NOT_FOUND' } });
    expect(await caseView(outsider, 'c-1')).toMatchObject({ ok: false, error: { code: 'AUTH.FORBIDDEN' } });
    for (const who of [reviewer(), lead, auditor, admin, { id: 'oc-1', roles: ['on-call'], queueRoles: [] } satisfies Principal]) {
      expect(await caseView(who, 'c-1')).toMatchObject({ ok: true, value: { caseId: 'c-1' } });
    }
  });

  it('redacts the policy’s PII fields for everyone but admins, in the view and its template', async () => {
    const { put, caseView } = setup();
    put(damageCaseWithContext('c-1'), item('c-1'));

    const seen = valueOf(await caseView(reviewer(), 'c-1'));
    expect(seen.context).toEqual({ customerName: '[REDACTED]', amount: { value: 320, currency: 'EUR' } });
    expect(JSON.stringify(seen)).not.toContain('Erika');
    expect(seen.template).toMatchObject({ kind: 'approval', title: 'Damage review' });
    expect(seen.template?.markdown).toContain('_Case c-1 · policy vehicle-damage v1_');

    const unredacted = valueOf(await caseView(admin, 'c-1'));
    expect(unredacted.context).toEqual({ customerName: 'Erika Mustermann', amount: { value: 320, currency: 'EUR' } });
  });

  it('shows the model’s assessment, the item’s SLA and priority, the evidence links and the options', async () => {
    const { put, caseView } = setup();
    put(damageCaseWithContext('c-1'), item('c-1', { dueAt: NOW + 10 * MIN, priority: 70, priorityReasons: ['next-booking-2h'], lane: 0 }));
    const view = valueOf(await caseView(reviewer(), 'c-1'));
    expect(view).toMatchObject({
      status: 'in-review',
      blind: false,
      prediction: { model: { name: 'damage-detr', version: '1.4.2' }, label: 'scratch', confidence: 0.8, band: 'medium', thresholds: { high: 0.95, low: 0.7 } },
      sla: { dueAt: new Date(NOW + 10 * MIN).toISOString(), atRisk: true, escalated: false, sent: [] },
      priority: { score: 70, reasons: ['next-booking-2h'], lane: 0 },
      evidence: [
        { index: 0, uri: 'gs://evidence/a/baseline.jpg', role: 'baseline', source: 'prediction', href: '/api/cases/c-1/evidence/0' },
        { index: 1, uri: 'https://elsewhere.example/return.jpg', role: 'return', source: 'prediction', href: '/api/cases/c-1/evidence/1' },
      ],
      precedents: [],
    });
    expect(view.options.decisionOptions.map((o) => o.id)).toEqual(['approve', 'reject', 'request-photos']);
    // Reason codes only the policy itself gives (an SLA expiry) are not offered to people.
    expect(view.options.reasonCodes.map((r) => r.code)).not.toContain('SLA_EXPIRED');
    expect(view).not.toHaveProperty('decision');
  });

  it('shows precedents: decided cases of the use case like this one, the most similar first', async () => {
    const { store, put, caseView } = setup();
    put(damageCaseWithContext('c-1'), item('c-1'));
    store.cases.set('p-1', decided(damageCaseWithContext('p-1'), 'damage_confirmed', NOW - 60 * MIN, 'rev-7', 'DAMAGE_CONFIRMED_NEW'));
    store.cases.set('p-open', damageCaseWithContext('p-open'));
    const { precedents } = valueOf(await caseView(reviewer(), 'c-1'));
    expect(precedents).toEqual([
      expect.objectContaining({ caseId: 'p-1', label: 'scratch', outcome: 'damage_confirmed', reasonCode: 'DAMAGE_CONFIRMED_NEW', decidedBy: 'reviewer', decidedAt: new Date(NOW - 60 * MIN).toISOString() }),
    ]);
    expect(precedents[0]?.similarity).toBeGreaterThanOrEqual(0.5);
  });

  it('is blind for a reviewer when the only work on the case is a blind review: no label, score, template, precedents or decision', async () => {
    const { store, put, caseView } = setup();
    put(decided(damageCaseWithContext('c-1'), 'damage_confirmed', NOW - 5 * MIN), item('c-1', { purpose: 'blind-review', blind: true }));
    store.cases.set('p-1', decided(damageCaseWithContext('p-1'), 'damage_confirmed', NOW - 60 * MIN));

    const view = valueOf(await caseView(reviewer(), 'c-1'));
    expect(view.blind).toBe(true);
    expect(view.prediction).toEqual({ model: { name: 'damage-detr', version: '1.4.2' }, regions: [{ x: 0.1, y: 0.1, width: 0.2, height: 0.2, label: 'scratch', score: 0.8 }] });
    expect(view).not.toHaveProperty('template');
    expect(view).not.toHaveProperty('decision');
    expect(view.precedents).toEqual([]);
    expect(view.items[0]?.summary).not.toHaveProperty('label');

    const led = valueOf(await caseView(lead, 'c-1'));
    expect(led.blind).toBe(false);
    expect(led).toMatchObject({ prediction: { label: 'scratch', confidence: 0.8 }, decision: { outcome: 'damage_confirmed' } });
    expect(led.precedents.map((p) => p.caseId)).toEqual(['p-1']);
  });

  it('keeps the first verdict from the reviewer of a pending double review; leads see it', async () => {
    const { put, caseView } = setup();
    const caseDoc = decided(damageCaseWithContext('c-1'), 'damage_confirmed', NOW - 5 * MIN, 'rev-9');
    put(caseDoc, item('c-1', { status: 'done', doneAt: NOW - 5 * MIN }), item('c-1', { purpose: 'double-review', excludeReviewers: ['rev-9'] }));
    expect(valueOf(await caseView(reviewer('rev-2'), 'c-1'))).not.toHaveProperty('decision');
    expect(valueOf(await caseView(lead, 'c-1'))).toMatchObject({ decision: { outcome: 'damage_confirmed', decidedBy: { kind: 'human', id: 'rev-9' } } });
  });

  it('renders a batch item with its batch template over the batch’s open cases', async () => {
    const { put, caseView } = setup();
    const apiCase = (caseId: string, endpoint: string): CaseDoc => {
      const subject = { type: 'endpoint', id: endpoint };
      const model = { name: 'api-reviewer', version: '2.0.0' };
      return {
        ...damageCase(caseId, NOW - 30 * MIN, 'in-review'),
        useCase: 'api-endpoint-batch',
        policy: { id: 'api-endpoint-batch', version: '1' },
        subject,
        model,
        prediction: { useCase: 'api-endpoint-batch', subject, model, prediction: { label: 'approve', confidence: 0.78 }, context: { apiCategory: 'payments', endpoint, purpose: 'refunds', riskLevel: 'low' } },
        confidence: 0.78,
        thresholds: { high: 0.85, low: 0.7 },
      };
    };
    const apiItem = (caseId: string, priority: number) => item(caseId, { queue: 'api-batch', useCase: 'api-endpoint-batch', batchKey: 'api-batch|payments', priority });
    put(apiCase('api-1', 'POST /refunds'), apiItem('api-1', 30));
    put(apiCase('api-2', 'GET /refunds'), apiItem('api-2', 20));
    put(apiCase('api-3', 'DELETE /refunds'), apiItem('api-3', 10));
    put(apiCase('api-other', 'GET /orders'), item('api-other', { queue: 'api-batch', useCase: 'api-endpoint-batch', batchKey: 'api-batch|orders' }));

    const { template } = valueOf(await caseView(techLead, 'api-1'));
    expect(template).toMatchObject({ kind: 'batch-approval', title: 'BATCH APPROVAL REQUEST: API Endpoint Implementation' });
    expect(template?.markdown).toContain('**Total Endpoints**: 3');
    expect(template?.markdown).toContain('**Category**: payments');
    for (const endpoint of ['POST /refunds', 'GET /refunds', 'DELETE /refunds']) expect(template?.markdown).toContain(`| ${endpoint} | refunds | low |`);
    expect(template?.markdown).not.toContain('GET /orders');
  });
});

describe('opening evidence', () => {
  it('gives a signed link and records who opened what (evidence.accessed)', async () => {
    const { store, put, openEvidence } = setup();
    put(damageCaseWithContext('c-1'), item('c-1'));
    expect(await openEvidence(reviewer(), 'c-1', 0)).toEqual({
      ok: true,
      value: { caseId: 'c-1', index: 0, uri: 'gs://evidence/a/baseline.jpg', url: 'https://signed.example/evidence/a/baseline.jpg', expiresAt: new Date(NOW + 5 * MIN).toISOString(), role: 'baseline', mediaType: 'image/jpeg' },
    });
    expect(store.staged).toHaveLength(1);
    expect(store.staged[0]).toMatchObject({ type: EventTypes.evidenceAccessed, subject: 'c-1' });
    expect(store.staged[0]?.data).toEqual({ caseId: 'c-1', useCase: 'vehicle-damage', uri: 'gs://evidence/a/baseline.jpg', accessedBy: { id: 'rev-1', role: 'reviewer' }, accessedAt: new Date(NOW).toISOString() });
    expect(validateEventData(EventTypes.evidenceAccessed, store.staged[0]?.data)).toMatchObject({ ok: true });
  });

  it('records nothing when it gives no link: unknown case, a reader who may not, no such evidence, nothing to sign', async () => {
    const { store, put, openEvidence } = setup();
    put(damageCaseWithContext('c-1'), item('c-1'));
    expect(await openEvidence(reviewer(), 'no-such-case', 0)).toMatchObject({ ok: false, error: { code: 'CASE.NOT_FOUND' } });
    expect(await openEvidence(outsider, 'c-1', 0)).toMatchObject({ ok: false, error: { code: 'AUTH.FORBIDDEN' } });
    expect(await openEvidence(reviewer(), 'c-1', 2)).toMatchObject({ ok: false, error: { code: 'EVIDENCE.NOT_FOUND', message: 'case c-1 has no evidence #2' } });
    expect(await openEvidence(reviewer(), 'c-1', 1)).toMatchObject({ ok: false, error: { code: 'EVIDENCE.NOT_FOUND' } });
    expect(store.staged).toEqual([]);
  });
});

describe('the dispute view', () => {
  it('is for support, leads, auditors and admins', async () => {
    const { disputes } = setup();
    expect(await disputes(reviewer(), 'booking', 'bk-1')).toMatchObject({ ok: false, error: { code: 'AUTH.FORBIDDEN' } });
  });

  it('lists the decided cases about a subject, newest first, with the policy’s labels; undecided ones are left out', async () => {
    const { store, disputes } = setup();
    const about = (caseId: string, openedAt: number): CaseDoc => ({ ...damageCaseWithContext(caseId), subject: { type: 'booking', id: 'bk-1' }, openedAt });
    store.cases.set('older', decided(about('older', NOW - 120 * MIN), 'no_damage', NOW - 100 * MIN, 'rev-7', 'NORMAL_WEAR_AND_TEAR'));
    store.cases.set('newer', decided(about('newer', NOW - 60 * MIN), 'damage_confirmed', NOW - 50 * MIN, 'rev-8'));
    store.cases.set('open', about('open', NOW - 10 * MIN));

    const view = valueOf(await disputes(support, 'booking', 'bk-1'));
    expect(view.subject).toEqual({ type: 'booking', id: 'bk-1' });
    expect(view.decisions.map((d) => d.caseId)).toEqual(['newer', 'older']);
    expect(view.decisions[1]).toMatchObject({ outcome: 'no_damage', reasonCode: 'NORMAL_WEAR_AND_TEAR', decidedBy: 'reviewer', evidence: [{ uri: 'gs://evidence/a/baseline.jpg', role: 'baseline', mediaType: 'image/jpeg' }, { uri: 'https://elsewhere.example/return.jpg', role: 'return' }] });
    expect(view.decisions[1]?.outcomeLabel).toEqual(expect.any(String));
    expect(view.decisions[1]?.reasonLabel).toEqual(expect.any(String));
    expect(await disputes(support, 'booking', 'bk-none')).toMatchObject({ ok: false, error: { code: 'CASE.NOT_FOUND' } });
  });
});

describe('the lead overview', () => {
  it('is for leads and admins', async () => {
    const { overview } = setup();
    expect(await overview(reviewer())).toMatchObject({ ok: false, error: { code: 'AUTH.FORBIDDEN' } });
    expect(await overview(auditor)).toMatchObject({ ok: false, error: { code: 'AUTH.FORBIDDEN' } });
  });

  it('counts each queue’s work, escalations included, and each reviewer’s items done in the last hour', async () => {
    const { store, overview } = setup();
    store.put(item('late', { dueAt: NOW - MIN }));
    store.put(item('paged', { sla: { sent: ['escalated'], nextCheckAt: null } }));
    store.put(item('fine'));
    store.put(item('d1', { status: 'done', doneAt: NOW - 10 * MIN, doneBy: 'rev-1' }));
    store.put(item('d2', { status: 'done', doneAt: NOW - 20 * MIN, doneBy: 'rev-1', queue: 'cleanliness-review' }));
    store.put(item('d3', { status: 'done', doneAt: NOW - 30 * MIN, doneBy: 'rev-2' }));
    store.put(item('d-old', { status: 'done', doneAt: NOW - 90 * MIN, doneBy: 'rev-2' }));
    store.put(item('d-nobody', { status: 'done', doneAt: NOW - 5 * MIN }));

    const view = valueOf(await overview(lead));
    expect(view.at).toBe(new Date(NOW).toISOString());
    expect(view.queues.find((q) => q.queue === QUEUE)).toEqual({ queue: QUEUE, title: 'Damage review', useCase: 'vehicle-damage', depth: 3, atRisk: 1, claimed: 0, awaitingEvidence: 0, escalated: 2, qualityOverdue: 0, oldestAgeSeconds: 600 });
    expect(view.throughput).toEqual({
      since: new Date(NOW - 60 * MIN).toISOString(),
      reviewers: [
        { reviewerId: 'rev-1', itemsDone: 2, queues: ['cleanliness-review', QUEUE] },
        { reviewerId: 'rev-2', itemsDone: 1, queues: [QUEUE] },
      ],
    });
  });

  it('shows each reviewer’s standing against the policy’s bar, the flagged ones, and the agreement of double reviews per queue', async () => {
    const { quality, overview } = setup();
    const verdict = (reviewerId: string, at: number, rest: Partial<ReviewerVerdictDoc>): ReviewerVerdictDoc => ({ reviewerId, useCase: 'vehicle-damage', queue: QUEUE, caseId: `c-${at}`, source: 'golden', kind: 'known-answer', at, ...rest });
    // rev-bad: 1 of 4 golden answers right (bar 0.9); rev-good: 4 of 4.
    for (let i = 0; i < 4; i += 1) {
      quality.verdicts.push(verdict('rev-bad', NOW - i * MIN, { correct: i === 0 }));
      quality.verdicts.push(verdict('rev-good', NOW - i * MIN, { correct: true }));
    }
    // Double-review pairs between them, from rev-good's side (first) and rev-bad's (second).
    const pairs: Array<[string, string]> = [['damage_confirmed', 'damage_confirmed'], ['no_damage', 'no_damage'], ['damage_confirmed', 'no_damage'], ['no_damage', 'no_damage']];
    pairs.forEach(([own, other], i) => {
      quality.verdicts.push(verdict('rev-good', NOW - (10 + i) * MIN, { source: 'double-review', kind: 'pair', own, other, side: 'first' }));
      quality.verdicts.push(verdict('rev-bad', NOW - (10 + i) * MIN, { source: 'double-review', kind: 'pair', own: other, other: own, side: 'second' }));
    });

    const { quality: q } = valueOf(await overview(lead));
    expect(q.flagged).toEqual(['rev-bad']);
    expect(q.reviewers.map((r) => r.reviewerId)).toEqual(['rev-bad', 'rev-good']);
    expect(q.reviewers[0]).toMatchObject({ useCase: 'vehicle-damage', known: 4, correct: 1, accuracy: 0.25, flagged: true, belowBar: true, golden: 4, minAccuracy: 0.9, minKappa: 0.8 });
    expect(q.reviewers[1]).toMatchObject({ known: 4, correct: 4, flagged: false, belowBar: false });
    expect(q.agreement).toEqual([expect.objectContaining({ queue: QUEUE, useCase: 'vehicle-damage', pairs: 4, observed: 0.75, minKappa: 0.8, belowBar: true })]);
  });
});
