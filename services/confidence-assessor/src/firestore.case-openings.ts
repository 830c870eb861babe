import type { ArbiterEvent } from '@arbiter/contract';
import type { CaseDoc, CaseStore } from '@arbiter/cases';
import type { CaseOpenings } from './assess-prediction';

/** Opens cases in Firestore: read the case and create it in one transaction that also stages its events in the outbox. */
export class FirestoreCaseOpenings implements CaseOpenings {
  constructor(private readonly store: CaseStore) {}

  openIfAbsent(caseDoc: CaseDoc, events: readonly ArbiterEvent[], now: Date): Promise<'opened' | 'exists'> {
    return this.store.transact(async (tx) => {
      const ref = this.store.caseRef(caseDoc.caseId);
      const snapshot = await tx.get(ref);
      if (snapshot.exists) return { result: 'exists' as const, events: [] };
      tx.create(ref, caseDoc);
      return { result: 'opened' as const, events: [...events] };
    }, now);
  }
}
