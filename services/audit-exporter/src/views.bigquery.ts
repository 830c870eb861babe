/**
 * The audit views in BigQuery: created or updated at start-up (`ARBITER_AUDIT_ENSURE_VIEWS`), from the
 * definitions `loadViews` reads.
 */
import type { BigQuery, TableMetadata } from '@google-cloud/bigquery';
import { backOff } from 'exponential-backoff';
import type { ViewDefinition } from './views';

const httpCode = (error: unknown): number | undefined => {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
};

/** A 5xx, a 429 or no answer at all: worth another try (the BigQuery emulator answers 500 now and then). */
const isTransient = (error: unknown): boolean => {
  const code = httpCode(error);
  return code === undefined || code === 429 || code >= 500;
};

export interface EnsureViewsOptions {
  /** Tries of each call when BigQuery answers with a transient error (exponential backoff, full jitter). */
  attempts?: number;
  startingDelayMs?: number;
}

/**
 * Creates the views, or updates their query when it changed (idempotent; run at start-up, possibly by
 * several instances at once: a view another instance created meanwhile counts as unchanged). Each
 * call is retried on transient errors, so a BigQuery hiccup does not stop the exporter from starting.
 * Returns what it did per view.
 */
export async function ensureViews(bigquery: Pick<BigQuery, 'dataset'>, datasetId: string, views: readonly ViewDefinition[], options: EnsureViewsOptions = {}): Promise<Record<string, 'created' | 'updated' | 'unchanged'>> {
  const retried = <T>(call: () => Promise<T>): Promise<T> =>
    backOff(call, { numOfAttempts: options.attempts ?? 6, startingDelay: options.startingDelayMs ?? 250, maxDelay: 5_000, jitter: 'full', retry: (error: unknown) => isTransient(error) });
  const report: Record<string, 'created' | 'updated' | 'unchanged'> = {};
  const dataset = bigquery.dataset(datasetId);
  for (const view of views) {
    const table = dataset.table(view.id);
    let existing: TableMetadata | undefined;
    try {
      [existing] = (await retried(() => table.getMetadata())) as [TableMetadata, unknown];
    } catch (error) {
      if (httpCode(error) !== 404) throw error;
    }
    if (existing === undefined) {
      try {
        await retried(() => dataset.createTable(view.id, { view: { query: view.query, useLegacySql: false } }));
        report[view.id] = 'created';
      } catch (error) {
        if (httpCode(error) !== 409) throw error;
        report[view.id] = 'unchanged';
      }
    } else if (existing.view?.query === view.query) {
      report[view.id] = 'unchanged';
    } else {
      await retried(() => table.setMetadata({ view: { query: view.query, useLegacySql: false } }));
      report[view.id] = 'updated';
    }
  }
  return report;
}
