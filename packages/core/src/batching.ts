/**
 * Batch review of similar cases (HITL-OPT "medium confidence: batch approval with similar decisions",
 * "batch size: 5–10 related endpoints"; ADR-0016 "optional batch reviews for similar cases").
 */
import type { PredictionSubmitted, SimilarityBasis } from './events';
import type { BatchSimilaritySpec, BatchSpec } from './policy';
import { caseSimilarity } from './case-similarity';
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

// ── Batches of similar cases ─────────────────────────────────────────────────────────────────

/** What of a prediction similarity compares (`SimilarityBasis`, in events.ts: a work order carries it). */
export function similarityBasisOf(prediction: PredictionSubmitted, spec: Pick<BatchSimilaritySpec, 'contextFields'>): SimilarityBasis {
  const inner = prediction.prediction;
  const context: Record<string, string | number | boolean> = {};
  for (const field of spec.contextFields ?? []) {
    const v = prediction.context?.[field];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') context[field] = v;
  }
  return {
    ...(inner ? { prediction: { ...(inner.label !== undefined ? { label: inner.label } : {}), ...(inner.confidence !== undefined ? { confidence: inner.confidence } : {}), ...(inner.scores ? { scores: inner.scores } : {}), ...(inner.regions ? { regions: inner.regions } : {}) } } : {}),
    ...(prediction.pattern ? { pattern: prediction.pattern } : {}),
    ...(Object.keys(context).length > 0 ? { context } : {}),
  } as SimilarityBasis;
}

export interface SimilarCandidate extends BatchCandidate {
  /** Absent: the case cannot be compared and is not batched by similarity. */
  basis?: SimilarityBasis;
}

export interface SimilarBatch<C extends SimilarCandidate> extends Batch<C> {
  /** Why each case is in the batch: its similarity to the batch's first case, part by part. */
  why: Array<{ caseId: string; similarity: number; parts: string[] }>;
}

const asPrediction = (basis: SimilarityBasis): PredictionSubmitted => basis as unknown as PredictionSubmitted;

/**
 * Batches of similar cases: within each group (`batchKey`), the highest-priority case not yet in a
 * batch seeds one, and the cases at least `minSimilarity` similar to it (`caseSimilarity`), in
 * priority order, join it up to `maxSize`. A seed that gathers fewer than `minSize` stays for
 * individual review (the others may still batch with another seed). The key of a batch is its group
 * key and its seed (`<group key>~<seed case id>`), so two batches of one group differ. O(n²) in a
 * group's size; queues list at most a few hundred open items.
 */
export function formSimilarBatches<C extends SimilarCandidate>(cases: readonly C[], spec: Pick<BatchSpec, 'minSize' | 'maxSize'> & { similarity: BatchSimilaritySpec }): { batches: Array<SimilarBatch<C>>; unbatched: C[] } {
  const minSize = Math.max(1, Math.floor(spec.minSize));
  const maxSize = Math.max(minSize, Math.floor(spec.maxSize));
  const options = { ...(spec.similarity.weights ? { weights: spec.similarity.weights } : {}), ...(spec.similarity.contextFields ? { contextFields: spec.similarity.contextFields } : {}), ...(spec.similarity.featureWeights ? { featureWeights: spec.similarity.featureWeights } : {}) };
  const groups = new Map<string, C[]>();
  const unbatched: C[] = [];
  for (const c of [...cases].sort(byPriority)) {
    if (c.batchKey === undefined || c.basis === undefined) {
      unbatched.push(c);
      continue;
    }
    groups.set(c.batchKey, [...(groups.get(c.batchKey) ?? []), c]);
  }
  const batches: Array<SimilarBatch<C>> = [];
  for (const [key, group] of groups) {
    const taken = new Set<string>();
    for (const seed of group) {
      if (taken.has(seed.caseId)) continue;
      const members: C[] = [seed];
      const why: SimilarBatch<C>['why'] = [{ caseId: seed.caseId, similarity: 1, parts: ['the case the batch is built around'] }];
      for (const other of group) {
        if (members.length >= maxSize) break;
        if (other === seed || taken.has(other.caseId)) continue;
        const measured = caseSimilarity(asPrediction(seed.basis as SimilarityBasis), asPrediction(other.basis as SimilarityBasis), options);
        if (measured.parts.length === 0 || measured.similarity < spec.similarity.minSimilarity) continue;
        members.push(other);
        why.push({ caseId: other.caseId, similarity: Math.round(measured.similarity * 10_000) / 10_000, parts: measured.parts.map((p) => p.detail) });
      }
      if (members.length < minSize) {
        taken.add(seed.caseId);
        unbatched.push(seed);
        continue;
      }
      for (const m of members) taken.add(m.caseId);
      batches.push({ key: `${key}~${seed.caseId}`, cases: members, why });
    }
  }
  batches.sort((a, b) => {
    const [x, y] = [a.cases[0], b.cases[0]];
    return x === undefined || y === undefined ? 0 : byPriority(x, y);
  });
  unbatched.sort(byPriority);
  return { batches, unbatched };
}
