/**
 * Fixtures for the metric views: hand-built audit rows inserted into the BigQuery emulator, each
 * test under its own use case (so tests never see each other's rows), read back through the view.
 */
import { randomUUID } from 'node:crypto';
import type { BigQuery } from '@google-cloud/bigquery';
import { BigQueryDataset, BigQueryTables } from '@arbiter/contract';
import { createBigQuery, queryRows, type QueryParams } from '../../src/client.bigquery';
import { loadViews } from '../../src/views';
import { ensureViews } from '../../src/views.bigquery';

export const projectId = process.env.ARBITER_PROJECT_ID ?? 'arbiter-local';
export const dataset = BigQueryDataset.id;

let client: BigQuery | undefined;
let viewsReady: Promise<unknown> | undefined;

/** The client, with every view created (once per test file). */
export async function bigQuery(): Promise<BigQuery> {
  client ??= createBigQuery(projectId, process.env.BIGQUERY_EMULATOR_HOST ?? '');
  viewsReady ??= ensureViews(client, dataset, loadViews(projectId, dataset));
  await viewsReady;
  return client;
}

/** A fresh use case id per test: the views group by use case, so a test reads only its own rows. */
export const freshUseCase = (name: string): string => `fx-${name}-${randomUUID().slice(0, 8)}`;

const T0 = Date.parse('2026-11-23T08:00:00Z'); // a Monday, 09:00 in Berlin
/** `T0 + minutes`, as RFC 3339. */
export const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

/** An audit row with the REQUIRED columns filled in; `extra` sets the rest. Case ids are made unique to the use case (real ones are globally unique; the views join on them). */
export function auditRow(useCase: string, caseId: string, state: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: randomUUID(),
    event_type: `arbiter.fixture.${state}.v1`,
    event_source: '/arbiter/fixture',
    event_time: at(0),
    case_id: `${useCase}/${caseId}`,
    use_case: useCase,
    state,
    actor_kind: 'system',
    evidence_uris: [],
    ingested_at: new Date().toISOString(),
    ...extra,
  };
}

export async function insertRows(rows: Array<Record<string, unknown>>, table: string = BigQueryTables.audit): Promise<void> {
  const bq = await bigQuery();
  await bq.dataset(dataset).table(table).insert(rows.map((json) => ({ insertId: randomUUID(), json })), { raw: true });
}

/** The view's rows for one use case, ordered by `orderBy`. */
export async function viewRows<T = Record<string, unknown>>(view: string, useCase: string, orderBy = '1', params: QueryParams = {}): Promise<T[]> {
  const bq = await bigQuery();
  return queryRows<T>(bq, `SELECT * FROM \`${projectId}.${dataset}.${view}\` WHERE use_case = @useCase ORDER BY ${orderBy}`, { useCase, ...params });
}
