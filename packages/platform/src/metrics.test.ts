import { wantsPrometheusText } from './service-host';

describe('wantsPrometheusText', () => {
  it('answers a Prometheus scrape with text, whatever version parameters it sends', () => {
    expect(wantsPrometheusText('application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1')).toBe(true);
    expect(wantsPrometheusText('text/plain;version=0.0.4')).toBe(true);
    expect(wantsPrometheusText('text/plain')).toBe(true);
  });

  it('keeps the JSON for callers that ask for JSON, anything, or nothing', () => {
    expect(wantsPrometheusText('application/json')).toBe(false);
    expect(wantsPrometheusText('application/json, text/plain, */*')).toBe(false);
    expect(wantsPrometheusText('*/*')).toBe(false);
    expect(wantsPrometheusText(undefined)).toBe(false);
    expect(wantsPrometheusText('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')).toBe(false);
  });
});
