/**
 * Builds the review-queue service on a `ServiceHost` from its dependencies: the two consumers, the
 * reviewer API under `/api`, the console's sign-in under `/auth`, the local evidence folder under `/evidence` (demo photos painted on
 * request), the reviewer console at `/`. Never listens (main.ts does).
 */
import { SubscriptionNames } from '@arbiter/contract';
import type { Logger, ServiceHost } from '@arbiter/platform';
import { LocalEvidenceUrlSigner } from './evidence';
import { apiRouter } from './http/api';
import { authRoutes } from './http/auth-routes';
import type { IdentityVerifier, LocalIdentityProvider } from './identity';
import { consoleRoutes, evidenceRoutes } from './http/static';
import { createUseCases, type ReviewQueueUseCases, type UseCaseWiring } from './use-cases';

export type { ReviewQueueUseCases } from './use-cases';

export interface ReviewQueueDeps extends UseCaseWiring {
  host: ServiceHost;
  logger: Logger;
  /** Who the caller is (identity.ts); `localIdentity` behind the persona sign-in when the mode is local. */
  identity: IdentityVerifier;
  localIdentity?: LocalIdentityProvider;
  /** Folder served at `/evidence` for links the local signer made (`signer` must then be a `LocalEvidenceUrlSigner`); omitted: not served. */
  evidenceDir?: string;
  /** The built reviewer console (@arbiter/console), served at `/`; omitted: not served. */
  consoleDir?: string;
}

export function createReviewQueueApp(deps: ReviewQueueDeps): ReviewQueueUseCases {
  const useCases = createUseCases({ ...deps, logger: deps.logger });
  deps.host.onClose({ name: 'pending decision commits', close: async () => useCases.pendingCommits.stop() });
  deps.host.onClose({ name: 'metrics refresh job', close: async () => useCases.stopMetricsRefresh() });
  deps.host.consume(SubscriptionNames.enqueueOnCaseRouted, useCases.enqueueOnCaseRouted);
  deps.host.consume(SubscriptionNames.requeueOnEvidenceSubmitted, useCases.requeueOnEvidenceSubmitted);
  deps.host.consume(SubscriptionNames.requeueOnCaseRedriven, useCases.requeueOnCaseRedriven);
  deps.host.app.use('/api', apiRouter({ identity: deps.identity, useCases, logger: deps.logger, now: () => deps.clock.now() }));
  deps.host.app.use('/auth', authRoutes(deps.identity.mode, deps.localIdentity));
  if (deps.evidenceDir) {
    if (!(deps.signer instanceof LocalEvidenceUrlSigner)) throw new Error('bug: /evidence is served only for links of the local evidence signer');
    deps.host.app.use('/evidence', evidenceRoutes(deps.evidenceDir, deps.signer));
  }
  if (deps.consoleDir) deps.host.app.use('/', consoleRoutes(deps.consoleDir));
  return useCases;
}
