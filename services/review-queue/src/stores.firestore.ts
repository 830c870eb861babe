/**
 * The Firestore adapters of review-queue, built over one `Firestore` and the outbox relay: what
 * `createUseCases` receives as its stores (main.ts and the integration tests' harness build them here).
 */
import type { Firestore } from '@google-cloud/firestore';
import { CaseStore } from '@arbiter/case-store';
import type { OutboxRelay } from '@arbiter/platform';
import { FirestoreMetricReadings } from './metric-readings.firestore';
import { FirestoreGoldenSet, FirestoreQueueItems } from './queue-items.firestore';
import { FirestoreReviewCases } from './review-cases.firestore';
import { FirestoreEvidenceAccessLog, FirestoreReviewReads } from './review-reads.firestore';
import { FirestoreReviewerQuality } from './reviewer-quality.firestore';
import type { ReviewQueueStores } from './use-cases';

export function firestoreStores(firestore: Firestore, relay: OutboxRelay): ReviewQueueStores {
  const cases = new CaseStore(firestore, relay);
  return {
    items: new FirestoreQueueItems(cases),
    golden: new FirestoreGoldenSet(firestore),
    cases: new FirestoreReviewCases(cases),
    quality: new FirestoreReviewerQuality(firestore),
    readings: new FirestoreMetricReadings(firestore),
    reads: new FirestoreReviewReads(firestore),
    accessLog: new FirestoreEvidenceAccessLog(cases),
  };
}
