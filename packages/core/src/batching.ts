/**
 * Batch review of similar cases (HITL-OPT "medium confidence: batch approval with similar decisions",
 * "batch size: 5–10 related endpoints"; ADR-0016 "optional batch reviews for similar cases").
 */
import type { BatchSpec } from './policy';
import { getPath } from './paths';

/**
 * The group key of a case: use case, queue, and the values at `groupBy` (missing values count as
 * `null`, so cases lacking a field group together). `undefined` when batching is off for the queue.
 * The key is a JSON array, stable for equal values whatever the key order of nested objects.
 */
export function batchKey(useCase: string, queue: string, prediction: unknown, batchSpec: BatchSpec | undefined): string | undefined {
  if (batchSpec === undefined || !batchSpec.enabled) return undefined;
  const values = batchSpec.groupBy.map((path) => getPath(prediction, path) ?? null);
  return stableStringify([useCase, queue, ...values]);
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export interface BatchCandidate {
  caseId: string;
  /** From `batchKey`; cases without a key are never batched. */
  batchKey?: string;
  /** Higher first. */
  priority: number;
  /** Older first among equal priorities. */
  openedAt: Date;
}

export interface Batch<C extends BatchCandidate> {
  key: string;
  cases: C[];
}

export interface Batches<C extends BatchCandidate> {
  /** Highest-priority batch first. */
  batches: Array<Batch<C>>;
  /** Cases left for individual review (no key, or too few of their kind), in priority order. */
  unbatched: C[];
}

const byPriority = (a: BatchCandidate, b: BatchCandidate): number =>
  b.priority - a.priority || a.openedAt.getTime() - b.openedAt.getTime() || (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0);

/**
 * Groups cases by key into batches of `minSize`..`maxSize`, in priority order (then oldest, then
 * case id). A group of n cases is split into k = ⌈n / maxSize⌉ batches as even as possible (12 cases
 * with sizes 5–10 give 6 + 6, not 10 + 2). When even batches would fall below `minSize`, as many full
 * batches as fit are formed from the highest-priority cases and the rest wait. A group smaller than
 * `minSize` is not batched. `minSize` below 1 counts as 1; `maxSize` below `minSize` counts as `minSize`.
 */
export function formBatches<C extends BatchCandidate>(cases: readonly C[], spec: Pick<BatchSpec, 'minSize' | 'maxSize'>): Batches<C> {
  const minSize = Math.max(1, Math.floor(spec.minSize));
  const maxSize = Math.max(minSize, Math.floor(spec.maxSize));
  const groups = new Map<string, C[]>();
  const unbatched: C[] = [];
  for (const c of [...cases].sort(byPriority)) {
    if (c.batchKey === undefined) {
      unbatched.push(c);
      continue;
    }
    const group = groups.get(c.batchKey) ?? [];
    group.push(c);
    groups.set(c.batchKey, group);
  }

  const batches: Array<Batch<C>> = [];
  for (const [key, group] of groups) {
    let offset = 0;
    for (const size of batchSizes(group.length, minSize, maxSize)) {
      batches.push({ key, cases: group.slice(offset, offset + size) });
      offset += size;
    }
    unbatched.push(...group.slice(offset));
  }
  batches.sort((a, b) => {
    const [x, y] = [a.cases[0], b.cases[0]];
    return x === undefined || y === undefined ? 0 : byPriority(x, y);
  });
  unbatched.sort(byPriority);
  return { batches, unbatched };
}

/**
 * The batch sizes for a group of n, highest priority first; their sum may be below n (the rest waits).
 * n fits entirely iff some k has k·minSize ≤ n ≤ k·maxSize, and then k = ⌈n / maxSize⌉ works with
 * even sizes. Otherwise ⌈n / maxSize⌉ − 1 full batches cover the most cases.
 */
export function batchSizes(n: number, minSize: number, maxSize: number): number[] {
  if (n < minSize || n <= 0) return [];
  const k = Math.ceil(n / maxSize);
  const base = Math.floor(n / k);
  if (base >= minSize) {
    const extra = n - base * k;
    return Array.from({ length: k }, (_, i) => base + (i < extra ? 1 : 0));
  }
  return Array.from({ length: k - 1 }, () => maxSize);
}
