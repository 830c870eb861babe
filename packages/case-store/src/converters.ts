import { FieldValue, type DocumentData, type FirestoreDataConverter, type QueryDocumentSnapshot, type UpdateData } from '@google-cloud/firestore';
import type { QueueItemChange } from '@arbiter/core';
import type { CaseDoc, GoldenCaseDoc, PatternDoc, QueueItemDoc } from './documents';
import type { TimerDoc } from './timers';

/**
 * Typed converters: the one place a document read from Firestore becomes a typed document. A
 * reference or query `withConverter(...)` reads typed documents (no cast at the call site) and takes
 * typed writes: `update` accepts only fields of the document, by their dotted paths too.
 *
 * Reading checks the fields every reader relies on (ids, status, the times that order and schedule
 * work) and refuses anything else with an error naming the document: a document of another shape is a
 * bug of whoever wrote it, not something to guess around.
 */
type Fields = Record<string, unknown>;
type FieldTypes = Readonly<Record<string, 'string' | 'number'>>;

const isFields = (data: unknown): data is Fields => typeof data === 'object' && data !== null;

/** A converter's read: the snapshot's data as `T` once the fields in `required` have their types. */
function reader<T>(what: string, required: FieldTypes): (snapshot: QueryDocumentSnapshot) => T {
  const isDoc = (data: unknown): data is T => isFields(data) && Object.entries(required).every(([field, type]) => typeof data[field] === type);
  return (snapshot) => {
    const data: unknown = snapshot.data();
    if (isDoc(data)) return data;
    const wrong = Object.entries(required).filter(([field, type]) => !isFields(data) || typeof data[field] !== type);
    throw new Error(`bug: ${snapshot.ref.path} is not a ${what}: ${wrong.map(([field, type]) => `${field} must be a ${type}`).join(', ')}`);
  };
}

/** Writes go through as they are: the document type already says what may be written. */
const write = (doc: unknown): DocumentData => (isFields(doc) ? doc : {});

export const caseConverter: FirestoreDataConverter<CaseDoc> = {
  toFirestore: write,
  fromFirestore: reader<CaseDoc>('case', { caseId: 'string', useCase: 'string', status: 'string', openedAt: 'number' }),
};

export const queueItemConverter: FirestoreDataConverter<QueueItemDoc> = {
  toFirestore: write,
  fromFirestore: reader<QueueItemDoc>('queue item', { itemId: 'string', caseId: 'string', useCase: 'string', queue: 'string', purpose: 'string', status: 'string', enqueuedAt: 'number', dueAt: 'number' }),
};

export const patternConverter: FirestoreDataConverter<PatternDoc> = {
  toFirestore: write,
  fromFirestore: reader<PatternDoc>('pattern', { caseId: 'string', useCase: 'string', outcome: 'string', decidedAt: 'number' }),
};

export const goldenCaseConverter: FirestoreDataConverter<GoldenCaseDoc> = {
  toFirestore: write,
  fromFirestore: reader<GoldenCaseDoc>('golden case', { goldenId: 'string', useCase: 'string', queue: 'string', expectedOutcome: 'string' }),
};

export const timerConverter: FirestoreDataConverter<TimerDoc> = {
  toFirestore: write,
  fromFirestore: reader<TimerDoc>('timer', { kind: 'string', itemId: 'string', at: 'number' }),
};

/**
 * A typed converter for a document a service owns (not one of the shared documents above): reads
 * check that the fields in `required` have their types, as the shared converters do.
 */
export function documentConverter<T>(what: string, required: FieldTypes): FirestoreDataConverter<T> {
  return { toFirestore: write, fromFirestore: reader<T>(what, required) };
}

/**
 * A queue-item change the core's rules returned (`claimItem`, `expireLease`, `recordSlaCheck`, `rerankItem`, …),
 * as a typed Firestore update: the one way a rule's change reaches a queue-item document.
 */
export function queueItemUpdateOf(change: QueueItemChange): UpdateData<QueueItemDoc> {
  return {
    ...(change.status !== undefined ? { status: change.status } : {}),
    ...(change.claim !== undefined ? { claim: change.claim } : {}),
    ...(change.releaseClaim ? { claim: FieldValue.delete() } : {}),
    ...(change.doneAt !== undefined ? { doneAt: change.doneAt } : {}),
    ...(change.slaSent !== undefined ? { 'sla.sent': change.slaSent } : {}),
    ...(change.nextCheckAt !== undefined ? { 'sla.nextCheckAt': change.nextCheckAt } : {}),
    ...(change.priority !== undefined ? { priority: change.priority.score, priorityReasons: change.priority.reasons } : {}),
  };
}
