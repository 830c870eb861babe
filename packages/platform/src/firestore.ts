import { Firestore } from '@google-cloud/firestore';
import { createHash } from 'node:crypto';

/** A Firestore client; against the emulator when FIRESTORE_EMULATOR_HOST is set (the SDK reads it). */
export function createFirestore(projectId: string): Firestore {
  return new Firestore({ projectId, ignoreUndefinedProperties: true });
}

/**
 * A document id derived from an event's identity (`ce-source` + `ce-id`), so a redelivered or
 * republished event maps onto the same document and has no second effect.
 */
export function idFromEventIdentity(prefix: string, source: string, id: string): string {
  return `${prefix}_${createHash('sha256').update(`${source}\n${id}`).digest('hex').slice(0, 32)}`;
}

/** Firestore errors worth retrying (ABORTED contention, DEADLINE_EXCEEDED, UNAVAILABLE, RESOURCE_EXHAUSTED). */
export function isTransientFirestoreError(error: unknown): boolean {
  const code = (error as { code?: number } | undefined)?.code;
  return code === 4 || code === 8 || code === 10 || code === 14;
}
