import type { PubSub } from '@google-cloud/pubsub';
import { deadLetterTopicOf, Subscriptions, type SubscriptionSpec } from '@arbiter/contract';

/** Delivery attempts before dead-lettering, for the local stack's push subscriptions (see `pushSubscriptionsTo`). */
export const LOCAL_PUSH_MAX_DELIVERY_ATTEMPTS = 100;

/**
 * Push delivery for the local stack, as on Cloud Run: each service's subscriptions become push
 * subscriptions on the emulator, pointing at the service's `POST /pubsub/push/<subscription>` route
 * (the same handler streaming pull runs). The services then run with `ARBITER_DELIVERY=push`.
 */

/**
 * The one place a push endpoint is built: the URL a subscription pushes to, under a base URL — the
 * service's own, or (as the local stack does) the push signer's `endpointBaseOf(service)`, which adds
 * the OIDC token Pub/Sub push sends on GCP and forwards to the service.
 */
export const pushEndpointOf = (subscription: string, serviceBaseUrl: string): string =>
  `${serviceBaseUrl.replace(/\/+$/, '')}/pubsub/push/${encodeURIComponent(subscription)}`;

/**
 * Points every subscription of the given services at them (`modifyPushConfig`). Messages already
 * waiting are pushed from then on. The wrapped envelope is kept (not `noWrapper`), so attributes and
 * `deliveryAttempt` arrive the way GCP sends them.
 *
 * Emulator only (this is the local stack's code): the subscriptions lose their retry policy. The
 * emulator never pushes again a message whose push failed (connection refused, 503) when the
 * subscription has a retry policy — 0 of 20 within 90 s of the endpoint answering again, against 20 of
 * 20 within 1.2 s without one (infra/EMULATOR-NOTES.md). Without it the emulator pushes again about
 * once a second, so a service restarting for 10 s would use up the topology's 10 delivery attempts and
 * have its messages dead-lettered: the dead-letter policy allows 100 attempts here (Pub/Sub's maximum).
 */
export async function pushSubscriptionsTo(
  pubsub: PubSub,
  urlOf: (service: SubscriptionSpec['service']) => string | undefined,
  subscriptions: readonly Pick<SubscriptionSpec, 'name' | 'service'>[] = Subscriptions,
): Promise<Array<{ subscription: string; endpoint: string }>> {
  const pointed: Array<{ subscription: string; endpoint: string }> = [];
  for (const spec of subscriptions) {
    const base = urlOf(spec.service);
    if (base === undefined) continue;
    const endpoint = pushEndpointOf(spec.name, base);
    await pubsub.subscription(spec.name).modifyPushConfig({ pushEndpoint: endpoint });
    await pubsub.subscription(spec.name).setMetadata({
      retryPolicy: null,
      deadLetterPolicy: { deadLetterTopic: `projects/${pubsub.projectId}/topics/${deadLetterTopicOf(spec.name)}`, maxDeliveryAttempts: LOCAL_PUSH_MAX_DELIVERY_ATTEMPTS },
    });
    pointed.push({ subscription: spec.name, endpoint });
  }
  return pointed;
}

/** Turns the subscriptions back into pull subscriptions (an empty push config). */
export async function pullSubscriptions(pubsub: PubSub, subscriptions: readonly Pick<SubscriptionSpec, 'name'>[] = Subscriptions): Promise<void> {
  for (const spec of subscriptions) await pubsub.subscription(spec.name).modifyPushConfig({});
}

/**
 * Streaming pull for the local stack (emulator only, like `pushSubscriptionsTo`): the subscriptions lose
 * their retry and dead-letter policies. With either, the emulator never delivers again some messages
 * whose ack deadline ran out on the stream of a consumer that was killed: of 200 messages published
 * while a consumer was killed and restarted 4 times (with 2 forced-nack storms), 23 and 33 never came
 * back within 120 s with both policies, 8 with only the retry policy, 0 and 2 with only the dead-letter
 * policy, and 0 in 3 runs of 3 without either, every one within 40 s (infra/EMULATOR-NOTES.md). The
 * consumer still dead-letters after the topology's delivery attempts, counting them itself
 * (`PubSubConsumer`), and waits before each nack (`backoffBeforeNack`), so nothing else changes.
 * On GCP provisioning keeps both policies, which it honours.
 */
export async function pullSubscriptionsOnEmulator(pubsub: PubSub, subscriptions: readonly Pick<SubscriptionSpec, 'name'>[] = Subscriptions): Promise<void> {
  for (const spec of subscriptions) await pubsub.subscription(spec.name).setMetadata({ retryPolicy: null, deadLetterPolicy: null });
}
