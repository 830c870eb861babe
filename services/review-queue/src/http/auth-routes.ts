/**
 * How the console signs in (`/auth`, outside the API): `GET /auth/config` says which identity mode
 * runs; with `ARBITER_IDENTITY=local` (ARBITER_ENV=local only) `POST /auth/local/sign-in
 * {"persona": "lead"}` issues the persona's local ID token and `GET /auth/local/jwks.json` shows the
 * key it is verified with. In any other mode the local routes do not exist (404).
 */
import express, { type Request, type Response, type Router } from 'express';
import { LOCAL_PERSONAS, type IdentityMode, type LocalIdentityProvider } from '../identity';

export function authRoutes(mode: IdentityMode, local: LocalIdentityProvider | undefined): Router {
  const router = express.Router();
  router.use((_req, res, next) => {
    res.set({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    next();
  });
  router.get('/config', (_req: Request, res: Response) => {
    res.json({
      mode,
      ...(mode === 'local' && local ? { personas: LOCAL_PERSONAS.map(({ id, sub, name, roles, describes }) => ({ id, sub, name, roles, describes })) } : {}),
    });
  });
  if (mode === 'local' && local) {
    router.get('/local/jwks.json', (_req: Request, res: Response) => void res.json(local.jwks));
    router.post('/local/sign-in', express.json({ limit: '2kb', strict: true, type: () => true }), async (req: Request, res: Response) => {
      const body = req.body as unknown;
      const id = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).persona : undefined;
      const persona = LOCAL_PERSONAS.find((p) => p.id === id);
      if (!persona) {
        res.status(400).json({ error: { code: 'VALIDATION.INVALID_BODY', message: `send {"persona": "<id>"} with one of ${LOCAL_PERSONAS.map((p) => p.id).join(', ')}` } });
        return;
      }
      const issued = await local.issue({ sub: persona.sub, roles: persona.roles, name: persona.name });
      res.json({ token: issued.token, expiresAt: issued.expiresAt.toISOString(), persona: { id: persona.id, sub: persona.sub, name: persona.name, roles: persona.roles } });
    });
  }
  router.use((req: Request, res: Response) => {
    res.status(404).json({ error: { code: 'API.NOT_FOUND', message: mode === 'local' ? 'no such sign-in route; see GET /auth/config' : `sign-in is by ${mode}; there is no local sign-in here` } });
  });
  // Body parser errors of the sign-in.
  router.use((error: { type?: string }, _req: Request, res: Response, _next: express.NextFunction) => {
    res.status(400).json({ error: { code: 'VALIDATION.INVALID_JSON', message: error.type === 'entity.too.large' ? 'the body is larger than 2 kB; send {"persona": "<id>"}' : 'the body is not valid JSON; send {"persona": "<id>"}' } });
  });
  return router;
}
