/**
 * The few BigQuery REST calls the exporter needs (insertAll, tables, jobs.query), over `fetch`.
 *
 * Not the client library: `@google-cloud/bigquery` 8 sends requests through teeny-request, which loads
 * node-fetch with a dynamic `import()` — and that fails inside Jest's VM unless Jest runs with
 * `--experimental-vm-modules` (infra/EMULATOR-NOTES.md). Against GCP an OAuth token comes from
 * google-auth-library (Application Default Credentials); against the emulator none is needed.
 */
import { GoogleAuth } from 'google-auth-library';

export const BIGQUERY_API = 'https://bigquery.googleapis.com';
const SCOPES = ['https://www.googleapis.com/auth/bigquery'];

/** An HTTP answer other than 2xx, or no answer at all (`status` undefined). */
export class BigQueryHttpError extends Error {
  constructor(
    readonly status: number | undefined,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'BigQueryHttpError';
  }
}

export interface InsertAllResponse {
  insertErrors?: Array<{ index: number; errors?: Array<{ reason?: string; message?: string; location?: string }> }>;
}

export type TableResource = { tableReference?: { tableId: string }; view?: { query?: string; useLegacySql?: boolean }; schema?: { fields?: Array<{ name: string; type: string; mode?: string }> } };

export interface QueryParameter {
  name: string;
  value: string | number | boolean;
}

export class BigQueryRest {
  private readonly base: string;
  private readonly auth?: GoogleAuth;

  constructor(
    readonly projectId: string,
    options: { emulatorHost?: string } = {},
  ) {
    this.base = `${(options.emulatorHost ?? BIGQUERY_API).replace(/\/+$/, '')}/bigquery/v2/projects/${encodeURIComponent(projectId)}`;
    if (options.emulatorHost === undefined) this.auth = new GoogleAuth({ scopes: SCOPES });
  }

  insertAll(dataset: string, table: string, rows: ReadonlyArray<{ insertId: string; json: Record<string, unknown> }>): Promise<InsertAllResponse> {
    return this.call('POST', `/datasets/${dataset}/tables/${table}/insertAll`, { rows, skipInvalidRows: false, ignoreUnknownValues: false });
  }

  /** The table, or undefined when it does not exist. */
  async getTable(dataset: string, table: string): Promise<TableResource | undefined> {
    try {
      return await this.call<TableResource>('GET', `/datasets/${dataset}/tables/${table}`);
    } catch (error) {
      if (error instanceof BigQueryHttpError && error.status === 404) return undefined;
      throw error;
    }
  }

  createView(dataset: string, table: string, query: string): Promise<TableResource> {
    return this.call('POST', `/datasets/${dataset}/tables`, { tableReference: { projectId: this.projectId, datasetId: dataset, tableId: table }, view: { query, useLegacySql: false } });
  }

  updateView(dataset: string, table: string, query: string): Promise<TableResource> {
    return this.call('PATCH', `/datasets/${dataset}/tables/${table}`, { view: { query, useLegacySql: false } });
  }

  /** Standard SQL with named parameters; rows as plain objects (numbers, booleans, arrays decoded). */
  async query<T = Record<string, unknown>>(sql: string, params: readonly QueryParameter[] = []): Promise<T[]> {
    const response = await this.call<QueryResponse>('POST', '/queries', {
      query: sql,
      useLegacySql: false,
      timeoutMs: 30_000,
      parameterMode: 'NAMED',
      queryParameters: params.map((p) => ({
        name: p.name,
        parameterType: { type: typeof p.value === 'number' ? (Number.isInteger(p.value) ? 'INT64' : 'FLOAT64') : typeof p.value === 'boolean' ? 'BOOL' : 'STRING' },
        parameterValue: { value: String(p.value) },
      })),
    });
    if (response.jobComplete === false) throw new BigQueryHttpError(undefined, 'query did not complete in 30 s');
    const fields = response.schema?.fields ?? [];
    return (response.rows ?? []).map((row) => Object.fromEntries(fields.map((field, i) => [field.name, decode(field, row.f[i]?.v)])) as T);
  }

  private async call<T>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.auth) {
      const token = await this.auth.getAccessToken();
      if (token) headers.authorization = `Bearer ${token}`;
    }
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }), signal: AbortSignal.timeout(60_000) });
    } catch (error) {
      throw new BigQueryHttpError(undefined, `${method} ${path}: no answer (${error instanceof Error ? (error.cause as Error | undefined)?.message ?? error.message : String(error)})`);
    }
    const text = await response.text();
    if (!response.ok) {
      let reason: string | undefined;
      try {
        reason = (JSON.parse(text) as { error?: { errors?: Array<{ reason?: string }> } }).error?.errors?.[0]?.reason;
      } catch {
        reason = undefined;
      }
      throw new BigQueryHttpError(response.status, `${method} ${path}: HTTP ${response.status}: ${text.slice(0, 500)}`, reason);
    }
    return (text ? JSON.parse(text) : {}) as T;
  }
}

interface SchemaField {
  name: string;
  type: string;
  mode?: string;
  fields?: SchemaField[];
}
interface QueryResponse {
  jobComplete?: boolean;
  schema?: { fields?: SchemaField[] };
  rows?: Array<{ f: Array<{ v: unknown }> }>;
}

function decode(field: SchemaField, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (field.mode === 'REPEATED') return (value as Array<{ v: unknown }>).map((item) => decode({ ...field, mode: 'NULLABLE' }, item.v));
  switch (field.type) {
    case 'INTEGER':
    case 'INT64':
    case 'FLOAT':
    case 'FLOAT64':
    case 'NUMERIC':
      return Number(value);
    case 'BOOLEAN':
    case 'BOOL':
      return value === true || value === 'true';
    default:
      return value;
  }
}
