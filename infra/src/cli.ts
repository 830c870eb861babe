#!/usr/bin/env node
/**
 * arbiter-stack: the local GCP stack.
 *
 *   node infra/dist/cli.js up [--random-ports] [--no-install]
 *       build the BigQuery emulator if missing → start the three emulators → provision →
 *       write .arbiter/stack.json → print the endpoints → stay in the foreground until SIGINT/SIGTERM,
 *       then stop exactly what it started.
 *   node infra/dist/cli.js provision [--allow-non-loopback] [--json]
 *       provision already-running emulators named by PUBSUB_EMULATOR_HOST and BIGQUERY_EMULATOR_HOST
 *       (or, if unset, by .arbiter/stack.json). Non-loopback emulator hosts (docker compose service
 *       names) need --allow-non-loopback. --json prints the provisioning report as JSON on stdout.
 */
import { DefaultProjectId } from '@arbiter/contract';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StackEndpoints } from './clients';
import { stackEnv } from './clients';
import { stopAllEmulators } from './emulators';
import { assertLoopbackEndpoints } from './loopback';
import { stackFile } from './paths';
import { provisionStack, type ProvisionReport } from './provision';
import { startStack } from './stack';

const log = (message: string): void => {
  process.stdout.write(`[arbiter-stack] ${message}\n`);
};

const summary = (report: ProvisionReport): string => {
  const { pubsub, bigquery } = report;
  const degraded = Object.entries(pubsub.degraded).map(([name, features]) => `${name} without ${features.join(', ')}`);
  return [
    `pubsub: ${pubsub.topicsCreated.length} topics created, ${pubsub.subscriptionsCreated.length} subscriptions created, ` +
      `${pubsub.subscriptionsUpdated.length} updated, ${pubsub.unchanged.length} unchanged`,
    ...(degraded.length > 0 ? [`pubsub: the emulator rejected some features: ${degraded.join('; ')}`] : []),
    `bigquery: dataset ${bigquery.datasetCreated ? 'created' : 'present'}, tables created [${bigquery.tablesCreated.join(', ')}], ` +
      `extended [${bigquery.tablesExtended.join(', ')}], unchanged [${bigquery.unchanged.join(', ')}]`,
  ].join('\n');
};

const up = async (args: readonly string[]): Promise<void> => {
  const file = stackFile();
  // Handlers first: a Ctrl-C while the emulators start still stops the ones already running.
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping the emulators`);
    void stopAllEmulators().then(
      () => {
        rmSync(file, { force: true });
        log('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  const stack = await startStack({
    projectId: process.env.ARBITER_PROJECT_ID ?? DefaultProjectId,
    ports: args.includes('--random-ports') ? 'free' : {},
    install: !args.includes('--no-install'),
  });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(stack.endpoints, null, 2)}\n`);
  if (stack.provisioned) log(summary(stack.provisioned));
  log(`stack is up (project ${stack.endpoints.projectId}); endpoints written to ${file}`);
  for (const [name, value] of Object.entries(stackEnv(stack.endpoints))) process.stdout.write(`export ${name}=${value}\n`);
  for (const emulator of stack.emulators) log(`${emulator.name}: pid ${emulator.pid}, log ${emulator.logFile}`);
  log('press Ctrl-C to stop');
  // Stay in the foreground: the signal handlers end the process.
  setInterval(() => undefined, 1 << 30);
};

const endpointsFromEnvironment = (): StackEndpoints => {
  const env = process.env;
  const fromFile = existsSync(stackFile()) ? (JSON.parse(readFileSync(stackFile(), 'utf8')) as StackEndpoints) : undefined;
  const pubsub = env.PUBSUB_EMULATOR_HOST ?? fromFile?.pubsubEmulatorHost;
  const bigquery = env.BIGQUERY_EMULATOR_HOST ?? fromFile?.bigqueryEmulatorHost;
  const firestore = env.FIRESTORE_EMULATOR_HOST ?? fromFile?.firestoreEmulatorHost ?? '';
  if (pubsub === undefined || bigquery === undefined) {
    throw new Error('provision needs PUBSUB_EMULATOR_HOST and BIGQUERY_EMULATOR_HOST (or a running `up` and its .arbiter/stack.json)');
  }
  const projectId = env.ARBITER_PROJECT_ID ?? env.GCLOUD_PROJECT ?? fromFile?.projectId ?? DefaultProjectId;
  return { projectId, pubsubEmulatorHost: pubsub, bigqueryEmulatorHost: bigquery, firestoreEmulatorHost: firestore };
};

const provision = async (args: readonly string[]): Promise<void> => {
  const endpoints = endpointsFromEnvironment();
  if (!args.includes('--allow-non-loopback')) {
    assertLoopbackEndpoints({ PUBSUB_EMULATOR_HOST: endpoints.pubsubEmulatorHost, BIGQUERY_EMULATOR_HOST: endpoints.bigqueryEmulatorHost });
  }
  const json = args.includes('--json');
  const say = json ? (message: string): void => void process.stderr.write(`[arbiter-stack] ${message}\n`) : log;
  say(`provisioning project ${endpoints.projectId} at pubsub ${endpoints.pubsubEmulatorHost}, bigquery ${endpoints.bigqueryEmulatorHost}`);
  const report = await provisionStack(endpoints);
  say(summary(report));
  if (json) process.stdout.write(`${JSON.stringify(report)}\n`);
};

const main = async (): Promise<void> => {
  const [command, ...args] = process.argv.slice(2);
  switch (command) {
    case 'up':
      return up(args);
    case 'provision':
      return provision(args);
    default:
      process.stderr.write('usage: arbiter-stack up [--random-ports] [--no-install] | provision [--allow-non-loopback] [--json]\n');
      process.exitCode = 2;
  }
};

main().catch((error: unknown) => {
  process.stderr.write(`[arbiter-stack] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
