import { createHash, createVerify, generateKeyPairSync } from 'node:crypto';
import { Storage } from '@google-cloud/storage';
import { GcsEvidenceUrlSigner } from './evidence.gcs';
import { LocalEvidenceUrlSigner, localEvidencePath } from './evidence';

const KEY = 'evidence-test-key-0123456789abcdef0123456789';

describe('local evidence signer', () => {
  let now = new Date('2026-11-21T12:00:00Z');
  const signer = new LocalEvidenceUrlSigner(() => 'http://127.0.0.1:8080', KEY, 60_000, () => now);
  const parts = (url: string) => {
    const u = new URL(url);
    return { pathname: u.pathname, expires: u.searchParams.get('expires') ?? undefined, signature: u.searchParams.get('signature') ?? undefined };
  };

  it('maps gs:// URIs under /evidence and refuses path escapes and other schemes', async () => {
    expect(localEvidencePath('gs://evidence/bk-1/after-1.jpg')).toBe('evidence/bk-1/after-1.jpg');
    expect(localEvidencePath('gs://evidence/../../etc/passwd')).toBeUndefined();
    expect(await signer.sign('https://elsewhere.example/a.jpg')).toBeUndefined();
  });

  it('signs the path and the expiry; verify accepts exactly that link until it expires', async () => {
    now = new Date('2026-11-21T12:00:00Z');
    const signed = await signer.sign('gs://evidence/bk-1/after 1.jpg');
    expect(signed?.expiresAt).toEqual(new Date('2026-11-21T12:01:00Z'));
    expect(signed?.url).toMatch(/^http:\/\/127\.0\.0\.1:8080\/evidence\/evidence\/bk-1\/after%201\.jpg\?expires=\d+&signature=[0-9a-f]{64}$/);
    const { pathname, expires, signature } = parts(signed?.url as string);
    expect(signer.verify(pathname, expires, signature)).toEqual({ ok: true });
    // Guessed, altered, borrowed from another file, or from another key.
    expect(signer.verify(pathname, undefined, undefined)).toMatchObject({ ok: false, status: 401 });
    expect(signer.verify('/evidence/evidence/bk-1/after-2.jpg', expires, signature)).toMatchObject({ ok: false, status: 403 });
    expect(signer.verify(pathname, String(Number(expires) + 3600), signature)).toMatchObject({ ok: false, status: 403 });
    const flipped = `${signature?.slice(0, 63)}${signature?.endsWith('0') ? '1' : '0'}`;
    expect(signer.verify(pathname, expires, flipped)).toMatchObject({ ok: false, status: 403 });
    expect(signer.verify(pathname, expires, 'zz')).toMatchObject({ ok: false, status: 403 });
    const other = new LocalEvidenceUrlSigner(() => 'http://127.0.0.1:8080', `${KEY}-other`, 60_000, () => now);
    expect(other.verify(pathname, expires, signature)).toMatchObject({ ok: false, status: 403 });
    // Expired.
    now = new Date('2026-11-21T12:01:00Z');
    expect(signer.verify(pathname, expires, signature)).toMatchObject({ ok: false, status: 403, message: expect.stringContaining('expired') });
  });

  it('refuses a key shorter than 32 bytes', () => {
    expect(() => new LocalEvidenceUrlSigner(() => '', 'short')).toThrow(/32 bytes/);
  });
});

describe('Cloud Storage V4 signed URLs', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const email = 'review-queue@arbiter-prod.iam.gserviceaccount.com';
  const storage = new Storage({ projectId: 'arbiter-prod', credentials: { client_email: email, private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() } });

  it('signs a read of the object for the TTL, with the service account\'s key', async () => {
    const now = new Date();
    const signer = new GcsEvidenceUrlSigner(storage, 15 * 60_000, () => now);
    const signed = await signer.sign('gs://arbiter-evidence-eu/vehicle-cleanliness/bk-1/return 1.jpg');
    const url = new URL(signed?.url as string);
    expect(url.origin).toBe('https://storage.googleapis.com');
    expect(url.pathname).toBe('/arbiter-evidence-eu/vehicle-cleanliness/bk-1/return%201.jpg');
    expect(url.searchParams.get('X-Goog-Algorithm')).toBe('GOOG4-RSA-SHA256');
    expect(url.searchParams.get('X-Goog-Credential')).toMatch(new RegExp(`^${email}/\\d{8}/auto/storage/goog4_request$`));
    expect(Number(url.searchParams.get('X-Goog-Expires'))).toBe(900);
    expect(signed?.expiresAt).toEqual(new Date(now.getTime() + 900_000));
    // The signature is the V4 one over the canonical request, made with this key (Google's documented algorithm).
    const query = [...url.searchParams].filter(([k]) => k !== 'X-Goog-Signature').map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).sort().join('&');
    const canonical = ['GET', url.pathname, query, `host:${url.host}`, '', 'host', 'UNSIGNED-PAYLOAD'].join('\n');
    const date = url.searchParams.get('X-Goog-Date') as string;
    const scope = (url.searchParams.get('X-Goog-Credential') as string).split('/').slice(1).join('/');
    const toSign = ['GOOG4-RSA-SHA256', date, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
    const verifier = createVerify('RSA-SHA256').update(toSign);
    expect(verifier.verify(publicKey, Buffer.from(url.searchParams.get('X-Goog-Signature') as string, 'hex'))).toBe(true);
  });

  it('links only gs:// URIs', async () => {
    expect(await new GcsEvidenceUrlSigner(storage).sign('https://example.com/a.jpg')).toBeUndefined();
  });
});
