/**
 * `metricReadings/{slot}` in Firestore: the metrics refresh job's readings (use-cases/metrics.ts), one
 * document per refresh slot, the slot's start in epoch ms zero-padded so the ids sort by time. An
 * instance claims a slot by creating its document (`state: 'reading'`); whichever creates it first
 * reads the views, the others skip the slot. Bounded: `trim` keeps the last N.
 */
import type { Firestore } from '@google-cloud/firestore';
import { Collections } from '@arbiter/case-store';
import type { MetricsReading } from './metric-catalog';
import type { MetricReadingsStore, ReviewerRow, StoredReading, ThresholdRow } from './ports';

/** Firestore's ALREADY_EXISTS (gRPC code 6). */
const alreadyExists = (error: unknown): boolean => (error as { code?: unknown }).code === 6;

export class FirestoreMetricReadings implements MetricReadingsStore {
  constructor(private readonly firestore: Firestore) {}

  private doc(slot: number) {
    return this.firestore.collection(Collections.metricReadings).doc(String(slot).padStart(15, '0'));
  }

  async claim(slot: number, at: number): Promise<boolean> {
    try {
      await this.doc(slot).create({ at, state: 'reading' });
      return true;
    } catch (error) {
      if (alreadyExists(error)) return false;
      throw error;
    }
  }

  async save(slot: number, reading: StoredReading, ms: number): Promise<void> {
    await this.doc(slot).set({ at: reading.at, state: 'done', values: JSON.stringify(reading.values), reviewers: JSON.stringify(reading.reviewers), thresholds: JSON.stringify(reading.thresholds), errors: reading.errors, ms });
  }

  async latest(limit: number): Promise<StoredReading[]> {
    const snapshot = await this.firestore.collection(Collections.metricReadings).orderBy('at', 'desc').limit(limit).get();
    return snapshot.docs
      .filter((d) => d.get('state') === 'done')
      .map((d) => ({
        at: Number(d.get('at')),
        values: JSON.parse(String(d.get('values'))) as MetricsReading['values'],
        reviewers: JSON.parse(String(d.get('reviewers') ?? '[]')) as ReviewerRow[],
        thresholds: JSON.parse(String(d.get('thresholds') ?? '[]')) as ThresholdRow[],
        errors: (d.get('errors') as string[] | undefined) ?? [],
      }));
  }

  async trim(keep: number): Promise<void> {
    const stale = await this.firestore.collection(Collections.metricReadings).orderBy('at', 'desc').offset(keep).limit(50).get();
    await Promise.all(stale.docs.map((d) => d.ref.delete()));
  }
}
