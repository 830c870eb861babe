/**
 * A bad policy stops start-up with every error listed (exit 78, EX_CONFIG), for every service — the
 * same for a bad environment variable.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceNames } from '@arbiter/local-stack';
import { endpoints, root } from './support';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'arbiter-bad-policies-'));
  const good = readFileSync(join(root, 'policies', 'vehicle-cleanliness.yaml'), 'utf8');
  // Three files, four mistakes: thresholds the wrong way round and an unknown outcome, a misnamed
  // file, and a threshold out of range (a schema error).
  writeFileSync(join(dir, 'vehicle-cleanliness.yaml'), good.replace('high: 0.90, low: 0.60', 'high: 0.50, low: 0.60').replace('outcome: fee_waived, reasonCode: SLA_EXPIRED', 'outcome: fee_forgiven, reasonCode: SLA_EXPIRED'));
  writeFileSync(join(dir, 'damage.yaml'), readFileSync(join(root, 'policies', 'vehicle-damage.yaml'), 'utf8'));
  writeFileSync(join(dir, 'scarcity-trigger.yaml'), readFileSync(join(root, 'policies', 'scarcity-trigger.yaml'), 'utf8').replace('default: { high: 0.85', 'default: { high: 1.9'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (service: string, env: Record<string, string>) => {
  const stack = endpoints();
  return spawnSync(process.execPath, [join(root, 'services', service, 'dist', 'main.js')], {
    env: { ...process.env, PUBSUB_EMULATOR_HOST: stack.pubsubEmulatorHost, FIRESTORE_EMULATOR_HOST: stack.firestoreEmulatorHost, BIGQUERY_EMULATOR_HOST: stack.bigqueryEmulatorHost, ARBITER_PROJECT_ID: stack.projectId, PORT: '0', ARBITER_ENV: 'local', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
};

it.each(ServiceNames)('%s refuses to start with a bad policy and lists every error', (service) => {
  const result = run(service, { ARBITER_POLICIES_DIR: dir });
  expect(result.status).toBe(78);
  expect(result.stderr).toContain('vehicle-cleanliness.yaml');
  expect(result.stderr).toContain('4 errors in 3 files');
  expect(result.stderr).toContain('fee_forgiven');
  expect(result.stderr).toMatch(/models\[0\].*0\.6.*0\.5|low.*high/);
  expect(result.stderr).toContain('damage.yaml');
  expect(result.stderr).toMatch(/scarcity-trigger\.yaml[\s\S]*bands\.default\.high/);
});

it.each(ServiceNames)('%s names every bad environment variable at once', (service) => {
  const result = run(service, { PORT: 'eighty', LOG_LEVEL: 'loud' });
  expect(result.status).toBe(78);
  expect(result.stderr).toContain('PORT must be a whole number');
  expect(result.stderr).toContain('LOG_LEVEL must be one of');
});
