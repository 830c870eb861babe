import { readConfig } from './config';

describe('router config', () => {
  it('defaults to port 8102, a 30 s outbox sweep and 300 fast-track patterns', () => {
    expect(readConfig({})).toMatchObject({ ok: true, value: { port: 8102, outboxSweepMs: 30000, fastTrackPatternLimit: 300 } });
  });

  it('reports every bad variable at once', () => {
    const config = readConfig({ ROUTER_FAST_TRACK_PATTERN_LIMIT: '0', ROUTER_OUTBOX_SWEEP_MS: 'soon' });
    expect(config.ok).toBe(false);
    if (config.ok) return;
    expect(config.errors).toEqual([expect.stringMatching(/^ROUTER_OUTBOX_SWEEP_MS /), expect.stringMatching(/^ROUTER_FAST_TRACK_PATTERN_LIMIT /)]);
  });
});
