import { EventSources } from '@arbiter/contract';
import { httpStatusOf, type Clock, type Closable, type Logger, type ServiceHost } from '@arbiter/platform';
import type { PolicyRegistry } from '@arbiter/policy';
import type { SlaEscalatorConfig } from './config';
import type { EscalationItems, PendingSteps, TimerWheel } from './ports';
import { createSlaTick, type TickReport } from './sla-tick';
import { createReconcile, type ReconcileReport } from './reconcile';
import { authorizeTick } from './tick-auth';

/** How long shutdown waits for a tick in progress. */
export const TIMER_DRAIN_MS = 5_000;

export interface SlaEscalatorDeps {
  host: ServiceHost;
  /** The queue items the tick follows up. */
  items: EscalationItems;
  timers: TimerWheel;
  /** The reconciler's access to cases with a pending step. */
  pendingSteps: PendingSteps;
  policies: PolicyRegistry;
  clock: Clock;
  logger: Logger;
  config: Pick<SlaEscalatorConfig, 'tickEveryMs' | 'tickAuth' | 'tickSecret' | 'pageSize' | 'maxItemsPerTick' | 'concurrency' | 'reconcileAfterMs' | 'reconcileMaxPerTick'>;
}

/** A tick: the SLA timers, then the reconciler (absent when it is off). */
export type EscalatorTickReport = TickReport & { reconcile?: ReconcileReport };

export interface SlaEscalatorApp {
  /** One tick, reported and logged. */
  tick(): Promise<EscalatorTickReport>;
  /** Starts the internal timer (when `tickEveryMs` is set); the returned closable stops it and waits for a running tick. */
  startTimer(): Closable;
}

/**
 * The sla-escalator consumes no subscription: it is driven by a tick, from its own timer (local, one
 * long-running instance) or from Cloud Scheduler calling `POST /tick` (production). Both may run at
 * once, in any number of instances: a tick is idempotent.
 */
export function buildSlaEscalatorApp(deps: SlaEscalatorDeps): SlaEscalatorApp {
  const { host, config, logger } = deps;
  const runTick = createSlaTick({
    items: deps.items,
    timers: deps.timers,
    policies: deps.policies,
    clock: deps.clock,
    logger,
    source: EventSources['sla-escalator'],
    pageSize: config.pageSize,
    maxItemsPerTick: config.maxItemsPerTick,
    concurrency: config.concurrency,
  });
  const reconcile = config.reconcileAfterMs === null
    ? undefined
    : createReconcile({ cases: deps.pendingSteps, clock: deps.clock, logger, source: EventSources['sla-escalator'], afterMs: config.reconcileAfterMs, maxPerRun: config.reconcileMaxPerTick, concurrency: config.concurrency });
  const tick = async (): Promise<EscalatorTickReport> => {
    const report = await runTick();
    const busy = report.read.due + report.read.leases > 0;
    logger[report.errors ? 'warn' : busy ? 'info' : 'debug']({ tick: report }, `sla tick: ${report.read.due} due, ${report.read.leases} leases expired, ${report.escalations.reminder + report.escalations.escalated + report.escalations['on-call']} escalations, ${report.decided} expiry decisions, ${report.released} released in ${report.durationMs} ms`);
    if (!reconcile) return report;
    const reconciled = await reconcile();
    const redriven = reconciled.redriven.route + reconciled.redriven.enqueue + reconciled.redriven.requeue;
    logger[reconciled.errors || redriven ? 'warn' : 'debug']({ reconcile: reconciled }, `reconciler: ${reconciled.overdue} cases overdue, ${redriven} re-driven (route ${reconciled.redriven.route}, enqueue ${reconciled.redriven.enqueue}, requeue ${reconciled.redriven.requeue}), ${reconciled.skipped} skipped`);
    return { ...report, reconcile: reconciled };
  };

  host.app.post('/tick', (req, res) => {
    const allowed = authorizeTick({ mode: config.tickAuth, ...(config.tickSecret ? { secret: config.tickSecret } : {}) }, req.headers);
    if (!allowed.ok) {
      res.status(httpStatusOf(allowed.error.code)).json({ error: allowed.error });
      return;
    }
    tick().then(
      (report) => res.status(200).json(report),
      (error: unknown) => {
        logger.error({ err: error }, 'sla tick failed');
        res.status(503).json({ error: { code: 'TRANSIENT.TICK_FAILED', message: error instanceof Error ? error.message : String(error) } });
      },
    );
  });

  const startTimer = (): Closable => {
    let running: Promise<unknown> | undefined;
    const every = config.tickEveryMs;
    const timer = every === null ? undefined : setInterval(() => {
      if (running) return; // the previous tick is still working: skip, never pile up
      running = tick()
        .catch((error: unknown) => logger.error({ err: error }, 'sla tick failed; next tick retries'))
        .finally(() => {
          running = undefined;
        });
    }, every);
    timer?.unref();
    return {
      name: 'sla-tick-timer',
      close: async () => {
        if (timer) clearInterval(timer);
        // Let a running tick finish (its transactions are each atomic, so cutting it short is safe too).
        let waited: NodeJS.Timeout | undefined;
        await Promise.race([running, new Promise((resolve) => (waited = setTimeout(resolve, TIMER_DRAIN_MS)))]);
        clearTimeout(waited);
      },
    };
  };

  return { tick, startTimer };
}
