/** Every use case of the service, wired over one store, the policies and the clock. */
import type { Firestore } from '@google-cloud/firestore';
import { CaseStore } from '@arbiter/cases';
import type { Clock, OutboxRelay } from '@arbiter/platform';
import type { PolicyRegistry } from '@arbiter/policy';
import type { EvidenceUrlSigner } from './evidence';
import { ReviewStore } from './review-store';
import { ClaimHints, createClaimItem, createClaimNext, createReleaseItem } from './use-cases/claims';
import { QueueCatalog } from './use-cases/common';
import { createEnqueueOnCaseRouted, createRequeueOnEvidenceSubmitted } from './use-cases/consumers';
import { createDecideBatch, createDecideCase, createRequestEvidence } from './use-cases/decide';
import { createGetCaseView, createGetDisputeView, createLeadOverview, createListClaims, createListItems, createListQueues, createOpenEvidence } from './use-cases/views';

export interface UseCaseWiring {
  firestore: Firestore;
  relay: OutboxRelay;
  policies: PolicyRegistry;
  clock: Clock;
  signer: EvidenceUrlSigner;
  claimLeaseMs: number;
  claimSpread: number;
}

export function createUseCases(deps: UseCaseWiring) {
  const store = new ReviewStore(new CaseStore(deps.firestore, deps.relay), deps.firestore);
  const catalog = new QueueCatalog(deps.policies);
  const base = { store, policies: deps.policies, clock: deps.clock, catalog };
  const claims = { ...base, leaseMs: deps.claimLeaseMs, spread: deps.claimSpread, hints: new ClaimHints() };
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
    listClaims: createListClaims(views),
  };
}

export type ReviewQueueUseCases = ReturnType<typeof createUseCases>;

