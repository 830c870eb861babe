/**
 * Similarity of two cases that looks at the case, and says why (pure).
 *
 * Each part compares one aspect of the two predictions and scores it from 0 to 1; the similarity is
 * the weighted mean of the parts both cases have (a part one side lacks is left out, not scored 0, so
 * a case without photos is not "dissimilar" in its regions — it has none to compare):
 *
 *   label      1 when the predicted labels are equal, else 0
 *   scores     1 − ½ Σ_l |p_a(l) − p_b(l)| over the union of labels (1 − total variation distance)
 *   regions    the predicted regions matched by overlap: for each region of one case, the best IoU
 *              (intersection over union of the boxes) with a region of the other carrying the same
 *              label (any label when unlabelled); the mean over both directions
 *   context    the shared context fields (strings, numbers, booleans) compared as features
 *              (`featureSimilarity`); only fields named in `contextFields`
 *   features   the pattern features, each weighted (`featureWeights`, default 1): the weighted mean
 *              of `valueSimilarity` over the union of names
 *   embedding  cosine of the two `pattern.embedding` vectors (same length), clipped at 0
 *
 * Default weights: embedding 3, regions 2, features 2, label 1, scores 1, context 1 — an upstream
 * embedding, when both cases carry one, says the most.
 */
import type { PredictionSubmitted, Region } from './events';
import { valueSimilarity, type FeatureMap, type FeatureValue } from './similarity';

export type SimilarityPart = 'label' | 'scores' | 'regions' | 'context' | 'features' | 'embedding';

export interface SimilarityOptions {
  weights?: Partial<Record<SimilarityPart, number>>;
  /** Per-feature weights for `features` (a policy's view of what matters); absent names weigh 1. */
  featureWeights?: Readonly<Record<string, number>>;
  /** Context fields compared in `context` (dotted paths are not supported: top-level fields only). */
  contextFields?: readonly string[];
}

export interface CaseSimilarity {
  similarity: number;
  /** The parts compared, each with its score and weight, highest contribution first: the explanation. */
  parts: Array<{ part: SimilarityPart; similarity: number; weight: number; detail: string }>;
}

export const DEFAULT_SIMILARITY_WEIGHTS: Readonly<Record<SimilarityPart, number>> = { embedding: 3, regions: 2, features: 2, label: 1, scores: 1, context: 1 };

/** Intersection over union of two boxes (normalised x, y, width, height); 0 when they do not overlap. */
export function iou(a: Pick<Region, 'x' | 'y' | 'width' | 'height'>, b: Pick<Region, 'x' | 'y' | 'width' | 'height'>): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/** Regions matched by overlap: mean over both directions of each region's best IoU with a same-label region. */
export function regionSimilarity(a: readonly Region[], b: readonly Region[]): number {
  const best = (r: Region, others: readonly Region[]): number => others.reduce((m, o) => (r.label === undefined || o.label === undefined || r.label === o.label ? Math.max(m, iou(r, o)) : m), 0);
  const forward = a.reduce((s, r) => s + best(r, b), 0);
  const backward = b.reduce((s, r) => s + best(r, a), 0);
  return (forward + backward) / (a.length + b.length);
}

/** 1 − total variation distance of two score distributions. */
export function scoreSimilarity(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): number {
  const labels = new Set([...Object.keys(a), ...Object.keys(b)]);
  let distance = 0;
  for (const l of labels) distance += Math.abs((a[l] ?? 0) - (b[l] ?? 0));
  return Math.max(0, 1 - distance / 2);
}

/** Cosine of two vectors of the same length, clipped at 0; undefined when lengths differ or a norm is 0. */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number | undefined {
  if (a.length !== b.length || a.length === 0) return undefined;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i += 1) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (na === 0 || nb === 0) return undefined;
  return Math.max(0, Math.min(1, dot / Math.sqrt(na * nb)));
}

/** Feature similarity with per-feature weights: Σ w_k s_k / Σ w_k over the union of names. */
export function weightedFeatureSimilarity(a: FeatureMap, b: FeatureMap, weights: Readonly<Record<string, number>> = {}): number {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  let sum = 0;
  let total = 0;
  for (const k of keys) {
    const w = weights[k] ?? 1;
    if (w <= 0) continue;
    total += w;
    sum += w * valueSimilarity(Object.prototype.hasOwnProperty.call(a, k) ? a[k] : undefined, Object.prototype.hasOwnProperty.call(b, k) ? b[k] : undefined);
  }
  return total > 0 ? sum / total : 0;
}

const isFeature = (v: unknown): v is FeatureValue => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
const pct = (x: number): string => `${Math.round(x * 100)}%`;

export function caseSimilarity(a: PredictionSubmitted, b: PredictionSubmitted, options: SimilarityOptions = {}): CaseSimilarity {
  const weights = { ...DEFAULT_SIMILARITY_WEIGHTS, ...options.weights };
  const parts: CaseSimilarity['parts'] = [];
  const add = (part: SimilarityPart, similarity: number, detail: string): void => {
    if (weights[part] > 0) parts.push({ part, similarity, weight: weights[part], detail });
  };
  const la = a.prediction?.label;
  const lb = b.prediction?.label;
  if (la !== undefined && lb !== undefined) add('label', la === lb ? 1 : 0, la === lb ? `same label ${la}` : `labels ${la} vs ${lb}`);
  if (a.prediction?.scores && b.prediction?.scores) add('scores', scoreSimilarity(a.prediction.scores, b.prediction.scores), 'score distributions');
  const ra = a.prediction?.regions ?? [];
  const rb = b.prediction?.regions ?? [];
  if (ra.length > 0 && rb.length > 0) add('regions', regionSimilarity(ra, rb), `${ra.length} vs ${rb.length} regions, matched by overlap (IoU)`);
  const fields = options.contextFields ?? [];
  if (fields.length > 0) {
    const ca: Record<string, FeatureValue> = {};
    const cb: Record<string, FeatureValue> = {};
    for (const f of fields) {
      const x = a.context?.[f];
      const y = b.context?.[f];
      if (isFeature(x)) ca[f] = x;
      if (isFeature(y)) cb[f] = y;
    }
    if (Object.keys(ca).length > 0 && Object.keys(cb).length > 0) add('context', weightedFeatureSimilarity(ca, cb), `context ${fields.join(', ')}`);
  }
  const fa = a.pattern?.features;
  const fb = b.pattern?.features;
  if (fa && fb && (Object.keys(fa).length > 0 || Object.keys(fb).length > 0)) add('features', weightedFeatureSimilarity(fa, fb, options.featureWeights), `${new Set([...Object.keys(fa), ...Object.keys(fb)]).size} pattern features`);
  const ea = a.pattern?.embedding;
  const eb = b.pattern?.embedding;
  if (ea && eb) {
    const cos = cosineSimilarity(ea, eb);
    if (cos !== undefined) add('embedding', cos, `embedding cosine over ${ea.length} dimensions`);
  }
  const total = parts.reduce((s, p) => s + p.weight, 0);
  const similarity = total > 0 ? Math.min(1, parts.reduce((s, p) => s + p.weight * p.similarity, 0) / total) : 0;
  parts.sort((x, y) => y.weight * y.similarity - x.weight * x.similarity);
  for (const p of parts) p.detail = `${p.detail}: ${pct(p.similarity)}`;
  return { similarity, parts };
}
