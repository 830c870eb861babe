/** Nearest-rank percentile of `values` (ms); NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  return { n: values.length, p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99), max: values.length ? Math.max(...values) : Number.NaN };
}

/** The middle value (the mean of the two middle ones for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Rounded to `digits` decimals; NaN and infinities become null (JSON). */
export function round(value: number, digits = 1): number | null {
  if (!Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Sustained rate of a burst: the arrivals between the 10th and the 90th percentile of arrival times,
 * per second, so the start (connections, first batches) and the tail (stragglers) do not count.
 */
export function sustainedRate(arrivals: readonly number[]): number {
  if (arrivals.length < 10) {
    if (arrivals.length < 2) return Number.NaN;
    const sorted = [...arrivals].sort((a, b) => a - b);
    return ((sorted.length - 1) * 1000) / Math.max(1, (sorted[sorted.length - 1] as number) - (sorted[0] as number));
  }
  const sorted = [...arrivals].sort((a, b) => a - b);
  const lo = Math.floor(sorted.length * 0.1);
  const hi = Math.ceil(sorted.length * 0.9) - 1;
  return ((hi - lo) * 1000) / Math.max(1, (sorted[hi] as number) - (sorted[lo] as number));
}
