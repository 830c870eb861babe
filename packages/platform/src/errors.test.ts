import { dispositionOf, httpStatusOf, isPermanent } from './errors';

describe('error mapping', () => {
  it.each([
    ['EVENT.SCHEMA_VIOLATION', true],
    ['POLICY.UNKNOWN_USE_CASE', true],
    ['CONFIDENCE.MISSING', true],
    ['TRANSIENT.FIRESTORE', false],
    ['SOMETHING.ELSE', false],
  ])('%s is permanent: %s', (code, permanent) => {
    expect(isPermanent({ code, message: '' })).toBe(permanent);
  });

  it('an explicit permanent flag wins over the code', () => {
    expect(isPermanent({ code: 'EVENT.X', message: '', permanent: false })).toBe(false);
  });

  it('retries transient failures until the last attempt', () => {
    expect(dispositionOf({ code: 'TRANSIENT.X', message: '' }, 1, 5)).toBe('retry');
    expect(dispositionOf(undefined, 4, 5)).toBe('retry');
    expect(dispositionOf(undefined, 5, 5)).toBe('dead-letter');
    expect(dispositionOf({ code: 'EVENT.NOT_JSON', message: '' }, 1, 5)).toBe('dead-letter');
  });

  it.each([
    ['AUTH.UNAUTHENTICATED', 401],
    ['AUTH.FORBIDDEN', 403],
    ['CASE.NOT_FOUND', 404],
    ['CASE.ALREADY_DECIDED', 409],
    ['EVENT.UNSUPPORTED_CONTENT_TYPE', 415],
    ['EVENT.SCHEMA_VIOLATION', 400],
    ['TRANSIENT.FIRESTORE', 503],
    ['BUG', 500],
  ])('%s → HTTP %s', (code, status) => {
    expect(httpStatusOf(code)).toBe(status);
  });
});
