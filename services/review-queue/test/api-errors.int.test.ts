/**
 * The API's HTTP edge over a real loopback socket (so it runs with the integration tests, not the
 * unit tests, which do no I/O): the one error map from failure codes to statuses, and what the edge
 * refuses before a use case runs. The use cases are stand-ins; no emulator is needed.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { fail, ok } from '@arbiter/core';
import type { Principal } from '../src/auth';
import type { IdentityVerifier } from '../src/identity';
import type { ReviewQueueUseCases } from '../src/use-cases';
import { quietLogger } from '../src/use-cases/builders.test-support';
import { apiRouter } from '../src/http/api';

const reviewer: Principal = { id: 'rev-1', roles: ['reviewer'], queueRoles: ['damage-reviewer'] };
const identity: IdentityVerifier = { mode: 'local', principalOf: async () => ok(reviewer) };

/** The API over the given use cases (only those a test calls), on a free loopback port. */
async function serve(useCases: Partial<ReviewQueueUseCases>): Promise<{ get: (path: string) => Promise<{ status: number; body: unknown }>; close: () => Promise<void> }> {
  const app = express();
  app.use('/api', apiRouter({ identity, useCases: useCases as ReviewQueueUseCases, logger: quietLogger(), now: () => new Date() }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    get: async (path) => {
      const res = await fetch(`http://127.0.0.1:${port}/api${path}`);
      return { status: res.status, body: await res.json() };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the API’s one error map', () => {
  it('answers a view’s value as JSON and its failure code with the code’s status', async () => {
    const calls: string[] = [];
    const api = await serve({
      getCaseView: async (_p: Principal, caseId: string) => {
        calls.push(caseId);
        return caseId === 'mine' ? ok({ caseId }) : fail({ code: caseId === 'theirs' ? 'AUTH.FORBIDDEN' : 'CASE.NOT_FOUND', message: `no ${caseId}` });
      },
    } as Partial<ReviewQueueUseCases>);
    try {
      expect(await api.get('/cases/mine')).toEqual({ status: 200, body: { caseId: 'mine' } });
      expect(await api.get('/cases/theirs')).toEqual({ status: 403, body: { error: { code: 'AUTH.FORBIDDEN', message: 'no theirs' } } });
      expect(await api.get('/cases/nobody')).toEqual({ status: 404, body: { error: { code: 'CASE.NOT_FOUND', message: 'no nobody' } } });
      // An id that cannot be one is refused before any use case runs.
      expect(await api.get('/cases/__x__')).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION.INVALID_PATH' } } });
      expect(calls).toEqual(['mine', 'theirs', 'nobody']);
    } finally {
      await api.close();
    }
  });

  it('refuses an evidence index that is not one, and answers 503 when the store is busy', async () => {
    const api = await serve({
      openEvidence: async () => {
        throw Object.assign(new Error('14 UNAVAILABLE: no connection'), { code: 14 });
      },
    } as Partial<ReviewQueueUseCases>);
    try {
      expect(await api.get('/cases/c-1/evidence/first')).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION.INVALID_PATH', message: 'index must be the evidence index (0, 1, …) from the case view' } } });
      expect(await api.get('/cases/c-1/evidence/0')).toEqual({ status: 503, body: { error: { code: 'UNAVAILABLE.FIRESTORE', message: 'the case store is busy; try again' } } });
    } finally {
      await api.close();
    }
  });
});
