import { createHash } from 'node:crypto';
import type { ArbiterEvent } from '@arbiter/contract';
import { fail, ok, type Result } from '@arbiter/core';
import { idFromEventIdentity, permanentFailure, transientFailure, type Clock, type EventHandler, type HandlerFailure } from '@arbiter/platform';
import type { PolicyRegistry } from '@arbiter/policy';
import { markerExpiry } from '@arbiter/cases';
import { RejectedRowError, type AuditBatcher, type WriteOutcome } from './audit-batcher';
import { caseIdOf, toAuditRow, useCaseOf } from './audit-row';
import type { CaseFactsFromEvents } from './case-facts.from-events';
import { LABELLED_EXAMPLES_TABLE, toLabelledExampleRow } from './labelled-example';
import { EventTypes } from '@arbiter/contract';
import type { AuditEntry, CaseFacts, CaseUseCases } from './ports';

/** `auditLedger/{key}`: one key per event identity (`ce-source`, `ce-id`). */
export const ledgerKeyOf = (event: Pick<ArbiterEvent, 'source' | 'id'>): string => idFromEventIdentity('audit', event.source, event.id);

/** BigQuery `insertId`: the event identity `<ce-source>/<ce-id>`, hashed when it would be too long to be an insertId. */
export function insertIdOf(event: Pick<ArbiterEvent, 'source' | 'id'>): string {
  const identity = `${event.source}/${event.id}`;
  return identity.length <= 128 ? identity : `sha256:${createHash('sha256').update(`${event.source}\n${event.id}`).digest('hex')}`;
}

export interface RecordEventDeps {
  policies: PolicyRegistry;
  cases: CaseUseCases;
  batcher: Pick<AuditBatcher, 'add'>;
  clock: Clock;
  /** Facts already seen in the case's own events: spares the case read for automatic and default decisions. */
  seen?: CaseFactsFromEvents;
}

export type RecordOutcome = WriteOutcome | 'not-audited';

/**
 * Records one event as one audit row. Resolves only once the row is written (so the delivery is
 * acked after the write); a row BigQuery refuses, an unknown use case or case is permanent
 * (dead-lettered with its reason); anything else is transient (redelivered).
 */
export function createRecordEvent(deps: RecordEventDeps): (event: ArbiterEvent) => Promise<Result<RecordOutcome, HandlerFailure>> {
  return async (event) => {
    const caseId = caseIdOf(event);
    if (caseId === undefined) return ok('not-audited');
    deps.seen?.observe(event);
    let useCase = useCaseOf(event);
    if (useCase === undefined) {
      useCase = await deps.cases.useCaseOf(caseId);
      if (useCase === undefined) return fail(permanentFailure('CASE.INVALID_UNKNOWN_CASE', `no case ${caseId} to attribute ${event.type} to`));
    }
    const policy = deps.policies.get(useCase);
    if (!policy.ok) return fail(permanentFailure(policy.error.code, policy.error.message));
    // Decisions and reviews carry facts of the case document (timing on the SLA clock, the model's outcome, a golden answer).
    const needsFacts = event.type === EventTypes.decisionMade || event.type === EventTypes.caseReviewed;
    const facts = needsFacts ? (factsSeen(deps.seen, event) ?? (deps.cases.factsOf ? await deps.cases.factsOf(caseId) : undefined)) : undefined;
    const ingestedAt = deps.clock.now();
    const row = toAuditRow(event, { policy: policy.value, useCase, ingestedAt, ...(facts ? { facts } : {}) });
    if (row === undefined) return ok('not-audited');
    // The ledger markers go with the case's retention (caseDays from now, never within the redelivery window).
    const expireAt = markerExpiry(policy.value, ingestedAt.getTime());
    const entries: AuditEntry[] = [{ key: ledgerKeyOf(event), insertId: insertIdOf(event), expireAt, row }];
    const example = toLabelledExampleRow(event, policy.value, ingestedAt);
    if (example !== undefined) entries.push({ key: `${ledgerKeyOf(event)}~example`, insertId: `${insertIdOf(event)}#example`.slice(-128), expireAt, table: LABELLED_EXAMPLES_TABLE, row: example });
    try {
      const outcomes = await Promise.all(entries.map((entry) => deps.batcher.add(entry)));
      return ok(outcomes[0] as WriteOutcome);
    } catch (error) {
      if (error instanceof RejectedRowError) return fail(permanentFailure('VALIDATION.AUDIT_ROW_REJECTED', error.message));
      return fail(transientFailure('TRANSIENT.AUDIT_WRITE_FAILED', error instanceof Error ? error.message : String(error)));
    }
  };
}

const factsSeen = (seen: CaseFactsFromEvents | undefined, event: ArbiterEvent): CaseFacts | undefined =>
  seen !== undefined && event.type === EventTypes.decisionMade ? seen.factsOfDecision(event as ArbiterEvent<typeof EventTypes.decisionMade>) : undefined;

/** The same, as a ServiceHost handler that logs what it did. */
export function recordEventHandler(record: ReturnType<typeof createRecordEvent>): EventHandler {
  return async (event, { logger }) => {
    const result = await record(event);
    if (result.ok) logger.debug({ outcome: result.value }, 'audit: recorded');
    return result;
  };
}
