import { pushEndpointOf } from './push';

describe('pushEndpointOf', () => {
  it('is the service’s push route for the subscription', () => {
    expect(pushEndpointOf('router.route-on-case-opened', 'http://127.0.0.1:8102')).toBe('http://127.0.0.1:8102/pubsub/push/router.route-on-case-opened');
    expect(pushEndpointOf('audit-exporter.record-on-case-event', 'http://127.0.0.1:8105/')).toBe('http://127.0.0.1:8105/pubsub/push/audit-exporter.record-on-case-event');
  });
});
