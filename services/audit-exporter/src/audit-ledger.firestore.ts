import type { Firestore } from '@google-cloud/firestore';
import { Collections } from '@arbiter/cases';
import type { AuditLedger, CaseFacts, CaseUseCases, LedgerMarker } from './ports';

/** Retained (`RetainedCollections`): Firestore's TTL policy on `expireAt` removes each marker when the policy says. */
export const AUDIT_LEDGER_COLLECTION = Collections.auditLedger;

/** `auditLedger/{eventKey}`: written after the event's row is in BigQuery. */
export class FirestoreAuditLedger implements AuditLedger {
  constructor(private readonly firestore: Firestore) {}

  async recorded(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const collection = this.firestore.collection(AUDIT_LEDGER_COLLECTION);
    const snapshots = await this.firestore.getAll(...keys.map((key) => collection.doc(key)));
    return new Set(snapshots.filter((s) => s.exists).map((s) => s.id));
  }

  async record(markers: ReadonlyArray<LedgerMarker>, at: Date): Promise<void> {
    const collection = this.firestore.collection(AUDIT_LEDGER_COLLECTION);
    for (let i = 0; i < markers.length; i += 500) {
      const batch = this.firestore.batch();
      for (const { key, expireAt } of markers.slice(i, i + 500)) batch.set(collection.doc(key), { recordedAt: at.getTime(), expireAt });
      await batch.commit();
    }
  }
}

/** The use case of a case, from `cases/{caseId}`. */
export class FirestoreCaseUseCases implements CaseUseCases {
  constructor(private readonly firestore: Firestore) {}

  async useCaseOf(caseId: string): Promise<string | undefined> {
    const snapshot = await this.firestore.collection(Collections.cases).doc(caseId).get();
    const useCase = snapshot.get('useCase') as unknown;
    return typeof useCase === 'string' ? useCase : undefined;
  }

  async factsOf(caseId: string): Promise<CaseFacts | undefined> {
    const snapshot = await this.firestore.collection(Collections.cases).doc(caseId).get();
    return snapshot.exists ? factsOfCaseDoc(snapshot.data() as CaseDocFields) : undefined;
  }
}

/** The fields of `cases/{caseId}` the facts come from. */
export interface CaseDocFields {
  openedAt?: number;
  prediction?: { prediction?: { label?: string }; category?: string };
  route?: { kind?: string; queue?: string; priority?: { reasons?: string[] } };
  golden?: { expectedOutcome?: string };
}

/** What a case document says for the rows of its decision and reviews (pure). */
export function factsOfCaseDoc(doc: CaseDocFields): CaseFacts | undefined {
  if (typeof doc.openedAt !== 'number') return undefined;
  const label = doc.prediction?.prediction?.label;
  return {
    openedAt: doc.openedAt,
    ...(label !== undefined ? { label } : {}),
    ...(doc.prediction?.category !== undefined ? { category: doc.prediction.category } : {}),
    ...(doc.route?.kind === 'review' && doc.route.queue ? { queue: doc.route.queue, priorityReasons: doc.route.priority?.reasons ?? [] } : {}),
    ...(doc.golden?.expectedOutcome ? { goldenExpectedOutcome: doc.golden.expectedOutcome } : {}),
  };
}
