import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../paths';

/** The SLA of the fault suite's policy: seconds, so reminders, breaches and expiry happen while it runs. */
export const FaultSla = { targetSeconds: 20, remindBeforeSeconds: 10, expiryAfterSeconds: 10 } as const;

/**
 * The fault suite's use case: the shipped cleanliness policy with a run-unique id and queue, an SLA of
 * seconds, and more quality sampling (blind reviews, double reviews) than production, so quality items
 * are there for the escalator to (not) page about. Written to a folder of its own.
 */
export function faultPolicy(run: string): { dir: string; useCase: string; queue: string; cleanup: () => void } {
  const useCase = `faults-${run}`;
  const queue = `faults-review-${run}`;
  const text = readFileSync(join(repoRoot(), 'policies', 'vehicle-cleanliness.yaml'), 'utf8')
    .replace(/^id: vehicle-cleanliness$/m, `id: ${useCase}`)
    .replace(/^title: .*$/m, 'title: Cleanliness with an SLA of seconds (fault suite)')
    .replace(/queue: cleanliness-review\b/g, `queue: ${queue}`)
    .replace(/- id: cleanliness-review\b/, `- id: ${queue}`)
    .replace(/target: PT2H/, `target: PT${FaultSla.targetSeconds}S`)
    .replace(/remindBefore: \[PT30M, PT10M\]/, `remindBefore: [PT${FaultSla.remindBeforeSeconds}S]`)
    .replace(/expiry: \{ after: PT22H/, `expiry: { after: PT${FaultSla.expiryAfterSeconds}S`)
    .replace(/blindReviewRate: 0\.02/, 'blindReviewRate: 0.1')
    .replace(/doubleReviewRate: 0\.05/, 'doubleReviewRate: 0.1');
  if (!text.includes(`id: ${useCase}`) || !text.includes(`target: PT${FaultSla.targetSeconds}S`) || !text.includes(`- id: ${queue}`)) {
    throw new Error('bug: the shipped cleanliness policy no longer has the shape the fault suite edits');
  }
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-faults-policies-'));
  writeFileSync(join(dir, `${useCase}.yaml`), text);
  return { dir, useCase, queue, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** How long before its due time an escalation key is due (`reminder:PT10S` → 10 s; breach and on-call: 0). */
export function leadOfKey(key: string): number {
  const match = /^reminder:PT(\d+)S$/.exec(key);
  return match ? Number(match[1]) * 1000 : 0;
}
