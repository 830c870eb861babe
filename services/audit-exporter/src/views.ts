import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

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
