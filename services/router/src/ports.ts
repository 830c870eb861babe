/**
 * What the router's use case asks of the world: the case state it routes (one unit of work per
 * case) and the approved patterns fast-track compares a case with. Firestore implements them
 * (routing-cases.firestore.ts), in-memory twins stand in for unit tests (route-case.test-support.ts).
 */
import type { ArbiterEvent } from '@arbiter/contract';
import type { ApprovedPattern, Policy } from '@arbiter/core';
import type { CaseDoc, CaseRoute, CaseStatus, DecisionInput } from '@arbiter/case-store';
import type { HandlerFailure } from '@arbiter/platform';

/** What routing a case does, as planned from the case read in the unit of work. */
export type RoutePlan =
  | { kind: 'skip'; why: string }
  | { kind: 'fail'; failure: HandlerFailure }
  | {
      kind: 'route';
      route: CaseRoute;
      status: CaseStatus;
      /** The policy the decision (if any) is made under. */
      policy: Policy;
      /** Auto and default routes: decided in the same unit of work, through the one-decision rule. */
      decision?: DecisionInput;
      /** `case.routed` first, then anything else (`enrichment.flagged`); the decision event goes after `case.routed`. */
      events: ArbiterEvent[];
      /** The review-queue makes a queue item of this routing (review, blind review, blind labelling): the case waits for it. */
      awaitsQueueItem: boolean;
    };

/** A plan that routes the case: what the unit of work writes. */
export type RouteStep = Extract<RoutePlan, { kind: 'route' }>;

/** What the unit of work did. */
export type RouteApplied =
  | { kind: 'missing' }
  | { kind: 'skip'; why: string }
  | { kind: 'route'; route: CaseRoute; decided: boolean; events: ArbiterEvent[] };

/** The router's view of case state. */
export interface RoutingCases {
  /**
   * As one unit of work: write the route (and status) of `step`, decide the case through the
   * one-decision rule when the step says so, and stage every event — all of it committed atomically,
   * only if the case exists, and only once per case (a second routing is a `skip`). `opened` is the
   * case `case.opened` describes, which `step` was planned from: the assessor emits exactly the
   * document it creates, and nothing writes a case before it is routed, so no read is needed.
   */
  route(opened: CaseDoc, step: RouteStep, now: Date): Promise<RouteApplied>;
}

/** Previously approved patterns of a use case, most recent first. */
export interface ApprovedPatterns {
  recent(useCase: string): Promise<ApprovedPattern[]>;
}
