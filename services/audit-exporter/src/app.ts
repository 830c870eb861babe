import { Subscriptions } from '@arbiter/contract';
import type { Clock, Closable, Logger, ServiceHost } from '@arbiter/platform';
import type { PolicyRegistry } from '@arbiter/policy';
import { AuditBatcher } from './audit-batcher';
import type { AuditExporterConfig } from './config';
import type { AuditLedger, AuditSink, CaseUseCaseProjection } from './ports';
import { createRecordEvent, recordEventHandler } from './record-event';

export interface AuditExporterDeps {
  host: ServiceHost;
  sink: AuditSink;
  ledger: AuditLedger;
  /** The exporter's own caseId → use case projection (`auditCaseUseCases`). */
  caseUseCases: CaseUseCaseProjection;
  policies: PolicyRegistry;
  clock: Clock;
  logger: Logger;
  config: Pick<AuditExporterConfig, 'batchMaxRows' | 'batchMaxWaitMs' | 'batchIdleMs' | 'insertAttempts' | 'retryStartMs' | 'retryMaxMs'>;
}

/** The subscriptions the audit exporter consumes: every `audit-exporter.record-on-*` in the topology. */
export const auditSubscriptions = (): string[] => Subscriptions.filter((s) => s.service === 'audit-exporter').map((s) => s.name);

/**
 * One handler on every audit subscription; rows go through one batcher. The batcher is registered
 * to close after the consumers have drained, so rows in flight are written before the process exits.
 */
export function buildAuditExporterApp(deps: AuditExporterDeps): { batcher: AuditBatcher; closable: Closable } {
  const { config } = deps;
  const batcher = new AuditBatcher({
    sink: deps.sink,
    ledger: deps.ledger,
    logger: deps.logger,
    maxRows: config.batchMaxRows,
    maxWaitMs: config.batchMaxWaitMs,
    idleMs: config.batchIdleMs,
    attempts: config.insertAttempts,
    startingDelayMs: config.retryStartMs,
    maxDelayMs: config.retryMaxMs,
    now: () => deps.clock.now(),
  });
  const handler = recordEventHandler(createRecordEvent({ policies: deps.policies, caseUseCases: deps.caseUseCases, batcher, clock: deps.clock }));
  for (const subscription of auditSubscriptions()) deps.host.consume(subscription, handler);
  const closable: Closable = { name: 'audit-batcher', close: () => batcher.close() };
  deps.host.onClose(closable);
  return { batcher, closable };
}
