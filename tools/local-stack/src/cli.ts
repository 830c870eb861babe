#!/usr/bin/env node
/**
 * arbiter-stack: the local GCP stack.
 *
 *   node tools/local-stack/dist/cli.js up [--random-ports] [--no-install] [--emulators-only] [--push] [--demo[=N]]
 *       build the BigQuery emulator if missing → start the three emulators → provision → start the
 *       five services as separate processes (unless --emulators-only; with --push they are pushed to,
 *       as on Cloud Run: push subscriptions on the emulator pointing at each service's
 *       POST /pubsub/push/<subscription>) → write .arbiter/stack.json →
 *       print `Arbiter ready` and the endpoints → (with --demo, publish N demo predictions per use
 *       case) → stay in the foreground until SIGINT/SIGTERM, then stop exactly what it started.
 *   node tools/local-stack/dist/cli.js demo [--per-use-case=N] [--seed=S]
 *       publish a realistic stream of predictions across every shipped use case to the running stack.
 *   node tools/local-stack/dist/cli.js demo --reviewers
 *       also load a demo golden set and simulate reviewers working every queue through the API.
 *   (The decision-quality commands over what the stack recorded are `arbiter-learning-loop`:
 *   services/audit-exporter/src/learning-loop, docs/metrics.md.)
 *   node tools/local-stack/dist/cli.js provision [--allow-non-loopback] [--json]
 *       provision already-running emulators named by PUBSUB_EMULATOR_HOST and BIGQUERY_EMULATOR_HOST
 *       (or, if unset, by .arbiter/stack.json). Non-loopback emulator hosts (docker compose service
 *       names) need --allow-non-loopback. --json prints the provisioning report as JSON on stdout.
 */
import { DefaultProjectId } from '@arbiter/contract';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StackEndpoints } from './clients';
import { stackEnv } from './clients';
import { stopAllEmulators } from './emulators';
import { assertLoopbackEndpoints } from './loopback';
import { localIdentityKeyFile, stackFile } from './paths';
import { localIdentityEnv, newLocalIdentityKey } from './identity';
import { provisionStack, type ProvisionReport } from './provision';
import { startStack } from './stack';
import { publishDemo } from './demo';
import { startServices, type Services } from './services';
import { pubSubClient } from './clients';
import { loadGoldenSet } from '@arbiter/audit-exporter/learning-loop';
import { simulateReviewers } from './demo-reviewers';
import { demoGoldenSet } from './demo-golden';

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

const numberFlag = (args: readonly string[], name: string, fallback: number): number => {
  const flag = args.find((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  if (!flag) return Number.NaN;
  const value = Number(flag.split('=')[1] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a whole number (got "${flag}")`);
  return value;
};

const up = async (args: readonly string[]): Promise<void> => {
  const file = stackFile();
  // Handlers first: a Ctrl-C while things start still stops what is already running.
  let stopping = false;
  let services: Services | undefined;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping the services, then the emulators`);
    void (services ? services.stop() : Promise.resolve())
      .then(() => stopAllEmulators())
      .then(
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

  const demoPerUseCase = numberFlag(args, 'demo', 12);
  const stack = await startStack({
    projectId: process.env.ARBITER_PROJECT_ID ?? DefaultProjectId,
    ports: args.includes('--random-ports') ? 'free' : {},
    install: !args.includes('--no-install'),
  });
  if (stack.provisioned) log(summary(stack.provisioned));
  log(`emulators are up (project ${stack.endpoints.projectId})`);
  for (const emulator of stack.emulators) log(`${emulator.name}: pid ${emulator.pid}, log ${emulator.logFile}`);

  let urls: { apiUrl?: string; consoleUrl?: string; pushSignerUrl?: string } = {};
  if (!args.includes('--emulators-only')) {
    // Review-queue's local identity provider gets a key of this run; `demo --reviewers` signs with it.
    const identityKey = await newLocalIdentityKey();
    mkdirSync(dirname(localIdentityKeyFile()), { recursive: true });
    writeFileSync(localIdentityKeyFile(), JSON.stringify(identityKey), { mode: 0o600 });
    const delivery = args.includes('--push') ? 'push' : 'pull';
    services = await startServices({ endpoints: stack.endpoints, ports: args.includes('--random-ports') ? 'free' : 'default', env: { ...localIdentityEnv(identityKey), ARBITER_METRICS_REFRESH: process.env.ARBITER_METRICS_REFRESH ?? 'PT1M' }, delivery });
    for (const service of services.services) log(`${service.name}: pid ${service.pid}, ${service.url}, log ${service.logFile}`);
    log(delivery === 'push' ? 'delivery: push (the emulator pushes to each service\'s /pubsub/push/<subscription>)' : 'delivery: streaming pull');
    const api = services.urlOf('review-queue');
    urls = { apiUrl: `${api}/api`, consoleUrl: `${api}/`, pushSignerUrl: services.pushSigner.url };
    log(`push signer: ${services.pushSigner.url} (event routes need its token: POST ${services.pushSigner.url}/<service>/pubsub/push/<subscription>)`);
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ ...stack.endpoints, ...urls }, null, 2)}\n`);
  for (const [name, value] of Object.entries(stackEnv(stack.endpoints))) process.stdout.write(`export ${name}=${value}\n`);
  log(`endpoints written to ${file}`);
  if (urls.apiUrl) log(`reviewer API: ${urls.apiUrl} (a token: curl -s -X POST ${urls.consoleUrl}auth/local/sign-in -d '{"persona":"lead"}')`);
  if (urls.consoleUrl) log(`reviewer console: ${urls.consoleUrl} (sign in as a demo persona)`);
  process.stdout.write('Arbiter ready\n');
  if (!Number.isNaN(demoPerUseCase)) {
    const pubsub = pubSubClient(stack.endpoints.projectId, stack.endpoints.pubsubEmulatorHost);
    const published = await publishDemo(pubsub, { perUseCase: demoPerUseCase, seed: Date.now() % 100_000, now: new Date() });
    await pubsub.close();
    log(`demo: published ${published} predictions across every shipped use case`);
  }
  log('press Ctrl-C to stop');
  // Stay in the foreground: the signal handlers end the process.
  setInterval(() => undefined, 1 << 30);
};

const demo = async (args: readonly string[]): Promise<void> => {
  const endpoints = endpointsFromEnvironment();
  const perUseCase = numberFlag(args, 'per-use-case', 12);
  const seed = numberFlag(args, 'seed', 1);
  const pubsub = pubSubClient(endpoints.projectId, endpoints.pubsubEmulatorHost);
  const published = await publishDemo(pubsub, { perUseCase: Number.isNaN(perUseCase) ? 12 : perUseCase, seed: Number.isNaN(seed) ? Date.now() % 100_000 : seed, now: new Date() });
  await pubsub.close();
  log(`published ${published} predictions on arbiter-predictions across every shipped use case`);
  if (args.includes('--reviewers')) {
    const fromFile = JSON.parse(readFileSync(stackFile(), 'utf8')) as { apiUrl?: string };
    if (!fromFile.apiUrl) throw new Error('--reviewers needs the services running (pnpm start writes apiUrl to .arbiter/stack.json)');
    const goldenFile = `${dirname(stackFile())}/demo-golden.ndjson`;
    writeFileSync(goldenFile, demoGoldenSet(40).map((g) => JSON.stringify(g)).join('\n') + '\n');
    log(await loadGoldenSet(endpoints, goldenFile));
    await new Promise((r) => setTimeout(r, 4000)); // let the pipeline route the stream first
    const result = await simulateReviewers({ apiUrl: fromFile.apiUrl, queueRoles: queueRolesOfPolicies(), log });
    log(`reviewers gave ${result.verdicts} verdicts: ${JSON.stringify(result.byPurpose)}`);
  }
};

const queueRolesOfPolicies = (): string[] => {
  // The queue roles every shipped policy names (policies/*.yaml `roles: [...]`).
  const dir = `${dirname(stackFile())}/../policies`;
  const roles = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) for (const m of readFileSync(`${dir}/${file}`, 'utf8').matchAll(/roles: \[([^\]]*)\]/g)) for (const r of (m[1] ?? '').split(',')) if (r.trim()) roles.add(r.trim());
  return [...roles];
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
    case 'demo':
      return demo(args);
    default:
      process.stderr.write('usage: arbiter-stack up [--random-ports] [--no-install] [--emulators-only] [--push] [--demo[=N]] | provision [--allow-non-loopback] [--json] | demo [--per-use-case=N] [--seed=S] [--reviewers]\n');
      process.exitCode = 2;
  }
};

main().catch((error: unknown) => {
  process.stderr.write(`[arbiter-stack] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
