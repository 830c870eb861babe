/**
 * The Firestore adapters of review-queue, built over one `Firestore` and the outbox relay: what
 * `createUseCases` receives as its stores (main.ts and the integration tests' harness build them here).
 */
import type { Firestore } from '@google-cloud/firestore';
import { CaseStore } from '@arbiter/cases';
import type { OutboxRelay } from '@arbiter/platform';
import { FirestoreMetricReadings } from './metrics/readings.firestore';
import { FirestoreGoldenSet, FirestoreQueueItems } from './queue-items.firestore';
import { FirestoreReviewCases } from './review-cases.firestore';
import { ReviewStore } from './review-store.firestore';
import { FirestoreReviewerQuality } from './reviewer-quality.firestore';
import type { ReviewQueueStores } from './use-cases';

export function firestoreStores(firestore: Firestore, relay: OutboxRelay): ReviewQueueStores {
  const store = new ReviewStore(new CaseStore(firestore, relay), firestore);
  return {
    store,
    items: new FirestoreQueueItems(store),
    golden: new FirestoreGoldenSet(store),
    cases: new FirestoreReviewCases(store),
    quality: new FirestoreReviewerQuality(firestore),
    readings: new FirestoreMetricReadings(firestore),
  };
}
