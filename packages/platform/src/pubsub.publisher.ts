import type { PubSub, Topic } from '@google-cloud/pubsub';
import { EventTypes, toPubSubMessage, topicOf, type ArbiterEvent, type EventType } from '@arbiter/contract';
import type { EventPublisher } from './ports';
import { instruments } from './metrics';
import { pubsubClientSpansEnabled, withProducerSpan } from './tracing';

/**
 * Publishes CloudEvents in binary content mode (CONTRACT.md) to the topic of their type.
 * Topics are cached; the client batches for at most `maxMilliseconds`.
 */
export class PubSubEventPublisher implements EventPublisher {
  private readonly topics = new Map<string, Topic>();

  constructor(
    private readonly pubsub: PubSub,
    private readonly batching: { maxMessages: number; maxMilliseconds: number } = { maxMessages: 100, maxMilliseconds: 5 },
  ) {}

  async publish(event: ArbiterEvent): Promise<void> {
    const topicName = topicOf[event.type as EventType];
    if (!topicName) throw new Error(`no topic carries event type ${event.type}`);
    // In a producer span that continues the event's trace; its context goes out as `ce-traceparent`
    // (CloudEvents) and `googclient_traceparent` (what the Pub/Sub client reads, so its spans and other
    // teams' subscribers join the trace). With the client's own spans on, the client sets the latter.
    await withProducerSpan(
      `${topicName} publish`,
      event.extensions?.['traceparent'],
      event.extensions?.['tracestate'],
      { 'messaging.destination.name': topicName, 'cloudevents.event_id': event.id, 'cloudevents.event_type': event.type, ...(event.subject ? { 'cloudevents.event_subject': event.subject } : {}) },
      async (outgoing) => {
        const traced = outgoing.traceparent ? { ...event, extensions: { ...event.extensions, ...outgoing } } : event;
        const message = toPubSubMessage(traced as ArbiterEvent);
        if (outgoing.traceparent && !pubsubClientSpansEnabled()) message.attributes['googclient_traceparent'] = outgoing.traceparent;
        await this.publishTo(topicName, message);
      },
    );
    countPublished(event);
  }

  /** Publishes a raw message (used for dead letters, which keep the original body and attributes). */
  async publishTo(topicName: string, message: { data: Buffer; attributes: Record<string, string> }): Promise<string> {
    return this.topic(topicName).publishMessage({ data: message.data, attributes: message.attributes });
  }

  async close(): Promise<void> {
    await Promise.all([...this.topics.values()].map((topic) => topic.flush()));
  }

  private topic(name: string): Topic {
    let topic = this.topics.get(name);
    if (!topic) {
      topic = this.pubsub.topic(name, { batching: this.batching });
      this.topics.set(name, topic);
    }
    return topic;
  }
}

function countPublished(event: ArbiterEvent): void {
  const counters = instruments();
  counters.eventsPublished.add(1, { type: event.type });
  if (event.type === EventTypes.decisionMade) {
    const decision = (event as ArbiterEvent<typeof EventTypes.decisionMade>).data;
    counters.decisions.add(1, { use_case: decision.useCase, decided_by: decision.decidedBy.kind, band: decision.band });
  }
}
