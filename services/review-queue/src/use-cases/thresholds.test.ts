import { ManualClock } from '@arbiter/platform/testing';
import type { Principal } from '../auth';
import { shippedPolicies } from './builders.test-support';
import type { AuditQueries } from '../ports';
import { createThresholdsPage } from './thresholds';

const policies = shippedPolicies();
const lead: Principal = { id: 'lead-1', roles: ['lead'], queueRoles: [] };

/** The audit trail's labelled outcomes: 40 damage cases a person agreed with at 0.9, and 10 they overturned at 0.75. */
class LabelledOutcomes implements AuditQueries {
  asked = 0;
  table(name: string): string {
    return `\`p.audit.${name}\``;
  }
  async query(): Promise<Array<Record<string, unknown>>> {
    this.asked += 1;
    return [
      ...Array.from({ length: 40 }, () => ({ use_case: 'vehicle-damage', model_version: '1.4.2', confidence: 0.9, agreed: true })),
      ...Array.from({ length: 10 }, () => ({ use_case: 'vehicle-damage', model_version: '1.4.2', confidence: 0.75, agreed: false })),
    ];
  }
}

describe('threshold recommendations', () => {
  it('are for leads and admins: anyone else is refused without reading the audit trail', async () => {
    const audit = new LabelledOutcomes();
    const page = createThresholdsPage({ policies, clock: new ManualClock(new Date('2026-12-07T08:00:00Z')), audit, refreshMs: 60_000, resamples: 50 });
    for (const who of [{ id: 'rev-1', roles: ['reviewer'], queueRoles: ['damage-reviewer'] }, { id: 'aud-1', roles: ['auditor'], queueRoles: [] }] satisfies Principal[]) {
      expect(await page(who)).toMatchObject({ ok: false, error: { code: 'AUTH.FORBIDDEN' } });
    }
    expect(audit.asked).toBe(0);
  });

  it('recommend per use case and model version from the labelled outcomes, read once per refresh', async () => {
    const audit = new LabelledOutcomes();
    const clock = new ManualClock(new Date('2026-12-07T08:00:00Z'));
    const page = createThresholdsPage({ policies, clock, audit, refreshMs: 60_000, resamples: 50 });
    const first = await page(lead);
    expect(first).toMatchObject({ ok: true, value: { generatedAt: '2026-12-07T08:00:00.000Z', targetPrecision: 0.95, examples: 50 } });
    if (!first.ok) throw new Error(first.error.message);
    expect(first.value.recommendations.map((r) => [r.useCase, r.modelVersion])).toEqual([['vehicle-damage', '1.4.2']]);
    expect(await page({ id: 'admin-1', roles: ['admin'], queueRoles: [] })).toEqual(first);
    expect(audit.asked).toBe(1);
  });
});
