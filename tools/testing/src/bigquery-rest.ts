import { randomUUID } from 'node:crypto';
import { bigQueryBaseUrl } from '@arbiter/local-stack';
import { testEndpoints } from './arbiter-harness';

/**
 * The BigQuery REST API of the emulator the global setup started, called with fetch. Not the client
 * library: inside Jest's VM its HTTP layer (teeny-request 10) fails on `import('node-fetch')` with "A
 * dynamic import callback was invoked without --experimental-vm-modules" unless Jest runs with
 * NODE_OPTIONS=--experimental-vm-modules.
 */
export const bigQueryRest = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
  const { projectId, bigqueryEmulatorHost } = testEndpoints();
  const url = `${bigQueryBaseUrl(bigqueryEmulatorHost)}/bigquery/v2/projects/${projectId}${path}`;
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}: ${text}`);
  return JSON.parse(text) as T;
};

/** A name no other test (or test run) uses. */
export const uniqueName = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;
