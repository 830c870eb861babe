/**
 * The authorization matrix of the reviewer API: every route of openapi.yaml × every role, and the
 * ways of not being anyone (no token, expired, forged signature, `alg: none`, wrong audience, wrong
 * issuer, another key), with the status each must get. `authz-matrix.int.test.ts` runs every cell
 * against the running service and fails when a route of openapi.yaml has no row here.
 *
 * Each row names the state it starts from (`fixture`), made fresh for every cell, so a cell that
 * changes something (a claim, a decision) cannot change another's answer:
 * - `open`: a cleanliness case with its decision item open;
 * - `claimed`: the same, claimed by another reviewer (`holder`);
 * - `none`: nothing beyond the queues of the policies.
 */

export const ROLES = ['reviewer', 'lead', 'on-call', 'auditor', 'support', 'admin'] as const;
export const NOBODIES = ['no token', 'expired', 'forged signature', 'alg none', 'wrong audience', 'wrong issuer', 'another key'] as const;
export type Caller = (typeof ROLES)[number] | (typeof NOBODIES)[number];
export const CALLERS: readonly Caller[] = [...ROLES, ...NOBODIES];

export type Fixture = 'open' | 'claimed' | 'none';

export interface MatrixRow {
  method: 'GET' | 'POST';
  /** The OpenAPI path (and body strings); `{queue}`, `{itemId}`, `{caseId}`, `{index}`, `{subjectType}`, `{subjectId}`, `{batchId}` filled from the fixture. */
  path: string;
  fixture: Fixture;
  body?: unknown;
  expect: Record<Caller, number>;
}

/** Whoever is not somebody: 401 on every route. */
const nobody: Record<(typeof NOBODIES)[number], number> = { 'no token': 401, expired: 401, 'forged signature': 401, 'alg none': 401, 'wrong audience': 401, 'wrong issuer': 401, 'another key': 401 };
const roles = (reviewer: number, lead: number, onCall: number, auditor: number, support: number, admin: number): Record<Caller, number> => ({ reviewer, lead, 'on-call': onCall, auditor, support, admin, ...nobody });

const decision = { optionId: 'approve', reasonCode: 'CONFIRMED_SOILING' };

export const MATRIX: readonly MatrixRow[] = [
  // Who am I: anyone who is somebody.
  { method: 'GET', path: '/api/me', fixture: 'none', expect: roles(200, 200, 200, 200, 200, 200) },
  // The queues the caller may work (an empty list for auditors and support, not a refusal).
  { method: 'GET', path: '/api/queues', fixture: 'none', expect: roles(200, 200, 200, 200, 200, 200) },
  // A queue's items: those who work it, on-call, and the roles that see blind outcomes.
  { method: 'GET', path: '/api/queues/{queue}/items', fixture: 'open', expect: roles(200, 200, 200, 200, 403, 200) },
  // Claims in progress: leads and admins.
  { method: 'GET', path: '/api/queues/{queue}/claims', fixture: 'open', expect: roles(403, 200, 403, 403, 403, 200) },
  // Next case: those who work the queue; on-call may ask (and gets nothing that is not escalated).
  { method: 'POST', path: '/api/queues/{queue}/next', fixture: 'open', body: {}, expect: roles(200, 200, 200, 403, 403, 200) },
  // Claiming an open, not escalated item: its queue's reviewers, leads, admins.
  { method: 'POST', path: '/api/items/{itemId}/claim', fixture: 'open', body: {}, expect: roles(200, 200, 403, 403, 403, 200) },
  // Releasing another reviewer's claim: leads and admins only.
  { method: 'POST', path: '/api/items/{itemId}/release', fixture: 'claimed', body: {}, expect: roles(403, 200, 403, 403, 403, 200) },
  // The single pane: the queue's reviewers, leads, on-call, auditors, admins.
  { method: 'GET', path: '/api/cases/{caseId}', fixture: 'open', expect: roles(200, 200, 200, 200, 403, 200) },
  // An evidence link (recorded as evidence.accessed): the same readers.
  { method: 'GET', path: '/api/cases/{caseId}/evidence/{index}', fixture: 'open', expect: roles(200, 200, 200, 200, 403, 200) },
  // Deciding an open item without holding its claim: leads and admins; a reviewer must claim first (409).
  { method: 'POST', path: '/api/cases/{caseId}/decision', fixture: 'open', body: decision, expect: roles(409, 200, 403, 403, 403, 200) },
  // Undoing a decision in its undo window: anyone, but only their own pending decision; the test app
  // commits at once (no window), so there is never one to undo.
  { method: 'POST', path: '/api/cases/{caseId}/decision/undo', fixture: 'open', body: {}, expect: roles(404, 404, 404, 404, 404, 404) },
  { method: 'POST', path: '/api/batches/{batchId}/undo', fixture: 'none', body: {}, expect: roles(404, 404, 404, 404, 404, 404) },
  // The metrics page: leads, auditors and admins. The test app has no audit dataset in BigQuery, so
  // those who may see it are told it is not there (404); everyone else is refused first (403).
  { method: 'GET', path: '/api/metrics', fixture: 'none', expect: roles(403, 404, 403, 404, 403, 404) },
  // A batch decision over one open item.
  { method: 'POST', path: '/api/batches/decision', fixture: 'open', body: { itemIds: ['{itemId}'], optionId: 'approve-all', reasonCode: 'CONFIRMED_SOILING' }, expect: roles(200, 200, 403, 403, 403, 200) },
  // Asking the crew for evidence on an open item.
  { method: 'POST', path: '/api/cases/{caseId}/evidence-request', fixture: 'open', body: { what: 'photo of the rear seat', reasonCode: 'ANGLE_MISSING' }, expect: roles(409, 200, 403, 403, 403, 200) },
  // Dispute view of a subject with no decided case yet: 404 for those who may look, 403 for the rest.
  { method: 'GET', path: '/api/disputes/{subjectType}/{subjectId}', fixture: 'open', expect: roles(403, 404, 403, 404, 404, 404) },
  // The lead overview.
  { method: 'GET', path: '/api/lead/overview', fixture: 'none', expect: roles(403, 200, 403, 403, 403, 200) },
  // Threshold recommendations: leads and admins; like the metrics page, 404 without an audit dataset.
  { method: 'GET', path: '/api/lead/thresholds', fixture: 'none', expect: roles(403, 404, 403, 403, 403, 404) },
];
