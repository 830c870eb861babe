import type { BenchResults } from './bench';
import { round, type Summary } from './stats';

/** Everything below this line of an existing REPORT.md is hand-written analysis and survives a re-run. */
export const NOTES_MARKER = '<!-- notes: everything below is written by hand and kept when the bench rewrites this report -->';

const ms = (value: number | null | undefined): string => (value === null || value === undefined || !Number.isFinite(value) ? 'n/a' : `${round(value, value < 10 ? 1 : 0)} ms`);
const x = (value: number | null): string => (value === null ? 'n/a' : `${value}×`);
const lat = (s: Summary): string => `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)}`;
const mark = (met: boolean | null): string => (met === null ? '–' : met ? 'met' : 'MISSED');

/** The figures as rows of [what, measured, vs baseline or note]. */
export function rows(r: BenchResults): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [
    ['baseline throughput (bare relay, 3 topics, 2 hops × 1 tx)', `${r.baseline.throughput}/s`, `rounds ${r.baseline.throughputRounds.join(', ')}`],
    ['automatic throughput (predictions → decisions)', `${r.automatic.throughput}/s`, `${x(r.automatic.ratios.throughput)} baseline, median of the rounds' ratios (rounds ${r.automatic.throughputRounds.join(', ')})`],
    [`baseline latency p50 / p95 / p99 at ${r.latencyRate}/s`, lat(r.baseline.latency), ''],
    [`automatic latency p50 / p95 / p99 at ${r.latencyRate}/s`, lat(r.automatic.latency), `${x(r.automatic.ratios.p50)} / ${x(r.automatic.ratios.p95)} / ${x(r.automatic.ratios.p99)} baseline`],
    ['audit rows (decisions of this run)', `${r.audit.rows} / ${r.audit.expectedRows}`, r.audit.keepsUp ? 'keeps up' : 'FALLS BEHIND'],
    ['audit lag during bursts p50 / p95 / max', `${ms(r.audit.burstLagMs.p50)} / ${ms(r.audit.burstLagMs.p95)} / ${ms(r.audit.burstLagMs.max)}`, ''],
    ['audit lag at steady rate p50 / p95 / max', `${ms(r.audit.steadyLagMs.p50)} / ${ms(r.audit.steadyLagMs.p95)} / ${ms(r.audit.steadyLagMs.max)}`, `first third p50 ${ms(r.audit.steadyLagFirstThirdP50)}, last third ${ms(r.audit.steadyLagLastThirdP50)}`],
  ];
  for (const [c, how] of [
    [r.claims, `${r.claims.thinkMs.join('–')} ms on each case`],
    [r.claimsSaturated, 'no pause (saturated)'],
  ] as const) {
    out.push(
      [`claim (POST /next) p50 / p99, ${c.reviewers} reviewers, ${how}`, `${ms(c.claimMs.p50)} / ${ms(c.claimMs.p99)}`, `${c.attemptsPerClaim ?? 'n/a'} attempts per claim, ${c.decided} decided in ${ms(c.elapsedMs)} (${round((c.decided / c.elapsedMs) * 1000, 1)}/s)`],
      [`decide p50 / p99, ${how}`, `${ms(c.decideMs.p50)} / ${ms(c.decideMs.p99)}`, ''],
      [`double claims / double decisions, ${how}`, `${c.doubleClaims} / ${c.doubleDecisions}`, `${c.notOnWire} decisions not published within a minute; ${c.failures} failed calls${c.failures ? ` (${Object.entries(c.failureCodes).map(([k, v]) => `${k} ×${v}`).join(', ')})` : ''}`],
    );
  }
  for (const size of r.escalator.sizes) out.push([`escalator tick, ${size.openItems} open / ${size.due} due`, ms(size.medianMs), `ticks ${size.tickMs.join(', ')} ms; ${size.read} read; its bucket query alone ${ms(size.bareDueQueryMs)} (a due query on the queue items instead: ${ms(size.itemScanQueryMs)})`]);
  out.push(['escalator tick ratio (large / small)', x(r.escalator.ratio), '']);
  const cpuNames = [...new Set([...Object.keys(r.cpu.baseline), ...Object.keys(r.cpu.automatic)])];
  for (const name of cpuNames) out.push([`CPU s per 1000 cases: ${name}`, `${r.cpu.automatic[name] ?? 0}`, `baseline ${r.cpu.baseline[name] ?? 0}`]);
  for (const [name, d] of Object.entries(r.deliveries.bySubscription)) out.push([`deliveries ${name}`, `${d.handled} handled, ${d.ignored} ignored`, `${d.retried} retried, ${d.deadLettered} dead-lettered (${r.deliveries.cases} predictions)`]);
  for (const [name, m] of Object.entries(r.memory)) out.push([`RSS ${name} idle / under load`, `${m.idleMb} / ${m.loadMb} MB`, '']);
  const f = r.firestore;
  out.push(
    ['bare Firestore read / write p50', `${ms(f.read.p50)} / ${ms(f.write.p50)}`, `p99 ${ms(f.read.p99)} / ${ms(f.write.p99)}`],
    ['bare Firestore transaction (get + create) / CAS (get + batch) p50', `${ms(f.transaction.p50)} / ${ms(f.compareAndSet.p50)}`, `p99 ${ms(f.transaction.p99)} / ${ms(f.compareAndSet.p99)}`],
    ['bare Firestore query (21 docs) p50', ms(f.queueQuery.p50), `p99 ${ms(f.queueQuery.p99)}`],
  );
  return out;
}

export function textTable(r: BenchResults): string {
  const all = rows(r);
  const w0 = Math.max(...all.map((row) => row[0].length));
  const w1 = Math.max(...all.map((row) => row[1].length));
  const lines = all.map(([a, b, c]) => `${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`);
  const targets = r.targets.map((t) => `${mark(t.met).padEnd(6)}  ${t.target}: ${t.measured}`);
  return [...lines, '', 'targets:', ...targets].join('\n');
}

export function markdown(r: BenchResults, command: string, notes: string | undefined): string {
  const table = ['| what | measured | next to the baseline / notes |', '|---|---|---|', ...rows(r).map(([a, b, c]) => `| ${a} | ${b} | ${c} |`)].join('\n');
  const targets = ['| target | measured | |', '|---|---|---|', ...r.targets.map((t) => `| ${t.target} | ${t.measured} | ${mark(t.met)} |`)].join('\n');
  const m = r.machine;
  return `# Arbiter benchmark

Generated by \`${command}\` — ${r.startedAt} to ${r.finishedAt}.

The bench starts its own emulators (free ports) and the five services as processes, plus a bare relay
(\`bench/src/relay.ts\`, two processes) over the same number of Pub/Sub hops as the automatic path:
${r.hops.topics} topics and ${r.hops.processingHops} processing hops, each doing ${r.hops.firestoreTransactionsPerHop} Firestore
transaction (an idempotency marker). Figures that depend on the machine are compared with that baseline,
measured in the same run; the ratios are what matters.

Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryMb} MB, Node ${m.node}. Load average before ${m.loadAverageBefore.join(' / ')}, after ${m.loadAverageAfter.join(' / ')}.
Other processes busy when it started: ${m.busyNeighbours.length ? m.busyNeighbours.join('; ') : 'none'}.

Run: bursts of ${r.options.burst} high-confidence predictions × ${r.options.rounds} rounds per path, baseline and automatic interleaved (sustained rate =
arrivals between the 10th and 90th percentile; throughputs are medians over rounds, the ratio the median of each round's ratio), ${r.options.latencySeconds} s at a steady ${r.latencyRate}/s for latency, ${r.options.claimCases} medium cases claimed by ${r.options.reviewers}
reviewers through the API (looking ${r.options.reviewerThinkMs.join('–')} ms at each case, starting spread over one look), then ${r.options.claimCases} more with no pause, escalator ticks with ${r.options.escalatorSizes.join(' and ')} open queue items (${r.options.escalatorDue} due, ${r.options.escalatorRepeats} ticks each, the median counts, after ${r.options.escalatorSettleMs / 1000} s for the emulator to settle from seeding).

## Results

${table}

## Targets

${targets}

${NOTES_MARKER}
${notes ?? '\n'}`;
}
