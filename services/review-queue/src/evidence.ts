/**
 * Evidence links. Evidence lives at `gs://` URIs; a reviewer's browser gets a short-lived URL. In
 * production an adapter signs the object with Cloud Storage V4 signed URLs; locally the service
 * serves a sample folder under `/evidence/...` and links to it.
 */
import { join, normalize, sep } from 'node:path';

export interface SignedUrl {
  url: string;
  expiresAt: Date;
}

/** Port: turns an evidence URI into a URL a browser can open, for a limited time. */
export interface EvidenceUrlSigner {
  sign(uri: string): Promise<SignedUrl>;
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

/** Local twin of a signing adapter: a URL under this service's `/evidence/` static route. */
export class LocalEvidenceUrlSigner implements EvidenceUrlSigner {
  constructor(
    private readonly baseUrl: () => string,
    private readonly ttlMs = 15 * 60_000,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async sign(uri: string): Promise<SignedUrl> {
    const path = localEvidencePath(uri);
    const expiresAt = new Date(this.now().getTime() + this.ttlMs);
    if (path === undefined) return { url: uri, expiresAt };
    return { url: `${this.baseUrl()}/evidence/${path.split('/').map(encodeURIComponent).join('/')}`, expiresAt };
  }
}

export const evidenceDirOf = (root: string, configured: string): string => (configured.startsWith('/') ? configured : join(root, configured));
