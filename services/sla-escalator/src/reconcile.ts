/**
 * Use case: the reconciler. No case may stall because a transport lost an event. Every state change
 * that must be followed by another service's step leaves that step pending on the case, in the same
 * commit (`CaseDoc.nextStep`: `route` after the case is opened, `enqueue` after it is routed to a
 * queue), and the step's own commit removes it. A case whose step has been pending longer than
 * `afterMs` is re-driven: the event that should have driven the step is published again with its
 * original ce-id — consumers are idempotent on (ce-source, ce-id) and on the state they read, so a
 * step that did happen meanwhile is not done twice — together with `case.redriven`, which the audit
 * trail records. The reconciler reads only overdue cases (one range on `nextStep.since`, served by the
 * automatic single-field index), never the open ones.
 *
 * Safe to run in any number of instances at once: each re-drive is a transaction that re-reads the
 * case and acts only if its step is still the one the query saw (same kind, same `since`); it moves
 * `since` to now, so a second reconciler sees a changed case and skips it, and the step is re-driven
 * again only after another `afterMs`.
 */
import { Collections, producedEvent, type CaseDoc, type CaseStore, type PendingStepKind } from '@arbiter/cases';
import { EventTypes, RedrivenEventTypes, type ArbiterEvent } from '@arbiter/contract';
import type { Clock, Logger } from '@arbiter/platform';
import { forEachLimited } from './sla-tick';

export interface ReconcileDeps {
  store: CaseStore;
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

/** The `case.redriven` event of one re-drive: its ce-id names the case, the step and the attempt, so it is once per attempt. */
export const redriveEventId = (caseId: string, step: PendingStepKind, attempt: number): string => `redrive_${caseId}_${step}_${attempt}`;

type Outcome = { kind: 'redriven'; step: PendingStepKind; attempt: number; republished: ArbiterEvent } | { kind: 'skipped' };

export type Reconcile = () => Promise<ReconcileReport>;

export function createReconcile(deps: ReconcileDeps): Reconcile {
  const { store, logger } = deps;
  const cases = store.firestore.collection(Collections.cases);

  const redrive = (caseId: string, seen: { kind: PendingStepKind; since: number }, now: Date, cutoff: number): Promise<Outcome> =>
    store.transact<Outcome>(async (tx) => {
      const snapshot = await tx.get(store.caseRef(caseId));
      const step = snapshot.exists ? (snapshot.data() as CaseDoc).nextStep : undefined;
      if (!step || step.kind !== seen.kind || step.since !== seen.since || step.since > cutoff) return { result: { kind: 'skipped' }, events: [] };
      const caseDoc = snapshot.data() as CaseDoc;
      const republished = JSON.parse(step.event) as ArbiterEvent;
      // Only an opening or a routing is ever published again (and the deployment grants no more).
      if (!RedrivenEventTypes.includes(republished.type)) throw new Error(`bug: case ${caseId} has a pending ${step.kind} driven by ${republished.type}, which the reconciler does not re-drive`);
      const attempt = step.redrives + 1;
      const redriven = producedEvent(
        EventTypes.caseRedriven,
        deps.source,
        { caseId, useCase: caseDoc.useCase, step: step.kind, pendingSince: new Date(step.since).toISOString(), attempt, republished: { type: republished.type, id: republished.id }, redrivenAt: now.toISOString() },
        { id: redriveEventId(caseId, step.kind, attempt), subject: caseId, time: now },
      );
      tx.update(store.caseRef(caseId), { 'nextStep.since': now.getTime(), 'nextStep.redrives': attempt });
      return { result: { kind: 'redriven', step: step.kind, attempt, republished }, events: [republished, redriven] };
    }, now);

  return async () => {
    const now = deps.clock.now();
    const cutoff = now.getTime() - deps.afterMs;
    const report: ReconcileReport = { overdue: 0, redriven: { route: 0, enqueue: 0 }, skipped: 0, errors: 0, truncated: false };
    const overdue = await cases.where('nextStep.since', '<=', cutoff).orderBy('nextStep.since').limit(deps.maxPerRun).get();
    report.overdue = overdue.size;
    report.truncated = overdue.size >= deps.maxPerRun;
    await forEachLimited(overdue.docs, deps.concurrency, async (doc) => {
      const step = (doc.data() as CaseDoc).nextStep;
      if (!step) return;
      try {
        const outcome = await redrive(doc.id, { kind: step.kind, since: step.since }, now, cutoff);
        if (outcome.kind === 'skipped') {
          report.skipped += 1;
          return;
        }
        report.redriven[outcome.step] += 1;
        logger.warn(
          { caseId: doc.id, step: outcome.step, attempt: outcome.attempt, pendingMs: now.getTime() - step.since, ceId: outcome.republished.id, ceType: outcome.republished.type },
          `case ${doc.id}: ${outcome.step} overdue for ${Math.round((now.getTime() - step.since) / 1000)} s; published ${outcome.republished.type} again (re-drive ${outcome.attempt})`,
        );
      } catch (error) {
        report.errors += 1;
        logger.error({ err: error, caseId: doc.id }, 'could not re-drive a case; the next run tries again');
      }
    });
    return report;
  };
}
