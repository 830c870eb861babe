/**
 * What the use-case unit tests share: the shipped policies (loaded once per test file), a logger that
 * writes nothing, and a handler context for the event consumers.
 */
import path from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, type HandlerContext, type Logger } from '@arbiter/platform';
import { loadPolicies, type PolicyRegistry } from '@arbiter/policy';

/** The policies in `policies/`, as review-queue serves them. */
export function shippedPolicies(): PolicyRegistry {
  const loaded = loadPolicies(path.resolve(__dirname, '..', '..', '..', 'policies'));
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.value;
}

export const quietLogger = (): Logger => createLogger({ service: 'unit', level: 'fatal', destination: new Writable({ write: (_c, _e, done) => done() }) });

/** The context a consumer gets with one delivery (attempt 1). */
export const handlerContext = (): HandlerContext => ({ logger: quietLogger(), delivery: { data: Buffer.from(''), attributes: {}, messageId: 'm-1', deliveryAttempt: 1 } });
