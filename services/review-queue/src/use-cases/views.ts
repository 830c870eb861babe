/**
 * Read models: the caller's queues, a queue's items, the single-pane case view with precedents, the
 * dispute view, the lead overview. Reads only, through `ReviewReads` (and the judged verdicts of
 * `ReviewerQuality`); the one read with a side effect (opening evidence) records `evidence.accessed`
 * through the `EvidenceAccessLog`. Every view returns a result: a failure's code (`CASE.NOT_FOUND`,
 * `AUTH.FORBIDDEN`, …) becomes an HTTP status in the API's one error map.
 */
import { randomUUID } from 'node:crypto';
import type { CaseDoc, QueueItemDoc } from '@arbiter/case-store';
import { EventTypes } from '@arbiter/contract';
import {
  batchTemplateView,
  caseSimilarity,
  fail,
  formBatches,
  formSimilarBatches,
  modelOutcomeOf,
  ok,
  redact,
  renderTemplate,
  twoRaterAgreement,
  templateView,
  type Policy,
  type QueueSpec,
  type Result,
  type TemplateCase,
  type TemplateSpec,
} from '@arbiter/core';
import type { Clock } from '@arbiter/platform';
import type { PolicyRegistry } from '@arbiter/policy';
import type { Principal } from '../auth';
import { isEscalated, maySeeBlindOutcome, maySeePii, mayReadCase, mayViewDisputes, mayViewLeadOverview, mayWorkQueue } from '../access';
import type { EvidenceUrlSigner } from '../evidence';
import type { EvidenceAccessLog, ReviewerQuality, ReviewReads } from '../ports';
import { standingsOf } from '../reviewer-verdicts';
import { actorOf, byPriorityOrder, event, iso, isClaimable, itemView, QueueCatalog, type ItemView } from './common';

export interface ViewDeps {
  reads: ReviewReads;
  /** The judged verdicts behind the lead overview's reviewer standings. */
  quality: Pick<ReviewerQuality, 'recentVerdicts'>;
  accessLog: EvidenceAccessLog;
  policies: PolicyRegistry;
  clock: Clock;
  catalog: QueueCatalog;
  signer: EvidenceUrlSigner;
}

/** The judged verdicts the lead overview's standings are computed from (the most recent ones). */
const STANDING_VERDICTS = 5000;

/** "At SLA risk": due within this long, or past due. */
export const AT_RISK_MS = 15 * 60_000;

export interface QueueSummary {
  queue: string;
  title: string;
  useCase: string;
  depth: number;
  oldestAgeSeconds: number | null;
  atRisk: number;
  claimed: number;
  awaitingEvidence: number;
  /** Quality items (blind review, double review, golden) past their soft SLA: for leads; never paged. */
  qualityOverdue: number;
  /**
   * Batches ready to review. With the queue's `batch.similarity`, each batch is the cases similar to
   * its first one (`why`: each item's similarity to it, part by part, for the console to show).
   */
  batchable: Array<{ batchKey: string; size: number; itemIds: string[]; why?: Array<{ itemId: string; similarity: number; parts: string[] }> }>;
}

function summarise(ref: { policy: Policy; queue: Pick<QueueSpec, 'id' | 'title' | 'batch'> }, items: QueueItemDoc[], nowMs: number): QueueSummary {
  const open = items.filter((i) => isClaimable(i, nowMs));
  const oldest = open.reduce<number | undefined>((min, i) => (min === undefined || i.enqueuedAt < min ? i.enqueuedAt : min), undefined);
  const batch = ref.queue.batch;
  const candidates = open.filter((i) => i.purpose === 'decision').map((i) => ({ caseId: i.itemId, priority: i.priority, openedAt: new Date(i.enqueuedAt), ...(i.batchKey ? { batchKey: i.batchKey } : {}), ...(i.similarityBasis ? { basis: i.similarityBasis } : {}) }));
  const batches = !batch?.enabled
    ? []
    : batch.similarity
      ? formSimilarBatches(candidates, { minSize: batch.minSize, maxSize: batch.maxSize, similarity: batch.similarity }).batches.map((b) => ({ batchKey: b.key, size: b.cases.length, itemIds: b.cases.map((c) => c.caseId), why: b.why.map((w) => ({ itemId: w.caseId, similarity: w.similarity, parts: w.parts })) }))
      : formBatches(candidates, batch).batches.map((b) => ({ batchKey: b.key, size: b.cases.length, itemIds: b.cases.map((c) => c.caseId) }));
  return {
    queue: ref.queue.id,
    title: ref.queue.title,
    useCase: ref.policy.id,
    depth: open.length,
    oldestAgeSeconds: oldest === undefined ? null : Math.max(0, Math.round((nowMs - oldest) / 1000)),
    atRisk: items.filter((i) => i.status !== 'awaiting-evidence' && i.dueAt <= nowMs + AT_RISK_MS).length,
    claimed: items.length - open.length - items.filter((i) => i.status === 'awaiting-evidence').length,
    awaitingEvidence: items.filter((i) => i.status === 'awaiting-evidence').length,
    qualityOverdue: items.filter((i) => i.purpose !== 'decision' && i.status !== 'done' && i.dueAt <= nowMs).length,
    batchable: batches,
  };
}

export function createListQueues(deps: ViewDeps) {
  return async (p: Principal): Promise<Result<{ queues: QueueSummary[] }>> => {
    const nowMs = deps.clock.now().getTime();
    const refs = deps.catalog.all().filter((ref) => mayWorkQueue(p, ref.queue));
    const queues = await Promise.all(refs.map(async (ref) => summarise(ref, await deps.reads.activeItems(ref.queue.id), nowMs)));
    return ok({ queues });
  };
}

export function createListItems(deps: ViewDeps) {
  return async (p: Principal, queueId: string, page: { limit: number; pageToken?: string }): Promise<Result<{ queue: string; items: ItemView[]; nextPageToken?: string }>> => {
    const ref = deps.catalog.get(queueId);
    if (!ref) return fail({ code: 'QUEUE.NOT_FOUND', message: `there is no queue ${queueId}` });
    if (!mayWorkQueue(p, ref.queue) && !maySeeBlindOutcome(p)) return fail({ code: 'AUTH.FORBIDDEN', message: `your roles do not allow seeing queue ${queueId}` });
    const result = await deps.reads.openItems(queueId, page.limit, page.pageToken);
    if (!result) return fail({ code: 'VALIDATION.INVALID_QUERY', message: 'pageToken is not one this API issued; pass the nextPageToken of the previous page' });
    const reveal = maySeeBlindOutcome(p);
    return ok({ queue: queueId, items: result.items.sort(byPriorityOrder).map((i) => itemView(i, { revealBlind: reveal, revealGolden: reveal })), ...(result.nextPageToken ? { nextPageToken: result.nextPageToken } : {}) });
  };
}

/** Live claims of a queue, for a lead to release or reassign (lead, admin). */
export function createListClaims(deps: ViewDeps) {
  return async (p: Principal, queueId: string): Promise<Result<{ queue: string; items: ItemView[] }>> => {
    if (!mayViewLeadOverview(p)) return fail({ code: 'AUTH.FORBIDDEN', message: 'the claims of a queue are for leads and admins' });
    const ref = deps.catalog.get(queueId);
    if (!ref) return fail({ code: 'QUEUE.NOT_FOUND', message: `there is no queue ${queueId}` });
    const nowMs = deps.clock.now().getTime();
    const items = (await deps.reads.activeItems(queueId)).filter((i) => i.status === 'claimed' && !isClaimable(i, nowMs));
    return ok({ queue: queueId, items: items.sort(byPriorityOrder).map((i) => itemView(i, { revealBlind: true })) });
  };
}

// ── Case view ────────────────────────────────────────────────────────────────────────────────

export interface Precedent {
  caseId: string;
  similarity: number;
  /** The parts the similarity rests on, most telling first (`regions`, `label`, `embedding`, …). */
  basis: string;
  /** Why the two cases are similar, one line per part compared (for the console). */
  why: string[];
  label?: string;
  confidence: number;
  outcome: string;
  reasonCode?: string;
  decidedBy: 'automatic' | 'reviewer' | 'policy';
  decidedAt: string;
}

/** Precedents at least this similar are shown. */
export const MIN_PRECEDENT_SIMILARITY = 0.5;

/**
 * The most similar decided cases (`caseSimilarity` in core): labels, scores, the predicted regions
 * matched by overlap, pattern features weighted as the policy's fast-track says, an upstream embedding
 * when both carry one — each part explained.
 */
export function rankPrecedents(current: CaseDoc, candidates: readonly CaseDoc[], policy?: Pick<Policy, 'fastTrack'>, limit = 5): Precedent[] {
  const ranked: Precedent[] = [];
  const options = policy?.fastTrack?.featureWeights ? { featureWeights: policy.fastTrack.featureWeights } : {};
  for (const c of candidates) {
    if (c.caseId === current.caseId || !c.decision) continue;
    const measured = caseSimilarity(current.prediction, c.prediction, options);
    if (measured.parts.length === 0 || measured.similarity < MIN_PRECEDENT_SIMILARITY) continue;
    ranked.push({
      caseId: c.caseId,
      similarity: Number(measured.similarity.toFixed(4)),
      basis: measured.parts.map((p) => p.part).join('+'),
      why: measured.parts.map((p) => p.detail),
      ...(c.prediction.prediction?.label !== undefined ? { label: c.prediction.prediction.label } : {}),
      confidence: c.confidence,
      outcome: c.decision.outcome,
      ...(c.decision.reasonCode ? { reasonCode: c.decision.reasonCode } : {}),
      decidedBy: decidedByRole(c.decision.decidedBy.kind),
      decidedAt: c.decision.decidedAt,
    });
  }
  return ranked.sort((a, b) => b.similarity - a.similarity || (a.decidedAt < b.decidedAt ? 1 : -1)).slice(0, limit);
}

export const decidedByRole = (kind: 'auto' | 'human' | 'policy'): 'automatic' | 'reviewer' | 'policy' => (kind === 'auto' ? 'automatic' : kind === 'human' ? 'reviewer' : 'policy');

function allEvidence(caseDoc: CaseDoc): Array<{ uri: string; role?: string; mediaType?: string; source: 'prediction' | 'crew'; submittedBy?: string }> {
  return [
    ...(caseDoc.prediction.evidence ?? []).map((e) => ({ ...e, source: 'prediction' as const })),
    ...(caseDoc.extraEvidence ?? []).map((e) => ({ uri: e.uri, ...(e.role ? { role: e.role } : {}), ...(e.mediaType ? { mediaType: e.mediaType } : {}), source: 'crew' as const, submittedBy: e.submittedBy })),
  ];
}

function templateCaseOf(caseDoc: CaseDoc, prediction: CaseDoc['prediction'], item: QueueItemDoc | undefined): TemplateCase {
  const route = caseDoc.route;
  return {
    caseId: caseDoc.caseId,
    useCase: caseDoc.useCase,
    policy: caseDoc.policy,
    subject: caseDoc.subject,
    model: caseDoc.model,
    confidence: caseDoc.confidence,
    confidenceSource: caseDoc.confidenceSource,
    band: caseDoc.band,
    thresholds: caseDoc.thresholds,
    prediction,
    openedAt: iso(caseDoc.openedAt),
    ...(item ? { dueAt: iso(item.dueAt) } : {}),
    ...(route?.matchedPattern ? { matchedPattern: route.matchedPattern } : {}),
    ...(route ? { routing: { route: route.kind, reason: route.reason, ...(route.queue ? { queue: route.queue } : item ? { queue: item.queue } : {}) } } : item ? { routing: { route: 'review' as const, reason: 'band-medium' as const, queue: item.queue } } : {}),
  };
}

function chooseTemplate(policy: Policy, caseDoc: CaseDoc, item: QueueItemDoc | undefined): TemplateSpec | undefined {
  const templates = policy.templates ?? [];
  const kind = (k: TemplateSpec['kind']): TemplateSpec | undefined => templates.find((t) => t.kind === k);
  if (caseDoc.route?.reason === 'fast-track') return kind('fast-track') ?? kind('approval');
  if (item?.batchKey) return kind('batch-approval') ?? kind('approval');
  return kind('approval') ?? kind('batch-approval');
}

export function createGetCaseView(deps: ViewDeps) {
  return async (p: Principal, caseId: string) => {
    const caseDoc = await deps.reads.getCase(caseId);
    if (!caseDoc) return fail({ code: 'CASE.NOT_FOUND', message: `there is no case ${caseId}` });
    const items = await deps.reads.itemsOfCase(caseId);
    const queueRefs = items.map((i) => deps.catalog.get(i.queue)).filter((r) => r !== undefined);
    if (!mayReadCase(p, queueRefs.map((r) => r.queue))) return fail({ code: 'AUTH.FORBIDDEN', message: `your roles do not allow reading case ${caseId}` });
    const policyResult = deps.policies.get(caseDoc.useCase);
    if (!policyResult.ok) return policyResult;
    const policy = policyResult.value;
    const nowMs = deps.clock.now().getTime();
    const item = items.find((i) => i.purpose === 'decision') ?? items[0];
    // Blind: the only work on this case is a blind review, and the caller is not one who may see the outcome.
    const blind = items.length > 0 && items.every((i) => i.blind) && !maySeeBlindOutcome(p);
    const pii = maySeePii(p);
    const prediction = pii ? caseDoc.prediction : redact(caseDoc.prediction, policy.privacy.redact);
    const queue = item ? deps.catalog.get(item.queue)?.queue : undefined;

    let template: { kind: string; title: string; markdown: string } | undefined;
    const spec = blind ? undefined : chooseTemplate(policy, caseDoc, item);
    if (spec) {
      let view = templateView(templateCaseOf(caseDoc, prediction, item));
      if (spec.kind === 'batch-approval' && item?.batchKey) {
        const siblings = (await deps.reads.activeItems(item.queue, 500)).filter((i) => i.batchKey === item.batchKey && i.itemId !== item.itemId && i.purpose === 'decision').sort(byPriorityOrder).slice(0, Math.max(0, (queue?.batch?.maxSize ?? 10) - 1));
        const others = await deps.reads.casesById(siblings.map((s) => s.caseId));
        view = batchTemplateView([caseDoc, ...others].map((c) => templateCaseOf(c, pii ? c.prediction : redact(c.prediction, policy.privacy.redact), c.caseId === caseDoc.caseId ? item : siblings.find((s) => s.caseId === c.caseId))));
      }
      template = { kind: spec.kind, title: spec.title, markdown: renderTemplate(spec.markdown, view) };
    }
    const precedents = blind ? [] : rankPrecedents(caseDoc, await deps.reads.decidedCases(caseDoc.useCase, 200), policy);
    const inner = prediction.prediction;
    return ok({
      caseId,
      useCase: caseDoc.useCase,
      policy: caseDoc.policy,
      status: caseDoc.status,
      blind,
      subject: caseDoc.subject,
      openedAt: iso(caseDoc.openedAt),
      prediction: blind
        ? { model: caseDoc.model, ...(inner?.regions ? { regions: inner.regions } : {}) }
        : {
            model: caseDoc.model,
            ...(inner?.label !== undefined ? { label: inner.label } : {}),
            ...(inner?.scores ? { scores: inner.scores } : {}),
            ...(inner?.regions ? { regions: inner.regions } : {}),
            confidence: caseDoc.confidence,
            confidenceSource: caseDoc.confidenceSource,
            band: caseDoc.band,
            thresholds: caseDoc.thresholds,
            modelOutcome: modelOutcomeOf(policy, inner?.label),
            ...(prediction.factors ? { factors: prediction.factors } : {}),
          },
      ...(prediction.category !== undefined ? { category: prediction.category } : {}),
      context: prediction.context ?? {},
      ...(prediction.pattern ? { pattern: prediction.pattern } : {}),
      evidence: allEvidence(caseDoc).map((e, index) => ({ index, ...e, href: `/api/cases/${encodeURIComponent(caseId)}/evidence/${index}` })),
      items: items.map((i) => itemView(i, { revealBlind: !blind })),
      sla: item ? { dueAt: iso(item.dueAt), atRisk: item.dueAt <= nowMs + AT_RISK_MS, escalated: isEscalated(item, nowMs), sent: item.sla.sent } : null,
      priority: item ? { score: item.priority, reasons: item.priorityReasons, lane: item.lane } : null,
      ...(caseDoc.evidenceRequest ? { evidenceRequest: { ...caseDoc.evidenceRequest, dueBy: iso(caseDoc.evidenceRequest.dueBy), requestedAt: iso(caseDoc.evidenceRequest.requestedAt) } } : {}),
      // A pending double review is independent: its reviewer does not see the first verdict.
      ...(!blind && caseDoc.decision && !(items.some((i) => i.purpose === 'double-review' && i.status !== 'done') && !maySeeBlindOutcome(p)) ? { decision: { ...caseDoc.decision, ...(caseDoc.approval ? { approval: caseDoc.approval } : {}) }, ...(caseDoc.revision ? { revision: caseDoc.revision } : {}) } : {}),
      options: {
        decisionOptions: policy.decisionOptions,
        batchOptions: policy.batchOptions ?? [],
        reasonCodes: policy.reasonCodes.filter((r) => !(r.appliesTo ?? []).includes('policy')),
        outcomes: policy.outcomes,
        // The checklist items and conditions the options' `inputs` answer from.
        approval: policy.approval ?? {},
      },
      ...(template ? { template } : {}),
      ...(caseDoc.route?.postActionReport ? { postActionReport: { title: caseDoc.route.postActionReport.title, markdown: caseDoc.route.postActionReport.markdown, producedAt: iso(caseDoc.route.postActionReport.producedAt) } } : {}),
      precedents,
    });
  };
}

// ── Evidence ─────────────────────────────────────────────────────────────────────────────────

export function createOpenEvidence(deps: ViewDeps) {
  return async (p: Principal, caseId: string, index: number): Promise<Result<{ caseId: string; index: number; uri: string; url: string; expiresAt: string; role?: string; mediaType?: string }>> => {
    const caseDoc = await deps.reads.getCase(caseId);
    if (!caseDoc) return fail({ code: 'CASE.NOT_FOUND', message: `there is no case ${caseId}` });
    const items = await deps.reads.itemsOfCase(caseId);
    const queues = items.map((i) => deps.catalog.get(i.queue)?.queue).filter((q) => q !== undefined);
    if (!mayReadCase(p, queues)) return fail({ code: 'AUTH.FORBIDDEN', message: `your roles do not allow reading case ${caseId}` });
    const evidence = allEvidence(caseDoc)[index];
    if (!evidence) return fail({ code: 'EVIDENCE.NOT_FOUND', message: `case ${caseId} has no evidence #${index}` });
    const signed = await deps.signer.sign(evidence.uri);
    if (!signed) return fail({ code: 'EVIDENCE.NOT_FOUND', message: `evidence #${index} of case ${caseId} is not in Cloud Storage (gs://), so there is no signed link to it` });
    const now = deps.clock.now();
    // Logged before the link is given: whoever holds a link is on the record.
    await deps.accessLog.record([event(EventTypes.evidenceAccessed, { caseId, useCase: caseDoc.useCase, uri: evidence.uri, accessedBy: actorOf(p), accessedAt: now.toISOString() }, caseId, now, randomUUID())], now);
    return ok({ caseId, index, uri: evidence.uri, url: signed.url, expiresAt: signed.expiresAt.toISOString(), ...(evidence.role ? { role: evidence.role } : {}), ...(evidence.mediaType ? { mediaType: evidence.mediaType } : {}) });
  };
}

// ── Disputes ─────────────────────────────────────────────────────────────────────────────────

export function createGetDisputeView(deps: ViewDeps) {
  return async (p: Principal, subjectType: string, subjectId: string) => {
    if (!mayViewDisputes(p)) return fail({ code: 'AUTH.FORBIDDEN', message: 'dispute views are for support, leads, auditors and admins' });
    const cases = (await deps.reads.casesOfSubject(subjectType, subjectId)).flatMap((c) => (c.decision ? [{ ...c, decision: c.decision }] : []));
    if (cases.length === 0) return fail({ code: 'CASE.NOT_FOUND', message: `no decided case about ${subjectType} ${subjectId}` });
    return ok({
      subject: { type: subjectType, id: subjectId },
      decisions: cases.map((c) => {
        const d = c.decision;
        const policy = deps.policies.get(c.useCase);
        const outcomeLabel = policy.ok ? policy.value.outcomes.find((o) => o.id === d.outcome)?.label : undefined;
        const reasonLabel = policy.ok && d.reasonCode ? policy.value.reasonCodes.find((r) => r.code === d.reasonCode)?.label : undefined;
        return {
          caseId: c.caseId,
          useCase: c.useCase,
          outcome: d.outcome,
          ...(outcomeLabel ? { outcomeLabel } : {}),
          customerFavorable: d.customerFavorable,
          ...(d.reasonCode ? { reasonCode: d.reasonCode } : {}),
          ...(reasonLabel ? { reasonLabel } : {}),
          decidedBy: decidedByRole(d.decidedBy.kind),
          decidedAt: d.decidedAt,
          evidence: allEvidence(c).map((e) => ({ uri: e.uri, ...(e.role ? { role: e.role } : {}), ...(e.mediaType ? { mediaType: e.mediaType } : {}) })),
        };
      }),
    });
  };
}

// ── Reviewer quality (quality gates that act) ──

/**
 * Each reviewer's standing per use case (`standingsOf`, reviewer-verdicts.ts): accuracy on their most recent known
 * answers (golden cases, adjudicated double reviews) against the policy's quality.minGoldenAccuracy,
 * κ on their recent double-review pairs against quality.minKappa. A flagged reviewer is what "next
 * case" serves extra golden cases to, until they recover. And per queue, the agreement of double
 * reviews: Cohen's κ and Gwet's AC1 (which does not collapse on skewed labels), each with its 95 % interval.
 */
async function reviewerQuality(deps: ViewDeps) {
  const docs = await deps.quality.recentVerdicts(STANDING_VERDICTS);
  const reviewers = standingsOf(docs, deps.policies);
  const byQueue = new Map<string, Array<[string, string]>>();
  for (const d of docs) if (d.kind === 'pair' && d.side === 'first' && d.own !== undefined && d.other !== undefined) byQueue.set(d.queue, [...(byQueue.get(d.queue) ?? []), [d.own, d.other]]);
  const agreement = [...byQueue.entries()].flatMap(([queue, pairs]) => {
    const ref = deps.catalog.get(queue);
    const measured = twoRaterAgreement(pairs, ref?.policy.outcomes.map((o) => o.id) ?? []);
    if (!measured.ok) return [];
    const { kappa, ac1, subjects, observed } = measured.value;
    const round = (x: number): number => Math.round(x * 1000) / 1000;
    const interval = (i: { low: number; high: number; level: number }) => ({ low: round(i.low), high: round(i.high), level: i.level });
    const minKappa = ref?.policy.quality?.minKappa ?? null;
    return [{ queue, useCase: ref?.policy.id ?? null, pairs: subjects, observed: round(observed), kappa: { value: round(kappa.value), interval: interval(kappa.interval) }, ac1: { value: round(ac1.value), interval: interval(ac1.interval) }, minKappa, belowBar: minKappa !== null && kappa.value < minKappa }];
  });
  return {
    reviewers: reviewers.map((r) => ({ ...r, golden: r.known, belowBar: r.flagged })),
    flagged: [...new Set(reviewers.filter((r) => r.flagged).map((r) => r.reviewerId))].sort(),
    agreement: agreement.sort((a, b) => (a.queue < b.queue ? -1 : 1)),
  };
}

// ── Lead overview ────────────────────────────────────────────────────────────────────────────

export function createLeadOverview(deps: ViewDeps) {
  return async (p: Principal) => {
    if (!mayViewLeadOverview(p)) return fail({ code: 'AUTH.FORBIDDEN', message: 'the lead overview is for leads and admins' });
    const now = deps.clock.now();
    const nowMs = now.getTime();
    const queues = await Promise.all(
      deps.catalog.all().map(async (ref) => {
        const items = await deps.reads.activeItems(ref.queue.id);
        const s = summarise(ref, items, nowMs);
        return { queue: s.queue, title: s.title, useCase: s.useCase, depth: s.depth, atRisk: s.atRisk, claimed: s.claimed, awaitingEvidence: s.awaitingEvidence, escalated: items.filter((i) => i.purpose === 'decision' && isEscalated(i, nowMs)).length, qualityOverdue: s.qualityOverdue, oldestAgeSeconds: s.oldestAgeSeconds };
      }),
    );
    const since = nowMs - 3_600_000;
    const done = await deps.reads.doneSince(since);
    const byReviewer = new Map<string, { reviewerId: string; itemsDone: number; queues: Set<string> }>();
    for (const d of done) {
      if (!d.doneBy) continue;
      const entry = byReviewer.get(d.doneBy) ?? { reviewerId: d.doneBy, itemsDone: 0, queues: new Set<string>() };
      entry.itemsDone += 1;
      entry.queues.add(d.queue);
      byReviewer.set(d.doneBy, entry);
    }
    const quality = await reviewerQuality(deps);
    return ok({
      at: now.toISOString(),
      queues,
      quality,
      throughput: {
        since: new Date(since).toISOString(),
        reviewers: [...byReviewer.values()].map((r) => ({ reviewerId: r.reviewerId, itemsDone: r.itemsDone, queues: [...r.queues].sort() })).sort((a, b) => b.itemsDone - a.itemsDone),
      },
    });
  };
}
