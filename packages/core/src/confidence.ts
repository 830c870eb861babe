/**
 * Confidence assessment (HITL-OPT stage 1, `assess_approval_confidence`).
 *
 * A prediction carries its own confidence, or named factors (pattern_similarity, risk_assessment,
 * business_impact, technical_complexity, precedent_match, …) that the policy weighs into one:
 *
 *     confidence = Σ wᵢ·fᵢ / Σ wᵢ     over the policy's weighted factors
 *
 * Weights need not sum to 1. A weighted factor the prediction lacks is, per `missingFactor`, a
 * rejection (`reject`, the default: a missing risk assessment must not raise confidence) or left out
 * with the remaining weights renormalised (`ignore`). Factors the policy does not weigh are ignored.
 */
import type { ConfidenceSpec } from './policy';
import type { PredictionSubmitted } from './events';
import { fail, ok, type Result } from './result';

export type ConfidenceSource = 'prediction' | 'factors';

export interface ConfidenceAssessment {
  /** 0..1 */
  confidence: number;
  source: ConfidenceSource;
}

export type ConfidenceErrorCode =
  | 'CONFIDENCE.MISSING'
  | 'CONFIDENCE.OUT_OF_RANGE'
  | 'CONFIDENCE.FACTOR_MISSING'
  | 'CONFIDENCE.FACTOR_OUT_OF_RANGE'
  | 'CONFIDENCE.NO_FACTORS_CONFIGURED'
  | 'CONFIDENCE.INVALID_WEIGHT';

export interface ConfidenceFailure {
  code: ConfidenceErrorCode;
  message: string;
  /** The factors concerned, for FACTOR_* codes. */
  factors?: string[];
}

const inUnitRange = (x: number): boolean => Number.isFinite(x) && x >= 0 && x <= 1;

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));

export function assessConfidence(
  prediction: Pick<PredictionSubmitted, 'prediction' | 'factors'>,
  spec: ConfidenceSpec,
): Result<ConfidenceAssessment, ConfidenceFailure> {
  const own = prediction.prediction?.confidence;
  switch (spec.method) {
    case 'prediction':
      return fromPrediction(own);
    case 'factors':
      return fromFactors(prediction.factors, spec);
    case 'prediction-or-factors':
      return own !== undefined ? fromPrediction(own) : fromFactors(prediction.factors, spec);
  }
}

function fromPrediction(confidence: number | undefined): Result<ConfidenceAssessment, ConfidenceFailure> {
  if (confidence === undefined) {
    return fail({ code: 'CONFIDENCE.MISSING', message: 'the prediction carries no confidence' });
  }
  if (!inUnitRange(confidence)) {
    return fail({ code: 'CONFIDENCE.OUT_OF_RANGE', message: `confidence ${confidence} is not a number from 0 to 1` });
  }
  return ok({ confidence, source: 'prediction' });
}

function fromFactors(
  factors: Record<string, number> | undefined,
  spec: ConfidenceSpec,
): Result<ConfidenceAssessment, ConfidenceFailure> {
  const weights = Object.entries(spec.factors ?? {});
  if (weights.length === 0) {
    return fail({ code: 'CONFIDENCE.NO_FACTORS_CONFIGURED', message: 'the policy weighs no factors' });
  }
  const badWeights = weights.filter(([, w]) => !(Number.isFinite(w) && w > 0)).map(([name]) => name);
  if (badWeights.length > 0) {
    return fail({
      code: 'CONFIDENCE.INVALID_WEIGHT',
      message: `factor weights must be positive numbers: ${badWeights.join(', ')}`,
      factors: badWeights,
    });
  }
  if (factors === undefined) {
    return fail({ code: 'CONFIDENCE.MISSING', message: 'the prediction carries neither a confidence nor factors' });
  }

  const present = weights.filter(([name]) => factors[name] !== undefined);
  const missing = weights.filter(([name]) => factors[name] === undefined).map(([name]) => name);
  if (missing.length > 0 && (spec.missingFactor ?? 'reject') === 'reject') {
    return fail({
      code: 'CONFIDENCE.FACTOR_MISSING',
      message: `missing weighted factors: ${missing.join(', ')}`,
      factors: missing,
    });
  }
  const outOfRange = present.filter(([name]) => !inUnitRange(factors[name] ?? Number.NaN)).map(([name]) => name);
  if (outOfRange.length > 0) {
    return fail({
      code: 'CONFIDENCE.FACTOR_OUT_OF_RANGE',
      message: `factors must be numbers from 0 to 1: ${outOfRange.join(', ')}`,
      factors: outOfRange,
    });
  }
  if (present.length === 0) {
    return fail({
      code: 'CONFIDENCE.MISSING',
      message: `none of the weighted factors is present: ${missing.join(', ')}`,
      factors: missing,
    });
  }

  let weighted = 0;
  let total = 0;
  for (const [name, weight] of present) {
    weighted += weight * (factors[name] ?? 0);
    total += weight;
  }
  return ok({ confidence: clamp01(weighted / total), source: 'factors' });
}
