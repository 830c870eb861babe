/** Composition root: config → logger → Firestore → policies → host → outbox relay → listen → close on signals. */
import { join } from 'node:path';
import { OutboxRelay, ServiceHost, closeOnSignals, createFirestore, createLogger, loadConfigOrExit, systemClock, policyRedactPaths, pushAuthenticatorOf, withPolicyRedaction } from '@arbiter/platform';
import { loadPoliciesOrExit } from '@arbiter/policy';
import { createReviewQueueApp } from './app';
import { firestoreStores } from './stores.firestore';
import { identityOf } from './identity';
import { describeReviewQueueConfig, SERVICE } from './config';
import { Storage } from '@google-cloud/storage';
import { LocalEvidenceUrlSigner, evidenceDirOf } from './evidence';
import { GcsEvidenceUrlSigner } from './evidence.gcs';
import { bigQueryAudit } from './audit-queries.bigquery';

async function main(): Promise<void> {
  const config = loadConfigOrExit(SERVICE, describeReviewQueueConfig);
  const baseLogger = createLogger({ service: SERVICE, level: config.logLevel });
  const repoRoot = join(__dirname, '..', '..', '..');
  const policies = loadPoliciesOrExit(SERVICE, baseLogger, config.policiesDir, repoRoot);
  // One redaction list from here on: the static secrets plus every loaded policy's privacy.redact fields.
  const logger = withPolicyRedaction(baseLogger, policyRedactPaths(policies.list()));
  const firestore = createFirestore(config.projectId);
  const host = new ServiceHost({ service: SERVICE, projectId: config.projectId, logger, delivery: config.delivery, backoffBeforeNack: config.backoffBeforeNack, pushAuth: pushAuthenticatorOf(config.pushAuth), telemetry: config.telemetry });
  const relay = new OutboxRelay(firestore, host.publisher, logger);
  const identity = await identityOf(config.identity);
  logger.info({ identity: config.identity.mode, evidenceSigner: config.evidenceSigner }, 'reviewer identity and evidence links');
  let baseUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;
  createReviewQueueApp({
    host,
    stores: firestoreStores(firestore, relay),
    policies,
    clock: systemClock,
    logger,
    signer: config.evidenceSigner === 'gcs'
      ? new GcsEvidenceUrlSigner(new Storage({ projectId: config.projectId }), config.evidenceUrlTtlMs)
      : new LocalEvidenceUrlSigner(() => baseUrl, config.evidenceSigningKey, config.evidenceUrlTtlMs),
    identity: identity.verifier,
    ...(identity.local ? { localIdentity: identity.local } : {}),
    claimLeaseMs: config.claimLeaseMs,
    aheadLeaseMs: config.aheadLeaseMs,
    undoWindowMs: config.undoWindowMs,
    audit: bigQueryAudit({ projectId: config.bigqueryProjectId, dataset: config.auditDataset, ...(config.bigqueryEmulatorHost ? { emulatorHost: config.bigqueryEmulatorHost } : {}) }),
    metricsRefreshMs: config.metricsRefreshMs,
    metricsRefreshJob: config.metricsRefresh !== 'off',
    claimSpread: config.claimSpread,
    ...(config.evidenceSigner === 'local' ? { evidenceDir: evidenceDirOf(repoRoot, config.evidenceDir) } : {}),
    consoleDir: evidenceDirOf(repoRoot, config.consoleDir),
  });
  relay.start();
  host.onClose({ name: 'outbox relay', close: () => relay.close() });
  host.onClose({ name: 'firestore', close: () => firestore.terminate() });
  const port = await host.start(config.port, config.host);
  if (!config.publicUrl) baseUrl = `http://${config.host}:${port}`;
  closeOnSignals(logger, [{ name: 'review-queue host', close: () => host.close() }]);
}

main().catch((error: unknown) => {
  process.stderr.write(`review-queue failed to start: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
