import type { MetricReadingsStore, StoredReading } from './ports';

/** The in-memory twin of `FirestoreMetricReadings`, for unit tests. */
export class InMemoryMetricReadings implements MetricReadingsStore {
  readonly slots = new Map<number, { at: number; reading?: StoredReading }>();
  async claim(slot: number, at: number): Promise<boolean> {
    if (this.slots.has(slot)) return false;
    this.slots.set(slot, { at });
    return true;
  }
  async save(slot: number, reading: StoredReading): Promise<void> {
    this.slots.set(slot, { at: reading.at, reading: JSON.parse(JSON.stringify(reading)) as StoredReading });
  }
  async latest(limit: number): Promise<StoredReading[]> {
    return [...this.slots.values()].sort((a, b) => b.at - a.at).slice(0, limit).flatMap((s) => (s.reading ? [s.reading] : []));
  }
  async trim(keep: number): Promise<void> {
    const ordered = [...this.slots.entries()].sort((a, b) => b[1].at - a[1].at);
    for (const [slot] of ordered.slice(keep)) this.slots.delete(slot);
  }
}
