/**
 * What review-queue serves besides the API: the reviewer console (built by @arbiter/console into
 * `packages/console/dist`) at `/`, and the local evidence folder at `/evidence` — only for links the
 * local `EvidenceUrlSigner` signed and that have not expired — where the demo's photos, which exist nowhere, are painted on request
 * (`sample-evidence.ts`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import type { LocalEvidenceUrlSigner } from '../evidence';
import { SAMPLE_EVIDENCE_BUCKET, SampleEvidenceCache } from '../sample-evidence';

/**
 * The console's pages may load scripts, styles and fonts from this origin only; images also from
 * https: (production evidence links are signed Cloud Storage URLs) and data:. No framing.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' https: data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function consoleRoutes(dir: string): Router {
  const router = express.Router();
  router.use((_req, res, next) => {
    res.set({ 'content-security-policy': CONSOLE_CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
    next();
  });
  router.use(
    express.static(dir, {
      index: 'index.html',
      dotfiles: 'deny',
      // Hashed bundles are immutable; the page itself is always revalidated.
      setHeaders: (res, path) => res.set('cache-control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache'),
    }),
  );
  router.get('/', (_req: Request, res: Response) => {
    res.status(503).type('text/plain').send(existsSync(join(dir, 'index.html')) ? 'console unavailable' : `the reviewer console is not built (${dir}); run pnpm build`);
  });
  return router;
}

/** The local evidence folder, for links the local signer made only (`?expires=…&signature=…`). */
export function evidenceRoutes(dir: string, signer: Pick<LocalEvidenceUrlSigner, 'verify'>): Router {
  const router = express.Router();
  const samples = new SampleEvidenceCache();
  router.use((req: Request, res: Response, next) => {
    const pathname = req.originalUrl.split('?')[0] ?? '';
    const check = signer.verify(pathname, req.query.expires, req.query.signature);
    if (!check.ok) return void res.status(check.status).set('cache-control', 'no-store').type('text/plain').send(check.message);
    next();
  });
  router.use(express.static(dir, { fallthrough: true, dotfiles: 'deny', index: false }));
  router.get(`/${SAMPLE_EVIDENCE_BUCKET}/*path`, (req: Request, res: Response) => {
    const image = samples.get(decodeURIComponent(req.path.slice(1)));
    if (!image) return void res.status(404).type('text/plain').send('no such evidence');
    res.set({ 'content-type': image.mediaType, 'cache-control': 'private, max-age=900', 'x-content-type-options': 'nosniff' }).send(image.data);
  });
  router.use((_req: Request, res: Response) => void res.status(404).type('text/plain').send('no such evidence'));
  return router;
}
