/**
 * Composition root of the confidence assessor: config → logger → Firestore → policies → ServiceHost
 * → outbox relay → listen → close on SIGTERM/SIGINT.
 */
import path from 'node:path';
import { CaseStore } from '@arbiter/case-store';
import { closeOnSignals, createFirestore, createLogger, loadConfigOrExit, OutboxRelay, ServiceHost, systemClock, policyRedactPaths, pushAuthenticatorOf, withPolicyRedaction } from '@arbiter/platform';
import { loadPoliciesOrExit } from '@arbiter/policy';
import { buildAssessorApp } from './app';
import { describeConfig, SERVICE } from './config';
import { FirestoreCaseOpenings } from './case-openings.firestore';

/** services/confidence-assessor/dist/main.js → the repository root. */
const repoRoot = path.resolve(__dirname, '..', '..', '..');

async function main(): Promise<void> {
  const config = loadConfigOrExit(SERVICE, describeConfig);
  const baseLogger = createLogger({ service: SERVICE, level: config.logLevel });

  const policies = loadPoliciesOrExit(SERVICE, baseLogger, config.policiesDir, repoRoot);
  // One redaction list from here on: the static secrets plus every loaded policy's privacy.redact fields.
  const logger = withPolicyRedaction(baseLogger, policyRedactPaths(policies.list()));

  const firestore = createFirestore(config.projectId);
  const host = new ServiceHost({ service: SERVICE, projectId: config.projectId, logger, delivery: config.delivery, backoffBeforeNack: config.backoffBeforeNack, pushAuth: pushAuthenticatorOf(config.pushAuth), telemetry: config.telemetry });
  const relay = new OutboxRelay(firestore, host.publisher, logger, { sweepEveryMs: config.outboxSweepMs, olderThanMs: 3_000, batch: 200 });
  buildAssessorApp({ host, cases: new FirestoreCaseOpenings(new CaseStore(firestore, relay)), policies, clock: systemClock });

  relay.start();
  host.onClose({ name: 'outbox relay', close: () => relay.close() });
  host.onClose({ name: 'firestore', close: () => firestore.terminate() });
  await host.start(config.port, config.host);
  logger.info({ policies: policies.list().map((p) => `${p.id}@${p.version}`) }, 'policies loaded');
  closeOnSignals(logger, [{ name: 'service host', close: () => host.close() }]);
}

main().catch((error: unknown) => {
  process.stderr.write(`${SERVICE}: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
