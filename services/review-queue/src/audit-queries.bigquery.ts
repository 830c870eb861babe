/**
 * The audit dataset for the metrics page: `@google-cloud/bigquery` with Application Default Credentials
 * on GCP, or the emulator (`BIGQUERY_EMULATOR_HOST`). Read-only: it queries the metric views.
 */
import { BigQuery } from '@google-cloud/bigquery';
import type { AuditQueries } from './ports';
import type { Row } from './metric-catalog';

const plain = (v: unknown): unknown => (v !== null && typeof v === 'object' && 'value' in (v as object) ? (v as { value: unknown }).value : v);

export function bigQueryAudit(options: { projectId: string; dataset: string; emulatorHost?: string }): AuditQueries {
  const base = options.emulatorHost ? (/^https?:\/\//.test(options.emulatorHost) ? options.emulatorHost : `http://${options.emulatorHost}`).replace(/\/+$/, '') : undefined;
  const bigquery = base ? new BigQuery({ projectId: options.projectId, apiEndpoint: base }) : new BigQuery({ projectId: options.projectId });
  return {
    table: (name) => `\`${options.projectId}.${options.dataset}.${name}\``,
    query: async (sql) => {
      const [rows] = await bigquery.query({ query: sql, useLegacySql: false });
      return (rows as Row[]).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)])));
    },
  };
}
