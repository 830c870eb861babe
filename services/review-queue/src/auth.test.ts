import { principalFromClaims, bearerTokenOf, type Principal } from './auth';
import { isEscalated, mayReadCase, mayViewDisputes, mayViewLeadOverview, mayWorkItem, mayWorkQueue, maySeePii, worksQueueAsReviewer } from './access';

const cleanliness = { id: 'cleanliness-review', roles: ['cleanliness-reviewer'] };
const damage = { id: 'damage-review', roles: ['damage-reviewer'] };
const principal = (roles: string[], queues?: string[]): Principal => {
  const r = principalFromClaims({ sub: 'p-1', roles, ...(queues ? { queues } : {}) });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};
const item = (over: { sent?: string[]; dueAt?: number } = {}) => ({ sla: { sent: over.sent ?? [], nextCheckAt: null }, dueAt: over.dueAt ?? 10_000 });

describe('claims', () => {
  it('rejects claims without a platform role, without sub, or with a malformed queue list', () => {
    expect(principalFromClaims({ sub: 'x', roles: ['cleanliness-reviewer'] })).toMatchObject({ ok: false, error: { code: 'AUTH.UNAUTHENTICATED' } });
    expect(principalFromClaims({ roles: ['reviewer'] })).toMatchObject({ ok: false });
    expect(principalFromClaims({ sub: 'x', roles: [] })).toMatchObject({ ok: false });
    expect(principalFromClaims({ sub: 'x', roles: ['reviewer'], queues: 'cleanliness-review' })).toMatchObject({ ok: false });
  });

  it('reads bearer headers', () => {
    expect(bearerTokenOf('Bearer a.b.c')).toBe('a.b.c');
    expect(bearerTokenOf('Basic a.b.c')).toBeUndefined();
    expect(bearerTokenOf(undefined)).toBeUndefined();
  });
});

describe('roles', () => {
  it('reviewers work the queues their queue roles name, or exactly their allow-list', () => {
    expect(worksQueueAsReviewer(principal(['reviewer', 'cleanliness-reviewer']), cleanliness)).toBe(true);
    expect(worksQueueAsReviewer(principal(['reviewer', 'cleanliness-reviewer']), damage)).toBe(false);
    expect(worksQueueAsReviewer(principal(['reviewer']), cleanliness)).toBe(false);
    expect(worksQueueAsReviewer(principal(['reviewer'], ['damage-review']), damage)).toBe(true);
    expect(worksQueueAsReviewer(principal(['reviewer', 'cleanliness-reviewer'], ['damage-review']), cleanliness)).toBe(false);
    // A queue role without the reviewer role works nothing.
    expect(worksQueueAsReviewer(principal(['auditor', 'cleanliness-reviewer']), cleanliness)).toBe(false);
  });

  it('leads and admins work every queue; auditors and support none', () => {
    for (const role of ['lead', 'admin']) expect(mayWorkQueue(principal([role]), damage)).toBe(true);
    for (const role of ['auditor', 'support']) expect(mayWorkQueue(principal([role]), damage)).toBe(false);
  });

  it('on-call works escalated or overdue items only', () => {
    const onCall = principal(['on-call']);
    expect(mayWorkItem(onCall, item(), damage, 0)).toBe(false);
    expect(mayWorkItem(onCall, item({ sent: ['escalated'] }), damage, 0)).toBe(true);
    expect(mayWorkItem(onCall, item({ sent: ['on-call'] }), damage, 0)).toBe(true);
    expect(mayWorkItem(onCall, item({ dueAt: 5 }), damage, 10)).toBe(true);
    expect(isEscalated(item({ sent: ['reminder:PT30M'] }), 0)).toBe(false);
  });

  it('reads, disputes, overview and PII by role', () => {
    expect(mayReadCase(principal(['auditor']), [damage])).toBe(true);
    expect(mayReadCase(principal(['support']), [damage])).toBe(false);
    expect(mayReadCase(principal(['reviewer', 'cleanliness-reviewer']), [damage])).toBe(false);
    expect(mayViewDisputes(principal(['support']))).toBe(true);
    expect(mayViewDisputes(principal(['reviewer']))).toBe(false);
    expect(mayViewLeadOverview(principal(['lead']))).toBe(true);
    expect(mayViewLeadOverview(principal(['on-call']))).toBe(false);
    expect(maySeePii(principal(['admin']))).toBe(true);
    expect(maySeePii(principal(['lead']))).toBe(false);
  });
});
