import type { ServiceName } from '@arbiter/contract';
import { readCommonServiceConfig, type CommonServiceConfig, type EnvReader } from '@arbiter/platform';
import { businessMillis, validateDuration } from '@arbiter/core';
import type { JWK } from 'jose';
import type { IdentitySettings } from './identity';

export const SERVICE = 'review-queue' satisfies ServiceName;

/** ARBITER_IDENTITY and its settings; `local` only with ARBITER_ENV=local, `iap` the default elsewhere. */
export function readIdentitySettings(read: EnvReader, env: string, projectId: string): IdentitySettings {
  const mode = read.oneOf('ARBITER_IDENTITY', ['iap', 'identity-platform', 'local'] as const, env === 'local' ? 'local' : 'iap');
  if (mode === 'local' && env !== 'local') read.errors.push(`ARBITER_IDENTITY=local (persona sign-in) is for ARBITER_ENV=local only (got ARBITER_ENV=${env}); use iap or identity-platform`);
  const jwksUrl = read.optional('ARBITER_IDENTITY_JWKS_URL');
  if (jwksUrl !== undefined && env !== 'local') read.errors.push('ARBITER_IDENTITY_JWKS_URL may replace Google\'s keys only with ARBITER_ENV=local');
  if (jwksUrl !== undefined && !/^https?:\/\//.test(jwksUrl)) read.errors.push(`ARBITER_IDENTITY_JWKS_URL must be an http(s) URL (got "${jwksUrl}")`);
  const settings: IdentitySettings = { mode, ...(jwksUrl ? { jwksUrl } : {}) };
  if (mode === 'iap') {
    const audience = read.optional('ARBITER_IAP_AUDIENCE');
    if (!audience) read.errors.push('ARBITER_IAP_AUDIENCE is required with ARBITER_IDENTITY=iap (/projects/<number>/global/backendServices/<id>, or /projects/<number>/apps/<project> for App Engine)');
    else if (!/^\/projects\/\d+\/(global\/backendServices\/\d+|apps\/[a-z][a-z0-9-]+)$/.test(audience)) read.errors.push(`ARBITER_IAP_AUDIENCE must look like /projects/<number>/global/backendServices/<id> (got "${audience}")`);
    else settings.iapAudience = audience;
  }
  if (mode === 'identity-platform') settings.identityPlatformProject = read.string('ARBITER_IDENTITY_PLATFORM_PROJECT', projectId);
  const key = read.optional('ARBITER_LOCAL_IDENTITY_KEY');
  if (key !== undefined) {
    if (mode !== 'local') read.errors.push('ARBITER_LOCAL_IDENTITY_KEY is only read with ARBITER_IDENTITY=local');
    try {
      const jwk = JSON.parse(key) as JWK;
      if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string') throw new Error('not a P-256 private key');
      settings.localKey = jwk;
    } catch {
      read.errors.push('ARBITER_LOCAL_IDENTITY_KEY must be a P-256 private key as a JWK (JSON with kty EC, crv P-256, d)');
    }
  }
  return settings;
}


export interface ReviewQueueConfig extends CommonServiceConfig {
  /** How reviewers are identified (identity.ts): `iap`, `identity-platform`, or `local` (ARBITER_ENV=local only). */
  identity: IdentitySettings;
  /** How long a claim lasts (ISO duration), and the same in milliseconds. */
  claimLease: string;
  claimLeaseMs: number;
  /** How long a case claimed ahead (the console's preloaded next case) is held before it lapses. */
  aheadLease: string;
  aheadLeaseMs: number;
  /** A decision's undo window (ISO duration; PT0S: decisions commit at once), and the same in ms. */
  undoWindow: string;
  undoWindowMs: number;
  /** The audit dataset the metrics page reads (its views), and how often it reads them. */
  bigqueryProjectId: string;
  auditDataset: string;
  bigqueryEmulatorHost?: string;
  /** How often the refresh job reads the metric views into Firestore (ISO duration), or `off` (no job in this process). */
  metricsRefresh: string;
  metricsRefreshMs: number;
  /** "Next case" picks at random among this many top items, so concurrent reviewers rarely collide. */
  claimSpread: number;
  /** Local evidence files served under `/evidence/...` (the local `EvidenceUrlSigner`). */
  evidenceDir: string;
  /** The built reviewer console served at `/` (@arbiter/console's `dist`). */
  consoleDir: string;
  /** Base URL evidence links point at; default `http://<host>:<port>`. */
  publicUrl?: string;
  /** `gcs`: Cloud Storage V4 signed URLs; `local` (ARBITER_ENV=local only): HMAC-signed links to `/evidence`. */
  evidenceSigner: 'local' | 'gcs';
  /** HMAC key of local evidence links (at least 32 bytes); omitted: a random key per process. */
  evidenceSigningKey?: string;
  /** How long an evidence link works, in milliseconds. */
  evidenceUrlTtlMs: number;
}

export function describeReviewQueueConfig(read: EnvReader): ReviewQueueConfig {
  const common = readCommonServiceConfig(read, 8080, { publicOrigin: true });
  const env = common.env;
  const identity = readIdentitySettings(read, env, common.projectId);
  const claimLease = read.string('ARBITER_CLAIM_LEASE', 'PT10M');
  let claimLeaseMs = 600_000;
  const problem = validateDuration(claimLease, 'wall');
  if (problem) read.errors.push(`ARBITER_CLAIM_LEASE must be an ISO-8601 duration such as PT10M (${problem.message})`);
  else {
    claimLeaseMs = businessMillis(claimLease);
    if (!(claimLeaseMs > 0)) read.errors.push('ARBITER_CLAIM_LEASE must be longer than zero');
  }
  const aheadLease = read.string('ARBITER_AHEAD_LEASE', 'PT2M');
  let aheadLeaseMs = 120_000;
  const aheadProblem = validateDuration(aheadLease, 'wall');
  if (aheadProblem) read.errors.push(`ARBITER_AHEAD_LEASE must be an ISO-8601 duration such as PT2M (${aheadProblem.message})`);
  else {
    aheadLeaseMs = businessMillis(aheadLease);
    if (!(aheadLeaseMs > 0)) read.errors.push('ARBITER_AHEAD_LEASE must be longer than zero');
  }
  const undoWindow = read.string('ARBITER_UNDO_WINDOW', 'PT5S');
  let undoWindowMs = 5_000;
  const undoProblem = validateDuration(undoWindow, 'wall');
  if (undoProblem) read.errors.push(`ARBITER_UNDO_WINDOW must be an ISO-8601 duration such as PT5S, or PT0S for none (${undoProblem.message})`);
  else {
    undoWindowMs = businessMillis(undoWindow);
    if (!(undoWindowMs >= 0 && undoWindowMs <= 60_000)) read.errors.push('ARBITER_UNDO_WINDOW must be between PT0S and PT1M');
  }
  const metricsRefresh = read.string('ARBITER_METRICS_REFRESH', 'PT5M');
  let metricsRefreshMs = 300_000;
  // `off`: this process runs no refresh job (its page shows what other instances stored); the slot stays PT5M.
  const metricsProblem = metricsRefresh === 'off' ? undefined : validateDuration(metricsRefresh, 'wall');
  if (metricsProblem) read.errors.push(`ARBITER_METRICS_REFRESH must be an ISO-8601 duration such as PT5M, or off (${metricsProblem.message})`);
  else if (metricsRefresh !== 'off') {
    metricsRefreshMs = businessMillis(metricsRefresh);
    if (!(metricsRefreshMs >= 1_000)) read.errors.push('ARBITER_METRICS_REFRESH must be at least PT1S');
  }
  const emulator = read.optional('BIGQUERY_EMULATOR_HOST');
  const publicUrl = read.optional('ARBITER_PUBLIC_URL');
  const evidenceSigner = read.oneOf('ARBITER_EVIDENCE_SIGNER', ['local', 'gcs'] as const, env === 'local' ? 'local' : 'gcs');
  if (evidenceSigner === 'local' && env !== 'local') read.errors.push(`ARBITER_EVIDENCE_SIGNER=local is for ARBITER_ENV=local only (got ARBITER_ENV=${env}); use gcs`);
  const evidenceSigningKey = read.optional('ARBITER_EVIDENCE_SIGNING_KEY');
  if (evidenceSigningKey !== undefined && Buffer.byteLength(evidenceSigningKey) < 32) read.errors.push('ARBITER_EVIDENCE_SIGNING_KEY must be at least 32 bytes');
  const evidenceTtl = read.string('ARBITER_EVIDENCE_URL_TTL', 'PT15M');
  let evidenceUrlTtlMs = 900_000;
  const ttlProblem = validateDuration(evidenceTtl, 'wall');
  if (ttlProblem) read.errors.push(`ARBITER_EVIDENCE_URL_TTL must be an ISO-8601 duration such as PT15M (${ttlProblem.message})`);
  else {
    evidenceUrlTtlMs = businessMillis(evidenceTtl);
    if (!(evidenceUrlTtlMs >= 60_000 && evidenceUrlTtlMs <= 7 * 86_400_000)) read.errors.push('ARBITER_EVIDENCE_URL_TTL must be between PT1M and P7D (the V4 signed-URL maximum)');
  }
  return {
    ...common,
    identity,
    claimLease,
    claimLeaseMs,
    aheadLease,
    aheadLeaseMs,
    undoWindow,
    undoWindowMs,
    bigqueryProjectId: read.string('ARBITER_BIGQUERY_PROJECT_ID', common.projectId),
    auditDataset: read.string('ARBITER_AUDIT_DATASET', 'arbiter_audit'),
    ...(emulator ? { bigqueryEmulatorHost: emulator } : {}),
    metricsRefresh,
    metricsRefreshMs,
    claimSpread: read.int('ARBITER_CLAIM_SPREAD', 10, { min: 1, max: 50 }),
    evidenceDir: read.string('ARBITER_EVIDENCE_DIR', 'services/review-queue/sample-evidence'),
    consoleDir: read.string('ARBITER_CONSOLE_DIR', 'packages/console/dist'),
    ...(publicUrl ? { publicUrl: publicUrl.replace(/\/+$/, '') } : {}),
    evidenceSigner,
    ...(evidenceSigningKey ? { evidenceSigningKey } : {}),
    evidenceUrlTtlMs,
  };
}
