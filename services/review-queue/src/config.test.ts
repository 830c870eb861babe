import { readConfig } from '@arbiter/platform';
import { describeReviewQueueConfig } from './config';

const read = (env: Record<string, string>) => readConfig({ ARBITER_ENV: 'local', ...env }, describeReviewQueueConfig);

describe('review-queue configuration: the metrics refresh job', () => {
  it('reads the views every PT5M by default', () => {
    const config = read({});
    expect(config.ok && { every: config.value.metricsRefresh, ms: config.value.metricsRefreshMs }).toEqual({ every: 'PT5M', ms: 300_000 });
  });

  it('takes another period, or off (no job in this instance; the slot stays PT5M)', () => {
    const minute = read({ ARBITER_METRICS_REFRESH: 'PT1M' });
    expect(minute.ok && minute.value.metricsRefreshMs).toBe(60_000);
    const off = read({ ARBITER_METRICS_REFRESH: 'off' });
    expect(off.ok && { every: off.value.metricsRefresh, ms: off.value.metricsRefreshMs }).toEqual({ every: 'off', ms: 300_000 });
  });

  it('names a bad value and what to write instead', () => {
    const bad = read({ ARBITER_METRICS_REFRESH: 'hourly' });
    expect(bad.ok ? [] : bad.errors).toEqual([expect.stringMatching(/^ARBITER_METRICS_REFRESH must be an ISO-8601 duration such as PT5M, or off/)]);
    const tooShort = read({ ARBITER_METRICS_REFRESH: 'PT0.5S' });
    expect(tooShort.ok ? [] : tooShort.errors).toEqual(['ARBITER_METRICS_REFRESH must be at least PT1S']);
  });
});
