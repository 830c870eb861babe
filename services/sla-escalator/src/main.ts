/**
 * Composition root of the sla-escalator: config → logger → clients → policies → host → outbox relay
 * → tick timer → listen → close on signals.
 */
import path from 'node:path';
import { CaseStore } from '@arbiter/case-store';
import { loadPoliciesOrExit } from '@arbiter/policy';
import { OutboxRelay, ServiceHost, closeOnSignals, createFirestore, createLogger, loadConfigOrExit, systemClock, policyRedactPaths, pushAuthenticatorOf, withPolicyRedaction } from '@arbiter/platform';
import { buildSlaEscalatorApp } from './app';
import { readSlaEscalatorConfig, SERVICE } from './config';
import { FirestoreEscalationItems } from './escalation-items.firestore';
import { FirestorePendingSteps } from './pending-steps.firestore';
import { FirestoreTimerWheel } from './timer-wheel.firestore';

async function main(): Promise<void> {
  const config = loadConfigOrExit(SERVICE, readSlaEscalatorConfig);
  const baseLogger = createLogger({ service: SERVICE, level: config.logLevel });
  const repoRoot = path.resolve(__dirname, '..', '..', '..');
  const policies = loadPoliciesOrExit(SERVICE, baseLogger, config.policiesDir, repoRoot);
  // One redaction list from here on: the static secrets plus every loaded policy's privacy.redact fields.
  const logger = withPolicyRedaction(baseLogger, policyRedactPaths(policies.list()));
  const firestore = createFirestore(config.projectId);
  const host = new ServiceHost({ service: SERVICE, projectId: config.projectId, logger, delivery: config.delivery, backoffBeforeNack: config.backoffBeforeNack, pushAuth: pushAuthenticatorOf(config.pushAuth), telemetry: config.telemetry });
  const relay = new OutboxRelay(firestore, host.publisher, logger);
  const store = new CaseStore(firestore, relay);
  const app = buildSlaEscalatorApp({ host, items: new FirestoreEscalationItems(store), timers: new FirestoreTimerWheel(firestore), pendingSteps: new FirestorePendingSteps(store), policies, clock: systemClock, logger, config });

  relay.start();
  const timer = app.startTimer();
  host.onClose(timer);
  host.onClose({ name: 'outbox-relay', close: () => relay.close() });
  host.onClose({ name: 'firestore', close: () => firestore.terminate() });
  await host.start(config.port, config.host);
  logger.info({ tickEveryMs: config.tickEveryMs, tickAuth: config.tickAuth, tickRoute: config.tickSecret !== undefined || config.tickAuth === 'cloud-run-iam' }, 'sla-escalator ticking');
  closeOnSignals(logger, [{ name: 'service-host', close: () => host.close() }]);
}

main().catch((error: unknown) => {
  process.stderr.write(`sla-escalator failed to start: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
