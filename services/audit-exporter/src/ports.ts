import type { AuditRow } from './audit-row';
import type { LabelledExampleRow } from './labelled-example';

/** One row to write, with the identity BigQuery deduplicates on (best effort) and our ledger key. */
export interface AuditEntry {
  /** `auditLedger/{key}`: derived from (`ce-source`, `ce-id`). */
  key: string;
  /** BigQuery streaming `insertId`: the event identity. */
  insertId: string;
  /** When the ledger marker may be deleted (`expireAt`, from the case's policy: `markerExpiry`). */
  expireAt: Date;
  /** The table the row goes to; absent: the audit trail (`audit_events`). */
  table?: string;
  row: AuditRow | LabelledExampleRow;
}

/** Rows the sink refused for good (the row itself is wrong), by insertId. Everything else was written. */
export interface InsertOutcome {
  rejected: Map<string, string>;
}

/** Where audit rows go (BigQuery in production, the emulator locally). Throws on transient trouble. */
export interface AuditSink {
  insert(entries: readonly AuditEntry[]): Promise<InsertOutcome>;
  /** Whether an error thrown by `insert` is worth retrying. */
  isTransient(error: unknown): boolean;
}

export interface LedgerMarker {
  key: string;
  expireAt: Date;
}

/** Markers of events already written (`auditLedger/{key}`), so a redelivery writes nothing. */
export interface AuditLedger {
  /** Which of `keys` are recorded. */
  recorded(keys: readonly string[]): Promise<Set<string>>;
  /** Records the events as written, each marker with its own `expireAt`. */
  record(markers: ReadonlyArray<LedgerMarker>, at: Date): Promise<void>;
}

/** One case's use case, as the exporter's projection keeps it. */
export interface CaseUseCaseEntry {
  caseId: string;
  useCase: string;
  /** When it may be deleted (`expireAt`, from the case's policy like the ledger markers: `markerExpiry`). */
  expireAt: Date;
}

/**
 * The exporter's own projection caseId → use case (`auditCaseUseCases/{caseId}`), written from the
 * events it records that name both (`case.opened`, `evidence.requested`) and read for
 * the events that name no use case (`decision.revised`, `evidence.submitted`). Its own fact: it never
 * reads another service's documents.
 */
export interface CaseUseCaseProjection {
  useCaseOf(caseId: string): Promise<string | undefined>;
  /** Records (again: idempotent) the use case of a case, at `at`. */
  record(entry: CaseUseCaseEntry, at: Date): Promise<void>;
}
