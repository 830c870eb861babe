import { FieldValue, type Transaction } from '@google-cloud/firestore';
import { Collections, decideInTransaction, producedEvent, type CaseDoc, type CaseStore, type QueueItemDoc } from '@arbiter/cases';
import { EventTypes, type ArbiterEvent } from '@arbiter/contract';
import { escalationState, type EscalationLevel, type Policy, type QueueSpec } from '@arbiter/core';
import type { Clock, Logger } from '@arbiter/platform';
import type { PolicyRegistry } from '@arbiter/policy';
import type { DueQueueItems, ItemPage } from './queue-items.firestore';

/** What one tick did; also the body of `POST /tick` and the tick's log line. */
export interface TickReport {
  at: string;
  durationMs: number;
  /** Documents the tick's queries returned: grows with due items and expired leases, not with the backlog. */
  read: { due: number; leases: number };
  escalations: Record<EscalationLevel, number>;
  /** Items past their expiry, closed; `decided`: of those, cases this tick decided with the policy's expiry outcome. */
  expired: number;
  decided: number;
  /** Claims whose lease ran out, put back in the queue. */
  released: number;
  /** Due items with nothing to send (superseded reminders), their next check moved. */
  rescheduled: number;
  /** Read but left alone: another escalator handled them first, done, or already decided. */
  skipped: number;
  /** Items whose use case or queue is not in the loaded policies (checked again later), or whose transaction failed. */
  errors: number;
  /** The tick stopped at `maxItemsPerTick`; the next tick continues. */
  truncated: boolean;
}

export interface SlaTickDeps {
  store: CaseStore;
  items: DueQueueItems;
  policies: PolicyRegistry;
  clock: Clock;
  logger: Logger;
  source: string;
  pageSize: number;
  maxItemsPerTick: number;
  concurrency: number;
}

/** How long an item whose policy or queue is unknown waits before it is looked at again. */
export const MISCONFIGURED_RETRY_MS = 15 * 60_000;
export const SYSTEM_ACTOR = { id: 'sla-escalator', role: 'system' } as const;

type ItemOutcome =
  | { kind: 'escalated'; levels: EscalationLevel[] }
  | { kind: 'rescheduled' }
  | { kind: 'expired'; decided: boolean }
  | { kind: 'released' }
  | { kind: 'skipped'; why: string }
  | { kind: 'misconfigured'; code: string; message: string };

const itemRefOf = (store: CaseStore, itemId: string) => store.firestore.collection(Collections.queueItems).doc(itemId);

/** The escalation event of one level of one item; its `ce-id` (`<itemId>:<key>`) makes it once per level. */
export const escalationEventId = (itemId: string, key: string): string => `${itemId}:${key}`;
/** The release event of one claim (a claim is identified by when it was taken). */
export const releaseEventId = (itemId: string, claimedAt: number): string => `${itemId}:lease-expired:${claimedAt}`;

function queueOf(policies: PolicyRegistry, item: QueueItemDoc): { policy: Policy; queue: QueueSpec } | { code: string; message: string } {
  const policy = policies.get(item.useCase);
  if (!policy.ok) return policy.error;
  const queue = policy.value.queues.find((q) => q.id === item.queue);
  if (!queue) return { code: 'POLICY.UNKNOWN_QUEUE', message: `policy ${item.useCase} has no queue ${JSON.stringify(item.queue)}` };
  return { policy: policy.value, queue };
}

/**
 * One due item, in a transaction on that item (and its case): send each due escalation level once,
 * move `sla.nextCheckAt`, or close an expired item — deciding its case with the policy's expiry
 * outcome through `decideInTransaction`, so a reviewer deciding at the same moment and the expiry
 * produce one decision between them.
 */
async function checkItem(deps: SlaTickDeps, itemId: string, now: Date): Promise<ItemOutcome> {
  const { store, policies, source } = deps;
  const nowMs = now.getTime();
  // A decision item's id names its case (`<caseId>~decision`): read both in one round trip.
  const [idCaseId, idPurpose] = itemId.split('~');
  const caseFromId = idPurpose === 'decision' && idCaseId ? store.caseRef(idCaseId) : undefined;
  return store.transact<ItemOutcome>(async (tx: Transaction) => {
    const itemRef = itemRefOf(store, itemId);
    const [snapshot, caseRead] = caseFromId ? await tx.getAll(itemRef, caseFromId) : [await tx.get(itemRef), undefined];
    if (!snapshot?.exists) return { result: { kind: 'skipped', why: 'gone' }, events: [] };
    const item = snapshot.data() as QueueItemDoc;
    const nextCheckAt = item.sla?.nextCheckAt ?? null;
    if (nextCheckAt === null || nextCheckAt > nowMs) return { result: { kind: 'skipped', why: 'not-due' }, events: [] };
    if (item.status === 'done') {
      tx.update(itemRef, { 'sla.nextCheckAt': null });
      return { result: { kind: 'skipped', why: 'done' }, events: [] };
    }
    const found = queueOf(policies, item);
    if ('code' in found) {
      tx.update(itemRef, { 'sla.nextCheckAt': nowMs + MISCONFIGURED_RETRY_MS });
      return { result: { kind: 'misconfigured', ...found }, events: [] };
    }
    const { policy, queue } = found;
    let caseDoc: CaseDoc | undefined;
    if (item.purpose === 'decision') {
      const caseSnapshot = caseRead && caseFromId?.id === item.caseId ? caseRead : await tx.get(store.caseRef(item.caseId));
      caseDoc = caseSnapshot.exists ? (caseSnapshot.data() as CaseDoc) : undefined;
      if (caseDoc === undefined || caseDoc.decision) {
        // Decided elsewhere (or no case at all): nothing left to chase.
        tx.update(itemRef, { 'sla.nextCheckAt': null });
        return { result: { kind: 'skipped', why: caseDoc ? 'already-decided' : 'no-case' }, events: [] };
      }
    }
    const sent = item.sla?.sent ?? [];
    const state = escalationState({ openedAt: new Date(item.enqueuedAt), dueAt: new Date(item.dueAt) }, queue.sla, queue.calendar, now, sent);

    if (state.expired) {
      const events: ArbiterEvent[] = [];
      let decided = false;
      if (caseDoc) {
        const outcome = decideInTransaction(
          tx,
          store,
          caseDoc,
          policy,
          {
            outcome: queue.sla.expiry.outcome,
            decidedBy: { kind: 'policy', id: `policy:${caseDoc.policy.id}@${caseDoc.policy.version}` },
            reasonCode: queue.sla.expiry.reasonCode,
            decidedAt: now,
          },
          source,
        );
        if (outcome.decided) {
          decided = true;
          events.push(outcome.decision);
        }
      }
      tx.update(itemRef, { status: 'done', doneAt: nowMs, 'sla.nextCheckAt': null });
      return { result: { kind: 'expired', decided }, events };
    }

    const assignee = item.status === 'claimed' && item.claim ? item.claim.reviewerId : undefined;
    const events = state.due.map((due) =>
      producedEvent(
        EventTypes.slaEscalated,
        source,
        {
          caseId: item.caseId,
          useCase: item.useCase,
          queue: item.queue,
          level: due.level,
          dueAt: due.dueAt.toISOString(),
          escalatedAt: now.toISOString(),
          reason: due.reason,
          ...(assignee ? { assignee } : {}),
        },
        { id: escalationEventId(itemId, due.key), subject: item.caseId, time: now },
      ),
    );
    tx.update(itemRef, {
      'sla.sent': [...sent, ...state.due.map((due) => due.key)],
      'sla.nextCheckAt': state.nextCheckAt ? state.nextCheckAt.getTime() : null,
    });
    const result: ItemOutcome = events.length ? { kind: 'escalated', levels: state.due.map((due) => due.level) } : { kind: 'rescheduled' };
    return { result, events };
  }, now);
}

/** A claim whose lease ran out goes back to the queue, announced with `case.released` (reason lease-expired). */
async function releaseItem(deps: SlaTickDeps, itemId: string, now: Date): Promise<ItemOutcome> {
  const { store, source } = deps;
  const nowMs = now.getTime();
  return store.transact<ItemOutcome>(async (tx) => {
    const itemRef = itemRefOf(store, itemId);
    const snapshot = await tx.get(itemRef);
    const item = snapshot.exists ? (snapshot.data() as QueueItemDoc) : undefined;
    if (!item || item.status !== 'claimed' || !item.claim || item.claim.leaseUntil > nowMs) {
      return { result: { kind: 'skipped', why: 'lease-renewed-or-released' }, events: [] };
    }
    const event = producedEvent(
      EventTypes.caseReleased,
      source,
      { caseId: item.caseId, useCase: item.useCase, queue: item.queue, releasedBy: { ...SYSTEM_ACTOR }, reason: 'lease-expired', releasedAt: now.toISOString() },
      { id: releaseEventId(itemId, item.claim.claimedAt), subject: item.caseId, time: now },
    );
    tx.update(itemRef, { status: 'open', claim: FieldValue.delete() });
    return { result: { kind: 'released' }, events: [event] };
  }, now);
}

/** Runs `work` over `ids` with at most `concurrency` at once. `work` must not throw. */
async function forEachLimited(ids: readonly string[], concurrency: number, work: (id: string) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length) await work(ids[next++] as string);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
}

/**
 * The tick: due items first (escalations and expiry), then expired leases, each in pages of
 * `pageSize`, at most `maxItemsPerTick` of each. Safe to run in several processes at once: every
 * change is a transaction that re-reads the item, and every event has a deterministic `ce-id`.
 */
export function createSlaTick(deps: SlaTickDeps): () => Promise<TickReport> {
  return async () => {
    const started = Date.now();
    const now = deps.clock.now();
    const nowMs = now.getTime();
    const report: TickReport = {
      at: now.toISOString(),
      durationMs: 0,
      read: { due: 0, leases: 0 },
      escalations: { reminder: 0, escalated: 0, 'on-call': 0 },
      expired: 0,
      decided: 0,
      released: 0,
      rescheduled: 0,
      skipped: 0,
      errors: 0,
      truncated: false,
    };
    const record = (itemId: string, outcome: ItemOutcome | Error): void => {
      if (outcome instanceof Error) {
        report.errors += 1;
        deps.logger.error({ err: outcome, itemId }, `sla tick: item failed: ${outcome.message}`);
        return;
      }
      switch (outcome.kind) {
        case 'escalated':
          for (const level of outcome.levels) report.escalations[level] += 1;
          break;
        case 'rescheduled':
          report.rescheduled += 1;
          break;
        case 'expired':
          report.expired += 1;
          if (outcome.decided) report.decided += 1;
          break;
        case 'released':
          report.released += 1;
          break;
        case 'skipped':
          report.skipped += 1;
          break;
        case 'misconfigured':
          report.errors += 1;
          deps.logger.error({ itemId, code: outcome.code }, `sla tick: ${outcome.message}; looking again in ${MISCONFIGURED_RETRY_MS / 60_000} min`);
          break;
      }
    };

    const sweep = async (query: 'due' | 'expiredLeases', counter: 'due' | 'leases', work: (id: string, now: Date) => Promise<ItemOutcome>, firstPage?: Promise<ItemPage>): Promise<void> => {
      let after: unknown;
      for (let first = true; ; first = false) {
        const limit = Math.min(deps.pageSize, deps.maxItemsPerTick - report.read[counter]);
        if (limit <= 0) {
          report.truncated = true;
          return;
        }
        const page = first && firstPage ? await firstPage : await deps.items[query](nowMs, limit, after);
        report.read[counter] += page.ids.length;
        await forEachLimited(page.ids, deps.concurrency, async (id) => {
          record(id, await work(id, now).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))));
        });
        if (page.more === false || page.ids.length < limit) return;
        after = page.next;
      }
    };

    // Both questions go out at once (each item is re-read in its own transaction, so the leases page
    // read before the due items are worked is safe to act on).
    const firstLeases = deps.items.expiredLeases(nowMs, Math.min(deps.pageSize, deps.maxItemsPerTick));
    firstLeases.catch(() => undefined); // awaited (and its failure reported) by the second sweep
    await sweep('due', 'due', (id, at) => checkItem(deps, id, at));
    await sweep('expiredLeases', 'leases', (id, at) => releaseItem(deps, id, at), firstLeases);

    report.durationMs = Date.now() - started;
    return report;
  };
}
