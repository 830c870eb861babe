import type { FaultRunResult } from './run';

const seconds = (ms: number | null): string => (ms === null ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);

/** bench/FAULTS.md: the figures of a full run, both delivery modes, and how to get them again. */
export function faultsReport(results: readonly FaultRunResult[], context: { command: string; commit: string; date: string; notes?: string }): string {
  const modes = results.map((r) => r.delivery);
  const row = (label: string, value: (r: FaultRunResult) => string): string => `| ${label} | ${results.map(value).join(' | ')} |`;
  const faultKinds = [...new Set(results.flatMap((r) => Object.keys(r.verdict.faults)))].sort();
  return [
    '# Fault suite: no case lost, none decided twice',
    '',
    `Run of commit \`${context.commit}\` on ${context.date}, with \`${context.command}\` (seeded: the same command replays`,
    'the same workload and the same fault plan; timings differ with the machine). Each delivery mode runs on its own',
    'Pub/Sub and Firestore project on the emulators, the audit trail in BigQuery. The figures come from what reached',
    '`arbiter-decisions`, `arbiter-escalations` and the BigQuery audit table, not from Arbiter\'s counters',
    '(`tools/local-stack/src/faults/history.ts`).',
    '',
    `| | ${modes.join(' | ')} |`,
    `|---|${modes.map(() => '---').join('|')}|`,
    row('seed', (r) => String(r.seed)),
    row('cases (auto / default / review)', (r) => `${r.verdict.cases} (${r.verdict.byKind.auto} / ${r.verdict.byKind.default} / ${r.verdict.byKind.review})`),
    row('**lost** (no decision)', (r) => `**${r.verdict.lost}**`),
    row('**decided twice**', (r) => `**${r.verdict.decidedTwice}**`),
    row('never reached Arbiter (Pub/Sub lost the prediction; no case)', (r) => String(r.verdict.neverReceived)),
    row('stranded (undecided, nothing to claim)', (r) => String(r.verdict.stranded)),
    row('duplicate audit rows (view `audit_events_dedup`)', (r) => String(r.verdict.duplicateAuditRows)),
    row('raw-table duplicates the view absorbs', (r) => String(r.verdict.rawDuplicateRows)),
    row('missing audit rows (opened, routed, decided)', (r) => String(r.verdict.missingAuditRows)),
    row('re-drives by the reconciler (audit rows `redriven`), by step', (r) => `${r.verdict.redriven} (${Object.entries(r.verdict.redrivenByStep).sort().map(([step, n]) => `${step} ${n}`).join(', ') || 'none'})`),
    row('evidence requests / left unanswered on purpose / of those, put back in the queue by the reconciler / decided first (expiry)', (r) => `${r.verdict.evidence.requested} / ${r.verdict.evidence.unanswered} / ${r.verdict.evidence.requeued} / ${r.verdict.evidence.decidedWithoutRequeue}`),
    row('dead-lettered at the end, by subscription', (r) => Object.entries(r.deadLettered).sort().map(([subscription, n]) => `${subscription} ${n}`).join(', ') || '0'),
    row('escalation keys fired twice / early', (r) => `${r.verdict.escalationsTwice} / ${r.verdict.escalationsEarly}`),
    row('escalations of quality items', (r) => String(r.verdict.qualityPages)),
    row('recovery after a fault, p50 / max', (r) => `${seconds(r.verdict.recoveryMs.p50)} / ${seconds(r.verdict.recoveryMs.max)} (${r.verdict.recoveryMs.samples} faults)`),
    row('last fault → last decision', (r) => seconds(r.verdict.lastFaultToLastDecisionMs)),
    row('reviewer API calls ok / failed', (r) => `${r.reviewerCalls.ok} / ${r.reviewerCalls.failed}`),
    row('waited after the drain for the audit rows (2 min without a new row ends the wait)', (r) => seconds(r.auditWaitMs)),
    row('wall time', (r) => seconds(r.wallMs)),
    row('machine load (1-min average) at start / when the faults were over', (r) => `${r.load.atStart.toFixed(1)} / ${r.load.afterFaults.toFixed(1)} on ${r.load.cores} cores`),
    '',
    '## Faults injected',
    '',
    `| fault | ${modes.join(' | ')} |`,
    `|---|${modes.map(() => '---').join('|')}|`,
    ...faultKinds.map((kind) => row(kind, (r) => String(r.verdict.faults[kind] ?? 0))),
    '',
    '`kill` is SIGKILL and a restart with the same command line and environment; `pause` SIGSTOP then SIGCONT;',
    '`nack-storm` makes every delivery of the service fail for a while (pull: a competing subscriber that nacks',
    'what it gets; push: the subscriptions point at an endpoint answering 503); `duplicate-publish` is the whole',
    'workload (every prediction and evidence submission published twice with one ce-id); `decide-at-expiry` is',
    'the whole run (about one reviewed case in eight is decided by a reviewer at its expiry time, racing the escalator).',
    '',
    'Recovery after a fault: from the fault\'s end until every automatic or default case published before it had',
    'its decision (reviewed cases wait for people and are left out).',
    ...(context.notes ? ['', context.notes] : []),
    '',
  ].join('\n');
}
