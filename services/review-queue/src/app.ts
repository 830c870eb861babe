/**
 * Builds the review-queue service on a `ServiceHost` from its dependencies: the two consumers, the
 * reviewer API under `/api`, the local evidence folder under `/evidence`. Never listens (main.ts does).
 */
import express from 'express';
import type { Logger, ServiceHost } from '@arbiter/platform';
import { apiRouter } from './http/api';
import { ENQUEUE_SUBSCRIPTION, REQUEUE_SUBSCRIPTION } from './use-cases/consumers';
import { createUseCases, type ReviewQueueUseCases, type UseCaseWiring } from './use-cases';

export type { ReviewQueueUseCases } from './use-cases';

export interface ReviewQueueDeps extends UseCaseWiring {
  host: ServiceHost;
  logger: Logger;
  authSecret: string;
  /** Folder served at `/evidence` (the local signer's targets); omitted: not served. */
  evidenceDir?: string;
}

export function createReviewQueueApp(deps: ReviewQueueDeps): ReviewQueueUseCases {
  const useCases = createUseCases(deps);
  deps.host.consume(ENQUEUE_SUBSCRIPTION, useCases.enqueueOnCaseRouted);
  deps.host.consume(REQUEUE_SUBSCRIPTION, useCases.requeueOnEvidenceSubmitted);
  deps.host.app.use('/api', apiRouter({ authSecret: deps.authSecret, useCases, logger: deps.logger, now: () => deps.clock.now() }));
  if (deps.evidenceDir) deps.host.app.use('/evidence', express.static(deps.evidenceDir, { fallthrough: false, dotfiles: 'deny', index: false }));
  return useCases;
}
