/**
 * Jest global setup of the integration project: one emulator stack for the whole run.
 *
 * - `ARBITER_TEST_STACK=env`: reuse the emulators named by PUBSUB_EMULATOR_HOST, FIRESTORE_EMULATOR_HOST
 *   and BIGQUERY_EMULATOR_HOST (e.g. a running `pnpm stack up`); they are provisioned, never stopped.
 * - otherwise, when a Docker engine answers: testcontainers;
 * - otherwise: the emulators as local processes on free loopback ports (logs in .arbiter/logs/jest/).
 *
 * Every endpoint must be on loopback. The test workers inherit PUBSUB_EMULATOR_HOST,
 * FIRESTORE_EMULATOR_HOST, BIGQUERY_EMULATOR_HOST (http://host:port), GCLOUD_PROJECT,
 * GOOGLE_CLOUD_PROJECT and ARBITER_PROJECT_ID.
 */
import { DefaultProjectId } from '@arbiter/contract';
import { join } from 'node:path';
import { stackEnv, type StackEndpoints, killEmulatorsOnSignal, assertLoopbackEndpoints, defaultLogDir, provisionStack, startStack } from '@arbiter/local-stack';
import { dockerEngineAnswers, startContainerStack } from './containers';
import { setRunningStack, takeRunningStack } from './state';

const log = (message: string): void => {
  process.stderr.write(`[arbiter test stack] ${message}\n`);
};

/** Only the emulator variables are endpoints (stackEnv also carries the project id, which is no host:port). */
const emulatorEndpoints = (endpoints: StackEndpoints): Record<string, string> => ({
  PUBSUB_EMULATOR_HOST: endpoints.pubsubEmulatorHost,
  FIRESTORE_EMULATOR_HOST: endpoints.firestoreEmulatorHost,
  BIGQUERY_EMULATOR_HOST: endpoints.bigqueryEmulatorHost,
});

const fromEnvironment = (projectId: string): StackEndpoints => {
  const { PUBSUB_EMULATOR_HOST, FIRESTORE_EMULATOR_HOST, BIGQUERY_EMULATOR_HOST } = process.env;
  if (!PUBSUB_EMULATOR_HOST || !FIRESTORE_EMULATOR_HOST || !BIGQUERY_EMULATOR_HOST) {
    throw new Error('ARBITER_TEST_STACK=env needs PUBSUB_EMULATOR_HOST, FIRESTORE_EMULATOR_HOST and BIGQUERY_EMULATOR_HOST');
  }
  return {
    projectId,
    pubsubEmulatorHost: PUBSUB_EMULATOR_HOST,
    firestoreEmulatorHost: FIRESTORE_EMULATOR_HOST,
    bigqueryEmulatorHost: BIGQUERY_EMULATOR_HOST,
  };
};

const startEndpoints = async (projectId: string): Promise<StackEndpoints> => {
  if (process.env.ARBITER_TEST_STACK === 'env') {
    const endpoints = fromEnvironment(projectId);
    assertLoopbackEndpoints(emulatorEndpoints(endpoints));
    setRunningStack({ kind: 'env', stop: () => Promise.resolve() });
    await provisionStack(endpoints);
    return endpoints;
  }
  if (await dockerEngineAnswers()) {
    log('a Docker engine answers: starting the emulators with testcontainers');
    const stack = await startContainerStack(projectId);
    setRunningStack({ kind: 'containers', stop: stack.stop });
    assertLoopbackEndpoints(emulatorEndpoints(stack.endpoints));
    await provisionStack(stack.endpoints);
    return stack.endpoints;
  }
  log('no Docker engine: starting the emulators as local processes on free loopback ports');
  killEmulatorsOnSignal();
  const stack = await startStack({ projectId, ports: 'free', logDir: join(defaultLogDir(), 'jest') });
  setRunningStack({ kind: 'processes', stop: stack.stop });
  return stack.endpoints;
};

const globalSetup = async (): Promise<void> => {
  const projectId = process.env.ARBITER_PROJECT_ID ?? DefaultProjectId;
  const started = Date.now();
  let endpoints: StackEndpoints;
  try {
    endpoints = await startEndpoints(projectId);
    assertLoopbackEndpoints(emulatorEndpoints(endpoints));
  } catch (error) {
    // Jest does not run the global teardown when the setup fails: stop what was started here.
    await takeRunningStack()?.stop();
    throw error;
  }
  Object.assign(process.env, stackEnv(endpoints));
  log(
    `ready in ${((Date.now() - started) / 1000).toFixed(1)} s: pubsub ${endpoints.pubsubEmulatorHost}, ` +
      `firestore ${endpoints.firestoreEmulatorHost}, bigquery ${endpoints.bigqueryEmulatorHost}`,
  );
};

export default globalSetup;
