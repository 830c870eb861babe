import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { BigQuery } from '@google-cloud/bigquery';

/** `schemas/bigquery/views/` in the repository (from `src/` under ts-jest and from `dist/` when built). */
export const viewsDir = (): string => path.resolve(__dirname, '..', '..', '..', 'schemas', 'bigquery', 'views');

export interface ViewDefinition {
  id: string;
  query: string;
}

/** Every `<view>.sql` in `dir`, with `{{project}}` and `{{dataset}}` filled in. */
export function loadViews(projectId: string, dataset: string, dir: string = viewsDir()): ViewDefinition[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => ({
      id: file.replace(/\.sql$/, ''),
      query: readFileSync(path.join(dir, file), 'utf8').replaceAll('{{project}}', projectId).replaceAll('{{dataset}}', dataset),
    }));
}

/**
 * Creates the views, or updates their query when it changed (idempotent; run at start-up). Returns
 * what it did per view.
 */
export async function ensureViews(bigquery: BigQuery, dataset: string, views: readonly ViewDefinition[]): Promise<Record<string, 'created' | 'updated' | 'unchanged'>> {
  const report: Record<string, 'created' | 'updated' | 'unchanged'> = {};
  for (const view of views) {
    const table = bigquery.dataset(dataset).table(view.id);
    const [exists] = await table.exists();
    if (!exists) {
      try {
        await bigquery.dataset(dataset).createTable(view.id, { view: { query: view.query, useLegacySql: false } });
        report[view.id] = 'created';
        continue;
      } catch (error) {
        if ((error as { code?: unknown }).code !== 409) throw error;
      }
    }
    const [metadata] = await table.getMetadata();
    if ((metadata as { view?: { query?: string } }).view?.query === view.query) {
      report[view.id] = 'unchanged';
    } else {
      await table.setMetadata({ view: { query: view.query, useLegacySql: false } });
      report[view.id] = 'updated';
    }
  }
  return report;
}
