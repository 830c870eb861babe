/**
 * Evidence links. Evidence lives at `gs://` URIs; a reviewer's browser gets a short-lived URL from
 * `GET /api/cases/{id}/evidence/{i}` (which records `evidence.accessed`), never a permanent one.
 *
 * - Production: `GcsEvidenceUrlSigner` (evidence.gcs.ts), Cloud Storage V4 signed URLs (`@google-cloud/storage`; on Cloud
 *   Run the runtime service account signs through IAM `signBlob`, so it needs
 *   `roles/iam.serviceAccountTokenCreator` on itself and read access to the evidence buckets).
 * - Local: `LocalEvidenceUrlSigner`, links under this service's `/evidence/...` carrying `expires`
 *   (epoch seconds) and `signature` (HMAC-SHA256 over the path and the expiry, with a key only the
 *   service holds). The `/evidence` route serves a file only when `verify` accepts its link, so a
 *   guessed, altered or expired link is refused (401 without a signature, 403 otherwise).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { join, normalize, sep } from 'node:path';

export interface SignedUrl {
  url: string;
  expiresAt: Date;
}

/** Port: turns an evidence URI into a URL a browser can open, for a limited time (undefined: not a URI it can link to). */
export interface EvidenceUrlSigner {
  sign(uri: string): Promise<SignedUrl | undefined>;
}

/** The path under the local evidence folder for `gs://bucket/a/b.jpg` → `bucket/a/b.jpg` (undefined when unsafe). */
export function localEvidencePath(uri: string): string | undefined {
  const match = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
  const relative = match ? `${match[1]}/${match[2]}` : /^(?:https?:)?\/\//.test(uri) ? undefined : uri.replace(/^\/+/, '');
  if (relative === undefined) return undefined;
  const normal = normalize(relative);
  if (normal.startsWith('..') || normal.split(sep).includes('..')) return undefined;
  return normal.split(sep).join('/');
}

export type LinkCheck = { ok: true } | { ok: false; status: 401 | 403; message: string };

/** Local twin of the signing adapter: HMAC-signed, expiring URLs under this service's `/evidence/` route. */
export class LocalEvidenceUrlSigner implements EvidenceUrlSigner {
  private readonly key: Buffer;

  constructor(
    private readonly baseUrl: () => string,
    /** At least 32 bytes; a random one per process when omitted (links then die with the process). */
    key?: string | Buffer,
    private readonly ttlMs = 15 * 60_000,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.key = key === undefined ? randomBytes(32) : Buffer.from(key);
    if (this.key.length < 32) throw new Error('bug: the evidence signing key must be at least 32 bytes');
  }

  async sign(uri: string): Promise<SignedUrl | undefined> {
    const path = localEvidencePath(uri);
    if (path === undefined) return undefined;
    const expires = Math.floor((this.now().getTime() + this.ttlMs) / 1000);
    const pathname = `/evidence/${path.split('/').map(encodeURIComponent).join('/')}`;
    return { url: `${this.baseUrl()}${pathname}?expires=${expires}&signature=${this.mac(pathname, expires)}`, expiresAt: new Date(expires * 1000) };
  }

  /** Whether a request for `pathname` (as sent, percent-encoded) with these query values is a link this signer made and that has not expired. */
  verify(pathname: string, expires: unknown, signature: unknown): LinkCheck {
    if (typeof expires !== 'string' || typeof signature !== 'string' || expires === '' || signature === '') {
      return { ok: false, status: 401, message: 'evidence links are signed: open the evidence from the case view (GET /api/cases/{id}/evidence/{i})' };
    }
    if (!/^\d{1,12}$/.test(expires) || !/^[0-9a-f]{64}$/.test(signature)) return { ok: false, status: 403, message: 'this evidence link is not valid' };
    const expected = Buffer.from(this.mac(pathname, Number(expires)), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return { ok: false, status: 403, message: 'this evidence link is not valid' };
    if (Number(expires) * 1000 <= this.now().getTime()) return { ok: false, status: 403, message: 'this evidence link has expired: open the evidence again from the case view' };
    return { ok: true };
  }

  private mac(pathname: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${pathname}\n${expires}`).digest('hex');
  }
}

export const evidenceDirOf = (root: string, configured: string): string => (configured.startsWith('/') ? configured : join(root, configured));
