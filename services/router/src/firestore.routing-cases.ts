import { Collections, decideInTransaction, GrpcCode, type CaseDoc, type CaseStore, type PatternDoc } from '@arbiter/cases';
import type { ApprovedPattern } from '@arbiter/core';
import { stageEvents, type OutboxRelay } from '@arbiter/platform';
import type { ApprovedPatterns, RouteApplied, RoutePlan, RoutingCases } from './route-case';

/** Lost races in a row before the delivery is handed back for redelivery (each one re-reads the case). */
export const ROUTE_ATTEMPTS = 5;

/**
 * Routes cases in Firestore without a transaction: one read of the case, then one batched write
 * conditioned on the update time that read saw (`lastUpdateTime`). The batch holds the route, the
 * decision (through `decideInTransaction`, which only stages writes) and the outbox entries, so they
 * commit together or not at all; a batch whose case changed in between (a concurrent delivery of the
 * same `case.opened`, a decision from elsewhere) fails as a whole, and the case is read again — the
 * plan then sees what the winner wrote. That is the guarantee the transaction gave (the decision is
 * only written onto the case as read, so a case is decided at most once) in one read and one commit,
 * without the emulator's locks. Events are published after the commit, by the outbox relay.
 */
export class FirestoreRoutingCases implements RoutingCases {
  constructor(
    private readonly store: CaseStore,
    private readonly relay: Pick<OutboxRelay, 'publishCommitted'>,
    /** `ce-source` of the decision events. */
    private readonly source: string,
  ) {}

  async route(caseId: string, plan: (caseDoc: CaseDoc) => RoutePlan, now: Date): Promise<RouteApplied> {
    const ref = this.store.caseRef(caseId);
    for (let attempt = 1; ; attempt++) {
      const snapshot = await ref.get();
      if (!snapshot.exists || !snapshot.updateTime) return { kind: 'missing' };
      const caseDoc = snapshot.data() as CaseDoc;
      const step = plan(caseDoc);
      if (step.kind !== 'route') return step;

      const batch = this.store.firestore.batch();
      // The precondition makes the whole batch conditional: Firestore commits all of its writes or none.
      batch.update(ref, { route: step.route, status: step.status }, { lastUpdateTime: snapshot.updateTime });
      const [routed, ...rest] = step.events;
      const events = routed ? [routed] : [];
      let decided = false;
      if (step.decision) {
        const outcome = decideInTransaction(batch, this.store, caseDoc, step.policy, step.decision, this.source);
        if (outcome.decided) {
          events.push(outcome.decision);
          decided = true;
        }
      }
      events.push(...rest);
      stageEvents(batch, this.store.firestore, events, now.getTime());
      try {
        await batch.commit();
      } catch (error) {
        if ((error as { code?: number }).code === GrpcCode.FAILED_PRECONDITION && attempt < ROUTE_ATTEMPTS) continue;
        throw error;
      }
      if (events.length) await this.relay.publishCommitted(events);
      return { kind: 'route', route: step.route, decided, events };
    }
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
