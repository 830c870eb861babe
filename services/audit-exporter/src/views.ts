import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { BigQuery, TableMetadata } from '@google-cloud/bigquery';
import { backOff } from 'exponential-backoff';

/** `schemas/bigquery/views/` in the repository (from `src/` under ts-jest and from `dist/` when built). */
export const viewsDir = (): string => path.resolve(__dirname, '..', '..', '..', 'schemas', 'bigquery', 'views');

export interface ViewDefinition {
  id: string;
  query: string;
}

/**
 * Every `<view>.sql` in `dir`, with `{{project}}` and `{{dataset}}` filled in, in an order where a
 * view comes after the views it reads (views may build on each other, e.g. on `audit_events_dedup`).
 */
export function loadViews(projectId: string, dataset: string, dir: string = viewsDir()): ViewDefinition[] {
  const all = readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => ({
      id: file.replace(/\.sql$/, ''),
      query: readFileSync(path.join(dir, file), 'utf8').replaceAll('{{project}}', projectId).replaceAll('{{dataset}}', dataset),
    }));
  const ids = new Set(all.map((v) => v.id));
  const deps = new Map(all.map((v) => [v.id, [...v.query.matchAll(/`[^`.]+\.[^`.]+\.([A-Za-z0-9_]+)`/g)].map((m) => m[1] as string).filter((id) => ids.has(id) && id !== v.id)]));
  const ordered: ViewDefinition[] = [];
  const placed = new Set<string>();
  const visit = (view: ViewDefinition, trail: string[]): void => {
    if (placed.has(view.id)) return;
    if (trail.includes(view.id)) throw new Error(`views read each other in a cycle: ${[...trail, view.id].join(' → ')}`);
    for (const dep of deps.get(view.id) ?? []) visit(all.find((v) => v.id === dep) as ViewDefinition, [...trail, view.id]);
    placed.add(view.id);
    ordered.push(view);
  };
  for (const view of all) visit(view, []);
  return ordered;
}

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
