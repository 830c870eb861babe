import { readConfig } from './config';

describe('assessor config', () => {
  it('defaults to port 8101 and a 30 s outbox sweep', () => {
    const config = readConfig({});
    expect(config).toMatchObject({ ok: true, value: { port: 8101, outboxSweepMs: 30000, projectId: 'arbiter-local', delivery: 'pull' } });
  });

  it('reports every bad variable at once', () => {
    const config = readConfig({ PORT: 'eighty', ASSESSOR_OUTBOX_SWEEP_MS: '5', ARBITER_DELIVERY: 'smoke' });
    expect(config.ok).toBe(false);
    if (config.ok) return;
    expect(config.errors).toHaveLength(3);
    expect(config.errors).toEqual(
      expect.arrayContaining([expect.stringMatching(/^PORT /), expect.stringMatching(/^ASSESSOR_OUTBOX_SWEEP_MS /), expect.stringMatching(/^ARBITER_DELIVERY /)]),
    );
  });
});
