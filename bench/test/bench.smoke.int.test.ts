/**
 * `pnpm bench --smoke` keeps working: the whole benchmark, with a handful of cases, on a stack of its
 * own (like `pnpm bench`), as a process. Asserts the shape of what it writes and the guarantees it
 * checks (zero double claims, zero double decisions) — never a timing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchResults } from '../src/bench';
import { NOTES_MARKER } from '../src/report';

jest.setTimeout(300_000);

const root = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'arbiter-bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('runs every phase and reports every figure, with no double claim or double decision', async () => {
  const out = join(dir, 'latest.json');
  const report = join(dir, 'REPORT.md');
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [join(root, 'bench', 'dist', 'main.js'), '--smoke', '--out', out, '--report', report], { cwd: root, maxBuffer: 16 * 1024 * 1024, timeout: 280_000 }, (error, output, errors) =>
      error ? reject(new Error(`${error.message}\n${output}\n${errors}`)) : resolve(output),
    );
  });
  const results = JSON.parse(readFileSync(out, 'utf8')) as BenchResults;

  expect(results.hops).toEqual({ topics: 3, processingHops: 2, firestoreTransactionsPerHop: 1 });
  for (const path of [results.baseline, results.automatic]) {
    expect(path.throughput).toBeGreaterThan(0);
    expect(path.latency.n).toBe(Math.round(results.latencyRate * results.options.latencySeconds));
  }
  expect(Object.keys(results.automatic.ratios).sort()).toEqual(['p50', 'p95', 'p99', 'throughput']);
  expect(results.audit.rows).toBe(results.audit.expectedRows);
  for (const claims of [results.claims, results.claimsSaturated]) {
    expect(claims).toMatchObject({ reviewers: 20, cases: 20, doubleClaims: 0, doubleDecisions: 0, notOnWire: 0 });
    expect(claims.decided).toBeGreaterThanOrEqual(20);
    expect(claims.claimMs.n).toBeGreaterThanOrEqual(20);
  }
  expect(results.claims.thinkMs).toEqual([20, 100]);
  expect(results.claimsSaturated.thinkMs).toEqual([0, 0]);
  expect(results.escalator.sizes.map((size) => [size.openItems, size.read])).toEqual([
    [100, 10],
    [300, 10],
  ]);
  expect(Object.keys(results.memory).sort()).toEqual(['audit-exporter', 'confidence-assessor', 'relay hop-1', 'relay hop-2', 'review-queue', 'router', 'sla-escalator']);
  for (const memory of Object.values(results.memory)) expect(memory.idleMb).toBeGreaterThan(0);
  expect(results.targets.map((t) => t.target)).toHaveLength(7);

  const markdown = readFileSync(report, 'utf8');
  expect(markdown).toContain('## Targets');
  expect(markdown).toContain(NOTES_MARKER);
  expect(stdout).toContain('targets:');
});
