/**
 * Confidence bands (ADR-0016 §1, HITL-OPT key principles): which thresholds apply to a model, and
 * which band a confidence falls in.
 */
import type { Band, BandSpec, Thresholds } from './policy';
import type { ModelRef } from './events';

/**
 * The thresholds for one model version. Precedence: an entry for the exact name and version, then an
 * entry for the name with version `*`, then `default`. Among equal matches the first listed wins.
 * Returns a fresh `{ high, low }` and nothing else, so it can be stamped on decisions as is.
 */
export function thresholdsFor(bandSpec: BandSpec, model: ModelRef): Thresholds {
  const models = bandSpec.models ?? [];
  const exact = models.find((m) => m.name === model.name && m.version === model.version);
  const anyVersion = models.find((m) => m.name === model.name && m.version === '*');
  const chosen = exact ?? anyVersion ?? bandSpec.default;
  return { high: chosen.high, low: chosen.low };
}

/**
 * The band of a confidence, with the boundary semantics of `BandSpec.boundaries`:
 * high: `above` → c > high, `at-or-above` → c >= high; low: `below` → c < low, `at-or-below` → c <= low;
 * everything else is medium. High is tested first, so overlapping thresholds (which policy
 * validation should reject) resolve towards high.
 */
export function assignBand(confidence: number, thresholds: Thresholds, boundaries: BandSpec['boundaries']): Band {
  const isHigh = boundaries.high === 'above' ? confidence > thresholds.high : confidence >= thresholds.high;
  if (isHigh) return 'high';
  const isLow = boundaries.low === 'below' ? confidence < thresholds.low : confidence <= thresholds.low;
  return isLow ? 'low' : 'medium';
}
