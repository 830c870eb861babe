/**
 * The reviewer API under `/api` (documented in `openapi.yaml`). Every route authenticates the caller
 * through the identity verifier (IAP's header, an Identity Platform or a local ID token: identity.ts),
 * reads its inputs (each a result), calls one use case (a result), and maps a failure code to its
 * status with `httpStatusOf` — the only place codes become statuses. A Firestore that is busy or
 * unreachable (a transient error thrown from an adapter) answers `UNAVAILABLE.FIRESTORE` (503).
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { fail, ok, type Failure, type Result } from '@arbiter/core';
import { httpStatusOf, isTransientFirestoreError, type Logger } from '@arbiter/platform';
import type { Principal } from '../auth';
import type { IdentityVerifier } from '../identity';
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

type Inputs<T> = { [K in keyof T]: T[K] extends Result<infer V> ? V : never };

/** Every input of a request, or the failure of the first that is not valid (in the order given). */
function all<T extends Record<string, Result<unknown>>>(inputs: T): Result<Inputs<T>> {
  const values: Record<string, unknown> = {};
  for (const [name, input] of Object.entries(inputs)) {
    if (!input.ok) return input;
    values[name] = input.value;
  }
  return ok(values as Inputs<T>);
}

// Path segments name documents: refuse what cannot be an id (a '/' in it, '.', '..', reserved
// `__x__`, more than Firestore's 1500 bytes) with 400 instead of failing in the database.
function param(req: Request, name: string): Result<string> {
  const value = String(req.params[name] ?? '');
  if (value === '' || value === '.' || value === '..' || value.includes('/') || /^__.*__$/.test(value) || Buffer.byteLength(value) > 1500) {
    return fail({ code: 'VALIDATION.INVALID_PATH', message: `${name} in the path is not a valid id (no '/', not '.', '..' or __x__, at most 1500 bytes); take it from a listing or the case view` });
  }
  return ok(value);
}

function evidenceIndex(req: Request): Result<number> {
  const raw = param(req, 'index');
  if (!raw.ok) return raw;
  if (!/^\d{1,4}$/.test(raw.value)) return fail({ code: 'VALIDATION.INVALID_PATH', message: 'index must be the evidence index (0, 1, …) from the case view' });
  return ok(Number(raw.value));
}

const none = (): Result<Record<string, never>> => ok({});

export function apiRouter(deps: ApiDeps): Router {
  const router = express.Router();
  router.use(express.json({ limit: '256kb', strict: false, type: () => true }));

  router.use(async (req: Authed, res, next) => {
    const principal = await deps.identity.principalOf((name) => req.get(name));
    if (!principal.ok) return sendError(res, principal.error);
    req.principal = principal.value;
    next();
  });

  /** A route: read the inputs → the use case → JSON, with a failure of either mapped to its status. */
  const route =
    <I, T>(inputs: (req: Request) => Result<I>, run: (p: Principal, input: I) => Promise<Result<T>>, status = 200) =>
    async (req: Authed, res: Response): Promise<void> => {
      const input = inputs(req);
      if (!input.ok) return sendError(res, input.error);
      const result = await run(req.principal as Principal, input.value);
      if (!result.ok) return sendError(res, result.error);
      res.status(status).json(result.value);
    };

  const u = deps.useCases;
  router.get('/me', route(none, async (p) => ok({ id: p.id, roles: p.roles, queueRoles: p.queueRoles, ...(p.queues ? { queues: p.queues } : {}) })));
  router.get('/queues', route(none, (p) => u.listQueues(p)));
  router.get('/queues/:queue/items', route((req) => all({ queue: param(req, 'queue'), page: parsePageQuery(req.query as Record<string, unknown>) }), (p, { queue, page }) => u.listItems(p, queue, page)));
  router.post('/queues/:queue/next', route((req) => all({ queue: param(req, 'queue'), body: parseNextBody(req.body) }), (p, { queue, body }) => u.claimNext(p, queue, body)));
  router.post('/items/:itemId/claim', route((req) => all({ body: parseEmptyBody(req.body), itemId: param(req, 'itemId') }), async (p, { itemId }) => {
    const item = await u.claimItem(p, itemId);
    return item.ok ? ok({ item: item.value }) : item;
  }));
  router.post('/items/:itemId/release', route((req) => all({ itemId: param(req, 'itemId'), body: parseReleaseBody(req.body) }), (p, { itemId, body }) => u.releaseItem(p, itemId, body)));
  router.get('/cases/:caseId', route((req) => param(req, 'caseId'), (p, caseId) => u.getCaseView(p, caseId)));
  router.get('/cases/:caseId/evidence/:index', route((req) => all({ index: evidenceIndex(req), caseId: param(req, 'caseId') }), (p, { caseId, index }) => u.openEvidence(p, caseId, index)));
  router.post('/cases/:caseId/decision', route((req) => all({ caseId: param(req, 'caseId'), body: parseDecisionBody(req.body) }), (p, { caseId, body }) => u.decideCase(p, caseId, body)));
  router.post('/cases/:caseId/decision/undo', route((req) => all({ body: parseEmptyBody(req.body), caseId: param(req, 'caseId') }), (p, { caseId }) => u.undoDecision(p, caseId)));
  router.post('/batches/:batchId/undo', route((req) => all({ body: parseEmptyBody(req.body), batchId: param(req, 'batchId') }), (p, { batchId }) => u.undoBatch(p, batchId)));
  router.post('/batches/decision', route((req) => parseBatchDecisionBody(req.body), (p, body) => u.decideBatch(p, body)));
  router.post('/cases/:caseId/evidence-request', route((req) => all({ caseId: param(req, 'caseId'), body: parseEvidenceRequestBody(req.body) }), (p, { caseId, body }) => u.requestEvidence(p, caseId, body)));
  router.get('/disputes/:subjectType/:subjectId', route((req) => all({ type: param(req, 'subjectType'), id: param(req, 'subjectId') }), (p, { type, id }) => u.getDisputeView(p, type, id)));
  router.get('/metrics', route(none, (p) => u.metricsPage(p)));
  router.get('/lead/overview', route(none, (p) => u.leadOverview(p)));
  router.get('/lead/thresholds', route(none, (p) => u.thresholdsPage(p)));
  router.get('/queues/:queue/claims', route((req) => param(req, 'queue'), (p, queue) => u.listClaims(p, queue)));

  router.use((_req: Request, res: Response) => sendError(res, { code: 'API.NOT_FOUND', message: 'no such endpoint; see services/review-queue/openapi.yaml' }));
  // Body parser errors, a busy store, and unexpected errors.
  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = error as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.parse.failed') return sendError(res, { code: 'VALIDATION.INVALID_JSON', message: 'the body is not valid JSON' });
    if (e.type === 'entity.too.large') return sendError(res, { code: 'VALIDATION.TOO_LARGE', message: 'the body is larger than 256 kB' });
    // A path segment that is not valid percent-encoding (express cannot decode the parameter).
    if (error instanceof URIError) return sendError(res, { code: 'VALIDATION.INVALID_PATH', message: 'the path is not valid percent-encoding (a % must be followed by two hex digits of UTF-8); encode ids with encodeURIComponent' });
    if (isTransientFirestoreError(error)) return sendError(res, { code: 'UNAVAILABLE.FIRESTORE', message: 'the case store is busy; try again' });
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return sendError(res, { code: 'VALIDATION.INVALID_BODY', message: `the request could not be read (${e.type ?? 'malformed'}); send JSON with content-type application/json` });
    deps.logger.error({ err: error }, 'unexpected API error');
    return sendError(res, { code: 'INTERNAL', message: 'unexpected error; see the service log' });
  });
  return router;
}
