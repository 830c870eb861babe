/**
 * Double review that decides (pure): two independent verdicts on one case that disagree go to a lead,
 * whose adjudicated outcome is the case's answer — a labelled example, the yardstick of both
 * reviewers' accuracy, and, when it differs from the outcome already published, a revision of the
 * decision (`arbiter.decision.revised.v1`, never a second `decision.made`).
 */

export interface ReviewerVerdict {
  reviewerId: string;
  outcome: string;
}

/** The two verdicts a double review compares: the decision's, and the second reviewer's. */
export interface Disagreement {
  first: ReviewerVerdict;
  second: ReviewerVerdict;
}

/** The disagreement to adjudicate, or undefined when the second verdict agrees with the first. */
export function disagreementOf(first: ReviewerVerdict, second: ReviewerVerdict): Disagreement | undefined {
  return first.outcome === second.outcome ? undefined : { first, second };
}

export interface Adjudication {
  outcome: string;
  /** Whether the adjudicated outcome differs from the decision already published. */
  revises: boolean;
  /** Each reviewer's verdict judged against the adjudicated outcome (for reviewer accuracy). */
  judged: Array<ReviewerVerdict & { correct: boolean }>;
}

export function adjudicate(published: { outcome: string }, disagreement: Disagreement, outcome: string): Adjudication {
  return {
    outcome,
    revises: outcome !== published.outcome,
    judged: [disagreement.first, disagreement.second].map((v) => ({ ...v, correct: v.outcome === outcome })),
  };
}

/** One revision per adjudicated case: its id (and the revision event's `ce-id`) derives from the case id. */
export const adjudicationRevisionIdOf = (caseId: string): string => `rvs_adj_${caseId}`;
