/**
 * What the container images hold, run as Arbiter. There is no Docker engine here, so the test does
 * what each Dockerfile's assemble stage does — `node scripts/assemble-image.mjs <service> <dir>`:
 * `pnpm deploy --prod` plus the policies (and the views, the console) — into folders outside the
 * workspace, checks that they hold production dependencies only, and runs the five services from
 * them (`node dist/main.js`, PORT from the environment, as the image's CMD) on the emulators in push
 * mode, in a project of the run's own. A prediction then goes through all five, and a reviewer signs in to the
 * console the image serves: that is what shows an image would start and work. Assembly time and the size of each image's contents are written to
 * `.arbiter/test-results/images.json` (measured, never asserted).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import type { PubSub } from '@google-cloud/pubsub';
import { EventTypes, SubscriptionNames, Topics } from '@arbiter/contract';
import { createFirestore } from '@arbiter/platform';
import type { DecisionMade } from '@arbiter/core';
import { ServiceNames, signInAsPersona, startServices, type ServiceName, type Services } from '@arbiter/local-stack';
import { api, cleanliness, endpoints, Observer, provisionRunProject, publishPrediction, pubsub, root, waitUntil } from './support';

jest.setTimeout(300_000);

const run = promisify(execFile);
const runId = randomUUID().slice(0, 6);
let dir: string;
let arbiter: Services | undefined;
let client: PubSub | undefined;
let decisions: Observer | undefined;
let project: string;
let reviewCaseId: string | undefined;

const imageOf = (service: ServiceName): string => join(dir, service);
const serviceDirOf = (service: ServiceName): string => join(imageOf(service), 'services', service);

/** Bytes under a folder, symlinks counted as links (as an image layer stores them). */
const bytesUnder = (path: string): number => {
  const stat = lstatSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + bytesUnder(join(path, name)), 0);
};

const packageJson = (path: string): { dependencies?: Record<string, string>; devDependencies?: Record<string, string> } => JSON.parse(readFileSync(path, 'utf8'));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'arbiter-images-'));
  const started = Date.now();
  // The five as Docker would build them: one assembly per image, side by side.
  await Promise.all(ServiceNames.map((service) => run(process.execPath, [join(root, 'scripts', 'assemble-image.mjs'), service, imageOf(service)], { cwd: root })));
  const assembleMs = Date.now() - started;
  const sizes = Object.fromEntries(ServiceNames.map((service) => [service, Math.round(bytesUnder(imageOf(service)) / 1024 / 1024)]));
  const results = join(root, '.arbiter', 'test-results');
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, 'images.json'), `${JSON.stringify({ assembleMs, contentMiB: sizes }, null, 2)}\n`);
  process.stdout.write(`image contents assembled in ${(assembleMs / 1000).toFixed(1)} s; MiB per service: ${JSON.stringify(sizes)}\n`);

  const suite = endpoints();
  project = await provisionRunProject(`img${runId}`);
  arbiter = await startServices({
    endpoints: { ...suite, projectId: project },
    ports: 'free',
    rootOf: imageOf,
    // As on Cloud Run: the services only take pushes (through the local push signer, which adds the
    // OIDC token the emulator does not), their subscriptions made push subscriptions to them.
    delivery: 'push',
    env: {
      ARBITER_BIGQUERY_PROJECT_ID: suite.projectId,
      ARBITER_TICK_EVERY: 'PT1S',
      LOG_LEVEL: 'debug',
      // Nothing from the workspace: policies, views and console come from the image's own folders.
      ARBITER_POLICIES_DIR: '',
      ARBITER_CONSOLE_DIR: '',
      ARBITER_EVIDENCE_DIR: '',
    },
    logDir: join(root, '.arbiter', 'logs', 'images'),
  });
  client = pubsub(project);
  decisions = await Observer.onTopic(client, Topics.decisions);
}, 300_000);

afterAll(async () => {
  await decisions?.close();
  await arbiter?.stop();
  await client?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('assembles each image outside the workspace, with the compiled service and no sources', () => {
  expect(relative(root, dir).startsWith('..')).toBe(true);
  for (const service of ServiceNames) {
    const serviceDir = serviceDirOf(service);
    expect(existsSync(join(serviceDir, 'dist', 'main.js'))).toBe(true);
    expect(existsSync(join(serviceDir, 'src'))).toBe(false);
    expect(existsSync(join(serviceDir, 'test'))).toBe(false);
    expect(existsSync(join(imageOf(service), 'policies', 'vehicle-cleanliness.yaml'))).toBe(true);
    // The Dockerfile copies exactly this folder and runs this entry point.
    const dockerfile = readFileSync(join(root, 'services', service, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain(`RUN node scripts/assemble-image.mjs ${service} /image`);
    expect(dockerfile).toContain(`WORKDIR /app/services/${service}`);
  }
  expect(existsSync(join(imageOf('audit-exporter'), 'schemas', 'bigquery', 'views', 'audit_events_dedup.sql'))).toBe(true);
  expect(existsSync(join(imageOf('review-queue'), 'packages', 'console', 'dist', 'index.html'))).toBe(true);
});

it('holds production dependencies only', () => {
  const workspaceDev = Object.keys(packageJson(join(root, 'package.json')).devDependencies ?? {});
  expect(workspaceDev).toEqual(expect.arrayContaining(['typescript', 'jest']));
  for (const service of ServiceNames) {
    const manifest = packageJson(join(root, 'services', service, 'package.json'));
    const serviceDir = serviceDirOf(service);
    const top = readdirSync(join(serviceDir, 'node_modules'), { withFileTypes: true }).flatMap((entry) =>
      entry.name.startsWith('@') ? readdirSync(join(serviceDir, 'node_modules', entry.name)).map((name) => `${entry.name}/${name}`) : entry.name.startsWith('.') ? [] : [entry.name],
    );
    expect(top.sort()).toEqual(Object.keys(manifest.dependencies ?? {}).sort());
    const store = readdirSync(join(serviceDir, 'node_modules', '.pnpm'));
    const has = (name: string): boolean => store.some((entry) => entry.startsWith(`${name.replace('/', '+')}@`));
    // Nothing only building or testing needs: the workspace's dev tools, the console's build, the local
    // stack. (@types/node is there, but as a production dependency of protobufjs, which the Google
    // clients load.)
    const devOnly = [...workspaceDev.filter((name) => name !== '@types/node'), 'vite', 'playwright-core', 'testcontainers', '@cdktf/hcl2json'];
    for (const dev of devOnly) expect(`${service}: ${dev} ${has(dev) ? 'present' : 'absent'}`).toBe(`${service}: ${dev} absent`);
    expect(store.some((entry) => entry.startsWith('@arbiter+infra@') || entry.startsWith('@arbiter+console@'))).toBe(false);
  }
});

it('starts the five services from the images’ contents, pushed to as on Cloud Run', async () => {
  expect(arbiter?.services.map((s) => s.name).sort()).toEqual([...ServiceNames].sort());
  expect(arbiter?.delivery).toBe('push');
  const subscription = (await (client as PubSub).subscription(SubscriptionNames.routeOnCaseOpened).getMetadata())[0];
  expect(subscription.pushConfig?.pushEndpoint).toMatch(/\/pubsub\/push\/router\.route-on-case-opened$/);
  for (const service of arbiter?.services ?? []) {
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    const cmdline = readFileSync(`/proc/${service.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline[1]).toBe(join(serviceDirOf(service.name), 'dist', 'main.js'));
  }
});

it('routes a prediction through the five: a decision, and its audit trail in BigQuery', async () => {
  const { caseId } = await publishPrediction(client as PubSub, cleanliness({ confidence: 0.97 }));
  const decision = await waitUntil(`the decision of ${caseId}`, () => decisions?.json<DecisionMade>((data) => data.caseId === caseId)[0], 60_000);
  expect(decision.decidedBy.kind).toBe('auto');
  const { bigqueryEmulatorHost, projectId } = endpoints();
  const types = await waitUntil(
    'the case’s audit rows up to its decision',
    async () => {
      const response = await fetch(`${bigqueryEmulatorHost}/bigquery/v2/projects/${projectId}/queries`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `SELECT event_type FROM arbiter_audit.audit_events WHERE case_id = '${caseId}'`, useLegacySql: false }),
      });
      const body = (await response.json()) as { rows?: Array<{ f: Array<{ v: unknown }> }> };
      const found = (body.rows ?? []).map((row) => row.f[0]?.v);
      return found.includes(EventTypes.decisionMade) ? found : undefined;
    },
    60_000,
  );
  expect(types).toEqual(expect.arrayContaining([EventTypes.caseOpened, EventTypes.caseRouted, EventTypes.decisionMade]));
});

it('review-queue serves the console built into its image, signs a reviewer in, and lists the case it queued', async () => {
  const url = arbiter?.urlOf('review-queue') as string;
  const page = await fetch(`${url}/`);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toBe(readFileSync(join(imageOf('review-queue'), 'packages', 'console', 'dist', 'index.html'), 'utf8'));

  const { caseId } = await publishPrediction(client as PubSub, cleanliness({ confidence: 0.78 }));
  reviewCaseId = caseId;
  // The console's one-click persona sign-in (ARBITER_ENV=local), served by the image's identity provider.
  const { token } = await signInAsPersona(url, 'lead');
  const item = await waitUntil(`${caseId} in the cleanliness queue`, async () => {
    const listed = await api<{ items?: Array<{ caseId: string }> }>(url, token, 'GET', '/queues/cleanliness-review/items?limit=100');
    return listed.body.items?.find((entry) => entry.caseId === caseId);
  }, 60_000);
  expect(item.caseId).toBe(caseId);
});

it('writes every document of a case with the expiry its policy’s retention gives (caseDays after opening)', async () => {
  const caseId = reviewCaseId;
  if (!caseId) throw new Error('the review-queue test did not run first');
  const caseDays = 90; // policies/vehicle-cleanliness.yaml privacy.retention.caseDays, as the image holds it
  expect(readFileSync(join(imageOf('confidence-assessor'), 'policies', 'vehicle-cleanliness.yaml'), 'utf8')).toMatch(/retention: \{ caseDays: 90,/);
  const firestore = createFirestore(project);
  try {
    const read = async (path: string) => (await firestore.doc(path).get()).data();
    const caseDoc = await read(`cases/${caseId}`);
    if (!caseDoc) throw new Error(`cases/${caseId} is missing`);
    const expected = caseDoc.openedAt + caseDays * 86_400_000;
    // Firestore hands the Date back as a Timestamp: the type its TTL policies act on.
    for (const path of [`cases/${caseId}`, `caseRoutings/${caseId}`, `queueItems/${caseId}~decision`]) {
      const doc = await read(path);
      expect(`${path}: ${doc?.expireAt?.constructor?.name} ${doc?.expireAt?.toMillis?.()}`).toBe(`${path}: Timestamp ${expected}`);
    }
  } finally {
    await firestore.terminate();
  }
});
