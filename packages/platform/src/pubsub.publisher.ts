import type { PubSub, Topic } from '@google-cloud/pubsub';
import { toPubSubMessage, topicOf, type ArbiterEvent, type EventType } from '@arbiter/contract';
import type { EventPublisher } from './ports';

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
    await this.publishTo(topicName, toPubSubMessage(event));
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
