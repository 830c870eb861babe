import { readCommonServiceConfig, type CommonServiceConfig, type EnvReader } from '@arbiter/platform';
import { businessMillis, validateDuration } from '@arbiter/core';

/** The documented local-only signing secret (`ARBITER_ENV=local`). Never valid outside local. */
export const LOCAL_AUTH_SECRET = 'arbiter-local-review-queue-secret-not-for-production';

export interface ReviewQueueConfig extends CommonServiceConfig {
  /** `local` allows the documented default token secret; anything else requires `ARBITER_AUTH_SECRET`. */
  env: 'local' | 'dev' | 'staging' | 'prod';
  /** HS256 secret for reviewer tokens (at least 32 bytes). */
  authSecret: string;
  /** How long a claim lasts (ISO duration), and the same in milliseconds. */
  claimLease: string;
  claimLeaseMs: number;
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
  const configured = read.optional('ARBITER_AUTH_SECRET');
  let authSecret = configured ?? '';
  if (configured === undefined) {
    if (env === 'local') authSecret = LOCAL_AUTH_SECRET;
    else read.errors.push(`ARBITER_AUTH_SECRET is required when ARBITER_ENV=${env} (the local default secret is for ARBITER_ENV=local only)`);
  } else if (Buffer.byteLength(configured) < 32) {
    read.errors.push('ARBITER_AUTH_SECRET must be at least 32 bytes (HS256 key)');
  } else if (env !== 'local' && configured === LOCAL_AUTH_SECRET) {
    read.errors.push('ARBITER_AUTH_SECRET must not be the documented local secret outside ARBITER_ENV=local');
  }
  const claimLease = read.string('ARBITER_CLAIM_LEASE', 'PT10M');
  let claimLeaseMs = 600_000;
  const problem = validateDuration(claimLease, 'wall');
  if (problem) read.errors.push(`ARBITER_CLAIM_LEASE must be an ISO-8601 duration such as PT10M (${problem.message})`);
  else {
    claimLeaseMs = businessMillis(claimLease);
    if (!(claimLeaseMs > 0)) read.errors.push('ARBITER_CLAIM_LEASE must be longer than zero');
  }
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
    env,
    authSecret,
    claimLease,
    claimLeaseMs,
    claimSpread: read.int('ARBITER_CLAIM_SPREAD', 10, { min: 1, max: 50 }),
    evidenceDir: read.string('ARBITER_EVIDENCE_DIR', 'services/review-queue/sample-evidence'),
    consoleDir: read.string('ARBITER_CONSOLE_DIR', 'packages/console/dist'),
    ...(publicUrl ? { publicUrl: publicUrl.replace(/\/+$/, '') } : {}),
    evidenceSigner,
    ...(evidenceSigningKey ? { evidenceSigningKey } : {}),
    evidenceUrlTtlMs,
  };
}
