/**
 * `pnpm bench [--smoke] [--profile <dir>] [--out <json>] [--report <md>] [--burst N] [--rounds N] [--latency-seconds N]
 *   [--latency-rate N] [--claim-cases N] [--reviewers N] [--escalator 1000,100000]`
 *
 * Runs the whole benchmark on a stack of its own, prints a table, writes the figures as JSON
 * (default bench/results/latest.json) and a markdown report (default bench/REPORT.md; the
 * hand-written notes below its marker are kept). Leaves nothing running.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { FullRun, runBench, SmokeRun, type BenchOptions } from './bench';
import { markdown, NOTES_MARKER, textTable } from './report';

export { runBench, FullRun, SmokeRun, type BenchOptions, type BenchResults } from './bench';

const repoRoot = resolve(__dirname, '..', '..');

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--') continue;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unexpected argument ${arg}`);
    const name = m[1] as string;
    if (name === 'smoke') out.smoke = 'true';
    else out[name] = m[2] ?? (argv[++i] as string);
  }
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const base = args.smoke ? SmokeRun : FullRun;
  const int = (name: string, fallback: number): number => (args[name] === undefined ? fallback : Number.parseInt(args[name] as string, 10));
  const escalator = args.escalator?.split(',').map((v) => Number.parseInt(v, 10));
  const options: BenchOptions = {
    ...base,
    burst: int('burst', base.burst),
    rounds: int('rounds', base.rounds),
    latencySeconds: int('latency-seconds', base.latencySeconds),
    ...(args['latency-rate'] || base.latencyRate ? { latencyRate: int('latency-rate', base.latencyRate ?? 0) } : {}),
    claimCases: int('claim-cases', base.claimCases),
    reviewers: int('reviewers', base.reviewers),
    escalatorSizes: escalator && escalator.length === 2 ? [escalator[0] as number, escalator[1] as number] : base.escalatorSizes,
    ...(args.profile ? { profileDir: resolve(args.profile) } : {}),
    repoRoot,
    logDir: join(repoRoot, '.arbiter', 'logs', 'bench'),
    log: (line) => process.stdout.write(`[bench] ${line}\n`),
  };
  const out = resolve(args.out ?? join(repoRoot, 'bench', 'results', 'latest.json'));
  const reportPath = resolve(args.report ?? join(repoRoot, 'bench', 'REPORT.md'));
  const command = `pnpm bench${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`;

  const results = await runBench(options);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  const previous = existsSync(reportPath) ? readFileSync(reportPath, 'utf8') : '';
  const at = previous.indexOf(NOTES_MARKER);
  const notes = at >= 0 ? previous.slice(at + NOTES_MARKER.length + 1) : undefined;
  mkdirSync(dirname(reportPath), { recursive: true });
  writeFileSync(reportPath, markdown(results, command, notes));
  process.stdout.write(`\n${textTable(results)}\n\nwrote ${out} and ${reportPath}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
