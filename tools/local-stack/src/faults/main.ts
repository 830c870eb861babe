#!/usr/bin/env node
/**
 * `pnpm faults`: the fault suite on a stack of its own (the three emulators on free ports), in both
 * delivery modes, writing bench/FAULTS.md.
 *
 *   pnpm faults [--cases=10000] [--seed=7] [--delivery=both|pull|push] [--minutes=5] [--report=bench/FAULTS.md]
 *
 * Exit code 1 when a case was lost, stranded or decided twice, a prediction never reached Arbiter, or
 * the audit trail has a duplicate or a missing row.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultLogDir, repoRoot } from '../paths';
import { startStack } from '../stack';
import { faultsReport } from './report';
import { runFaults, type FaultRunResult } from './run';

const flag = (name: string, fallback: string): string => {
  const found = process.argv.slice(2).find((arg) => arg.startsWith(`--${name}=`));
  return found ? found.slice(name.length + 3) : fallback;
};

const main = async (): Promise<void> => {
  const cases = Number(flag('cases', '10000'));
  const seed = Number(flag('seed', '7'));
  const minutes = Number(flag('minutes', String(Math.max(1, Math.round(cases / 2000)))));
  const delivery = flag('delivery', 'both');
  const report = flag('report', join(repoRoot(), 'bench', 'FAULTS.md'));
  if (!Number.isInteger(cases) || cases < 1 || !Number.isInteger(seed) || !(minutes > 0) || !['both', 'pull', 'push'].includes(delivery)) {
    throw new Error('usage: pnpm faults [--cases=N] [--seed=S] [--minutes=M] [--delivery=both|pull|push] [--report=file]');
  }
  const log = (message: string): void => void process.stdout.write(`[faults] ${message}\n`);
  const logDir = join(defaultLogDir(), 'faults');
  const stack = await startStack({ ports: 'free', logDir, projectId: 'arbiter-faults' });
  const results: FaultRunResult[] = [];
  try {
    for (const mode of delivery === 'both' ? (['pull', 'push'] as const) : [delivery as 'pull' | 'push']) {
      const durationMs = minutes * 60_000;
      const result = await runFaults({
        endpoints: stack.endpoints,
        delivery: mode,
        cases,
        seed,
        durationMs,
        crashesPerService: 3,
        pauses: 4,
        pauseMs: 65_000,
        storms: 4,
        stormMs: 15_000,
        reviewers: 6,
        drainTimeoutMs: 300_000,
        reconcileAfter: 'PT15S',
        logDir: join(logDir, mode),
        log,
      });
      results.push(result);
      log(`${mode}: ${JSON.stringify(result.verdict)}`);
    }
  } finally {
    await stack.stop();
  }
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot(), encoding: 'utf8' }).trim();
  const command = `pnpm faults ${process.argv.slice(2).join(' ')}`.trim();
  writeFileSync(report, faultsReport(results, { command, commit, date: new Date().toISOString().slice(0, 10) }));
  log(`report written to ${report}`);
  const bad = results.some((r) => r.verdict.lost || r.verdict.decidedTwice || r.verdict.duplicateAuditRows || r.verdict.stranded || r.verdict.neverReceived || r.verdict.missingAuditRows);
  process.exit(bad ? 1 : 0);
};

main().catch((error: unknown) => {
  process.stderr.write(`[faults] ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
