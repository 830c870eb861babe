/**
 * Composition root of the audit exporter: config → logger → clients → policies → views → host →
 * consumers → listen → close on signals.
 */
import path from 'node:path';
import { loadPoliciesOrExit } from '@arbiter/policy';
import { ServiceHost, closeOnSignals, createFirestore, createLogger, loadConfigOrExit, systemClock, policyRedactPaths, pushAuthenticatorOf, withPolicyRedaction } from '@arbiter/platform';
import { buildAuditExporterApp } from './app';
import { FirestoreAuditLedger, FirestoreCaseUseCaseProjection } from './audit-ledger.firestore';
import { BigQueryAuditSink } from './audit-sink.bigquery';
import { createBigQuery } from './client.bigquery';
import { readAuditExporterConfig, SERVICE } from './config';
import { loadViews } from './views';
import { ensureViews } from './views.bigquery';

async function main(): Promise<void> {
  const config = loadConfigOrExit(SERVICE, readAuditExporterConfig);
  const baseLogger = createLogger({ service: SERVICE, level: config.logLevel });
  const repoRoot = path.resolve(__dirname, '..', '..', '..');
  const policies = loadPoliciesOrExit(SERVICE, baseLogger, config.policiesDir, repoRoot);
  // One redaction list from here on: the static secrets plus every loaded policy's privacy.redact fields.
  const logger = withPolicyRedaction(baseLogger, policyRedactPaths(policies.list()));
  const firestore = createFirestore(config.projectId);
  const bigquery = createBigQuery(config.bigqueryProjectId, config.bigqueryEmulatorHost);
  if (config.ensureViews) {
    const views = await ensureViews(bigquery, config.dataset, loadViews(config.bigqueryProjectId, config.dataset));
    logger.info({ views }, 'audit views ready');
  }
  // One subscription can fill a batch on its own.
  const host = new ServiceHost({ service: SERVICE, projectId: config.projectId, logger, delivery: config.delivery, backoffBeforeNack: config.backoffBeforeNack, maxInFlight: config.batchMaxRows, pushAuth: pushAuthenticatorOf(config.pushAuth), telemetry: config.telemetry });
  buildAuditExporterApp({
    host,
    sink: new BigQueryAuditSink(bigquery, config.dataset),
    ledger: new FirestoreAuditLedger(firestore),
    caseUseCases: new FirestoreCaseUseCaseProjection(firestore),
    policies,
    clock: systemClock,
    logger,
    config,
  });
  host.onClose({ name: 'firestore', close: () => firestore.terminate() });
  await host.start(config.port, config.host);
  closeOnSignals(logger, [{ name: 'service-host', close: () => host.close() }]);
}

main().catch((error: unknown) => {
  process.stderr.write(`audit-exporter failed to start: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
