/**
 * The short fault suite (`pnpm faults` runs the long one): 150 seeded cases in each delivery mode while
 * every service is killed and restarted once, one is frozen and one has its deliveries fail, every
 * prediction is published twice, reviewers race the escalator's expiry, and every other evidence
 * request is never answered. The history checker reads what reached arbiter-decisions,
 * arbiter-escalations and the BigQuery audit trail.
 */
import { join } from 'node:path';
import { runFaults, ServiceNames, type FaultRunResult } from '@arbiter/local-stack';
import { testEndpoints } from '@arbiter/testing';
import { root } from './support';

jest.setTimeout(600_000);

const SEED = Number(process.env.ARBITER_FAULTS_SEED ?? 11);

const short = (delivery: 'pull' | 'push'): Promise<FaultRunResult> =>
  runFaults({
    endpoints: testEndpoints(),
    delivery,
    cases: 150,
    seed: SEED,
    durationMs: 30_000,
    crashesPerService: 1,
    pauses: 1,
    pauseMs: 8_000,
    storms: 1,
    stormMs: 5_000,
    reviewers: 3,
    drainTimeoutMs: 150_000,
    reconcileAfter: 'PT5S',
    logDir: join(root, '.arbiter', 'logs', 'faults', delivery),
  });

// Both delivery modes, with the same checks. Pulled from, the local stack runs its subscriptions without
// retry and dead-letter policies: with either, the emulator never redelivers some messages a killed
// consumer held (infra/EMULATOR-NOTES.md), which no part of Arbiter could see — a prediction that never
// reached it has no case to re-drive.
describe.each(['pull', 'push'] as const)('the short fault suite, %s', (delivery) => {
  it(`decides every case exactly once, with one audit row per state change, whatever crashes (seed ${SEED})`, async () => {
    const { verdict } = await short(delivery);
    for (const service of ServiceNames) expect(verdict.faults[`kill ${service}`]).toBe(1);
    expect(verdict.cases).toBe(150);
    // Every prediction reached Arbiter, and every case Arbiter knows was decided once.
    expect({ neverReceived: verdict.neverReceived, examples: verdict.examples.neverReceived }).toEqual({ neverReceived: 0, examples: [] });
    expect({ lost: verdict.lost, decidedTwice: verdict.decidedTwice, stranded: verdict.stranded, examples: verdict.examples.lost }).toEqual({ lost: 0, decidedTwice: 0, stranded: 0, examples: [] });
    expect({ duplicate: verdict.duplicateAuditRows, missing: verdict.missingAuditRows, examples: [...verdict.examples.duplicateAuditRows, ...verdict.examples.missingAuditRows] }).toEqual({ duplicate: 0, missing: 0, examples: [] });
    expect({ twice: verdict.escalationsTwice, early: verdict.escalationsEarly, quality: verdict.qualityPages }).toEqual({ twice: 0, early: 0, quality: 0 });
    expect(verdict.recoveryMs.samples).toBeGreaterThan(0);
    // Every other evidence request goes unanswered: the reconciler put those cases back in the queue
    // (unless the expiry decided one first, which the lost/stranded checks above cover).
    expect(verdict.evidence.unanswered).toBeGreaterThan(0);
    expect(verdict.evidence.requeued).toBeGreaterThan(0);
  });
});
