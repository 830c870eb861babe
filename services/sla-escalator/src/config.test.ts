import { readConfig } from '@arbiter/platform';
import { readSlaEscalatorConfig } from './config';
import { authorizeTick, TICK_SECRET_HEADER } from './tick-auth';

describe('sla-escalator config', () => {
  it('defaults: port 8104, a 15 s timer, POST /tick off until a secret is set', () => {
    const config = readConfig({}, readSlaEscalatorConfig);
    expect(config).toMatchObject({ ok: true, value: { port: 8104, tickEveryMs: 15_000, tickAuth: 'secret', pageSize: 100 } });
    expect(config.ok && config.value.tickSecret).toBeFalsy();
  });

  it('reads the tick period as an ISO duration, or off', () => {
    expect(readConfig({ ARBITER_TICK_EVERY: 'PT1M' }, readSlaEscalatorConfig)).toMatchObject({ ok: true, value: { tickEveryMs: 60_000 } });
    expect(readConfig({ ARBITER_TICK_EVERY: 'off' }, readSlaEscalatorConfig)).toMatchObject({ ok: true, value: { tickEveryMs: null } });
  });

  it('reports every bad variable at once', () => {
    const config = readConfig({ ARBITER_TICK_EVERY: '15s', ARBITER_TICK_SECRET: 'short', ARBITER_TICK_AUTH: 'oidc', ARBITER_TICK_PAGE_SIZE: '0' }, readSlaEscalatorConfig);
    expect(config.ok).toBe(false);
    if (!config.ok) {
      expect(config.errors).toHaveLength(4);
      expect(config.errors.join('\n')).toMatch(/ARBITER_TICK_EVERY[\s\S]*ARBITER_TICK_AUTH[\s\S]*ARBITER_TICK_SECRET[\s\S]*ARBITER_TICK_PAGE_SIZE/);
    }
  });
});

describe('POST /tick authorisation', () => {
  const secret = 'a-long-enough-shared-secret';
  it('with a shared secret: only the exact secret passes', () => {
    expect(authorizeTick({ mode: 'secret', secret }, { [TICK_SECRET_HEADER]: secret })).toEqual({ ok: true, value: true });
    expect(authorizeTick({ mode: 'secret', secret }, {})).toMatchObject({ ok: false, error: { code: 'AUTH.UNAUTHENTICATED' } });
    expect(authorizeTick({ mode: 'secret', secret }, { [TICK_SECRET_HEADER]: `${secret}x` })).toMatchObject({ ok: false, error: { code: 'AUTH.FORBIDDEN' } });
  });

  it('without a secret the route is off', () => {
    expect(authorizeTick({ mode: 'secret' }, { [TICK_SECRET_HEADER]: 'anything' })).toMatchObject({ ok: false, error: { code: 'AUTH.TICK_DISABLED' } });
  });

  it('behind Cloud Run IAM: a bearer token must have been presented', () => {
    expect(authorizeTick({ mode: 'cloud-run-iam' }, { authorization: 'Bearer eyJhbGciOi.x.y' })).toEqual({ ok: true, value: true });
    expect(authorizeTick({ mode: 'cloud-run-iam' }, {})).toMatchObject({ ok: false, error: { code: 'AUTH.UNAUTHENTICATED' } });
  });

  it('reconciles cases whose step is pending for two minutes, unless told otherwise or off', () => {
    expect(readConfig({}, readSlaEscalatorConfig)).toMatchObject({ ok: true, value: { reconcileAfterMs: 120_000, reconcileMaxPerTick: 500 } });
    expect(readConfig({ ARBITER_RECONCILE_AFTER: 'PT10S', ARBITER_RECONCILE_MAX: '50' }, readSlaEscalatorConfig)).toMatchObject({ ok: true, value: { reconcileAfterMs: 10_000, reconcileMaxPerTick: 50 } });
    expect(readConfig({ ARBITER_RECONCILE_AFTER: 'off' }, readSlaEscalatorConfig)).toMatchObject({ ok: true, value: { reconcileAfterMs: null } });
    expect(readConfig({ ARBITER_RECONCILE_AFTER: 'soon' }, readSlaEscalatorConfig)).toMatchObject({ ok: false, errors: [expect.stringContaining('ARBITER_RECONCILE_AFTER')] });
  });
});
