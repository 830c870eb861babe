import { caseExpiry, Collections, decideInTransaction, GrpcCode, patternConverter, pendingStep, pendingStepDone, type CaseDoc, type CaseStore, type Expiry } from '@arbiter/case-store';
import type { ApprovedPattern } from '@arbiter/core';
import { stageEvents, type OutboxRelay } from '@arbiter/platform';
import type { ApprovedPatterns, RouteApplied, RouteStep, RoutingCases } from './ports';

/** `caseRoutings/{caseId}`: what the routing commit leaves behind besides the case (no PII). */
export interface RoutingMarkerDoc {
  caseId: string;
  route: string;
  routedAt: number;
  /** Retention: as its case's. */
  expireAt?: Expiry;
}

/**
 * Routes cases in Firestore in one commit and no read. The plan runs on the case as `case.opened`
 * describes it — exactly what the assessor created, and nothing writes a case before it is routed —
 * and the commit holds the route, the decision (through `decideInTransaction`, which only stages
 * writes), the outbox entries and a routing marker `caseRoutings/{caseId}` created with `create`.
 * Firestore commits all of it or none: a second routing of the case (a redelivered or concurrent
 * `case.opened`) fails on the marker (ALREADY_EXISTS) and changes nothing, and a case that is not there
 * fails on the update (NOT_FOUND). So a case is routed, and decided by the router, at most once — the
 * guarantee the read-then-conditional-write gave, in one round trip. Events are published after the
 * commit, by the outbox relay.
 */
export class FirestoreRoutingCases implements RoutingCases {
  constructor(
    private readonly store: CaseStore,
    private readonly relay: Pick<OutboxRelay, 'publishCommitted'>,
    /** `ce-source` of the decision events. */
    private readonly source: string,
  ) {}

  async route(opened: CaseDoc, step: RouteStep, now: Date): Promise<RouteApplied> {
    const firestore = this.store.firestore;
    const batch = firestore.batch();
    const marker: RoutingMarkerDoc = { caseId: opened.caseId, route: step.route.kind, routedAt: now.getTime(), expireAt: caseExpiry(step.policy, opened.openedAt) };
    batch.create(firestore.collection(Collections.routings).doc(opened.caseId), marker);
    const [routed, ...rest] = step.events;
    // The routing is done; what the case waits for now is its queue item, if it gets one (driven by case.routed).
    const nextStep = step.awaitsQueueItem && routed ? pendingStep('enqueue', routed, now.getTime()) : pendingStepDone();
    // `update` requires the case to exist: a case.opened that outran its case (or names none) fails whole.
    batch.update(this.store.caseRef(opened.caseId), { route: step.route, status: step.status, nextStep });
    const events = routed ? [routed] : [];
    let decided = false;
    if (step.decision) {
      // The decision's audit facts come from the case as this commit leaves it: routed.
      const outcome = decideInTransaction(batch, this.store, { ...opened, route: step.route }, step.policy, step.decision, this.source);
      if (outcome.decided) {
        events.push(...outcome.events);
        decided = true;
      }
    }
    events.push(...rest);
    stageEvents(batch, firestore, events, now.getTime());
    try {
      await batch.commit();
    } catch (error) {
      const code = (error as { code?: number }).code;
      if (code === GrpcCode.ALREADY_EXISTS) return { kind: 'skip', why: 'already routed' };
      if (code === GrpcCode.NOT_FOUND) return { kind: 'missing' };
      throw error;
    }
    if (events.length) await this.relay.publishCommitted(events);
    return { kind: 'route', route: step.route, decided, events };
  }
}

/** Approved patterns of a use case from `patterns/*`, the most recent `limit`. */
export class FirestoreApprovedPatterns implements ApprovedPatterns {
  constructor(
    private readonly store: CaseStore,
    private readonly limit: number,
  ) {}

  async recent(useCase: string): Promise<ApprovedPattern[]> {
    const snapshot = await this.store.firestore
      .collection(Collections.patterns)
      .withConverter(patternConverter)
      .where('useCase', '==', useCase)
      .orderBy('decidedAt', 'desc')
      .limit(this.limit)
      .get();
    return snapshot.docs.map((doc) => {
      const pattern = doc.data();
      return { caseId: pattern.caseId, outcome: pattern.outcome, features: pattern.features, ...(pattern.embedding ? { embedding: pattern.embedding } : {}), decidedAt: pattern.decidedAt };
    });
  }
}
