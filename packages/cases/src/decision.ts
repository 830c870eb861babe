import type { DecidedByKind, DecisionMade, Policy } from '@arbiter/core';
import { isCustomerFavorable } from '@arbiter/core';
import type { CaseDoc } from './documents';

export interface DecisionInput {
  outcome: string;
  decidedBy: { kind: DecidedByKind; id: string };
  reasonCode?: string;
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

/** One decision per case: its id (and the decision event's `ce-id`) derives from the case id alone. */
export const decisionIdOf = (caseId: string): string => `dec_${caseId}`;
