import { pendingStep, producedEvent, type CaseDoc } from '@arbiter/case-store';
import { EventTypes, validateEventData, type ArbiterEvent } from '@arbiter/contract';
import { createLogger } from '@arbiter/platform';
import { ManualClock } from '@arbiter/platform/testing';
import { Writable } from 'node:stream';
import { InMemoryPendingSteps } from './escalator.test-support';
import { createReconcile, MAX_REDRIVE_BACKOFF_MS, redriveBackoffMs, redriveEventId } from './reconcile';

const AFTER_MS = 30_000;
const T0 = Date.parse('2026-11-18T10:00:00Z');
const SOURCE = '/arbiter/sla-escalator';
const logger = createLogger({ service: 'unit', level: 'fatal', destination: new Writable({ write: (_c, _e, done) => done() }) });

/** A case as the assessor leaves it: opened, its routing pending since `at`, driven by its case.opened. */
function openedCase(caseId: string, at: number): { doc: CaseDoc; event: ArbiterEvent } {
  const prediction = { useCase: 'vehicle-damage', subject: { type: 'booking', id: `bk-${caseId}` }, model: { name: 'damage-detr', version: '1.4.2' }, prediction: { label: 'dent', confidence: 0.99 } };
  const data = {
    caseId,
    useCase: 'vehicle-damage',
    policy: { id: 'vehicle-damage', version: '1' },
    subject: prediction.subject,
    model: prediction.model,
    confidence: 0.99,
    confidenceSource: 'prediction' as const,
    band: 'high' as const,
    thresholds: { high: 0.95, low: 0.7 },
    prediction,
    sourceEvent: { id: `pred-${caseId}`, source: '//unit/vision' },
    openedAt: new Date(at).toISOString(),
  };
  const event = producedEvent(EventTypes.caseOpened, '/arbiter/confidence-assessor', data, { id: `opened_${caseId}`, subject: caseId, time: new Date(at) });
  return { doc: { ...data, openedAt: at, status: 'opened', nextStep: pendingStep('route', event, at) }, event };
}

/** The same case once the router sent it to review: its queue item pending, driven by its case.routed. */
function routedCase(caseId: string, at: number): { doc: CaseDoc; event: ArbiterEvent } {
  const { doc } = openedCase(caseId, at);
  const event = producedEvent(
    EventTypes.caseRouted,
    '/arbiter/router',
    { caseId, useCase: doc.useCase, policy: doc.policy, route: 'review', reason: 'band-medium', rationale: 'medium band', queue: 'damage-review', priority: { score: 10, reasons: [] }, dueAt: new Date(at + 3_600_000).toISOString(), reminderAt: [], routedAt: new Date(at).toISOString() },
    { id: `routed_${caseId}`, subject: caseId },
  );
  return { doc: { ...doc, status: 'in-review', nextStep: pendingStep('enqueue', event, at) }, event };
}

function setup(options: { maxPerRun?: number } = {}) {
  const cases = new InMemoryPendingSteps();
  const clock = new ManualClock(new Date(T0));
  const reconcile = createReconcile({ cases, clock, logger, source: SOURCE, afterMs: AFTER_MS, maxPerRun: options.maxPerRun ?? 100, concurrency: 4 });
  return { cases, clock, reconcile };
}

describe('reconciler', () => {
  it('publishes an overdue step’s event again with its ce-id, with case.redriven, and marks the re-drive', async () => {
    const { cases, clock, reconcile } = setup();
    const stuck = openedCase('case-stuck', T0);
    const recent = openedCase('case-recent', T0 + AFTER_MS);
    const done = openedCase('case-done', T0).doc;
    delete done.nextStep;
    [stuck.doc, recent.doc, { ...done, status: 'decided' as const }].forEach((doc) => cases.put(doc));

    clock.set(new Date(T0 + AFTER_MS + 1_000));
    expect(await reconcile()).toEqual({ overdue: 1, redriven: { route: 1, enqueue: 0, requeue: 0 }, skipped: 0, errors: 0, truncated: false });

    expect(cases.staged.map((event) => [event.type, event.id])).toEqual([
      [EventTypes.caseOpened, stuck.event.id],
      [EventTypes.caseRedriven, redriveEventId('case-stuck', 'route', 1)],
    ]);
    expect(cases.staged[0]).toEqual(stuck.event);
    const redriven = cases.staged[1] as ArbiterEvent;
    expect(redriven).toMatchObject({ source: SOURCE, subject: 'case-stuck', data: { caseId: 'case-stuck', useCase: 'vehicle-damage', step: 'route', attempt: 1, pendingSince: new Date(T0).toISOString(), republished: { type: EventTypes.caseOpened, id: stuck.event.id } } });
    expect(validateEventData(redriven.type, redriven.data)).toMatchObject({ ok: true });
    expect(cases.cases.get('case-stuck')?.nextStep).toMatchObject({ kind: 'route', since: T0 + AFTER_MS + 1_000, redrives: 1 });
    expect(cases.cases.get('case-recent')?.nextStep).toMatchObject({ since: T0 + AFTER_MS, redrives: 0 });
  });

  it('re-drives a routed case that has no queue item with its case.routed, counted as enqueue', async () => {
    const { cases, clock, reconcile } = setup();
    const routed = routedCase('case-enqueue', T0);
    cases.put(routed.doc);
    clock.set(new Date(T0 + AFTER_MS));
    expect(await reconcile()).toMatchObject({ overdue: 1, redriven: { route: 0, enqueue: 1 } });
    expect(cases.staged[0]).toEqual(routed.event);
    expect(cases.staged[1]?.data).toMatchObject({ step: 'enqueue', republished: { type: EventTypes.caseRouted, id: routed.event.id } });
  });

  it('re-drives an evidence request past its dueBy with case.redriven alone, and only AFTER_MS after dueBy', async () => {
    const { cases, clock, reconcile } = setup();
    const { doc } = routedCase('case-evidence', T0);
    const dueBy = T0 + 3_600_000;
    const requested = producedEvent(
      EventTypes.evidenceRequested,
      '/arbiter/review-queue',
      { caseId: 'case-evidence', useCase: doc.useCase, subject: doc.subject, requestedBy: 'reviewer-1', reasonCode: 'ANGLE_MISSING', what: 'the rear bumper', dueBy: new Date(dueBy).toISOString() },
      { id: 'evreq_case-evidence', subject: 'case-evidence' },
    );
    cases.put({ ...doc, status: 'awaiting-evidence', nextStep: pendingStep('requeue', requested, dueBy) });
    // The crew may answer until dueBy: an hour after the request is not overdue.
    clock.set(new Date(dueBy + AFTER_MS - 1));
    expect(await reconcile()).toMatchObject({ overdue: 0 });
    clock.set(new Date(dueBy + AFTER_MS));
    expect(await reconcile()).toEqual({ overdue: 1, redriven: { route: 0, enqueue: 0, requeue: 1 }, skipped: 0, errors: 0, truncated: false });
    // Nothing of the crew's or review-queue's is published again: only case.redriven, without `republished`.
    expect(cases.staged.map((event) => [event.type, event.id])).toEqual([[EventTypes.caseRedriven, redriveEventId('case-evidence', 'requeue', 1)]]);
    const redriven = cases.staged[0] as ArbiterEvent;
    expect(redriven.data).toEqual({ caseId: 'case-evidence', useCase: doc.useCase, step: 'requeue', pendingSince: new Date(dueBy).toISOString(), attempt: 1, redrivenAt: new Date(dueBy + AFTER_MS).toISOString() });
    expect(validateEventData(redriven.type, redriven.data)).toMatchObject({ ok: true });
    // Pending until review-queue acts on it.
    expect(cases.cases.get('case-evidence')?.nextStep).toMatchObject({ kind: 'requeue', since: dueBy + AFTER_MS, redrives: 1 });
  });

  it('re-drives a step again only after another wait, as the next attempt', async () => {
    const { cases, clock, reconcile } = setup();
    cases.put(openedCase('case-again', T0).doc);
    clock.set(new Date(T0 + AFTER_MS));
    await reconcile();
    clock.set(new Date(T0 + 2 * AFTER_MS - 1));
    expect(await reconcile()).toMatchObject({ overdue: 0, redriven: { route: 0 } });
    clock.set(new Date(T0 + 2 * AFTER_MS));
    expect(await reconcile()).toMatchObject({ overdue: 1, redriven: { route: 1 } });
    expect(cases.staged.filter((event) => event.type === EventTypes.caseRedriven).map((event) => [event.id, (event.data as { attempt: number }).attempt])).toEqual([
      [redriveEventId('case-again', 'route', 1), 1],
      [redriveEventId('case-again', 'route', 2), 2],
    ]);
    // The second re-drive backs off: the step's clock restarts afterMs later than now.
    expect(cases.cases.get('case-again')?.nextStep).toMatchObject({ since: T0 + 3 * AFTER_MS, redrives: 2 });
  });

  it('backs off: each further re-drive of a step waits twice as long, at most MAX_REDRIVE_BACKOFF_MS more', async () => {
    const { cases, clock, reconcile } = setup();
    cases.put(openedCase('case-slow', T0).doc);
    // Re-drive n comes afterMs·2^(n−1) after the step began: at 1, 2, 4, 8, 16 afterMs.
    const times: number[] = [];
    for (let at = T0; times.length < 5 && at <= T0 + 40 * AFTER_MS; at += AFTER_MS / 4) {
      clock.set(new Date(at));
      if ((await reconcile()).redriven.route === 1) times.push((at - T0) / AFTER_MS);
    }
    expect(times).toEqual([1, 2, 4, 8, 16]);
    expect(redriveBackoffMs(60_000, 30)).toBe(MAX_REDRIVE_BACKOFF_MS);
  });

  it('skips a case whose step happened, or was re-driven by another reconciler, after the query saw it', async () => {
    const { cases, clock, reconcile } = setup();
    const routedMeanwhile = openedCase('case-routed-meanwhile', T0).doc;
    const redrivenMeanwhile = openedCase('case-redriven-meanwhile', T0).doc;
    [routedMeanwhile, redrivenMeanwhile].forEach((doc) => cases.put(doc));
    cases.beforeRead = (caseId) => {
      const doc = cases.cases.get(caseId);
      if (!doc?.nextStep) return;
      if (caseId === 'case-routed-meanwhile') cases.cases.set(caseId, { ...doc, nextStep: routedCase(caseId, T0 + 1).doc.nextStep as NonNullable<CaseDoc['nextStep']> });
      else cases.cases.set(caseId, { ...doc, nextStep: { ...doc.nextStep, since: T0 + AFTER_MS, redrives: 1 } });
    };
    clock.set(new Date(T0 + AFTER_MS));
    expect(await reconcile()).toEqual({ overdue: 2, redriven: { route: 0, enqueue: 0, requeue: 0 }, skipped: 2, errors: 0, truncated: false });
    expect(cases.staged).toEqual([]);
  });

  it('takes the longest-waiting cases first, at most maxPerRun, and says the run was truncated', async () => {
    const { cases, clock, reconcile } = setup({ maxPerRun: 2 });
    [openedCase('case-c', T0 + 2).doc, openedCase('case-a', T0).doc, openedCase('case-b', T0 + 1).doc].forEach((doc) => cases.put(doc));
    clock.set(new Date(T0 + AFTER_MS + 2));
    expect(await reconcile()).toMatchObject({ overdue: 2, redriven: { route: 2 }, truncated: true });
    expect(cases.staged.filter((event) => event.type === EventTypes.caseRedriven).map((event) => event.subject).sort()).toEqual(['case-a', 'case-b']);
  });

  it('counts a case the store failed on as an error, leaves it pending, and still re-drives the others', async () => {
    const { cases, clock, reconcile } = setup();
    [openedCase('case-fails', T0).doc, openedCase('case-works', T0).doc].forEach((doc) => cases.put(doc));
    cases.failing.add('case-fails');
    clock.set(new Date(T0 + AFTER_MS));
    expect(await reconcile()).toMatchObject({ overdue: 2, redriven: { route: 1 }, errors: 1 });
    expect(cases.cases.get('case-fails')?.nextStep).toMatchObject({ since: T0, redrives: 0 });
    expect(cases.staged.map((event) => event.subject)).toEqual(['case-works', 'case-works']);

    // The next run, with the store back, re-drives it.
    cases.failing.clear();
    expect(await reconcile()).toMatchObject({ overdue: 1, redriven: { route: 1 }, errors: 0 });
  });

  it('reports an error and re-drives nothing when the overdue cases cannot be read', async () => {
    const { cases, clock, reconcile } = setup();
    cases.put(openedCase('case-waits', T0).doc);
    cases.failOverdue = true;
    clock.set(new Date(T0 + AFTER_MS));
    expect(await reconcile()).toEqual({ overdue: 0, redriven: { route: 0, enqueue: 0, requeue: 0 }, skipped: 0, errors: 1, truncated: false });
    expect(cases.staged).toEqual([]);
  });

  it('never publishes again a step driven by an event it does not re-drive: an error, and the step stays', async () => {
    const { cases, clock, reconcile } = setup();
    const { doc } = openedCase('case-odd', T0);
    cases.put({ ...doc, nextStep: pendingStep('route', { id: 'dec_case-odd', type: EventTypes.decisionMade }, T0) });
    clock.set(new Date(T0 + AFTER_MS));
    expect(await reconcile()).toMatchObject({ overdue: 1, redriven: { route: 0, enqueue: 0, requeue: 0 }, errors: 1 });
    expect(cases.staged).toEqual([]);
    expect(cases.cases.get('case-odd')?.nextStep).toMatchObject({ since: T0, redrives: 0 });
  });
});
