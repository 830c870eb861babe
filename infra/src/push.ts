import type { PubSub } from '@google-cloud/pubsub';
import { Subscriptions, type SubscriptionSpec } from '@arbiter/contract';

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
    pointed.push({ subscription: spec.name, endpoint });
  }
  return pointed;
}

/** Turns the subscriptions back into pull subscriptions (an empty push config). */
export async function pullSubscriptions(pubsub: PubSub, subscriptions: readonly Pick<SubscriptionSpec, 'name'>[] = Subscriptions): Promise<void> {
  for (const spec of subscriptions) await pubsub.subscription(spec.name).modifyPushConfig({});
}
