import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { BigQueryRest } from './bigquery.rest';

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
export async function ensureViews(bigquery: BigQueryRest, dataset: string, views: readonly ViewDefinition[]): Promise<Record<string, 'created' | 'updated' | 'unchanged'>> {
  const report: Record<string, 'created' | 'updated' | 'unchanged'> = {};
  for (const view of views) {
    const existing = await bigquery.getTable(dataset, view.id);
    if (existing === undefined) {
      await bigquery.createView(dataset, view.id, view.query);
      report[view.id] = 'created';
    } else if (existing.view?.query === view.query) {
      report[view.id] = 'unchanged';
    } else {
      await bigquery.updateView(dataset, view.id, view.query);
      report[view.id] = 'updated';
    }
  }
  return report;
}
