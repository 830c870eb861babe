/**
 * Builds the review-queue service on a `ServiceHost` from its dependencies: the two consumers, the
 * reviewer API under `/api`, the local evidence folder under `/evidence`. Never listens (main.ts does).
 */
import express from 'express';
import type { Firestore } from '@google-cloud/firestore';
import { CaseStore } from '@arbiter/cases';
import type { Clock, Logger, OutboxRelay, ServiceHost } from '@arbiter/platform';
import type { PolicyRegistry } from '@arbiter/policy';
import type { EvidenceUrlSigner } from './evidence';
import { apiRouter } from './http/api';
import { ReviewStore } from './review-store';
import { createClaimItem, createClaimNext, createReleaseItem } from './use-cases/claims';
import { QueueCatalog } from './use-cases/common';
import { ENQUEUE_SUBSCRIPTION, REQUEUE_SUBSCRIPTION, createEnqueueOnCaseRouted, createRequeueOnEvidenceSubmitted } from './use-cases/consumers';
import { createDecideBatch, createDecideCase, createRequestEvidence } from './use-cases/decide';
import { createGetCaseView, createGetDisputeView, createLeadOverview, createListItems, createListQueues, createOpenEvidence } from './use-cases/views';

export interface ReviewQueueDeps {
  host: ServiceHost;
  firestore: Firestore;
  relay: OutboxRelay;
  policies: PolicyRegistry;
  clock: Clock;
  logger: Logger;
  signer: EvidenceUrlSigner;
  authSecret: string;
  claimLeaseMs: number;
  claimSpread: number;
  /** Folder served at `/evidence` (the local signer's targets); omitted: not served. */
  evidenceDir?: string;
}

export function createUseCases(deps: Omit<ReviewQueueDeps, 'host' | 'authSecret' | 'evidenceDir' | 'logger'>) {
  const store = new ReviewStore(new CaseStore(deps.firestore, deps.relay), deps.firestore, deps.relay);
  const catalog = new QueueCatalog(deps.policies);
  const base = { store, policies: deps.policies, clock: deps.clock, catalog };
  const claims = { ...base, leaseMs: deps.claimLeaseMs, spread: deps.claimSpread };
  const views = { ...base, signer: deps.signer };
  return {
    store,
    catalog,
    enqueueOnCaseRouted: createEnqueueOnCaseRouted(base),
    requeueOnEvidenceSubmitted: createRequeueOnEvidenceSubmitted(base),
    listQueues: createListQueues(views),
    listItems: createListItems(views),
    claimNext: createClaimNext(claims),
    claimItem: createClaimItem(claims),
    releaseItem: createReleaseItem(claims),
    getCaseView: createGetCaseView(views),
    openEvidence: createOpenEvidence(views),
    decideCase: createDecideCase(base),
    decideBatch: createDecideBatch(base),
    requestEvidence: createRequestEvidence(base),
    getDisputeView: createGetDisputeView(views),
    leadOverview: createLeadOverview(views),
  };
}

export type ReviewQueueUseCases = ReturnType<typeof createUseCases>;

export function createReviewQueueApp(deps: ReviewQueueDeps): ReviewQueueUseCases {
  const useCases = createUseCases(deps);
  deps.host.consume(ENQUEUE_SUBSCRIPTION, useCases.enqueueOnCaseRouted);
  deps.host.consume(REQUEUE_SUBSCRIPTION, useCases.requeueOnEvidenceSubmitted);
  deps.host.app.use('/api', apiRouter({ authSecret: deps.authSecret, useCases, logger: deps.logger, now: () => deps.clock.now() }));
  if (deps.evidenceDir) deps.host.app.use('/evidence', express.static(deps.evidenceDir, { fallthrough: false, dotfiles: 'deny', index: false }));
  return useCases;
}
