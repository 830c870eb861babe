/**
 * The reviewer API under `/api` (documented in `openapi.yaml`). Every route authenticates the caller
 * through the identity verifier (IAP's header, an Identity Platform or a local ID token: identity.ts), validates its input, calls one use case, and maps a failure code to its status with
 * `httpStatusOf` — the only place codes become statuses.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Failure, Result } from '@arbiter/core';
import { httpStatusOf, type Logger } from '@arbiter/platform';
import type { Principal } from '../auth';
import type { IdentityVerifier } from '../identity';
import { UseCaseError, attempt } from '../use-cases/common';
import { parseBatchDecisionBody, parseDecisionBody, parseEmptyBody, parseEvidenceRequestBody, parseNextBody, parsePageQuery, parseReleaseBody } from '../validation';
import type { ReviewQueueUseCases } from '../use-cases';

export interface ApiDeps {
  identity: IdentityVerifier;
  useCases: ReviewQueueUseCases;
  logger: Logger;
  now: () => Date;
}

type Authed = Request & { principal?: Principal };

const sendError = (res: Response, failure: Failure): void => {
  res.status(httpStatusOf(failure.code)).json({ error: { code: failure.code, message: failure.message } });
};

export function apiRouter(deps: ApiDeps): Router {
  const router = express.Router();
  router.use(express.json({ limit: '256kb', strict: false, type: () => true }));

  router.use(async (req: Authed, res, next) => {
    const principal = await deps.identity.principalOf((name) => req.get(name));
    if (!principal.ok) return sendError(res, principal.error);
    req.principal = principal.value;
    next();
  });

  /** Wraps a route: parse → use case → JSON, with expected failures mapped to statuses. */
  const route =
    <T>(handler: (req: Authed, p: Principal) => Promise<T>, status = 200) =>
    async (req: Authed, res: Response): Promise<void> => {
      const result = await attempt(() => handler(req, req.principal as Principal));
      if (!result.ok) return sendError(res, result.error);
      res.status(status).json(result.value);
    };

  // Path segments name documents: refuse what cannot be an id (a '/' in it, '.', '..', reserved
  // `__x__`, more than Firestore's 1500 bytes) with 400 instead of failing in the database.
  const param = (req: Request, name: string): string => {
    const value = String(req.params[name] ?? '');
    if (value === '' || value === '.' || value === '..' || value.includes('/') || /^__.*__$/.test(value) || Buffer.byteLength(value) > 1500) {
      throw new UseCaseError({ code: 'VALIDATION.INVALID_PATH', message: `${name} in the path is not a valid id (no '/', not '.', '..' or __x__, at most 1500 bytes); take it from a listing or the case view` });
    }
    return value;
  };
  const parsed = <T>(r: Result<T>): T => {
    if (!r.ok) throw new UseCaseError(r.error);
    return r.value;
  };

  const u = deps.useCases;
  router.get('/me', route(async (_req, p) => ({ id: p.id, roles: p.roles, queueRoles: p.queueRoles, ...(p.queues ? { queues: p.queues } : {}) })));
  router.get('/queues', route((_req, p) => u.listQueues(p)));
  router.get('/queues/:queue/items', route(async (req, p) => u.listItems(p, param(req, 'queue'), parsed(parsePageQuery(req.query as Record<string, unknown>)))));
  router.post('/queues/:queue/next', route(async (req, p) => parsed(await u.claimNext(p, param(req, 'queue'), parsed(parseNextBody(req.body))))));
  router.post('/items/:itemId/claim', route(async (req, p) => { parsed(parseEmptyBody(req.body)); return { item: parsed(await u.claimItem(p, param(req, 'itemId'))) }; }));
  router.post('/items/:itemId/release', route(async (req, p) => parsed(await u.releaseItem(p, param(req, 'itemId'), parsed(parseReleaseBody(req.body))))));
  router.get('/cases/:caseId', route((req, p) => u.getCaseView(p, param(req, 'caseId'))));
  router.get('/cases/:caseId/evidence/:index', route(async (req, p) => {
    const raw = param(req, 'index');
    if (!/^\d{1,4}$/.test(raw)) throw new UseCaseError({ code: 'VALIDATION.INVALID_PATH', message: 'index must be the evidence index (0, 1, …) from the case view' });
    return u.openEvidence(p, param(req, 'caseId'), Number(raw));
  }));
  router.post('/cases/:caseId/decision', route(async (req, p) => parsed(await u.decideCase(p, param(req, 'caseId'), parsed(parseDecisionBody(req.body))))));
  router.post('/cases/:caseId/decision/undo', route(async (req, p) => { parsed(parseEmptyBody(req.body)); return parsed(await u.undoDecision(p, param(req, 'caseId'))); }));
  router.post('/batches/:batchId/undo', route(async (req, p) => { parsed(parseEmptyBody(req.body)); return parsed(await u.undoBatch(p, param(req, 'batchId'))); }));
  router.post('/batches/decision', route(async (req, p) => parsed(await u.decideBatch(p, parsed(parseBatchDecisionBody(req.body))))));
  router.post('/cases/:caseId/evidence-request', route(async (req, p) => parsed(await u.requestEvidence(p, param(req, 'caseId'), parsed(parseEvidenceRequestBody(req.body))))));
  router.get('/disputes/:subjectType/:subjectId', route((req, p) => u.getDisputeView(p, param(req, 'subjectType'), param(req, 'subjectId'))));
  router.get('/metrics', route((_req, p) => u.metricsPage(p)));
  router.get('/lead/overview', route((_req, p) => u.leadOverview(p)));
  router.get('/lead/thresholds', route((_req, p) => u.thresholdsPage(p)));
  router.get('/queues/:queue/claims', route((req, p) => u.listClaims(p, param(req, 'queue'))));

  router.use((_req: Request, res: Response) => sendError(res, { code: 'API.NOT_FOUND', message: 'no such endpoint; see services/review-queue/openapi.yaml' }));
  // Body parser and unexpected errors.
  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = error as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.parse.failed') return sendError(res, { code: 'VALIDATION.INVALID_JSON', message: 'the body is not valid JSON' });
    if (e.type === 'entity.too.large') return sendError(res, { code: 'VALIDATION.TOO_LARGE', message: 'the body is larger than 256 kB' });
    // A path segment that is not valid percent-encoding (express cannot decode the parameter).
    if (error instanceof URIError) return sendError(res, { code: 'VALIDATION.INVALID_PATH', message: 'the path is not valid percent-encoding (a % must be followed by two hex digits of UTF-8); encode ids with encodeURIComponent' });
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return sendError(res, { code: 'VALIDATION.INVALID_BODY', message: `the request could not be read (${e.type ?? 'malformed'}); send JSON with content-type application/json` });
    deps.logger.error({ err: error }, 'unexpected API error');
    return sendError(res, { code: 'INTERNAL', message: 'unexpected error; see the service log' });
  });
  return router;
}
