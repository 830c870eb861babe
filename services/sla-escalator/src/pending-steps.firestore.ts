import type { Transaction } from '@google-cloud/firestore';
import { caseConverter, Collections, type CaseStore, type Work } from '@arbiter/case-store';
import type { Result } from '@arbiter/core';
import { storeResult } from './store-result.firestore';
import type { OverdueCase, PendingSteps, RedriveUnit, StoreFailure } from './ports';

/**
 * Pending steps in Firestore: the overdue query is one range on `cases.nextStep.since`, served by the
 * automatic single-field index (it reads only overdue cases, never the open ones); each re-drive is a
 * transaction on the case through `CaseStore.transact`, which stages the events in the outbox.
 */
export class FirestorePendingSteps implements PendingSteps {
  constructor(private readonly store: CaseStore) {}

  overdue(cutoffMs: number, limit: number): Promise<Result<OverdueCase[], StoreFailure>> {
    return storeResult(async () => {
      const cases = this.store.firestore.collection(Collections.cases).withConverter(caseConverter);
      const overdue = await cases.where('nextStep.since', '<=', cutoffMs).orderBy('nextStep.since').limit(limit).get();
      return overdue.docs.flatMap((doc) => {
        const step = doc.data().nextStep;
        return step ? [{ caseId: doc.id, step: { kind: step.kind, since: step.since } }] : [];
      });
    });
  }

  transact<T>(caseId: string, now: Date, work: (unit: RedriveUnit) => Work<T>): Promise<Result<T, StoreFailure>> {
    const ref = this.store.caseRef(caseId);
    return storeResult(() =>
      this.store.transact<T>(async (tx: Transaction) => {
        const caseDoc = (await tx.get(ref)).data();
        return work({
          caseDoc,
          markRedriven: (attempt, sinceMs) => {
            tx.update(ref, { 'nextStep.since': sinceMs, 'nextStep.redrives': attempt });
          },
        });
      }, now),
    );
  }
}
