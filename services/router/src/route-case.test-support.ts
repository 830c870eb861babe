import path from 'node:path';
import { createEvent, EventTypes, type ArbiterEvent } from '@arbiter/contract';
import { assessCase, inSample, type ApprovedPattern, type CaseOpened, type PredictionSubmitted } from '@arbiter/core';
import { buildDecision, caseDocFromOpened, decisionEvents, pendingStep, type CaseDoc, type PatternDoc } from '@arbiter/case-store';
import { idFromEventIdentity } from '@arbiter/platform';
import { loadPolicies, type PolicyRegistry } from '@arbiter/policy';
import type { ApprovedPatterns, RouteApplied, RouteStep, RoutingCases } from './ports';

export const policies: PolicyRegistry = (() => {
  const loaded = loadPolicies(path.resolve(__dirname, '..', '..', '..', 'policies'));
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.value;
})();

export const policyOf = (id: string) => {
  const p = policies.get(id);
  if (!p.ok) throw new Error(p.error.message);
  return p.value;
};

let counter = 0;
/** A case id (as the assessor derives it) that is, or is not, sampled for blind review at `rate`. */
export function caseIdWhere(sampled: boolean, rate: number): string {
  for (;;) {
    counter += 1;
    const caseId = idFromEventIdentity('case', '//test', `pred-${counter}`);
    if (inSample(`blind-review:${caseId}`, rate) === sampled) return caseId;
  }
}

export function cleanliness(confidence: number, overrides: Partial<PredictionSubmitted> = {}): PredictionSubmitted {
  return {
    useCase: 'vehicle-cleanliness',
    subject: { type: 'booking', id: 'bk-1' },
    model: { name: 'cleanliness-vit', version: '2.3.0' },
    prediction: { label: 'dirty', confidence },
    evidence: [
      { uri: 'gs://evidence/bk-1/before-1.jpg', role: 'baseline' },
      { uri: 'gs://evidence/bk-1/after-1.jpg', role: 'return' },
    ],
    ...overrides,
  };
}

export function hitlOpt(useCase: string, confidence: number, overrides: Partial<PredictionSubmitted> = {}): PredictionSubmitted {
  return {
    useCase,
    subject: { type: 'endpoint', id: 'GET /api/journey/recommendations/{id}' },
    model: { name: 'journey-engine-assessor', version: '4.1.0' },
    prediction: { label: 'approve', confidence },
    ...overrides,
  };
}

/** The `case.opened` the assessor would have produced for `prediction`. */
export function openedOf(caseId: string, prediction: PredictionSubmitted, openedAt: Date): CaseOpened {
  const policy = policyOf(prediction.useCase);
  const assessed = assessCase(prediction, policy);
  if (!assessed.ok) throw new Error(assessed.error.message);
  return {
    caseId,
    useCase: prediction.useCase,
    policy: { id: policy.id, version: policy.version },
    subject: prediction.subject,
    model: prediction.model,
    confidence: assessed.value.confidence,
    confidenceSource: assessed.value.confidenceSource,
    band: assessed.value.band,
    thresholds: assessed.value.thresholds,
    prediction,
    sourceEvent: { id: `src-${caseId}`, source: '//test' },
    openedAt: openedAt.toISOString(),
  };
}

export function openedEvent(opened: CaseOpened): ArbiterEvent<typeof EventTypes.caseOpened> {
  const event = createEvent({ type: EventTypes.caseOpened, source: '/arbiter/confidence-assessor', id: `opened_${opened.caseId}`, subject: opened.caseId, data: opened });
  if (!event.ok) throw new Error(event.error.message);
  return event.value;
}

/**
 * The in-memory twin of `FirestoreRoutingCases`: the route, the decision and the events of the step
 * are written only if the case exists and was not routed before.
 */
export class InMemoryRoutingCases implements RoutingCases {
  readonly cases = new Map<string, CaseDoc>();
  readonly patterns = new Map<string, PatternDoc>();
  readonly staged: ArbiterEvent[] = [];
  /** The routing markers: cases routed once. */
  readonly routed = new Set<string>();

  constructor(private readonly source = '/arbiter/router') {}

  put(opened: CaseOpened, extra: Partial<CaseDoc> = {}): CaseDoc {
    const doc = { ...caseDocFromOpened(opened), ...extra };
    this.cases.set(doc.caseId, doc);
    return doc;
  }

  async route(opened: CaseDoc, step: RouteStep, now: Date): Promise<RouteApplied> {
    const current = this.cases.get(opened.caseId);
    if (this.routed.has(opened.caseId)) return { kind: 'skip', why: 'already routed' };
    if (!current) return { kind: 'missing' };
    const { nextStep: _done, ...rest0 } = current;
    const [routed, ...rest] = step.events;
    const next: CaseDoc = { ...rest0, route: step.route, status: step.status, ...(step.awaitsQueueItem && routed ? { nextStep: pendingStep('enqueue', routed, now.getTime()) } : {}) };
    const events = routed ? [routed] : [];
    let decided = false;
    if (step.decision) {
      const decision = buildDecision(opened, step.policy, step.decision);
      Object.assign(next, { decision, status: 'decided', decidedAt: now.getTime() });
      events.push(...decisionEvents({ ...opened, route: step.route }, decision, undefined, this.source));
      decided = true;
    }
    events.push(...rest);
    this.routed.add(opened.caseId);
    this.cases.set(opened.caseId, next);
    this.staged.push(...events);
    return { kind: 'route', route: step.route, decided, events };
  }
}

export class InMemoryApprovedPatterns implements ApprovedPatterns {
  readonly calls: string[] = [];
  constructor(readonly patterns: ApprovedPattern[] = []) {}
  async recent(useCase: string): Promise<ApprovedPattern[]> {
    this.calls.push(useCase);
    return this.patterns;
  }
}
