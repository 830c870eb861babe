import { isLoopbackHost, readConfig } from './config';

describe('readConfig', () => {
  it('reports every bad variable at once', () => {
    const result = readConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', PUBSUB_EMULATOR_HOST: '10.0.0.5:8085' }, (read) => ({
      port: read.int('PORT', 8080, { min: 1, max: 65535 }),
      level: read.oneOf('LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info'),
      projectId: read.string('ARBITER_PROJECT_ID'),
      pubsub: read.hostPort('PUBSUB_EMULATOR_HOST', { loopbackOnly: true }),
    }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      'PORT must be a whole number (got "eighty")',
      'LOG_LEVEL must be one of debug, info, warn, error (got "loud")',
      'ARBITER_PROJECT_ID is required',
      'PUBSUB_EMULATOR_HOST must point at this machine (127.0.0.1, localhost or [::1]); got "10.0.0.5:8085"',
    ]);
  });

  it('returns a frozen config when everything is valid', () => {
    const result = readConfig({ PORT: '8081', ARBITER_PROJECT_ID: 'p' }, (read) => ({ port: read.int('PORT', 8080), projectId: read.string('ARBITER_PROJECT_ID') }));
    expect(result).toEqual({ ok: true, value: { port: 8081, projectId: 'p' } });
    if (result.ok) expect(Object.isFrozen(result.value)).toBe(true);
  });

  it.each([
    ['127.0.0.1', true],
    ['localhost', true],
    ['[::1]', true],
    ['127.8.9.10', true],
    ['192.168.1.4', false],
    ['example.com', false],
  ])('%s is loopback: %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
