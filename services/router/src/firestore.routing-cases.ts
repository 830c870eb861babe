import { Collections, decideInTransaction, type CaseDoc, type CaseStore, type PatternDoc } from '@arbiter/cases';
import type { ApprovedPattern } from '@arbiter/core';
import type { ApprovedPatterns, RouteApplied, RoutePlan, RoutingCases } from './route-case';

/**
 * Routes cases in Firestore: one transaction reads the case, writes its route, decides it through
 * `decideInTransaction` when the plan says so, and stages the events in the outbox.
 */
export class FirestoreRoutingCases implements RoutingCases {
  constructor(
    private readonly store: CaseStore,
    /** `ce-source` of the decision events. */
    private readonly source: string,
  ) {}

  route(caseId: string, plan: (caseDoc: CaseDoc) => RoutePlan, now: Date): Promise<RouteApplied> {
    return this.store.transact(async (tx) => {
      const ref = this.store.caseRef(caseId);
      const snapshot = await tx.get(ref);
      if (!snapshot.exists) return { result: { kind: 'missing' } as RouteApplied, events: [] };
      const caseDoc = snapshot.data() as CaseDoc;
      const step = plan(caseDoc);
      if (step.kind !== 'route') return { result: step as RouteApplied, events: [] };
      tx.update(ref, { route: step.route, status: step.status });
      const [routed, ...rest] = step.events;
      const events = routed ? [routed] : [];
      let decided = false;
      if (step.decision) {
        const outcome = decideInTransaction(tx, this.store, caseDoc, step.policy, step.decision, this.source);
        if (outcome.decided) {
          events.push(outcome.decision);
          decided = true;
        }
      }
      events.push(...rest);
      return { result: { kind: 'route', route: step.route, decided, events } as RouteApplied, events };
    }, now);
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
      .where('useCase', '==', useCase)
      .orderBy('decidedAt', 'desc')
      .limit(this.limit)
      .get();
    return snapshot.docs.map((doc) => {
      const pattern = doc.data() as PatternDoc;
      return { caseId: pattern.caseId, outcome: pattern.outcome, features: pattern.features };
    });
  }
}
