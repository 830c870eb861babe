/** The production evidence signer (the port and the local twin are in evidence.ts). */
import type { Storage } from '@google-cloud/storage';
import type { EvidenceUrlSigner, SignedUrl } from './evidence';

/** Production adapter: Cloud Storage V4 signed URLs for `gs://bucket/object`, read-only, short-lived. */
export class GcsEvidenceUrlSigner implements EvidenceUrlSigner {
  constructor(
    private readonly storage: Pick<Storage, 'bucket'>,
    private readonly ttlMs = 15 * 60_000,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async sign(uri: string): Promise<SignedUrl | undefined> {
    const match = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,220})\/(.+)$/.exec(uri);
    if (!match) return undefined;
    const expiresAt = new Date(this.now().getTime() + this.ttlMs);
    const [url] = await this.storage
      .bucket(match[1] as string)
      .file(match[2] as string)
      .getSignedUrl({ version: 'v4', action: 'read', expires: expiresAt });
    return { url, expiresAt };
  }
}
