import type { Firestore } from '@google-cloud/firestore';
import { Collections } from '@arbiter/case-store';
import type { AuditLedger, CaseUseCaseEntry, CaseUseCaseProjection, LedgerMarker } from './ports';

/**
 * `auditLedger/{eventKey}`: written after the event's row is in BigQuery. Retained
 * (`RetainedCollections`): Firestore's TTL policy on `expireAt` removes each marker when the policy says.
 */
export class FirestoreAuditLedger implements AuditLedger {
  constructor(private readonly firestore: Firestore) {}

  async recorded(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const collection = this.firestore.collection(Collections.auditLedger);
    const snapshots = await this.firestore.getAll(...keys.map((key) => collection.doc(key)));
    return new Set(snapshots.filter((s) => s.exists).map((s) => s.id));
  }

  async record(markers: ReadonlyArray<LedgerMarker>, at: Date): Promise<void> {
    const collection = this.firestore.collection(Collections.auditLedger);
    for (let i = 0; i < markers.length; i += 500) {
      const batch = this.firestore.batch();
      for (const { key, expireAt } of markers.slice(i, i + 500)) batch.set(collection.doc(key), { recordedAt: at.getTime(), expireAt });
      await batch.commit();
    }
  }
}

/** What `auditCaseUseCases/{caseId}` holds: the exporter's own projection of each case's use case. Retained like the ledger. */
export interface CaseUseCaseDoc {
  caseId: string;
  useCase: string;
  recordedAt: number;
  expireAt: Date;
}

/** The exporter's caseId → use case projection in Firestore: one document per case, rewritten idempotently. */
export class FirestoreCaseUseCaseProjection implements CaseUseCaseProjection {
  constructor(private readonly firestore: Firestore) {}

  async useCaseOf(caseId: string): Promise<string | undefined> {
    const snapshot = await this.firestore.collection(Collections.auditCaseUseCases).doc(caseId).get();
    const useCase = snapshot.get('useCase') as unknown;
    return typeof useCase === 'string' ? useCase : undefined;
  }

  async record(entry: CaseUseCaseEntry, at: Date): Promise<void> {
    const doc: CaseUseCaseDoc = { caseId: entry.caseId, useCase: entry.useCase, recordedAt: at.getTime(), expireAt: entry.expireAt };
    await this.firestore.collection(Collections.auditCaseUseCases).doc(entry.caseId).set(doc);
  }
}
