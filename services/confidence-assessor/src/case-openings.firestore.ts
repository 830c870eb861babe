import type { ArbiterEvent } from '@arbiter/contract';
import type { CaseDoc, CaseStore } from '@arbiter/case-store';
import type { CaseOpenings } from './ports';

/**
 * Opens cases in Firestore: creates the case and stages its events in the outbox in one write that
 * fails when the case exists (a create precondition: one round trip, no transaction, no read).
 */
export class FirestoreCaseOpenings implements CaseOpenings {
  constructor(private readonly store: CaseStore) {}

  async openIfAbsent(caseDoc: CaseDoc, events: readonly ArbiterEvent[], now: Date): Promise<'opened' | 'exists'> {
    const created = await this.store.createWithEvents(this.store.caseRef(caseDoc.caseId), caseDoc, events, now);
    return created ? 'opened' : 'exists';
  }
}
