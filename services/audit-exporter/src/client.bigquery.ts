/**
 * The BigQuery client the exporter (and the tools reading its views) use: `@google-cloud/bigquery`
 * with Application Default Credentials on GCP, or pointed at the emulator (`BIGQUERY_EMULATOR_HOST`,
 * `http://host:port`). The client loads part of itself with a dynamic `import()`: inside Jest that
 * needs `--experimental-vm-modules`, which `scripts/test.mjs` passes.
 */
import { BigQuery } from '@google-cloud/bigquery';

export function createBigQuery(projectId: string, emulatorHost?: string): BigQuery {
  if (emulatorHost === undefined || emulatorHost === '') return new BigQuery({ projectId });
  const base = /^https?:\/\//.test(emulatorHost) ? emulatorHost : `http://${emulatorHost}`;
  return new BigQuery({ projectId, apiEndpoint: base.replace(/\/+$/, '') });
}

export type QueryParams = Record<string, string | number | boolean>;

/** Standard SQL with named parameters; rows as plain objects (DATE/TIMESTAMP values as strings). */
export async function queryRows<T = Record<string, unknown>>(bigquery: Pick<BigQuery, 'query'>, sql: string, params: QueryParams = {}): Promise<T[]> {
  const [rows] = await bigquery.query({ query: sql, params, useLegacySql: false });
  return (rows as Array<Record<string, unknown>>).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)])) as T);
}

/** BigQueryDate/Timestamp/Int → their value; arrays element-wise. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object' && 'value' in (value as object) && Object.keys(value as object).length === 1) {
    const inner = (value as { value: unknown }).value;
    return typeof inner === 'string' && /^-?\d+$/.test(inner) && (value as object).constructor?.name === 'BigQueryInt' ? Number(inner) : inner;
  }
  return value;
}
