/**
 * The short fault suite (`pnpm faults` runs the long one, in both delivery modes): 150 seeded cases pushed to while every service is killed and restarted once, one is frozen and one has its deliveries
 * fail, every prediction is published twice, and reviewers race the escalator's expiry. The history
 * checker reads what reached arbiter-decisions, arbiter-escalations and the BigQuery audit trail.
 */
import { join } from 'node:path';
import { runFaults, ServiceNames, testEndpoints, type FaultRunResult } from '@arbiter/infra';
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

// Push only, the way Cloud Run receives events. With streaming pull, the emulator keeps a killed
// consumer's messages on its dead streams for good (infra/EMULATOR-NOTES.md): on 2026-12-07 a pull run
// lost one case.opened to a killed audit exporter, which no part of Arbiter can see or re-drive (on
// GCP it comes back after the ack deadline). `pnpm faults` runs both modes and reports them.
describe.each(['push'] as const)('the short fault suite, %s', (delivery) => {
  it(`decides every case exactly once, with one audit row per state change, whatever crashes (seed ${SEED})`, async () => {
    const { verdict } = await short(delivery);
    for (const service of ServiceNames) expect(verdict.faults[`kill ${service}`]).toBe(1);
    expect(verdict.cases).toBe(150);
    expect({ lost: verdict.lost, decidedTwice: verdict.decidedTwice, stranded: verdict.stranded, examples: verdict.examples.lost }).toEqual({ lost: 0, decidedTwice: 0, stranded: 0, examples: [] });
    expect({ duplicate: verdict.duplicateAuditRows, missing: verdict.missingAuditRows, examples: [...verdict.examples.duplicateAuditRows, ...verdict.examples.missingAuditRows] }).toEqual({ duplicate: 0, missing: 0, examples: [] });
    expect({ twice: verdict.escalationsTwice, early: verdict.escalationsEarly, quality: verdict.qualityPages }).toEqual({ twice: 0, early: 0, quality: 0 });
    expect(verdict.recoveryMs.samples).toBeGreaterThan(0);
    // Pushed to, every prediction reaches Arbiter.
    expect(verdict.examples.neverReceived).toEqual([]);
  });
});
