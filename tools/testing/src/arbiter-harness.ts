/**
 * What tests that run the whole of Arbiter need (the end-to-end tests, the console's browser tests):
 * the emulators the Jest global setup started, a copy of the shipped policies whose queue ids are this
 * run's own (the emulators are shared by every test file), the five services as processes, reviewer
 * tokens signed with the run's local identity key (@arbiter/local-stack: identity.ts), and calls to the reviewer API.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pubSubClient, type StackEndpoints, repoRoot, startServices, type Services, provisionPubSub, localIdentityEnv } from '@arbiter/local-stack';
import type { JWK } from 'jose';

/** The emulators the Jest global setup started (it refuses anything that is not loopback). */
export function testEndpoints(): StackEndpoints {
  const { ARBITER_PROJECT_ID, PUBSUB_EMULATOR_HOST, FIRESTORE_EMULATOR_HOST, BIGQUERY_EMULATOR_HOST } = process.env;
  if (!ARBITER_PROJECT_ID || !PUBSUB_EMULATOR_HOST || !FIRESTORE_EMULATOR_HOST || !BIGQUERY_EMULATOR_HOST) throw new Error('the integration global setup did not export the emulator variables');
  return { projectId: ARBITER_PROJECT_ID, pubsubEmulatorHost: PUBSUB_EMULATOR_HOST, firestoreEmulatorHost: FIRESTORE_EMULATOR_HOST, bigqueryEmulatorHost: BIGQUERY_EMULATOR_HOST };
}

export interface RunPolicies {
  dir: string;
  /** This run's id of a shipped queue. */
  queue: (id: string) => string;
  /** A shipped policy's text with this run's queue ids. */
  text: (file: string) => string;
  /** Adds a policy file of the test's own. */
  write: (file: string, text: string) => void;
  cleanup: () => void;
}

/** The shipped policies in a temporary folder, every queue id (where defined or referenced) suffixed. */
export function policiesForRun(suffix: string): RunPolicies {
  const source = join(repoRoot(), 'policies');
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-run-policies-'));
  const files = readdirSync(source).filter((file) => file.endsWith('.yaml'));
  const ids = new Set<string>();
  for (const file of files) for (const match of readFileSync(join(source, file), 'utf8').matchAll(/^ {2}- id: ([a-z0-9-]+)$/gm)) ids.add(match[1] as string);
  // Queue ids stand where a queue is defined (`  - id: x`) or referenced (`queue: x`).
  const pattern = new RegExp(`(^ {2}- id: |queue: )(${[...ids].join('|')})\\b`, 'gm');
  const text = (file: string): string => readFileSync(join(source, file), 'utf8').replace(pattern, `$1$2-${suffix}`);
  for (const file of files) writeFileSync(join(dir, file), text(file));
  return {
    dir,
    queue: (id) => `${id}-${suffix}`,
    text,
    write: (file, content) => writeFileSync(join(dir, file), content),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A Pub/Sub and Firestore project of the run's own on the shared emulators (`run-<suffix>`), with the
 * contract topology provisioned in it. Test files that shared the suite project's subscriptions saw
 * each other's leftovers routed into their queues, and deliveries lost for 10 s or more to streams of
 * subscribers that had gone (infra/EMULATOR-NOTES.md). BigQuery stays in the suite project: its
 * emulator serves only that one, so `startArbiterForTest` points the audit exporter there.
 */
export async function provisionRunProject(suffix: string): Promise<string> {
  const projectId = `run-${suffix}`;
  const pubsub = pubSubClient(projectId, testEndpoints().pubsubEmulatorHost);
  try {
    await provisionPubSub(pubsub);
  } finally {
    await pubsub.close();
  }
  return projectId;
}

/**
 * The five services as processes on the test emulators, in the run's project (`provisionRunProject`)
 * with the suite's BigQuery project, the run's policies, and review-queue trusting `identityKey` for
 * reviewer tokens (`signReviewerToken`).
 */
export function startArbiterForTest(options: { projectId: string; policiesDir: string; identityKey: JWK; logDir: string; env?: Record<string, string>; delivery?: 'pull' | 'push' }): Promise<Services> {
  const suite = testEndpoints();
  return startServices({
    endpoints: { ...suite, projectId: options.projectId },
    ports: 'free',
    delivery: options.delivery ?? 'pull',
    // debug: each Pub/Sub delivery's attempt and lag is in the logs, for when a test waits in vain.
    // Decisions commit at once (no undo window) unless a test asks for one.
    env: { ARBITER_BIGQUERY_PROJECT_ID: suite.projectId, ARBITER_POLICIES_DIR: options.policiesDir, ...localIdentityEnv(options.identityKey), LOG_LEVEL: 'debug', ARBITER_UNDO_WINDOW: 'PT0S', ...options.env },
    logDir: options.logDir,
  });
}

/** A call to the reviewer API (`<baseUrl>/api<path>`) with a bearer token. */
export async function reviewerApi<T = Record<string, unknown>>(baseUrl: string, token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}
