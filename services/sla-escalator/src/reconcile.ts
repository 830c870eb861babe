/**
 * Use case: the reconciler. No case may stall because a transport lost an event. Every state change
 * that must be followed by another service's step leaves that step pending on the case, in the same
 * commit (`CaseDoc.nextStep`: `route` after the case is opened, `enqueue` after it is routed to a
 * queue, `requeue` from the `dueBy` of an evidence request), and the step's own commit removes it. A
 * case whose step has been pending longer than `afterMs` is re-driven: the event that should have
 * driven the step is published again with its original ce-id — consumers are idempotent on
 * (ce-source, ce-id) and on the state they read, so a step that did happen meanwhile is not done
 * twice — together with `case.redriven`, which the audit trail records. A `requeue` has no event of
 * Arbiter's to publish again (the crew's evidence never reached it, or never came): `case.redriven`
 * alone drives it, review-queue putting the case back in its queue. The reconciler reads only overdue
 * cases (one range on `nextStep.since`, served by the automatic single-field index), never the open ones.
 *
 * Safe to run in any number of instances at once: each re-drive is a transaction that re-reads the
 * case and acts only if its step is still the one the query saw (same kind, same `since`); it moves
 * `since` to now, so a second reconciler sees a changed case and skips it, and the step is re-driven
 * again only after another `afterMs`.
 */
import { producedEvent, type PendingStepKind } from '@arbiter/case-store';
import { EventTypes, RedrivenEventTypes, type ArbiterEvent } from '@arbiter/contract';
import type { Clock, Logger } from '@arbiter/platform';
import type { PendingSteps } from './ports';
import { forEachLimited } from './sla-tick';

export interface ReconcileDeps {
  cases: PendingSteps;
  clock: Clock;
  logger: Logger;
  /** `ce-source` of `case.redriven`. */
  source: string;
  /** A step pending longer than this is overdue. */
  afterMs: number;
  /** At most this many overdue cases per run; the rest wait for the next. */
  maxPerRun: number;
  concurrency: number;
}

export interface ReconcileReport {
  /** Overdue cases the query returned. */
  overdue: number;
  redriven: Record<PendingStepKind, number>;
  /** Read but left alone: another reconciler re-drove it first, or its step happened meanwhile. */
  skipped: number;
  errors: number;
  truncated: boolean;
}

/** The longest a re-drive is held back beyond `afterMs` (see `redriveBackoffMs`). */
export const MAX_REDRIVE_BACKOFF_MS = 10 * 60_000;

/**
 * How much later than `afterMs` the step after re-drive `attempt` may be re-driven again: 0 after the
 * first, then `afterMs`·(2^(attempt−1) − 1), at most `MAX_REDRIVE_BACKOFF_MS`. A consumer that is only
 * slow (a backlog longer than `afterMs`) would otherwise get every waiting case again every `afterMs`,
 * each re-drive one more message in the backlog it cannot get through.
 */
export const redriveBackoffMs = (afterMs: number, attempt: number): number =>
  Math.min(MAX_REDRIVE_BACKOFF_MS, afterMs * (2 ** Math.min(attempt - 1, 30) - 1));

/** The `case.redriven` event of one re-drive: its ce-id names the case, the step and the attempt, so it is once per attempt. */
export const redriveEventId = (caseId: string, step: PendingStepKind, attempt: number): string => `redrive_${caseId}_${step}_${attempt}`;

type Outcome = { kind: 'redriven'; step: PendingStepKind; attempt: number; republished: ArbiterEvent | undefined } | { kind: 'skipped' };

export type Reconcile = () => Promise<ReconcileReport>;

export function createReconcile(deps: ReconcileDeps): Reconcile {
  const { cases, logger } = deps;

  const redrive = (caseId: string, seen: { kind: PendingStepKind; since: number }, now: Date, cutoff: number) =>
    cases.transact<Outcome>(caseId, now, ({ caseDoc, markRedriven }) => {
      const step = caseDoc?.nextStep;
      if (!caseDoc || !step || step.kind !== seen.kind || step.since !== seen.since || step.since > cutoff) return { result: { kind: 'skipped' }, events: [] };
      // A requeue publishes nothing of another service's: review-queue acts on case.redriven itself.
      const republished = step.kind === 'requeue' ? undefined : (JSON.parse(step.event) as ArbiterEvent);
      // Only an opening or a routing is ever published again (and the deployment grants no more).
      if (republished && !RedrivenEventTypes.includes(republished.type)) throw new Error(`bug: case ${caseId} has a pending ${step.kind} driven by ${republished.type}, which the reconciler does not re-drive`);
      const attempt = step.redrives + 1;
      const redriven = producedEvent(
        EventTypes.caseRedriven,
        deps.source,
        { caseId, useCase: caseDoc.useCase, step: step.kind, pendingSince: new Date(step.since).toISOString(), attempt, ...(republished ? { republished: { type: republished.type, id: republished.id } } : {}), redrivenAt: now.toISOString() },
        { id: redriveEventId(caseId, step.kind, attempt), subject: caseId, time: now },
      );
      markRedriven(attempt, now.getTime() + redriveBackoffMs(deps.afterMs, attempt));
      return { result: { kind: 'redriven', step: step.kind, attempt, republished }, events: republished ? [republished, redriven] : [redriven] };
    });

  return async () => {
    const now = deps.clock.now();
    const cutoff = now.getTime() - deps.afterMs;
    const report: ReconcileReport = { overdue: 0, redriven: { route: 0, enqueue: 0, requeue: 0 }, skipped: 0, errors: 0, truncated: false };
    const overdue = await cases.overdue(cutoff, deps.maxPerRun);
    if (!overdue.ok) {
      // The store is away: nothing was read, so nothing is lost; the next run asks again.
      report.errors += 1;
      logger.error({ code: overdue.error.code }, `reconciler: could not read overdue cases (${overdue.error.message}); the next run tries again`);
      return report;
    }
    report.overdue = overdue.value.length;
    report.truncated = overdue.value.length >= deps.maxPerRun;
    await forEachLimited(overdue.value, deps.concurrency, async ({ caseId, step }) => {
      const failed = (error: unknown): void => {
        report.errors += 1;
        logger.error({ err: error, caseId }, 'could not re-drive a case; the next run tries again');
      };
      try {
        const outcome = await redrive(caseId, step, now, cutoff);
        if (!outcome.ok) return failed(outcome.error);
        if (outcome.value.kind === 'skipped') {
          report.skipped += 1;
          return;
        }
        const { step: kind, attempt, republished } = outcome.value;
        report.redriven[kind] += 1;
        const what = republished ? `published ${republished.type} again` : 'asked review-queue to put it back in its queue';
        logger.warn(
          { caseId, step: kind, attempt, pendingMs: now.getTime() - step.since, ceId: republished?.id, ceType: republished?.type },
          `case ${caseId}: ${kind} overdue for ${Math.round((now.getTime() - step.since) / 1000)} s; ${what} (re-drive ${attempt})`,
        );
      } catch (error) {
        failed(error);
      }
    });
    return report;
  };
}
