/** Every use case of the service, wired over its stores (ports), the policies and the clock. */
import type { Clock, Logger } from '@arbiter/platform';
import type { PolicyRegistry } from '@arbiter/policy';
import type { EvidenceUrlSigner } from '../evidence';
import { fail, type Result } from '@arbiter/core';
import type { AuditQueries, EvidenceAccessLog, GoldenSet, MetricReadingsStore, QueueItems, ReviewCases, ReviewerQuality, ReviewReads } from '../ports';
import { ClaimHints, createClaimItem, createClaimNext, createReleaseItem } from './claims';
import { QueueCatalog } from './common';
import { createEnqueueOnCaseRouted, createRequeueOnCaseRedriven, createRequeueOnEvidenceSubmitted } from './consumers';
import { createDecideBatch, createDecideCase, createRequestEvidence, verdictRecorder, type DecideDeps } from './decide';
import { createUndoBatch, createUndoDecision, startPendingCommits } from './undo';
import { createMetrics, mayViewMetrics, startMetricsRefresh, type MetricsPage } from './metrics';
import { createThresholdsPage, type ThresholdsPage } from './thresholds';
import { mayViewLeadOverview } from '../access';
import type { Principal } from '../auth';
import { createGetCaseView, createGetDisputeView, createLeadOverview, createListClaims, createListItems, createListQueues, createOpenEvidence } from './views';

/** What the use cases read and write through (stores.firestore.ts builds the Firestore ones). */
export interface ReviewQueueStores {
  items: QueueItems;
  golden: GoldenSet;
  cases: ReviewCases;
  quality: ReviewerQuality;
  readings: MetricReadingsStore;
  /** What the views read. */
  reads: ReviewReads;
  /** Where opening evidence is recorded. */
  accessLog: EvidenceAccessLog;
}

export interface UseCaseWiring {
  stores: ReviewQueueStores;
  policies: PolicyRegistry;
  clock: Clock;
  signer: EvidenceUrlSigner;
  claimLeaseMs: number;
  /** The lease of a case the console claims ahead; default: the claim lease. */
  aheadLeaseMs?: number;
  claimSpread: number;
  /** The undo window of a decision, ms (0 or absent: decisions commit at once). */
  undoWindowMs?: number;
  /** How often this process sweeps for pending decisions past their window (any process's), ms. */
  pendingSweepMs?: number;
  logger?: Logger;
  /** The audit dataset's views, for the metrics page; absent: the page says BigQuery is not configured. */
  audit?: AuditQueries;
  /** How often the refresh job reads the views into Firestore, ms (the metrics page reads only what it stored). */
  metricsRefreshMs?: number;
  /** Whether this process runs the refresh job (main.ts: unless ARBITER_METRICS_REFRESH=off; absent: no job). */
  metricsRefreshJob?: boolean;
}

export function createUseCases(deps: UseCaseWiring) {
  const { items, cases } = deps.stores;
  const catalog = new QueueCatalog(deps.policies);
  const base = { policies: deps.policies, clock: deps.clock, catalog };
  const claims = { ...base, items, quality: deps.stores.quality, leaseMs: deps.claimLeaseMs, ...(deps.aheadLeaseMs !== undefined ? { aheadLeaseMs: deps.aheadLeaseMs } : {}), spread: deps.claimSpread, hints: new ClaimHints() };
  const views = { ...base, reads: deps.stores.reads, quality: deps.stores.quality, accessLog: deps.stores.accessLog, signer: deps.signer };
  // The undo window: decisions held as pending documents, committed by this process's timers and by
  // every process's sweep (undo.ts). The scheduler is bound once the recorder exists.
  const decide: DecideDeps & typeof base = { ...base, cases, items };
  const logger = deps.logger ?? { warn: () => undefined, info: () => undefined } as unknown as Logger;
  const pendingCommits = startPendingCommits(decide, verdictRecorder(decide), { sweepEveryMs: (deps.undoWindowMs ?? 0) > 0 ? deps.pendingSweepMs ?? 5_000 : 0, graceMs: 2_000, logger });
  if ((deps.undoWindowMs ?? 0) > 0) decide.undo = { windowMs: deps.undoWindowMs as number, leaseMs: deps.claimLeaseMs, schedule: pendingCommits.schedule };
  // The metrics page reads what the refresh job stored; the job reads the audit views (metrics.ts).
  const metrics = deps.audit ? createMetrics({ readings: deps.stores.readings, policies: deps.policies, clock: deps.clock, audit: deps.audit, refreshMs: deps.metricsRefreshMs ?? 300_000, logger }) : undefined;
  const stopMetricsRefresh = metrics && deps.metricsRefreshJob === true ? startMetricsRefresh(metrics.refresh, deps.metricsRefreshMs ?? 300_000, logger) : () => undefined;
  return {
    catalog,
    enqueueOnCaseRouted: createEnqueueOnCaseRouted({ ...base, items, golden: deps.stores.golden }),
    requeueOnEvidenceSubmitted: createRequeueOnEvidenceSubmitted({ cases, policies: deps.policies, clock: deps.clock }),
    requeueOnCaseRedriven: createRequeueOnCaseRedriven({ cases, policies: deps.policies, clock: deps.clock }),
    listQueues: createListQueues(views),
    listItems: createListItems(views),
    claimNext: createClaimNext(claims),
    claimItem: createClaimItem(claims),
    releaseItem: createReleaseItem(claims),
    getCaseView: createGetCaseView(views),
    openEvidence: createOpenEvidence(views),
    decideCase: createDecideCase(decide),
    decideBatch: createDecideBatch(decide),
    requestEvidence: createRequestEvidence(decide),
    undoDecision: createUndoDecision(decide),
    undoBatch: createUndoBatch(decide),
    pendingCommits,
    /** Stops this process's metrics refresh job. */
    stopMetricsRefresh,
    refreshMetrics: metrics?.refresh,
    metricsPage: metrics
      ? metrics.page
      : async (p: Principal): Promise<Result<MetricsPage>> => {
          // Who may see it is decided first; an instance without the audit dataset has no page to show.
          if (!mayViewMetrics(p)) return fail({ code: 'AUTH.FORBIDDEN', message: 'the metrics page is for leads, admins and auditors' });
          return fail({ code: 'METRICS.NOT_FOUND', message: 'this instance has no metrics page: it is not configured with the audit dataset in BigQuery' });
        },
    thresholdsPage: deps.audit
      ? createThresholdsPage({ policies: deps.policies, clock: deps.clock, audit: deps.audit, refreshMs: deps.metricsRefreshMs ?? 300_000 })
      : async (p: Principal): Promise<Result<ThresholdsPage>> => {
          if (!mayViewLeadOverview(p)) return fail({ code: 'AUTH.FORBIDDEN', message: 'threshold recommendations are for leads and admins' });
          return fail({ code: 'METRICS.NOT_FOUND', message: 'this instance has no threshold recommendations: it is not configured with the audit dataset in BigQuery' });
        },
    getDisputeView: createGetDisputeView(views),
    leadOverview: createLeadOverview(views),
    listClaims: createListClaims(views),
  };
}

export type ReviewQueueUseCases = ReturnType<typeof createUseCases>;

