import type { ApprovalRecord, CaseAuditFacts, DecidedByKind, DecisionMade, DecisionMadeV2, Policy } from '@arbiter/core';
import { isCustomerFavorable } from '@arbiter/core';
import type { CaseDoc } from './documents';

export interface DecisionInput {
  outcome: string;
  decidedBy: { kind: DecidedByKind; id: string };
  reasonCode?: string;
  /** What the approver recorded for an option whose policy asks for it (delivered in decision.made.v2 only). */
  approval?: ApprovalRecord;
  decidedAt: Date;
}

/** The `arbiter.decision.made.v1` data for a case. Notes never go in here (CONTRACT.md). */
export function buildDecision(caseDoc: CaseDoc, policy: Policy, input: DecisionInput): DecisionMade {
  const evidence = [...(caseDoc.prediction.evidence ?? []).map((item) => item.uri), ...(caseDoc.extraEvidence ?? []).map((item) => item.uri)];
  return {
    decisionId: decisionIdOf(caseDoc.caseId),
    caseId: caseDoc.caseId,
    useCase: caseDoc.useCase,
    subject: caseDoc.subject,
    outcome: input.outcome,
    decidedBy: input.decidedBy,
    band: caseDoc.band,
    confidence: caseDoc.confidence,
    ...(input.reasonCode ? { reasonCode: input.reasonCode } : {}),
    model: caseDoc.model,
    policy: caseDoc.policy,
    thresholds: caseDoc.thresholds,
    customerFavorable: isCustomerFavorable(policy, input.outcome),
    evidence,
    sourceEventId: caseDoc.sourceEvent.id,
    decidedAt: input.decidedAt.toISOString(),
  };
}

/** The `arbiter.decision.made.v2` data: v1 and, when the approver recorded one, the approval block. */
export const buildDecisionV2 = (decision: DecisionMade, approval: ApprovalRecord | undefined): DecisionMadeV2 => ({ ...decision, ...(approval ? { approval } : {}) });

/** One decision per case: its id (and the v1 decision event's `ce-id`) derives from the case id alone. */
export const decisionIdOf = (caseId: string): string => `dec_${caseId}`;

/**
 * The `ce-id` of the case's `decision.made.v2`: as deterministic as v1's (a republish has no second
 * effect) and distinct from it, so each type's `ce-id` is unique per case.
 */
export const decisionV2EventIdOf = (caseId: string): string => `dec2_${caseId}`;

/** The `ce-id` of the case's `case.decided`: one per case, like the decision's own (a republish has no second effect). */
export const caseDecidedEventIdOf = (caseId: string): string => `decided_${caseId}`;

/**
 * What the audit trail says of a case beside its decision or a review (pure): from the case document
 * the decider or reviewer read in its unit of work, so the audit exporter never reads the case. The
 * queue and priority reasons only for a review route; the known answer only on a golden case.
 */
export function caseAuditFactsOf(caseDoc: CaseDoc & { golden?: { expectedOutcome?: string } }): CaseAuditFacts {
  const label = caseDoc.prediction.prediction?.label;
  const category = caseDoc.prediction.category;
  const route = caseDoc.route;
  const expected = caseDoc.golden?.expectedOutcome;
  return {
    openedAt: new Date(caseDoc.openedAt).toISOString(),
    ...(label !== undefined ? { label } : {}),
    ...(category !== undefined ? { category } : {}),
    ...(route?.kind === 'review' && route.queue ? { queue: route.queue, priorityReasons: route.priority?.reasons ?? [] } : {}),
    ...(expected ? { goldenExpectedOutcome: expected } : {}),
  };
}
