import { LocalEvidenceUrlSigner, localEvidencePath } from './evidence';

describe('local evidence signer', () => {
  it('maps gs:// URIs under /evidence and refuses path escapes', async () => {
    expect(localEvidencePath('gs://evidence/bk-1/after-1.jpg')).toBe('evidence/bk-1/after-1.jpg');
    expect(localEvidencePath('gs://evidence/../../etc/passwd')).toBeUndefined();
    const signer = new LocalEvidenceUrlSigner(() => 'http://127.0.0.1:8080', 60_000, () => new Date('2026-11-21T12:00:00Z'));
    expect(await signer.sign('gs://evidence/bk-1/after 1.jpg')).toEqual({ url: 'http://127.0.0.1:8080/evidence/evidence/bk-1/after%201.jpg', expiresAt: new Date('2026-11-21T12:01:00Z') });
  });
});
