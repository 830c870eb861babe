/**
 * Use case: assess a submitted prediction and open its case.
 *
 * The transport has already validated the event against its schema. Here: the use case's policy
 * (unknown → `POLICY.UNKNOWN_USE_CASE`, permanent), the confidence and band (`assessCase`; a
 * `CONFIDENCE.*` failure is permanent), then one unit of work that creates `cases/{caseId}` and stages
 * `arbiter.case.opened.v1` — unless the case exists. The case id derives from the prediction's
 * (`ce-source`, `ce-id`), so a redelivered or republished prediction opens nothing and emits nothing.
 */
import { EventTypes, type ArbiterEvent } from '@arbiter/contract';
import { assessCase, fail, ok, type Band, type CaseOpened, type Result } from '@arbiter/core';
import { caseDocFromOpened, caseExpiry, pendingStep, producedEvent, type CaseDoc } from '@arbiter/case-store';
import { idFromEventIdentity, permanentFailure, type Clock, type HandlerFailure } from '@arbiter/platform';
import type { PolicyRegistry } from '@arbiter/policy';
import type { CaseOpenings } from './ports';

export interface AssessPredictionDeps {
  cases: CaseOpenings;
  policies: Pick<PolicyRegistry, 'get'>;
  clock: Clock;
  /** `ce-source` of the events this service produces. */
  source: string;
}

export interface AssessOutcome {
  caseId: string;
  /** False when the case already existed (a redelivery or a republish): nothing was written or emitted. */
  opened: boolean;
  band: Band;
  confidence: number;
}

export type AssessPrediction = (event: ArbiterEvent<typeof EventTypes.predictionSubmitted>) => Promise<Result<AssessOutcome, HandlerFailure>>;

/** The case id of a prediction: derived from its event identity (architecture: `case_<sha256>`). */
export const caseIdOfPrediction = (event: { source: string; id: string }): string => idFromEventIdentity('case', event.source, event.id);

/** The `case.opened` event of a case: its id derives from the case id, so a republish keeps it. */
export const caseOpenedEventIdOf = (caseId: string): string => `opened_${caseId}`;

export function createAssessPrediction(deps: AssessPredictionDeps): AssessPrediction {
  return async (event) => {
    const prediction = event.data;
    const policy = deps.policies.get(prediction.useCase);
    if (!policy.ok) return fail(permanentFailure(policy.error.code, policy.error.message));

    const assessed = assessCase(prediction, policy.value);
    if (!assessed.ok) return fail(permanentFailure(assessed.error.code, assessed.error.message));
    const assessment = assessed.value;

    const now = deps.clock.now();
    const caseId = caseIdOfPrediction(event);
    const opened: CaseOpened = {
      caseId,
      useCase: prediction.useCase,
      policy: { id: policy.value.id, version: policy.value.version },
      subject: prediction.subject,
      model: prediction.model,
      confidence: assessment.confidence,
      confidenceSource: assessment.confidenceSource,
      band: assessment.band,
      thresholds: assessment.thresholds,
      prediction,
      sourceEvent: { id: event.id, source: event.source },
      openedAt: now.toISOString(),
    };
    const openedEvent = producedEvent(EventTypes.caseOpened, deps.source, opened, { id: caseOpenedEventIdOf(caseId), subject: caseId, time: now });
    // The document is exactly what case.opened says (the router plans from the event and does not read
    // it), plus its retention (the policy's caseDays from opening; Firestore's TTL policy deletes it
    // after) and the step it now waits for: routing, driven by this event (the reconciler's to re-drive).
    const caseDoc: CaseDoc = { ...caseDocFromOpened(openedEvent.data), expireAt: caseExpiry(policy.value, now.getTime()), nextStep: pendingStep('route', openedEvent, now.getTime()) };
    const written = await deps.cases.openIfAbsent(caseDoc, [openedEvent], now);
    return ok({ caseId, opened: written === 'opened', band: assessment.band, confidence: assessment.confidence });
  };
}
