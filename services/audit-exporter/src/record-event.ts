import { createHash } from 'node:crypto';
import { EventTypes, schemaIdOf, type ArbiterEvent } from '@arbiter/contract';
import { fail, ok, type CaseAuditFacts, type Result } from '@arbiter/core';
import { idFromEventIdentity, permanentFailure, transientFailure, type Clock, type EventHandler, type HandlerFailure } from '@arbiter/platform';
import type { PolicyRegistry } from '@arbiter/policy';
import { markerExpiry } from '@arbiter/case-store';
import { RejectedRowError, type AuditBatcher, type WriteOutcome } from './audit-batcher';
import { caseIdNamedBy, toAuditRow, useCaseNamedBy, type CaseFacts } from './audit-row';
import { LABELLED_EXAMPLES_TABLE, toLabelledExampleRow } from './labelled-example';
import type { AuditEntry, CaseUseCaseProjection } from './ports';

/** `auditLedger/{key}`: one key per event identity (`ce-source`, `ce-id`). */
export const ledgerKeyOf = (event: Pick<ArbiterEvent, 'source' | 'id'>): string => idFromEventIdentity('audit', event.source, event.id);

/** BigQuery `insertId`: the event identity `<ce-source>/<ce-id>`, hashed when it would be too long to be an insertId. */
export function insertIdOf(event: Pick<ArbiterEvent, 'source' | 'id'>): string {
  const identity = `${event.source}/${event.id}`;
  return identity.length <= 128 ? identity : `sha256:${createHash('sha256').update(`${event.source}\n${event.id}`).digest('hex')}`;
}

export interface RecordEventDeps {
  policies: PolicyRegistry;
  /** The exporter's own caseId → use case projection, for the events that name no use case. */
  caseUseCases: CaseUseCaseProjection;
  batcher: Pick<AuditBatcher, 'add'>;
  clock: Clock;
}

export type RecordOutcome = WriteOutcome | 'not-audited';

/**
 * The events whose use case the projection keeps: every real case is announced by `case.opened` (a
 * revised decision is one of them: golden cases are never decided); a case waiting for the crew by
 * `evidence.requested` (golden cases, never opened by `case.opened`, included). One write per case
 * and per evidence request: `case.decided` adds nothing a revision could need.
 */
const PROJECTED: ReadonlySet<string> = new Set([EventTypes.caseOpened, EventTypes.evidenceRequested]);

/**
 * Records one event as one audit row. Resolves only once the row is written (so the delivery is
 * acked after the write); a row BigQuery refuses or an unknown use case is permanent (dead-lettered
 * with its reason); anything else is transient (redelivered) — a case whose use case the projection
 * does not know yet included: the event that names it may still be on its way (after the
 * subscription's max attempts it is dead-lettered with that reason).
 *
 * A pure projection of events: the facts of the case a decided or reviewed row carries come from the
 * event (`case.decided`, `case.reviewed`'s `caseFacts`), never from another service's documents.
 */
export function createRecordEvent(deps: RecordEventDeps): (event: ArbiterEvent) => Promise<Result<RecordOutcome, HandlerFailure>> {
  return async (event) => {
    const caseId = caseIdNamedBy(event);
    if (caseId === undefined) return ok('not-audited');
    let useCase = useCaseNamedBy(event);
    if (useCase === undefined) {
      try {
        useCase = await deps.caseUseCases.useCaseOf(caseId);
      } catch (error) {
        return fail(transientFailure('TRANSIENT.AUDIT_PROJECTION_READ_FAILED', error instanceof Error ? error.message : String(error)));
      }
      if (useCase === undefined) return fail(transientFailure('TRANSIENT.AUDIT_CASE_NOT_PROJECTED', `no use case known yet for case ${caseId} to attribute ${event.type} to (it comes with the case's case.opened or evidence.requested)`));
    }
    const policy = deps.policies.get(useCase);
    if (!policy.ok) return fail(permanentFailure(policy.error.code, policy.error.message));
    // decision.made.v1 is recorded from the case.decided staged with it, which carries the facts of the case.
    if (event.type === EventTypes.decisionMade) return ok('not-audited');
    const ingestedAt = deps.clock.now();
    // Every ledger marker and projection entry goes with the case's retention (caseDays from now, never within the redelivery window).
    const expireAt = markerExpiry(policy.value, ingestedAt.getTime());
    if (PROJECTED.has(event.type)) {
      try {
        await deps.caseUseCases.record({ caseId, useCase, expireAt }, ingestedAt);
      } catch (error) {
        return fail(transientFailure('TRANSIENT.AUDIT_PROJECTION_WRITE_FAILED', error instanceof Error ? error.message : String(error)));
      }
    }
    const { audited, facts } = auditedEventOf(event);
    const row = toAuditRow(audited, { policy: policy.value, useCase, ingestedAt, ...(facts ? { facts } : {}) });
    if (row === undefined) return ok('not-audited');
    const entries: AuditEntry[] = [{ key: ledgerKeyOf(audited), insertId: insertIdOf(audited), expireAt, row }];
    const example = toLabelledExampleRow(audited, policy.value, ingestedAt);
    if (example !== undefined) entries.push({ key: `${ledgerKeyOf(audited)}~example`, insertId: `${insertIdOf(audited)}#example`.slice(-128), expireAt, table: LABELLED_EXAMPLES_TABLE, row: example });
    try {
      const outcomes = await Promise.all(entries.map((entry) => deps.batcher.add(entry)));
      return ok(outcomes[0] as WriteOutcome);
    } catch (error) {
      if (error instanceof RejectedRowError) return fail(permanentFailure('VALIDATION.AUDIT_ROW_REJECTED', error.message));
      return fail(transientFailure('TRANSIENT.AUDIT_WRITE_FAILED', error instanceof Error ? error.message : String(error)));
    }
  };
}

/**
 * The event a row is written for, and the facts of the case it carries. `case.decided` stands for the
 * `decision.made.v1` it accompanies: that event as it was published (its identity, its data, the
 * trace both were produced in), so the row, its insertId and its ledger key are that event's. A
 * `case.reviewed` carries its facts itself.
 */
export function auditedEventOf(event: ArbiterEvent): { audited: ArbiterEvent; facts?: CaseFacts } {
  if (event.type === EventTypes.caseDecided) {
    const { decision, decisionEvent, caseFacts } = event.data;
    const published: ArbiterEvent<typeof EventTypes.decisionMade> = {
      specversion: '1.0',
      id: decisionEvent.id,
      source: decisionEvent.source,
      type: EventTypes.decisionMade,
      subject: decision.caseId,
      time: decisionEvent.time,
      dataschema: schemaIdOf(EventTypes.decisionMade),
      datacontenttype: 'application/json',
      ...(event.extensions ? { extensions: event.extensions } : {}),
      data: decision,
    };
    return { audited: published, facts: factsOf(caseFacts) };
  }
  if (event.type === EventTypes.caseReviewed && event.data.caseFacts) return { audited: event, facts: factsOf(event.data.caseFacts) };
  return { audited: event };
}

/** The facts as the row's columns take them (times in epoch ms). */
function factsOf(facts: CaseAuditFacts): CaseFacts {
  const { openedAt, ...rest } = facts;
  return { openedAt: Date.parse(openedAt), ...rest };
}

/** The same, as a ServiceHost handler that logs what it did. */
export function recordEventHandler(record: ReturnType<typeof createRecordEvent>): EventHandler {
  return async (event, { logger }) => {
    const result = await record(event);
    if (result.ok) logger.debug({ outcome: result.value }, 'audit: recorded');
    return result;
  };
}
