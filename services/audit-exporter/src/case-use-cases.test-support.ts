import type { CaseUseCaseEntry, CaseUseCaseProjection } from './ports';

/** In-memory twin of the exporter's caseId → use case projection, for unit tests. */
export class InMemoryCaseUseCaseProjection implements CaseUseCaseProjection {
  readonly entries = new Map<string, CaseUseCaseEntry>();
  /** Throw on this many writes before succeeding. */
  failures = 0;

  async useCaseOf(caseId: string): Promise<string | undefined> {
    return this.entries.get(caseId)?.useCase;
  }

  async record(entry: CaseUseCaseEntry): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('unavailable');
    }
    this.entries.set(entry.caseId, entry);
  }
}
