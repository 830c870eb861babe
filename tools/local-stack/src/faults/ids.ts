import { createHash } from 'node:crypto';

/**
 * The case id Arbiter derives from a prediction's (ce-source, ce-id): `case_` and the first 32 hex
 * characters of sha256(source \n id) — the same derivation as `idFromEventIdentity` in
 * @arbiter/platform, which infra does not depend on. The fault suite's test compares it with the
 * ids Arbiter publishes, so the two cannot drift apart unnoticed.
 */
export const idFromEventIdentityForFaults = (source: string, id: string): string => `case_${createHash('sha256').update(`${source}\n${id}`).digest('hex').slice(0, 32)}`;
