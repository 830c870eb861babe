import { FieldValue, type DocumentData, type DocumentReference, type Firestore, type Transaction, type WriteBatch } from '@google-cloud/firestore';
import { createEvent, EventTypes, type ArbiterEvent, type EventDataMap, type EventType } from '@arbiter/contract';
import type { ApprovalRecord, DecisionMade, Policy } from '@arbiter/core';
import { currentTraceExtensions, stageEvents, type OutboxRelay, type StagedWrites } from '@arbiter/platform';
import { buildDecision, buildDecisionV2, caseAuditFactsOf, caseDecidedEventIdOf, decisionIdOf, decisionV2EventIdOf, type DecisionInput } from './decision';
import { Collections, type CaseDoc, type PatternDoc } from './documents';
import { caseExpiry } from './retention';
import { caseConverter, patternConverter } from './converters';

/** The update of `nextStep` that says the case's pending step has happened (the field is removed). */
export const pendingStepDone = (): FieldValue => FieldValue.delete();

/** The gRPC status codes a lost race ends in. */
export const GrpcCode = { NOT_FOUND: 5, ALREADY_EXISTS: 6, FAILED_PRECONDITION: 9, ABORTED: 10 } as const;

/**
 * A producer's event, validated against its schema. An invalid event of our own making is a bug, so
 * this throws (the handler's caller retries, then dead-letters — never silently publishes garbage).
 * It carries the active span's trace context (`traceparent` extension) when tracing is on, also
 * through the outbox, which stores the event as it is here.
 */
export function producedEvent<T extends EventType>(type: T, source: string, data: EventDataMap[T], options: { id: string; subject?: string; time?: Date }): ArbiterEvent<T> {
  const trace = currentTraceExtensions();
  const event = createEvent({ type, source, data, id: options.id, ...(options.subject ? { subject: options.subject } : {}), ...(options.time ? { time: options.time.toISOString() } : {}), ...(trace.traceparent ? { extensions: trace } : {}) });
  if (!event.ok) throw new Error(`bug: ${type} we produced is invalid: ${event.error.message}`);
  return event.value;
}

export interface Work<T> {
  result: T;
  /** Events to publish once the transaction commits (staged in the outbox inside it). */
  events: ArbiterEvent[];
}

/**
 * Runs `work` in a Firestore transaction, stages its events in the outbox in the same transaction,
 * and publishes them after the commit. The state change and the promise to publish commit together.
 */
export class CaseStore {
  constructor(
    readonly firestore: Firestore,
    private readonly relay: OutboxRelay,
  ) {}

  /** A case document, typed: reads come back as `CaseDoc`, and updates may name only its fields. */
  caseRef(caseId: string): DocumentReference<CaseDoc> {
    return this.firestore.collection(Collections.cases).doc(caseId).withConverter(caseConverter);
  }

  /**
   * `publish: 'soon'` returns once the transaction has committed, without waiting for Pub/Sub (for a
   * reviewer's request: the outbox already holds the events); by default the events are published first.
   */
  async transact<T>(work: (tx: Transaction) => Promise<Work<T>>, now: Date = new Date(), options: { publish?: 'await' | 'soon' } = {}): Promise<T> {
    const done = await this.firestore.runTransaction(async (tx) => {
      const outcome = await work(tx);
      stageEvents(tx, this.firestore, outcome.events, now.getTime());
      return outcome;
    });
    if (options.publish === 'soon') this.relay.publishSoon(done.events);
    else if (done.events.length) await this.relay.publishCommitted(done.events);
    return done.result;
  }

  /**
   * Commits the writes `write` adds and the outbox entries of `events` in one batch (no transaction:
   * one round trip), then publishes the events (`publish: 'soon'`: without waiting). False, with
   * nothing written, when the commit fails with one of the `lostOn` gRPC codes — a precondition
   * that someone else's write broke first; any other failure throws.
   */
  async commitWithEvents(write: (batch: WriteBatch) => void, events: readonly ArbiterEvent[], now: Date, options: { lostOn: readonly number[]; publish?: 'await' | 'soon' }): Promise<boolean> {
    const batch = this.firestore.batch();
    write(batch);
    stageEvents(batch, this.firestore, events, now.getTime());
    try {
      await batch.commit();
    } catch (error) {
      if (options.lostOn.includes((error as { code?: number }).code ?? -1)) return false;
      throw error;
    }
    if (options.publish === 'soon') this.relay.publishSoon(events);
    else if (events.length) await this.relay.publishCommitted(events);
    return true;
  }

  /**
   * Creates `ref` and stages `events` in one write that fails when `ref` already exists (a create
   * precondition, not a transaction: one round trip, no read), then publishes the events. False, with
   * nothing written, when the document existed.
   */
  createWithEvents(ref: DocumentReference, data: DocumentData, events: readonly ArbiterEvent[], now: Date = new Date()): Promise<boolean> {
    return this.commitWithEvents((batch) => batch.create(ref, data), events, now, { lostOn: [GrpcCode.ALREADY_EXISTS] });
  }

  async getCase(caseId: string): Promise<CaseDoc | undefined> {
    const snapshot = await this.caseRef(caseId).get();
    return snapshot.data();
  }
}

export type DecideResult =
  | {
      decided: true;
      decision: ArbiterEvent<typeof EventTypes.decisionMade>;
      /** What to publish: `decision.made.v1`, `decision.made.v2` (same decisionId) and `case.decided`, in that order. */
      events: DecisionEvents;
    }
  | { decided: false; reason: 'already-decided' };

/**
 * Inside a transaction that has READ `caseDoc` (or into a batch conditioned on the update time of that
 * read, which commits nothing if the case changed since): decide the case unless it already is. The case
 * document carries the decision, so two reviewers (or a reviewer and the escalator's expiry) racing
 * for one case produce one decision: Firestore aborts and retries the loser, which then sees it.
 * Every decision is published as `decision.made.v1` and `decision.made.v2` (CONTRACT.md), with the
 * internal `case.decided` beside them (the audit's facts of the case, from `caseDoc`: pass the case as
 * this commit leaves it, route included). A person's approved outcomes with pattern features are
 * remembered for fast-track.
 */
export function decideInTransaction(tx: StagedWrites, store: CaseStore, caseDoc: CaseDoc, policy: Policy, input: DecisionInput, source: string): DecideResult {
  if (caseDoc.decision) return { decided: false, reason: 'already-decided' };
  const decision = buildDecision(caseDoc, policy, input);
  // A decided case no longer waits for the crew's evidence: its pending requeue is over too.
  const requeueOver = caseDoc.nextStep?.kind === 'requeue' ? { nextStep: pendingStepDone() } : {};
  tx.update(store.caseRef(caseDoc.caseId), { decision, status: 'decided', decidedAt: input.decidedAt.getTime(), ...(input.approval ? { approval: input.approval } : {}), ...requeueOver });
  // Only a person's approval becomes a fast-track pattern: an automatic or fast-tracked approval never
  // seeds another, so approvals cannot chain away from any human.
  const features = caseDoc.prediction.pattern?.features;
  if (features && input.decidedBy.kind === 'human' && policy.fastTrack?.approvedOutcomes.includes(input.outcome)) {
    const embedding = caseDoc.prediction.pattern?.embedding;
    const pattern: PatternDoc = { caseId: caseDoc.caseId, useCase: caseDoc.useCase, outcome: input.outcome, features, ...(embedding ? { embedding } : {}), decidedAt: input.decidedAt.getTime(), expireAt: caseExpiry(policy, caseDoc.openedAt) };
    tx.set(store.firestore.collection(Collections.patterns).withConverter(patternConverter).doc(caseDoc.caseId), pattern);
  }
  const events = decisionEvents(caseDoc, decision, input.approval, source);
  return { decided: true, decision: events[0], events };
}

/** The events of one decision: `decision.made.v1`, `decision.made.v2` and `case.decided`. */
export type DecisionEvents = [ArbiterEvent<typeof EventTypes.decisionMade>, ArbiterEvent<typeof EventTypes.decisionMadeV2>, ArbiterEvent<typeof EventTypes.caseDecided>];

/**
 * The events of one decision of `caseDoc`: `decision.made.v1` and `decision.made.v2` (v1 plus the
 * approval block), same decisionId, and `case.decided` (internal): the v1 data and identity with the
 * facts of the case its audit row needs. Each with a deterministic `ce-id` of its own.
 */
export function decisionEvents(caseDoc: CaseDoc, decision: DecisionMade, approval: ApprovalRecord | undefined, source: string): DecisionEvents {
  const time = new Date(decision.decidedAt);
  const v1 = producedEvent(EventTypes.decisionMade, source, decision, { id: decisionIdOf(decision.caseId), subject: decision.caseId, time });
  const v2 = producedEvent(EventTypes.decisionMadeV2, source, buildDecisionV2(decision, approval), { id: decisionV2EventIdOf(decision.caseId), subject: decision.caseId, time });
  const decided = producedEvent(
    EventTypes.caseDecided,
    source,
    { caseId: decision.caseId, useCase: decision.useCase, decision, decisionEvent: { id: v1.id, source: v1.source, time: v1.time ?? time.toISOString() }, caseFacts: caseAuditFactsOf(caseDoc) },
    { id: caseDecidedEventIdOf(decision.caseId), subject: decision.caseId, time },
  );
  return [v1, v2, decided];
}
