import { demoPredictions } from './demo';
import type { GoldenRecord } from '@arbiter/audit-exporter/learning-loop';

/**
 * A demo golden set: vehicle predictions (a seed of their own) with known answers — the model's
 * outcome for confident ones, the customer-favourable outcome for a few uncertain ones.
 */
export function demoGoldenSet(size: number): GoldenRecord[] {
  const predictions = demoPredictions({ perUseCase: size, seed: 4242, now: new Date('2026-11-01T09:00:00Z') }).filter((p) => p.useCase.startsWith('vehicle-'));
  return predictions.slice(0, size).map((prediction, i) => {
    const cleanliness = prediction.useCase === 'vehicle-cleanliness';
    const label = prediction.prediction?.label;
    const confident = (prediction.prediction?.confidence ?? 0) >= 0.7;
    const charge = cleanliness ? (label === 'dirty') === confident : (label === 'damaged') === confident;
    const expectedOutcome = cleanliness ? (charge ? 'fee_applied' : 'fee_waived') : charge ? 'damage_confirmed' : 'no_damage';
    // Medium-band confidence, so the golden case lands in the review queue.
    const withConfidence = { ...prediction, subject: { ...prediction.subject, id: `golden-${i}` }, prediction: { ...prediction.prediction, confidence: 0.75 } };
    return { goldenId: `demo-golden-${String(i).padStart(3, '0')}`, useCase: prediction.useCase, prediction: withConfidence, expectedOutcome };
  });
}
