/**
 * What the assessor's use case asks of the world: where cases are opened. Firestore implements it
 * (case-openings.firestore.ts); an in-memory twin stands in for unit tests (assess-prediction.test-support.ts).
 */
import type { ArbiterEvent } from '@arbiter/contract';
import type { CaseDoc } from '@arbiter/case-store';

/** Where cases are opened: atomically, and only once per case id. */
export interface CaseOpenings {
  /**
   * In one atomic write (a create precondition, no transaction): when `cases/{caseDoc.caseId}` does
   * not exist, create it and stage `events` (published after the commit) and answer `opened`;
   * otherwise change nothing and answer `exists`.
   */
  openIfAbsent(caseDoc: CaseDoc, events: readonly ArbiterEvent[], now: Date): Promise<'opened' | 'exists'>;
}
