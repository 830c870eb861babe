import type { Logger } from './logger';

export interface Closable {
  name: string;
  close(): Promise<void>;
}

/**
 * Graceful SIGTERM/SIGINT: stop taking work, drain what is in flight, close clients, in order.
 * Cloud Run gives 10 s after SIGTERM; `timeoutMs` bounds the drain and the process exits anyway.
 */
export function closeOnSignals(logger: Logger, closables: Closable[], timeoutMs = 9_000): void {
  let closing = false;
  const close = async (signal: string): Promise<void> => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, `${signal}: draining`);
    const timer = setTimeout(() => {
      logger.error({ signal }, 'drain timed out; exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    for (const closable of closables) {
      try {
        await closable.close();
      } catch (error) {
        logger.error({ err: error, closable: closable.name }, `could not close ${closable.name}`);
      }
    }
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void close('SIGTERM'));
  process.once('SIGINT', () => void close('SIGINT'));
}
