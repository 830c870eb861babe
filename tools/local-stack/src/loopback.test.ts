import { assertLoopbackEndpoints, isLoopbackHost, parseEndpoint } from './loopback';

describe('loopback guard', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])('accepts %s', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['0.0.0.0', '10.0.0.5', 'pubsub', 'bigquery.googleapis.com', '::', '128.0.0.1'])('refuses %s', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });

  it('parses host:port and URLs', () => {
    expect(parseEndpoint('127.0.0.1:8085')).toEqual({ host: '127.0.0.1', port: 8085 });
    expect(parseEndpoint('http://localhost:9050')).toEqual({ host: 'localhost', port: 9050 });
    expect(parseEndpoint('[::1]:8086')).toEqual({ host: '::1', port: 8086 });
    expect(() => parseEndpoint('127.0.0.1')).toThrow(/host:port/);
  });

  it('names every refused endpoint', () => {
    expect(() =>
      assertLoopbackEndpoints({ PUBSUB_EMULATOR_HOST: 'pubsub:8085', FIRESTORE_EMULATOR_HOST: '127.0.0.1:8086', BIGQUERY_EMULATOR_HOST: 'http://10.1.1.1:9050' }),
    ).toThrow('PUBSUB_EMULATOR_HOST=pubsub:8085, BIGQUERY_EMULATOR_HOST=http://10.1.1.1:9050');
    expect(() => assertLoopbackEndpoints({ PUBSUB_EMULATOR_HOST: 'localhost:8085', BIGQUERY_EMULATOR_HOST: undefined })).not.toThrow();
  });
});
