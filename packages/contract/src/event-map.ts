import type {
  CaseClaimed,
  CaseDecided,
  CaseOpened,
  CaseRedriven,
  CaseReleased,
  CaseReviewed,
  CaseRouted,
  DecisionMade,
  DecisionMadeV2,
  DecisionRevised,
  EnrichmentFlagged,
  EvidenceAccessed,
  EvidenceRequested,
  EvidenceSubmitted,
  FeedbackLabelled,
  PredictionSubmitted,
  SlaEscalated,
} from '@arbiter/core';
import { EventTypes, type EventType } from './topology';

/** The data type of every event type. */
export interface EventDataMap {
  [EventTypes.predictionSubmitted]: PredictionSubmitted;
  [EventTypes.evidenceSubmitted]: EvidenceSubmitted;
  [EventTypes.decisionMade]: DecisionMade;
  [EventTypes.decisionMadeV2]: DecisionMadeV2;
  [EventTypes.decisionRevised]: DecisionRevised;
  [EventTypes.evidenceRequested]: EvidenceRequested;
  [EventTypes.slaEscalated]: SlaEscalated;
  [EventTypes.caseOpened]: CaseOpened;
  [EventTypes.caseRouted]: CaseRouted;
  [EventTypes.caseClaimed]: CaseClaimed;
  [EventTypes.caseReleased]: CaseReleased;
  [EventTypes.caseReviewed]: CaseReviewed;
  [EventTypes.caseDecided]: CaseDecided;
  [EventTypes.evidenceAccessed]: EvidenceAccessed;
  [EventTypes.enrichmentFlagged]: EnrichmentFlagged;
  [EventTypes.feedbackLabelled]: FeedbackLabelled;
  [EventTypes.caseRedriven]: CaseRedriven;
}

/** Fails to compile when an event type has no data type, or the other way round. */
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const eventDataMapCoversEveryType: Exact<keyof EventDataMap, EventType> = true;
void eventDataMapCoversEveryType;

export type EventData<T extends EventType = EventType> = EventDataMap[T];

/** A CloudEvent 1.0 whose data has been validated against its type's schema. */
export interface TypedEvent<T extends EventType> {
  readonly specversion: '1.0';
  /** `ce-id`; with `source`, identifies the event (redeliveries repeat the pair). */
  readonly id: string;
  readonly source: string;
  readonly type: T;
  /** By convention the case id (or the prediction's subject id before a case exists). */
  readonly subject?: string;
  /** RFC 3339. Absent only when a received event had no `ce-time`. */
  readonly time?: string;
  readonly dataschema?: string;
  readonly datacontenttype: 'application/json';
  /** CloudEvents extension attributes (`traceparent`, …), as strings. */
  readonly extensions?: Readonly<Record<string, string>>;
  readonly data: EventDataMap[T];
}

/** An Arbiter event; with no type argument, the union of every event type (narrow it on `type`). */
export type ArbiterEvent<T extends EventType = EventType> = { [K in T]: TypedEvent<K> }[T];

export const SCHEMA_BASE_URI = 'https://arbiter.dev/schemas/events/';

/** The `$id` of an event type's JSON Schema; also sent as `ce-dataschema`. */
export const schemaIdOf = (type: EventType): string => `${SCHEMA_BASE_URI}${type}.schema.json`;
