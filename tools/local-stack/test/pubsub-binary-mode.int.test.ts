import { EventTypes, Topics, createEvent, fromPubSubMessage, toPubSubMessage } from '@arbiter/contract';
import type { PubSub } from '@google-cloud/pubsub';
import { receive, testPubSub, uniqueName } from './support';

// Emulator calls can take longer than Jest's default 5 s (`pnpm test` also passes --testTimeout).
jest.setTimeout(120_000);

describe('a CloudEvent on Pub/Sub in binary content mode', () => {
  let pubsub: PubSub;
  const subscriptionName = uniqueName('itest.binary-mode');

  beforeAll(async () => {
    pubsub = testPubSub();
    // A subscription of the test's own, so no service's subscription loses the message.
    await pubsub.topic(Topics.predictions).createSubscription(subscriptionName, { ackDeadlineSeconds: 10 });
  });

  afterAll(async () => {
    await pubsub.subscription(subscriptionName).delete();
    await pubsub.close();
  });

  it('arrives intact: every ce-* attribute, content-type and the JSON body', async () => {
    const created = createEvent({
      type: EventTypes.predictionSubmitted,
      source: '//upstream/vision',
      subject: 'bk-20261121-0042',
      time: '2026-11-21T12:00:00.123Z',
      data: {
        useCase: 'vehicle-cleanliness',
        subject: { type: 'booking', id: 'bk-20261121-0042' },
        model: { name: 'cleanliness-vit', version: '2.3.0' },
        prediction: { label: 'dirty', confidence: 0.78, scores: { dirty: 0.78, clean: 0.22 } },
        evidence: [{ uri: 'gs://evidence/bk-20261121-0042/after-1.jpg', role: 'return', mediaType: 'image/jpeg' }],
        context: { nextBookingAt: '2026-11-21T14:00:00Z', amount: { value: 25, currency: 'EUR' }, customerId: 'cus-881' },
      },
    });
    if (!created.ok) throw new Error(`${created.error.code}: ${created.error.message}`);
    const event = created.value;
    const sent = toPubSubMessage(event);

    // The wire format the contract fixes, checked on the plain message.
    expect(sent.attributes).toMatchObject({
      'ce-specversion': '1.0',
      'ce-id': event.id,
      'ce-source': '//upstream/vision',
      'ce-type': EventTypes.predictionSubmitted,
      'ce-subject': 'bk-20261121-0042',
      'ce-time': '2026-11-21T12:00:00.123Z',
      'content-type': 'application/json',
    });
    expect(sent.attributes['ce-dataschema']).toEqual(expect.any(String));

    const arrived = receive(pubsub.subscription(subscriptionName), (message) => message.attributes['ce-id'] === event.id);
    await pubsub.topic(Topics.predictions).publishMessage(sent);
    const message = await arrived;

    expect(message.attributes).toEqual(sent.attributes);
    expect(message.data.toString('utf8')).toBe(sent.data.toString('utf8'));
    expect(JSON.parse(message.data.toString('utf8'))).toEqual(event.data);

    const decoded = fromPubSubMessage({ data: message.data, attributes: message.attributes });
    if (!decoded.ok) throw new Error(`${decoded.error.code}: ${decoded.error.message}`);
    expect(decoded.value).toEqual(event);
  });
});
