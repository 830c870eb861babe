/**
 * Similarity of decision patterns (HITL-OPT fast-track: "> 80% similarity to approved pattern").
 *
 * The measure — a Jaccard index over feature names, where each shared name scores how well its values
 * agree:
 *
 *     similarity(a, b) = Σ_{k ∈ keys(a) ∪ keys(b)} s(a[k], b[k]) / |keys(a) ∪ keys(b)|
 *
 *     s = 0                                  when k is missing on one side, or the types differ
 *     s = 1 if equal else 0                  for strings (exact, case-sensitive) and booleans
 *     s = max(0, 1 − |x − y| / max(|x|, |y|)) for numbers (relative closeness; 1 when both are 0)
 *
 * Properties: symmetric, in [0, 1], 1 exactly when both maps have the same names and values
 * (numbers equal). A name present on one side only counts against similarity (a new feature is a
 * difference). Two empty maps have similarity 0: there is nothing to match, so an empty pattern never
 * fast-tracks anything. With only string and boolean values this is the plain Jaccard index of the
 * two maps' names, counting a name as shared only when its values are equal.
 */
export type FeatureValue = string | number | boolean;
export type FeatureMap = Readonly<Record<string, FeatureValue>>;

export function valueSimilarity(a: FeatureValue | undefined, b: FeatureValue | undefined): number {
  if (a === undefined || b === undefined) return 0;
  if (typeof a === 'number' && typeof b === 'number') {
    if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b ? 1 : 0;
    const scale = Math.max(Math.abs(a), Math.abs(b));
    if (scale === 0) return 1;
    return Math.max(0, 1 - Math.abs(a - b) / scale);
  }
  if (typeof a !== typeof b) return 0;
  return a === b ? 1 : 0;
}

const ownValue = (map: FeatureMap, key: string): FeatureValue | undefined =>
  Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;

export function featureSimilarity(a: FeatureMap, b: FeatureMap): number {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  if (keys.size === 0) return 0;
  let sum = 0;
  for (const key of keys) sum += valueSimilarity(ownValue(a, key), ownValue(b, key));
  return sum / keys.size;
}

export interface Match<P> {
  pattern: P;
  similarity: number;
}

/**
 * The most similar pattern, or `undefined` when there are none. Ties go to the pattern listed first,
 * so the answer depends only on the input.
 */
export function bestMatch<P extends { features: FeatureMap }>(
  features: FeatureMap,
  patterns: readonly P[],
): Match<P> | undefined {
  let best: Match<P> | undefined;
  for (const pattern of patterns) {
    const similarity = featureSimilarity(features, pattern.features);
    if (best === undefined || similarity > best.similarity) best = { pattern, similarity };
  }
  return best;
}
