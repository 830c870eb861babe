/**
 * One step from a prediction to a banded case: confidence, the model's thresholds, and the band.
 * What the confidence assessor stamps on `arbiter.case.opened.v1`.
 */
import type { Band, Policy, Thresholds } from './policy';
import type { PredictionSubmitted } from './events';
import { assessConfidence, type ConfidenceFailure, type ConfidenceSource } from './confidence';
import { assignBand, thresholdsFor } from './bands';
import { ok, type Result } from './result';

export interface CaseAssessment {
  confidence: number;
  confidenceSource: ConfidenceSource;
  thresholds: Thresholds;
  band: Band;
}

export function assessCase(
  prediction: PredictionSubmitted,
  policy: Pick<Policy, 'confidence' | 'bands'>,
): Result<CaseAssessment, ConfidenceFailure> {
  const assessed = assessConfidence(prediction, policy.confidence);
  if (!assessed.ok) return assessed;
  const thresholds = thresholdsFor(policy.bands, prediction.model);
  return ok({
    confidence: assessed.value.confidence,
    confidenceSource: assessed.value.source,
    thresholds,
    band: assignBand(assessed.value.confidence, thresholds, policy.bands.boundaries),
  });
}
