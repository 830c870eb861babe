/**
 * The confidence assessor: builds its handler from its dependencies and registers it on a
 * ServiceHost (streaming pull, and the same handler for Pub/Sub push and HTTP). Never listens.
 */
import { EventSources, EventTypes, SubscriptionNames } from '@arbiter/contract';
import { ok } from '@arbiter/core';
import type { Clock, ServiceHost } from '@arbiter/platform';
import type { PolicyRegistry } from '@arbiter/policy';
import { createAssessPrediction, type AssessPrediction } from './assess-prediction';
import type { CaseOpenings } from './ports';

export interface AssessorAppDeps {
  host: ServiceHost;
  cases: CaseOpenings;
  policies: Pick<PolicyRegistry, 'get'>;
  clock: Clock;
}

export function buildAssessorApp(deps: AssessorAppDeps): { assess: AssessPrediction } {
  const assess = createAssessPrediction({ cases: deps.cases, policies: deps.policies, clock: deps.clock, source: EventSources['confidence-assessor'] });
  deps.host.consume(SubscriptionNames.assessOnPredictionSubmitted, async (event, { logger }) => {
    if (event.type !== EventTypes.predictionSubmitted) {
      logger.info('not a prediction; ignored');
      return ok({ ignored: event.type });
    }
    const result = await assess(event);
    if (result.ok) {
      const { caseId, opened, band, confidence } = result.value;
      logger.info({ caseId, band, confidence, useCase: event.data.useCase }, opened ? 'case opened' : 'case already open; nothing to do');
    }
    return result;
  });
  return { assess };
}
