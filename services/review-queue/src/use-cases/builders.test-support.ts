/**
 * What the use-case unit tests share: the shipped policies (loaded once per test file), a logger that
 * writes nothing, a handler context for the event consumers, and a case and its queue item to work on.
 */
import path from 'node:path';
import { Writable } from 'node:stream';
import { queueItemId, type CaseDoc, type QueueItemDoc } from '@arbiter/case-store';
import { createLogger, repoRoot, type HandlerContext, type Logger } from '@arbiter/platform';
import { loadPolicies, type PolicyRegistry } from '@arbiter/policy';

/** The policies in `policies/`, as review-queue serves them. */
export function shippedPolicies(): PolicyRegistry {
  const loaded = loadPolicies(path.join(repoRoot(), 'policies'));
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.value;
}

export const quietLogger = (): Logger => createLogger({ service: 'unit', level: 'fatal', destination: new Writable({ write: (_c, _e, done) => done() }) });

/** The context a consumer gets with one delivery (attempt 1). */
export const handlerContext = (): HandlerContext => ({ logger: quietLogger(), delivery: { data: Buffer.from(''), attributes: {}, messageId: 'm-1', deliveryAttempt: 1 } });

/** A medium-band vehicle-damage case (a scratch at 0.8) as the assessor opened it at `openedAt`. */
export function damageCase(caseId: string, openedAt: number, status: CaseDoc['status'] = 'opened'): CaseDoc {
  const subject = { type: 'booking', id: `bk-${caseId}` };
  const model = { name: 'damage-detr', version: '1.4.2' };
  return {
    caseId,
    useCase: 'vehicle-damage',
    policy: { id: 'vehicle-damage', version: '1' },
    subject,
    model,
    prediction: { useCase: 'vehicle-damage', subject, model, prediction: { label: 'scratch', confidence: 0.8 } },
    confidence: 0.8,
    confidenceSource: 'prediction',
    band: 'medium',
    thresholds: { high: 0.95, low: 0.7 },
    sourceEvent: { id: `pred-${caseId}`, source: '//unit/vision' },
    status,
    openedAt,
  };
}

/**
 * An open decision item of a `damageCase` in `damage-review`, enqueued 10 min before `nowMs`, due 50 min
 * after it, first checked in 30 min (`overrides` may change any field, the purpose included).
 */
export function damageItem(caseId: string, nowMs: number, overrides: Partial<QueueItemDoc> = {}): QueueItemDoc {
  const MIN = 60_000;
  return {
    itemId: queueItemId(caseId, overrides.purpose ?? 'decision'),
    caseId,
    useCase: 'vehicle-damage',
    queue: 'damage-review',
    purpose: 'decision',
    status: 'open',
    lane: 1,
    priority: 10,
    priorityReasons: [],
    enqueuedAt: nowMs - 10 * MIN,
    dueAt: nowMs + 50 * MIN,
    blind: false,
    sla: { sent: [], nextCheckAt: nowMs + 30 * MIN },
    summary: { label: 'scratch', confidence: 0.8, band: 'medium', model: { name: 'damage-detr', version: '1.4.2' }, subject: { type: 'booking', id: `bk-${caseId}` } },
    ...overrides,
  };
}
