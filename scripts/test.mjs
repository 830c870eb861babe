#!/usr/bin/env node
// `pnpm test`: installs and builds whatever is missing, then runs every test Arbiter has.
// Uses only Node's built-ins, so it runs on a clean clone before `pnpm install`.
//
//   1. dependencies (pnpm install --frozen-lockfile); the BigQuery emulator (pinned, built once) is
//      installed in the background meanwhile, and waited for before the integration tests
//   2. build (generated validators, tsc -b) and a type check of every test
//   3. the architecture rules (dependency-cruiser: the core stays pure)
//   4. unit and contract tests (parallel), then integration and end-to-end tests against the real
//      emulators (one Jest global setup starts them, in band)
//   5. one closing line: `arbiter: N passed, N failed`
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = join(root, '.arbiter', 'test-results');
mkdirSync(resultsDir, { recursive: true });

const started = Date.now();
const step = (title, command, args, options = {}) => {
  const t0 = Date.now();
  process.stdout.write(`\n▶ ${title}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...options.env } });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  if (result.status !== 0 && !options.allowFailure) {
    process.stdout.write(`✖ ${title} failed after ${seconds}s (exit ${result.status ?? result.signal})\n`);
    process.exit(result.status ?? 1);
  }
  process.stdout.write(`✔ ${title} (${seconds}s)\n`);
  return result.status ?? 1;
};

// The BigQuery emulator is only needed by the integration tests: its first build (minutes, mostly
// module downloads and compiling) runs in the background while the rest installs, builds and runs the
// unit tests. Its progress lines interleave with the other steps' output.
process.stdout.write('\n▶ BigQuery emulator (pinned; built in the background the first time)\n');
const bigQueryStarted = Date.now();
const bigQueryInstall = new Promise((resolve) => {
  const child = spawn('bash', ['scripts/install-bigquery-emulator.sh'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  child.once('error', (error) => resolve({ status: 1, error }));
  child.once('exit', (code, signal) => resolve({ status: code ?? 1, signal }));
});

step('dependencies', 'pnpm', ['install', '--frozen-lockfile', '--reporter=append-only']);
step('Chromium for the console’s browser tests (Debian package, once)', 'bash', ['scripts/install-chromium.sh']);
step('build', 'pnpm', ['run', 'build']);
step('type check of the tests', 'pnpm', ['exec', 'tsc', '-p', 'tsconfig.tests.json']);
step('architecture rules', 'pnpm', ['run', 'lint:deps']);

const runSuite = (name, args) => {
  const output = join(resultsDir, `${name}.json`);
  // A report left by an earlier run must never be read as this run's.
  rmSync(output, { force: true });
  const status = step(`${name} tests`, 'pnpm', ['exec', 'jest', ...args, '--json', `--outputFile=${output}`], {
    allowFailure: true,
    // The BigQuery client loads part of itself with a dynamic import(), which Jest's VM sandbox only
    // allows with this flag.
    env: { FORCE_COLOR: process.env.CI ? '0' : '1', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim() },
  });
  return { name, status, output };
};

// Unit tests do no I/O, but a few make key pairs in their hooks, which takes seconds on a busy machine.
const statuses = [runSuite('unit', ['--selectProjects', 'unit', '--testTimeout=30000'])];

const bigQuery = await bigQueryInstall;
const bigQuerySeconds = ((Date.now() - bigQueryStarted) / 1000).toFixed(1);
if (bigQuery.status !== 0) {
  process.stdout.write(`✖ BigQuery emulator install failed after ${bigQuerySeconds}s (exit ${bigQuery.signal ?? bigQuery.status})\n`);
  process.exit(1);
}
process.stdout.write(`✔ BigQuery emulator ready (${bigQuerySeconds}s after it started)\n`);

// The emulator stack is shared by the whole run; tests talk to real processes, so they get time.
statuses.push(runSuite('integration', ['--selectProjects', 'integration', '--runInBand', '--testTimeout=120000']));

let passed = 0;
let failed = 0;
let skipped = 0;
let brokenSuites = 0;
for (const suite of statuses) {
  if (!existsSync(suite.output)) {
    brokenSuites += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(suite.output, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  brokenSuites += report.numRuntimeErrorTestSuites;
}
const minutes = ((Date.now() - started) / 60000).toFixed(1);
process.stdout.write(`\npnpm test took ${minutes} min\n`);
if (brokenSuites) process.stdout.write(`${brokenSuites} test suite(s) could not run\n`);
process.stdout.write(`arbiter: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed || brokenSuites || statuses.some((suite) => suite.status !== 0) ? 1 : 0);
